using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Perf;

/// <summary>The three in-process paths over the same data, interleaved run by run.</summary>
internal static class MacroBenchmarks
{
    public const string CategoryFilter = "category eq 'MicrosoftSupportAccessManagement'";

    public static async Task RunAsync(Uri? baseUrl, int bulkRecords, int runs, string only = "abce")
    {
        await using EmulatorServer? server = baseUrl is null
            ? await EmulatorServer.StartAsync(new EmulatorOptions { BulkRecordCount = bulkRecords, PageSize = 999 })
            : null;
        baseUrl ??= server!.BaseAddress;
        string token = TestTokens.DemoAdmin();
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        // Made once, as Connect-SupportAccess makes it once per session; (a) keeps its HttpClient too.
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, baseUrl);

        var paths = new (string Name, Func<Task<long>> Run)[]
        {
            ("a raw HttpClient", () => RawTransferAsync(http, baseUrl, token)),
            ("b Graph SDK typed", () => GraphSdkAsync(http, baseUrl, token)),
            ("c reader + Graph source", () => ReaderAndGraphSourceAsync(connection)),
            // Not a goal: (a) through the Graph SDK's request adapter and middleware, which (c)
            // must use, so c - e is what our parsing and classifying cost.
            ("e SDK adapter, no parse", () => AdapterTransferAsync(connection, baseUrl)),
        }.Where(p => only.Contains(p.Name[0])).ToArray();

        var timings = paths.ToDictionary(p => p.Name, _ => new List<double>());
        // What each path costs the process besides time: allocations, collections, GC pauses.
        var allocated = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var pauses = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var gen0 = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var counts = new Dictionary<string, long>();
        // Run 0 is the warm-up (JIT, connections) and is not counted.
        for (int run = 0; run <= runs; run++)
        {
            foreach (var (name, path) in paths)
            {
                long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
                TimeSpan pauseBefore = GC.GetTotalPauseDuration();
                int gen0Before = GC.CollectionCount(0);
                var watch = Stopwatch.StartNew();
                long count = await path();
                watch.Stop();
                counts[name] = count;
                if (run > 0)
                {
                    timings[name].Add(watch.Elapsed.TotalMilliseconds);
                    allocated[name].Add((GC.GetTotalAllocatedBytes(precise: true) - bytesBefore) / 1048576.0);
                    pauses[name].Add((GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds);
                    gen0[name].Add(GC.CollectionCount(0) - gen0Before);
                }
            }
        }

        Console.WriteLine($"Emulator {baseUrl}, {runs} runs after one warm-up; median ms:");
        foreach (var (name, _) in paths)
        {
            Console.WriteLine($"  {name,-24} {Median(timings[name]),10:0.0} ms  ({counts[name]} {(name[0] is 'a' or 'e' ? "bytes" : "records")}; " +
                $"allocated {Median(allocated[name]):0.0} MB, {Median(gen0[name]):0} gen0 collections, GC paused {Median(pauses[name]):0.0} ms)");
        }

        var medians = paths.ToDictionary(p => p.Name[0], p => Median(timings[p.Name]));
        if (medians.TryGetValue('a', out double a) && medians.TryGetValue('b', out double b) && medians.TryGetValue('c', out double c))
        {
            string e = medians.TryGetValue('e', out double adapter) ? FormattableString.Invariant($" e={adapter:0.0}") : "";
            // One machine-readable line for build.ps1 Bench.
            Console.WriteLine(FormattableString.Invariant($"RESULT a={a:0.0} b={b:0.0} c={c:0.0}{e} records={counts[paths.First(p => p.Name[0] == 'c').Name]}"));
        }
    }

    /// <summary>
    /// Issue 11: the workspace path against the same answers fetched raw. (w) reads every
    /// support-access row of 180 days through the Log Analytics source and the activity reader;
    /// (r) replays the very queries (w) sent, three at once as (w) sends them, and only reads
    /// the answers' bytes.
    /// </summary>
    public static async Task RunWorkspaceAsync(int rows, int runs)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsBulkRows = rows });
        string logAnalyticsToken = TestTokens.LogAnalyticsUser();
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress, logAnalyticsToken, server.BaseAddress);
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var query = new ActivityQuery { StartUtc = end.AddDays(-179), EndUtc = end };
        string[] workspaces = { DemoWorkspace.WorkspaceId };
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var queryUrl = new Uri(server.BaseAddress, $"v1/workspaces/{DemoWorkspace.WorkspaceId}/query");

        async Task<long> Source()
        {
            long count = 0;
            var reader = new ActivityReader(connection.TenantId);
            await foreach (SupportAccessActivity _ in reader.ReadAsync(new LogAnalytics.LogAnalyticsSource(TenantClients.Of(connection).LogAnalyticsClient, workspaces, connection.TenantId), query, NullReporter.Instance, CancellationToken.None))
            {
                count++;
            }

            return count;
        }

        // The queries (w) sends, captured from its warm-up read.
        long sequenceBefore = server.Requests.Snapshot().LastOrDefault()?.Sequence ?? 0;
        await Source();
        (string Kql, string? Timespan)[] sent = server.Requests.Snapshot()
            .Where(r => r.Sequence > sequenceBefore && r.Kql is not null)
            .Select(r => (r.Kql!, r.Timespan)).ToArray();

        async Task<long> Raw()
        {
            long bytes = 0;
            // The count query first, then the slices three at once, as the source does.
            bytes += await PostAsync(sent[0]);
            await Parallel.ForEachAsync(sent.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (q, ct) =>
                Interlocked.Add(ref bytes, await PostAsync(q)));
            return bytes;
        }

        async Task<long> PostAsync((string Kql, string? Timespan) q)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, queryUrl);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", logAnalyticsToken);
            string body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string?> { ["query"] = q.Kql, ["timespan"] = q.Timespan });
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadAsByteArrayAsync()).LongLength;
        }

        var wTimes = new List<double>();
        var rTimes = new List<double>();
        long records = 0;
        long bytesRead = 0;
        for (int run = 0; run <= runs; run++)
        {
            var watch = Stopwatch.StartNew();
            TimeSpan cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            bytesRead = await Raw();
            double raw = watch.Elapsed.TotalMilliseconds;
            TimeSpan cpu1 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            TimeSpan pause0 = GC.GetTotalPauseDuration();
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            long alloc0 = GC.GetTotalAllocatedBytes();
            records = await Source();
            double source = watch.Elapsed.TotalMilliseconds;
            TimeSpan cpu2 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            Console.WriteLine(FormattableString.Invariant($"  w gc: pause {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:0} ms, gen0 {GC.CollectionCount(0) - g0}, gen1 {GC.CollectionCount(1) - g1}, gen2 {GC.CollectionCount(2) - g2}, allocated {(GC.GetTotalAllocatedBytes() - alloc0) / 1048576} MB"));
            Console.WriteLine(FormattableString.Invariant($"  run {run}: r {raw:0} ms (cpu {(cpu1 - cpu0).TotalMilliseconds:0}), w {source:0} ms (cpu {(cpu2 - cpu1).TotalMilliseconds:0})"));
            if (run > 0)
            {
                rTimes.Add(raw);
                wTimes.Add(source);
            }
        }

        Console.WriteLine($"Workspace path: {records} activities in 180 days ({rows} bulk rows), {sent.Length} queries, {bytesRead} bytes; median of {runs} runs after one warm-up:");
        Console.WriteLine($"  r same answers raw        {Median(rTimes),10:0.0} ms");
        Console.WriteLine($"  w Log Analytics source    {Median(wTimes),10:0.0} ms");
        Console.WriteLine(FormattableString.Invariant($"RESULT r={Median(rTimes):0.0} w={Median(wTimes):0.0} wrecords={records} wqueries={sent.Length}"));
    }

    /// <summary>
    /// Where the workspace path's time goes, per row, on one answer of the demo workspace held in
    /// memory, one record alive at a time as on the real path: the answer checked and its rows
    /// found (QueryAnswer.Rows), each row read into a record, each record classified. Beside it the
    /// floor of any reader of this JSON: System.Text.Json's reader over the answer, the dynamic
    /// columns' JSON text unescaped and read by it again. Medians and minimums of 30 rounds.
    /// </summary>
    public static async Task ProfileWorkspaceAsync(int rows)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsBulkRows = rows });
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress, TestTokens.LogAnalyticsUser(), server.BaseAddress);
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var query = new ActivityQuery { StartUtc = end.AddDays(-10), EndUtc = end };
        var slice = new LogAnalytics.Slice(query.StartUtc, query.EndUtc);
        using LogAnalytics.AnswerBytes answer = await TenantClients.Of(connection).LogAnalyticsClient.QueryAsync(
            new[] { DemoWorkspace.WorkspaceId }, LogAnalytics.Kql.Rows(query, slice, LogAnalytics.Kql.FilterOf(query, connection.TenantId)), LogAnalytics.Kql.Timespan(slice),
            TimeSpan.FromSeconds(100), System.Buffers.ArrayPool<byte>.Shared, null, CancellationToken.None);
        System.Buffers.ReadOnlySequence<byte> body = answer.Bytes;
        int count = LogAnalytics.QueryAnswer.Rows(body).Count;
        var classifier = new Classification.ActivityClassifier(connection.TenantId);
        var stages = new Dictionary<string, List<double>> { ["check"] = new(), ["read"] = new(), ["classify"] = new(), ["floor"] = new() };
        long allocatedPerRow = 0;
        for (int round = 0; round < 30; round++)
        {
            var watch = Stopwatch.StartNew();
            LogAnalytics.AnswerRows answerRows = LogAnalytics.QueryAnswer.Rows(body);
            stages["check"].Add(watch.Elapsed.TotalMilliseconds);
            double read = 0, classify = 0;
            long before = GC.GetTotalAllocatedBytes(true);
            foreach (ParsedAuditRecord record in answerRows.Records())
            {
                read += watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                classifier.Classify(record.Record, record.Raw, record.RawColumns);
                classify += watch.Elapsed.TotalMilliseconds;
                watch.Restart();
            }

            allocatedPerRow = (GC.GetTotalAllocatedBytes(true) - before) / count;
            stages["read"].Add(read - stages["check"][^1]);
            stages["classify"].Add(classify);
            watch.Restart();
            JsonFloor(body);
            stages["floor"].Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"{count} rows, {body.Length} bytes in one answer; per row, median (minimum) of 30 rounds:");
        foreach ((string stage, List<double> times) in stages)
        {
            Console.WriteLine(FormattableString.Invariant($"  {stage,-9} {1000 * Median(times) / count,6:0.00} us ({1000 * times.Min() / count:0.00} us)"));
        }

        Console.WriteLine($"  allocated {allocatedPerRow} B per row read and classified");
    }

    /// <summary>The least any reader of a Log Analytics answer does: every token, and the dynamic
    /// columns' JSON text unescaped and read as JSON.</summary>
    private static void JsonFloor(System.Buffers.ReadOnlySequence<byte> body)
    {
        byte[] unescaped = new byte[1 << 20];
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
            {
                int length = reader.CopyString(unescaped);
                if (length > 0 && unescaped[0] is (byte)'{' or (byte)'[')
                {
                    var inner = new Utf8JsonReader(unescaped.AsSpan(0, length));
                    while (inner.Read())
                    {
                    }
                }
            }
        }
    }

    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static Uri FirstPageUrl(Uri baseUrl) =>
        new(baseUrl, $"v1.0/auditLogs/directoryAudits?$filter={Uri.EscapeDataString(CategoryFilter)}&$top=999");

    /// <summary>(a) Every page's bytes, no parsing beyond locating @odata.nextLink.</summary>
    private static async Task<long> RawTransferAsync(HttpClient http, Uri baseUrl, string token)
    {
        long bytes = 0;
        Uri? next = FirstPageUrl(baseUrl);
        while (next is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            bytes += body.Length;
            next = FindNextLink(body);
        }

        return bytes;
    }

    private static readonly byte[] NextLinkMarker = Encoding.UTF8.GetBytes("\"@odata.nextLink\":");

    private static Uri? FindNextLink(byte[] body)
    {
        int at = body.AsSpan().LastIndexOf(NextLinkMarker);
        if (at < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body.AsSpan(at + NextLinkMarker.Length));
        reader.Read();
        return new Uri(reader.GetString()!);
    }

    /// <summary>(b) The Graph SDK's typed models, following OdataNextLink.</summary>
    private static async Task<long> GraphSdkAsync(HttpClient http, Uri baseUrl, string token)
    {
        var auth = new BaseBearerTokenAuthenticationProvider(new FixedTokenProvider(token, baseUrl.Host));
        var client = new GraphServiceClient(http, auth, new Uri(baseUrl, "v1.0").ToString());
        long count = 0;
        DirectoryAuditCollectionResponse? page = await client.AuditLogs.DirectoryAudits.GetAsync(r =>
        {
            r.QueryParameters.Filter = CategoryFilter;
            r.QueryParameters.Top = 999;
        });
        while (page is not null)
        {
            count += page.Value?.Count ?? 0;
            if (page.OdataNextLink is not string next)
            {
                break;
            }

            page = await client.AuditLogs.DirectoryAudits.WithUrl(next).GetAsync();
        }

        return count;
    }

    /// <summary>(e) Every page's bytes through the connection's Graph request adapter, no parsing.</summary>
    private static async Task<long> AdapterTransferAsync(SupportAccessConnection connection, Uri baseUrl)
    {
        long bytes = 0;
        Uri? next = FirstPageUrl(baseUrl);
        while (next is not null)
        {
            using var body = new System.IO.MemoryStream();
            using (System.IO.Stream stream = await GraphGet.StreamAsync(TenantClients.Of(connection).Graph.RequestAdapter, next, CancellationToken.None, sdkRetries: false))
            {
                await stream.CopyToAsync(body);
            }

            byte[] page = body.ToArray();
            bytes += page.Length;
            next = FindNextLink(page);
        }

        return bytes;
    }

    /// <summary>(c) The module's query service, without PowerShell.</summary>
    private static async Task<long> ReaderAndGraphSourceAsync(SupportAccessConnection connection)
    {
        // What Get-SupportAccessActivity runs for Graph: the Graph source through the activity reader.
        var reader = new ActivityReader(connection.TenantId);
        DateTime now = DateTime.UtcNow;
        var query = new ActivityQuery { StartUtc = now.AddDays(-30), EndUtc = now, RequestsPer10Seconds = 0 };
        long count = 0;
        await foreach (SupportAccessActivity _ in reader.ReadAsync(new GraphAuditSource(TenantClients.Of(connection).Graph), query, NullReporter.Instance, CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    private sealed class FixedTokenProvider : IAccessTokenProvider
    {
        private readonly string _token;

        public FixedTokenProvider(string token, string host)
        {
            _token = token;
            AllowedHostsValidator = new AllowedHostsValidator([host]);
        }

        public AllowedHostsValidator AllowedHostsValidator { get; }

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(_token);
    }
}

internal sealed class NullReporter : IQueryReporter
{
    public static readonly NullReporter Instance = new();

    public void Verbose(string message) { }
    public void Warning(string message) { }
    public void PageRead(int pageNumber, long recordsRead, long activitiesWritten) { }
}

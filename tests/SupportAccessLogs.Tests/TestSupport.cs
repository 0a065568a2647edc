using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Tests;

/// <summary>Builds audit records from small JSON snippets and reads them through the module's
/// own <see cref="AuditPageReader"/>, as the query service does.</summary>
internal static class Records
{
    public const string CallerTenant = "aaaaaaaa-1111-4111-8111-bbbbbbbbbbbb";
    public const string OtherTenant = "cccccccc-2222-4222-8222-dddddddddddd";

    public const string UserInitiator = """{"user":{"id":"3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61","displayName":"Contoso Admin","userPrincipalName":"admin@contoso.com","ipAddress":"203.0.113.7"},"app":null}""";
    public const string AppInitiator = """{"user":null,"app":{"appId":"a0b1c2d3-0000-4000-8000-000000000001","displayName":"Microsoft Support Access","servicePrincipalId":"sp-1","servicePrincipalName":null}}""";
    public const string NoInitiator = "null";

    /// <summary>One directoryAudit record in the support-access category.</summary>
    public static string Json(
        string activityDisplayName = "Request created",
        string initiatedBy = UserInitiator,
        string additionalDetails = "[]",
        string targetResources = "[]",
        string id = "rec-1",
        string category = "MicrosoftSupportAccessManagement") =>
        $$"""
        {"id":{{JsonSerializer.Serialize(id)}},"category":{{JsonSerializer.Serialize(category)}},"correlationId":"corr-1","result":"success","resultReason":"","activityDisplayName":{{JsonSerializer.Serialize(activityDisplayName)}},"activityDateTime":"2026-11-02T10:15:30.1234567Z","loggedByService":"Core Directory","operationType":"Add","initiatedBy":{{initiatedBy}},"targetResources":{{targetResources}},"additionalDetails":{{additionalDetails}}}
        """;

    /// <summary>additionalDetails as a JSON array of {key,value} pairs.</summary>
    public static string Details(params (string Key, string? Value)[] pairs)
    {
        var items = new List<string>();
        foreach ((string key, string? value) in pairs)
        {
            items.Add($$"""{"key":{{JsonSerializer.Serialize(key)}},"value":{{JsonSerializer.Serialize(value)}}}""");
        }

        return "[" + string.Join(",", items) + "]";
    }

    public static string Page(params string[] records) => """{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits","value":[""" + string.Join(",", records) + "]}";

    public static ParsedAuditRecord ParseOne(string recordJson)
    {
        List<ParsedAuditRecord> records = ReadPage(Page(recordJson), out _);
        return Assert1(records);
    }

    public static SupportAccessActivity Classify(string recordJson, string callerTenant = CallerTenant)
    {
        ParsedAuditRecord parsed = ParseOne(recordJson);
        return new Classification.ActivityClassifier(Guid.Parse(callerTenant)).Classify(parsed.Record, parsed.Raw);
    }

    public static List<ParsedAuditRecord> ReadPage(string json, out string? nextLink, int maxChunk = 0) =>
        ReadPage(Encoding.UTF8.GetBytes(json), out nextLink, maxChunk);

    /// <summary>Reads a whole page; with <paramref name="maxChunk"/> &gt; 0 the stream hands
    /// out 1..maxChunk bytes per read.</summary>
    public static List<ParsedAuditRecord> ReadPage(byte[] json, out string? nextLink, int maxChunk = 0)
    {
        Stream stream = maxChunk > 0 ? new TrickleStream(json, maxChunk, seed: json.Length) : new MemoryStream(json);
        var reader = new AuditPageReader();
        List<ParsedAuditRecord> records = ReadAllAsync(reader, stream).GetAwaiter().GetResult();
        nextLink = reader.NextLink;
        return records;
    }

    private static async Task<List<ParsedAuditRecord>> ReadAllAsync(AuditPageReader reader, Stream stream)
    {
        var records = new List<ParsedAuditRecord>();
        await foreach (ParsedAuditRecord record in reader.ReadAsync(stream, CancellationToken.None))
        {
            records.Add(record);
        }

        return records;
    }

    private static ParsedAuditRecord Assert1(List<ParsedAuditRecord> records)
    {
        if (records.Count != 1)
        {
            throw new InvalidOperationException($"expected one record, read {records.Count}");
        }

        return records[0];
    }
}

/// <summary>A read-only stream that returns between 1 and <c>maxChunk</c> bytes per read
/// (deterministically), to put record and token boundaries anywhere in the reader's buffer.</summary>
internal sealed class TrickleStream : Stream
{
    private readonly byte[] _data;
    private readonly int _maxChunk;
    private readonly Random _random;
    private int _position;

    public TrickleStream(byte[] data, int maxChunk, int seed)
    {
        _data = data;
        _maxChunk = maxChunk;
        _random = new Random(seed);
    }

    public int ReadCalls { get; private set; }
    public int LargestRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ReadCalls++;
        int n = Math.Min(Math.Min(buffer.Length, _random.Next(1, _maxChunk + 1)), _data.Length - _position);
        _data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        LargestRead = Math.Max(LargestRead, n);
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Unsigned JWTs ("alg":"none") with exactly the claims a test names.</summary>
internal static class Jwt
{
    public const string GraphAudience = "https://graph.microsoft.com";

    public static string Unsigned(object claims) =>
        Encode("""{"alg":"none","typ":"JWT"}"""u8.ToArray()) + "." + Encode(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".";

    public static long InOneHour => DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

    private static string Encode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// One connection's query as the query commands run it: the production <see cref="ActivityRead"/>
/// (source, windows, reader), with the role check skipped as -SkipRoleCheck skips it. The role
/// check has tests of its own (RoleRulesTests, HostileRunTests, Pester's Roles tests); here it
/// would add role requests to every request count and fault these tests are about.
/// </summary>
internal sealed class CommandRead
{
    private readonly SupportAccessConnection _connection;
    private ActivityRead? _read;

    public CommandRead(SupportAccessConnection connection) => _connection = connection;

    public long MatchedCount => _read?.MatchedCount ?? 0;

    public bool ReachedEnd => _read?.ReachedEnd ?? false;

    public IAsyncEnumerable<SupportAccessActivity> QueryAsync(ActivityQuery query, IQueryReporter reporter, System.Threading.CancellationToken cancellationToken)
    {
        _read = new ActivityRead(new[] { _connection }, query) { SkipRoleCheck = true };
        return _read.ReadAsync(_ => reporter, (_, failure) => throw failure, failure => failure.GetType().Name, reporter, cancellationToken);
    }
}

/// <summary>Plain HTTP to the emulator for the emulator's own tests, and its JSON answers.</summary>
internal static class EmulatorHttp
{
    public static async System.Threading.Tasks.Task<(System.Net.HttpStatusCode Status, System.Text.Json.JsonElement Body)> GetAsync(System.Net.Http.HttpClient http, string url, string token)
    {
        using var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Get, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using System.Net.Http.HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : Json(text));
    }

    public static async System.Threading.Tasks.Task<System.Text.Json.JsonElement> GetJsonAsync(System.Net.Http.HttpClient http, string url)
    {
        using System.Net.Http.HttpResponseMessage response = await http.GetAsync(url);
        string text = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}: {text}");
        return Json(text);
    }

    /// <summary>A JSON text as an element that outlives its document.</summary>
    public static System.Text.Json.JsonElement Json(string text)
    {
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}

/// <summary>Keeps what a read reported on its Verbose and Warning streams (from any thread).</summary>
internal sealed class CollectingReporter : IQueryReporter
{
    public List<string> Verbose { get; } = new();
    public List<string> Warnings { get; } = new();

    void IMessageSink.Verbose(string message)
    {
        lock (Verbose)
        {
            Verbose.Add(message);
        }
    }

    void IMessageSink.Warning(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }

    /// <summary>The records the read had read at its last page (each once, repeats not counted).</summary>
    public long RecordsRead { get; private set; }

    public void PageRead(int pageNumber, long recordsRead, long activitiesWritten)
    {
        lock (Verbose)
        {
            RecordsRead = Math.Max(RecordsRead, recordsRead);
        }
    }
}

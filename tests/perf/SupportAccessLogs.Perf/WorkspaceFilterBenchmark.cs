using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Perf;

/// <summary>
/// Filters that run in the workspace (issue 26): the emulator in-process with N bulk rows in its
/// demo workspace, 180 days read through the Log Analytics source and the activity reader (as the
/// cmdlets read), once with a filter and once without, in turn, run by run. The filter is the
/// single -Category, -Activity or -TenantRole value whose share of the rows lies nearest 5 %.
/// Figures: rows that crossed the wire per row that matched, and the two reads' wall times.
/// </summary>
internal static class WorkspaceFilterBenchmark
{
    public static async Task RunAsync(int rows, int runs)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsBulkRows = rows });
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress, TestTokens.LogAnalyticsUser(), server.BaseAddress);
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var unfiltered = new ActivityQuery { StartUtc = end.AddDays(-179), EndUtc = end };
        string[] workspaces = { DemoWorkspace.WorkspaceId };

        async Task<(long Written, long Transferred)> ReadAsync(ActivityQuery query)
        {
            var source = new CountingSource(new LogAnalytics.LogAnalyticsSource(TenantClients.Of(connection).LogAnalyticsClient, workspaces, connection.TenantId));
            var reader = new ActivityReader(connection.TenantId);
            long written = 0;
            await foreach (SupportAccessActivity _ in reader.ReadAsync(source, query, NullReporter.Instance, CancellationToken.None))
            {
                written++;
            }

            return (written, source.Records);
        }

        // The filter nearest 5 %, from what the unfiltered read gives.
        var all = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in new ActivityReader(connection.TenantId).ReadAsync(
            new LogAnalytics.LogAnalyticsSource(TenantClients.Of(connection).LogAnalyticsClient, workspaces, connection.TenantId), unfiltered, NullReporter.Instance, CancellationToken.None))
        {
            all.Add(activity);
        }

        var candidates = new List<(string Name, ActivityQuery Query, double Share)>();
        foreach (Category category in Enum.GetValues<Category>())
        {
            candidates.Add(($"-Category {category}", unfiltered with { Categories = new[] { category } }, Share(all, a => a.Category == category)));
        }

        foreach (Activity activity in Enum.GetValues<Activity>())
        {
            candidates.Add(($"-Activity {activity}", unfiltered with { Activities = new[] { activity } }, Share(all, a => a.Activity == activity)));
        }

        foreach (TenantRole role in Enum.GetValues<TenantRole>())
        {
            candidates.Add(($"-TenantRole {role}", unfiltered with { TenantRoles = new[] { role } }, Share(all, a => a.TenantRole == role)));
        }

        (string name, ActivityQuery filtered, double share) = candidates.Where(c => c.Share > 0).OrderBy(c => Math.Abs(c.Share - 0.05)).First();
        Console.WriteLine(FormattableString.Invariant($"Workspace filters: {all.Count} activities in 180 days ({rows} bulk rows); filter {name} matches {share:P1}"));

        // Against the emulator: its KQL engine (an interpreter, on the same two cores) does the
        // workspace's work, classifying every row of the window for the filter.
        (double transferRatio, double emulatorRatio, string emulatorLine) = await TimeAsync("emulator", unfiltered, filtered, ReadAsync, runs);

        // The same answers replayed byte for byte: what the module and the wire cost, without the
        // emulator's interpretation of the query (a workspace runs it on its own cluster).
        using var replay = new AnswerReplay(server, TestTokens.LogAnalyticsUser());
        await replay.RecordAsync(server.Requests.Snapshot().Where(r => r.Kql is not null).Select(r => (r.Kql!, r.Timespan)));
        using SupportAccessConnection replayed = TenantSignIn.FromAccessToken(
            TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress, TestTokens.LogAnalyticsUser(), replay.BaseAddress);

        async Task<(long Written, long Transferred)> ReplayedAsync(ActivityQuery query)
        {
            var source = new CountingSource(new LogAnalytics.LogAnalyticsSource(TenantClients.Of(replayed).LogAnalyticsClient, workspaces, replayed.TenantId));
            long written = 0;
            await foreach (SupportAccessActivity _ in new ActivityReader(replayed.TenantId).ReadAsync(source, query, NullReporter.Instance, CancellationToken.None))
            {
                written++;
            }

            return (written, source.Records);
        }

        (_, double replayRatio, string replayLine) = await TimeAsync("replayed answers", unfiltered, filtered, ReplayedAsync, runs);
        Console.WriteLine(emulatorLine);
        Console.WriteLine(replayLine);
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT filter={name.Replace(' ', '_')} share={share:0.0000} transferratio={transferRatio:0.000} emulatortimeratio={emulatorRatio:0.000} replaytimeratio={replayRatio:0.000}"));
    }

    /// <summary>The two reads in turn, run by run; the rows-transferred ratio and the wall-time ratio (medians after one warm-up).</summary>
    private static async Task<(double TransferRatio, double TimeRatio, string Line)> TimeAsync(
        string against, ActivityQuery unfiltered, ActivityQuery filtered, Func<ActivityQuery, Task<(long Written, long Transferred)>> read, int runs)
    {
        var filteredTimes = new List<double>();
        var unfilteredTimes = new List<double>();
        (long Written, long Transferred) filteredRead = default, unfilteredRead = default;
        for (int run = 0; run <= runs; run++)
        {
            var watch = Stopwatch.StartNew();
            unfilteredRead = await read(unfiltered);
            double plain = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            filteredRead = await read(filtered);
            double narrowed = watch.Elapsed.TotalMilliseconds;
            Console.WriteLine(FormattableString.Invariant($"  {against}, run {run}: unfiltered {plain:0} ms ({unfilteredRead.Transferred} rows), filtered {narrowed:0} ms ({filteredRead.Transferred} rows, {filteredRead.Written} written)"));
            if (run > 0)
            {
                unfilteredTimes.Add(plain);
                filteredTimes.Add(narrowed);
            }
        }

        double transferRatio = (double)filteredRead.Transferred / filteredRead.Written;
        double timeRatio = MacroBenchmarks.Median(filteredTimes) / MacroBenchmarks.Median(unfilteredTimes);
        string line = FormattableString.Invariant(
            $"  {against}: rows transferred / rows matching {transferRatio:0.000} (unfiltered {(double)unfilteredRead.Transferred / filteredRead.Written:0.0}); wall time filtered / unfiltered {timeRatio:0.000} ({MacroBenchmarks.Median(filteredTimes):0} / {MacroBenchmarks.Median(unfilteredTimes):0} ms, median of {runs} after one warm-up)");
        return (transferRatio, timeRatio, line);
    }

    private static double Share(List<SupportAccessActivity> all, Func<SupportAccessActivity, bool> matches) =>
        all.Count == 0 ? 0 : (double)all.Count(matches) / all.Count;

    /// <summary>A source that counts the records it hands over: the rows that crossed the wire.</summary>
    private sealed class CountingSource : IRecordSource
    {
        private readonly IRecordSource _inner;

        public CountingSource(IRecordSource inner) => _inner = inner;

        public long Records { get; private set; }

        public string Name => _inner.Name;

        public async IAsyncEnumerable<ParsedAuditRecord> ReadAsync(ActivityQuery query, ISourceReporter reporter, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (ParsedAuditRecord record in _inner.ReadAsync(query, reporter, cancellationToken).ConfigureAwait(false))
            {
                Records++;
                yield return record;
            }
        }
    }
}

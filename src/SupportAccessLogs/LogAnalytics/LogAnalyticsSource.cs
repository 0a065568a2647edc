using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Http;
using SupportAccessLogs.KqlRules;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// The Log Analytics source: reads the support-access rows of a query's window from the AuditLogs
/// table of one or more workspaces (docs/architecture.md, "Log Analytics").
/// </summary>
/// <remarks>
/// One count query (rows per hour, and with filters the rows they keep) sizes the window into slices
/// of about <see cref="RowsPerSlice"/> rows to read, far below the API's limits (500,000 rows, ~64
/// MB). The filters run in the workspace as the generated rules (<see cref="WorkspaceFilterKql"/>),
/// so only matching rows travel. Slices are half-open in TimeGenerated,
/// so each row is in exactly one. Up to <see cref="SlicesAtOnce"/> are read at once and handed
/// over newest first, in order. A slice whose answer is incomplete (PartialError), too large,
/// a 504 or a timeout is split in two and both halves read again: a partial answer is never
/// taken as complete. A slice of one instant that still holds too many rows is split by a hash
/// of the row id, so every row of a busy second comes out. A timeout (or 504) splits a slice
/// once: when a slice split after one times out again, the service is not answering and the
/// read ends (docs/architecture.md, "Log Analytics").
/// </remarks>
internal sealed class LogAnalyticsSource : IRecordSource
{
    public const int RowsPerSlice = 5_000;
    public const int SlicesAtOnce = 3;

    /// <summary>Splits of one slice before the source gives up: enough to halve 180 days down to one tick and then split that instant into 2^16 id buckets.</summary>
    private const int MaxSplitDepth = 64;

    private readonly LogAnalyticsClient _client;
    private readonly IReadOnlyList<string> _workspaceIds;
    private readonly Guid _thisTenant;

    /// <param name="thisTenant">The connection's tenant: "this tenant" of a row that names none, as the reader classifies it.</param>
    public LogAnalyticsSource(LogAnalyticsClient client, IReadOnlyList<string> workspaceIds, Guid thisTenant)
    {
        _client = client;
        _workspaceIds = workspaceIds;
        _thisTenant = thisTenant;
    }

    /// <summary>"Log Analytics workspace &lt;id&gt;", or the first few of several.</summary>
    public string Name =>
        $"Log Analytics workspace{(_workspaceIds.Count == 1 ? "" : "s")} {string.Join(", ", _workspaceIds.Take(3))}"
        + (_workspaceIds.Count > 3 ? $" and {_workspaceIds.Count - 3} more" : "");

    public async IAsyncEnumerable<ParsedAuditRecord> ReadAsync(ActivityQuery query, ISourceReporter reporter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Slice window = Kql.ReadWindow(query);
        WorkspaceFilterKql filter = Kql.FilterOf(query, _thisTenant);
        var read = new Reading(query, filter, new PageRetryPolicy(query.MaxRetries), reporter, AnswerBytes.NewPool());
        DescribeFilter(read);
        (long total, long matching, List<Slice> slices) = await PlanAsync(window, read, cancellationToken).ConfigureAwait(false);
        if (total == 0)
        {
            reporter.Warning($"The workspace(s) {string.Join(", ", _workspaceIds)} hold no support access activity from {Kql.Time(window.Start)} to {Kql.Time(query.EndUtc)}. If Microsoft Graph shows activity in that time, check that a diagnostic setting sends AuditLogs to the workspace (rows arrive only from when it was added).");
            yield break;
        }

        if (matching == 0)
        {
            reporter.Verbose($"Log Analytics: none of the {total} rows in the window matches the filters; no row is read.");
            yield break;
        }

        // With -First, one slice at a time and each split's newer half handed over as soon
        // as it is read: reading ahead would send queries whose rows are never written.
        IAsyncEnumerable<ParsedAuditRecord> rows = query.First is not null
            ? OneSliceAtATimeAsync(slices, read, cancellationToken)
            : SlicesSideBySideAsync(slices, read, cancellationToken);
        await foreach (ParsedAuditRecord row in rows.ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>
    /// The rows in the window and those the filter keeps, counted per hour, and the slices the kept
    /// rows are read in: sized by what travels, so a filter that keeps few rows reads few slices.
    /// </summary>
    private async Task<(long Total, long Matching, List<Slice> Slices)> PlanAsync(Slice window, Reading read, CancellationToken cancellationToken)
    {
        read.Reporter.Verbose($"Log Analytics: counting rows per hour in workspace(s) {string.Join(", ", _workspaceIds)}, {window}.");
        List<(DateTime Bin, long Count, long Matching)> counts = await CountAsync(window, read, 0, null, cancellationToken).ConfigureAwait(false);
        long total;
        long matching;
        List<Slice> slices;
        try
        {
            total = counts.Sum(c => c.Count);
            matching = counts.Sum(c => c.Matching);
            slices = Plan(window, counts.Select(c => (c.Bin, c.Matching)).ToList());
        }
        catch (OverflowException ex)
        {
            // QueryAnswer bounds each count, so this takes a server that sent them many times over.
            throw new AuditResponseFormatException(
                $"Log Analytics returned row counts for {window} that don't add up ({ex.Message}): the service, or something in between, did not answer the count query as sent, so the window can't be sliced from it and nothing was read. Check -LogAnalyticsEndpoint of Connect-SupportAccess and any proxy in between, then run the command again.").At(_client.QueryUrl(_workspaceIds));
        }

        read.Reporter.Verbose(matching == total && read.Filter.Condition is null
            ? $"Log Analytics: {total} rows in the window, read in {slices.Count} slice(s) of at most about {RowsPerSlice} rows, up to {SlicesAtOnce} at once."
            : $"Log Analytics: {total} rows in the window, {matching} of them match the filters; those are read in {slices.Count} slice(s) of at most about {RowsPerSlice} rows, up to {SlicesAtOnce} at once.");
        return (total, matching, slices);
    }

    /// <summary>Says in Verbose which filters the workspace applies, and the query it is sent (once: later slices differ only in their window).</summary>
    private static void DescribeFilter(Reading read)
    {
        IReadOnlyList<string> inWorkspace = read.Filter.Applied;
        if (inWorkspace.Count > 0)
        {
            read.Reporter.Verbose($"Log Analytics: {string.Join(", ", inWorkspace)} {(inWorkspace.Count == 1 ? "is" : "are")} applied in the workspace by the module's own rules as KQL (Get-SupportAccessKql), so only matching rows travel; the module checks each row again.");
        }
    }

    /// <summary>The slices' rows, each slice streamed before the next is asked for.</summary>
    private async IAsyncEnumerable<ParsedAuditRecord> OneSliceAtATimeAsync(List<Slice> slices, Reading read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int number = 0;
        foreach (Slice slice in slices)
        {
            await foreach (ParsedAuditRecord row in StreamSliceAsync(slice, read, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }

            read.Reporter.PageDone(++number);
        }
    }

    /// <summary>The slices' rows, up to <see cref="SlicesAtOnce"/> slices read at once and handed over in order.</summary>
    private async IAsyncEnumerable<ParsedAuditRecord> SlicesSideBySideAsync(List<Slice> slices, Reading read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<Task<List<AnswerRows>>>();
        int next = 0;
        int sliceNumber = 0;
        try
        {
            while (next < slices.Count || inFlight.Count > 0)
            {
                while (next < slices.Count && inFlight.Count < SlicesAtOnce)
                {
                    Slice slice = slices[next++];
                    inFlight.Enqueue(Task.Run(() => ReadSliceAsync(slice, read, stop.Token), stop.Token));
                }

                List<AnswerRows> answers = await inFlight.Dequeue().ConfigureAwait(false);
                try
                {
                    foreach (AnswerRows answer in answers)
                    {
                        foreach (ParsedAuditRecord row in answer.Records())
                        {
                            yield return row;
                        }
                    }
                }
                finally
                {
                    Dispose(answers);
                }

                read.Reporter.PageDone(++sliceNumber);
            }
        }
        finally
        {
            // -First satisfied, Ctrl+C or a failure: the slices still running stop, and no more start.
            stop.Cancel();
            await DrainAsync(inFlight).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the slices still running to stop, and frees what they read.</summary>
    private static async Task DrainAsync(Queue<Task<List<AnswerRows>>> inFlight)
    {
        foreach (Task<List<AnswerRows>> pending in inFlight)
        {
            try
            {
                Dispose(await pending.ConfigureAwait(false));
            }
            catch (Exception)
            {
                // Their results are not wanted any more, nor their failures.
            }
        }
    }

    /// <summary>
    /// Slices of about <see cref="RowsPerSlice"/> rows, newest first, from the hourly counts: hours
    /// without rows are passed over, an hour with more rows than a slice takes is cut into equal parts.
    /// </summary>
    /// <remarks>The arithmetic is checked: counts come from the server, and an overflow must be an
    /// error, never a negative number of parts that silently skips an hour.</remarks>
    internal static List<Slice> Plan(Slice window, List<(DateTime Bin, long Count)> counts)
    {
        var slices = new List<Slice>();
        DateTime? end = null;
        DateTime start = window.End;
        long rows = 0;
        IEnumerable<(DateTime Bin, long Count)> hours = counts
            .GroupBy(c => c.Bin)
            .Select(hour => (hour.Key, hour.Sum(c => c.Count)))
            .Where(c => c.Item2 > 0)
            .OrderByDescending(c => c.Key);
        foreach ((DateTime bin, long count) in hours)
        {
            DateTime binStart = bin < window.Start ? window.Start : bin;
            DateTime binEnd = bin.AddHours(1) > window.End ? window.End : bin.AddHours(1);
            if (binEnd <= binStart)
            {
                continue;
            }

            if (count < 0)
            {
                throw new OverflowException($"A row count of {count} for the hour of {Kql.Time(bin)} is negative.");
            }

            if (end is not null && checked(rows + count) > RowsPerSlice)
            {
                slices.Add(new Slice(start, end.Value));
                end = null;
                rows = 0;
            }

            if (count > RowsPerSlice)
            {
                int parts = checked((int)Math.Min(3600, checked(count + RowsPerSlice - 1) / RowsPerSlice));
                long step = (binEnd - binStart).Ticks / parts;
                for (int part = parts - 1; part >= 0; part--)
                {
                    DateTime partStart = part == 0 ? binStart : new DateTime(checked(binStart.Ticks + (step * part)), DateTimeKind.Utc);
                    DateTime partEnd = part == parts - 1 ? binEnd : new DateTime(checked(binStart.Ticks + (step * (part + 1))), DateTimeKind.Utc);
                    slices.Add(new Slice(partStart, partEnd));
                }

                continue;
            }

            end ??= binEnd;
            start = binStart;
            rows = checked(rows + count);
        }

        if (end is not null)
        {
            slices.Add(new Slice(start, end.Value));
        }

        return slices;
    }

    /// <summary>Rows per hour of a window; a window whose counts don't fit one answer is counted in
    /// two parts split as a slice is (an hour's count may then come in parts; the plan adds them up).</summary>
    /// <param name="timedOut">The slice this one is half of, when that one went unanswered (a timeout or 504).</param>
    private async Task<List<(DateTime Bin, long Count, long Matching)>> CountAsync(Slice window, Reading read, int depth, Slice? timedOut, CancellationToken cancellationToken)
    {
        Exception failure;
        try
        {
            using AnswerBytes answer = await RunAsync(Kql.CountsByHour(read.Query, window, read.Filter), window, read, QueryKind.Count, cancellationToken).ConfigureAwait(false);
            string? matchingColumn = read.Filter.Condition is null ? null : Kql.MatchingColumn;
            return Checked(() => QueryAnswer.Counts(answer.Bytes, window, matchingColumn));
        }
        catch (Exception ex) when (IsTooMuch(ex, cancellationToken) && depth < MaxSplitDepth)
        {
            failure = ex;
        }

        Slice? unanswered = Unanswered(failure, window, timedOut);
        (Slice newer, Slice older) = SplitOf(window, failure);
        read.Reporter.Verbose($"Log Analytics: counting {window} came back incomplete ({failure.Message}); counting it again as two: {newer} and {older}.");
        List<(DateTime, long, long)> counts = await CountAsync(newer, read, depth + 1, unanswered, cancellationToken).ConfigureAwait(false);
        counts.AddRange(await CountAsync(older, read, depth + 1, unanswered, cancellationToken).ConfigureAwait(false));
        return counts;
    }

    /// <summary>A slice's rows, newest first; a split slice's newer half comes out before the older is read.</summary>
    private async IAsyncEnumerable<ParsedAuditRecord> StreamSliceAsync(Slice slice, Reading read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (AnswerRows answer in AnswersAsync(slice, read, 0, null, cancellationToken).ConfigureAwait(false))
        {
            using (answer)
            {
                foreach (ParsedAuditRecord row in answer.Records())
                {
                    yield return row;
                }
            }
        }
    }

    /// <summary>A slice's checked answers: one, or those of its halves when it came back incomplete.</summary>
    /// <param name="timedOut">The slice this one is half of, when that one went unanswered (a timeout or 504).</param>
    private async IAsyncEnumerable<AnswerRows> AnswersAsync(Slice slice, Reading read, int depth, Slice? timedOut, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AnswerRows? rows = null;
        Exception? tooMuch = null;
        AnswerBytes? answer = null;
        try
        {
            answer = await RunAsync(Kql.Rows(read.Query, slice, read.Filter), slice, read, QueryKind.Rows, cancellationToken).ConfigureAwait(false);
            AnswerBytes bytes = answer;
            rows = Checked(() => QueryAnswer.Rows(bytes.Bytes, slice, bytes));
        }
        catch (Exception ex) when (IsTooMuch(ex, cancellationToken) && depth < MaxSplitDepth)
        {
            tooMuch = ex;
        }
        finally
        {
            if (rows is null)
            {
                answer?.Dispose();
            }
        }

        if (rows is not null)
        {
            yield return rows;
            yield break;
        }

        Slice? unanswered = Unanswered(tooMuch!, slice, timedOut);
        (Slice newer, Slice older) = SplitOf(slice, tooMuch!);
        read.Reporter.Verbose($"Log Analytics: the slice {slice} came back incomplete ({tooMuch!.Message}); reading it again as two: {newer} and {older}.");
        await foreach (AnswerRows half in AnswersAsync(newer, read, depth + 1, unanswered, cancellationToken).ConfigureAwait(false))
        {
            yield return half;
        }

        await foreach (AnswerRows half in AnswersAsync(older, read, depth + 1, unanswered, cancellationToken).ConfigureAwait(false))
        {
            yield return half;
        }
    }

    /// <summary>A whole slice's answers, checked, for the slices read side by side.</summary>
    private async Task<List<AnswerRows>> ReadSliceAsync(Slice slice, Reading read, CancellationToken cancellationToken)
    {
        var answers = new List<AnswerRows>();
        try
        {
            await foreach (AnswerRows answer in AnswersAsync(slice, read, 0, null, cancellationToken).ConfigureAwait(false))
            {
                answers.Add(answer);
            }

            return answers;
        }
        catch
        {
            Dispose(answers);
            throw;
        }
    }

    private static void Dispose(List<AnswerRows> answers)
    {
        foreach (AnswerRows answer in answers)
        {
            answer.Dispose();
        }
    }

    /// <summary>One query, retried after throttling and transient failures as the Graph path's pages are.</summary>
    /// <param name="kind">Which query it is: the first of each kind is shown in Verbose.</param>
    private async Task<AnswerBytes> RunAsync(string kql, Slice slice, Reading read, QueryKind kind, CancellationToken cancellationToken)
    {
        if (read.FirstOfKind(kind))
        {
            read.Reporter.Verbose($"Log Analytics: the {(kind == QueryKind.Count ? "count query" : "rows query (each slice's differs only in its window)")}:\n{kql}");
        }

        for (int attempt = 1; ; attempt++)
        {
            read.Reporter.Verbose($"POST {_client.QueryUrl(_workspaceIds)} ({slice}{(attempt > 1 ? $", try {attempt}" : "")})");
            SliceAttempt tried = await SliceAttempt.RunAsync(_client, _workspaceIds, kql, slice, read.Query.PageTimeout, read.Chunks, read.Reporter.Verbose, cancellationToken).ConfigureAwait(false);
            if (tried.Failure is not { } failure)
            {
                return tried.Answer!;
            }

            // The service's 404 doesn't say which of several workspaces it doesn't know.
            if (failure is ModuleException { ErrorId: LogAnalyticsClient.WorkspaceNotFoundId } && _workspaceIds.Count > 1)
            {
                throw await WhichUnknownAsync(failure, slice, read, cancellationToken).ConfigureAwait(false);
            }

            // Too much for one answer is the slicer's to mend by splitting, not a retry's: the
            // fallback, like a failure, goes to the caller.
            FailureStep step = read.Retry.Decide(failure, tried.TimedOut, attempt, canFallBack: IsTooMuch(failure, cancellationToken), canRenewToken: false);
            if (step.Action != FailureAction.Retry)
            {
                throw failure;
            }

            read.Reporter.Verbose($"Log Analytics: the query for {slice} failed ({failure.Message}); trying it again in {step.Delay.TotalSeconds:0.#} s ({attempt} of {read.Retry.MaxRetries + 1} tries used).");
            await Task.Delay(step.Delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Workspaces asked alone at once, to find which of several the service doesn't know.</summary>
    private const int ProbesAtOnce = 4;

    /// <summary>
    /// After a 404 for a query of several workspaces: asks each alone (<see cref="Kql.Probe"/>, a
    /// few at once) and names only those the service doesn't know, so the one typo among a hundred
    /// ids is the one listed. Those it could not check (a timeout, a throttle) are named apart.
    /// </summary>
    private async Task<Exception> WhichUnknownAsync(Exception notFound, Slice slice, Reading read, CancellationToken cancellationToken)
    {
        read.Reporter.Verbose($"Log Analytics knows some of the {_workspaceIds.Count} workspaces not; asking each alone which.");
        var unknown = new List<string>();
        var unclear = new List<string>();
        var tiny = new Slice(slice.Start, slice.Start.AddTicks(1));
        for (int first = 0; first < _workspaceIds.Count; first += ProbesAtOnce)
        {
            string[] batch = _workspaceIds.Skip(first).Take(ProbesAtOnce).ToArray();
            bool?[] known = await Task.WhenAll(batch.Select(id => IsKnownAsync(id, tiny, read, cancellationToken))).ConfigureAwait(false);
            for (int i = 0; i < batch.Length; i++)
            {
                (known[i] is null ? unclear : known[i] == false ? unknown : null)?.Add(batch[i]);
            }
        }

        read.Reporter.Verbose($"Log Analytics: {unknown.Count} of the {_workspaceIds.Count} workspaces are unknown{(unclear.Count > 0 ? $", {unclear.Count} could not be checked" : "")}.");
        if (unknown.Count == 0)
        {
            // Each alone was found (or could not be checked): the 404 stands as it came.
            return notFound;
        }

        return LogAnalyticsClient.WorkspacesNotFound(unknown, _workspaceIds.Count, unclear, notFound).At(_client.QueryUrl(_workspaceIds));
    }

    /// <summary>True when the service knows the workspace (any answer but a 404), false on a 404,
    /// null when it could not be told (no answer, a throttle, a failing service).</summary>
    private async Task<bool?> IsKnownAsync(string workspaceId, Slice tiny, Reading read, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(read.Query.PageTimeout);
        try
        {
            using AnswerBytes answer = await _client.QueryAsync(new[] { workspaceId }, Kql.Probe, Kql.Timespan(tiny), read.Query.PageTimeout, read.Chunks, read.Reporter.Verbose, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (ModuleException ex) when (ex.ErrorId == LogAnalyticsClient.WorkspaceNotFoundId)
        {
            return false;
        }
        catch (ModuleException ex) when (ex.ErrorId is LogAnalyticsClient.ForbiddenId or LogAnalyticsClient.TableMissingId)
        {
            // A refusal, or a workspace without the table: the service knows it.
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Another refusal of the query (400) comes from a workspace the service knows; the rest can't tell.
            return PageRetryPolicy.StatusOf(ex) == 400 ? true : null;
        }
    }

    /// <summary>An answer that a smaller slice would get whole: incomplete, too large, or out of time.</summary>
    private static bool IsTooMuch(Exception failure, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && (failure is PartialAnswerException or ResponseTooLargeException || IsUnanswered(failure));

    /// <summary>No answer in time: the client's timeout or the service's (its gateway's) 504.</summary>
    private static bool IsUnanswered(Exception failure) =>
        failure is TimeoutException || PageRetryPolicy.StatusOf(failure) == 504;

    /// <summary>
    /// Whether a slice's halves are read after a timeout: a slice too big for the time allowed
    /// gets it whole once halved, so the first timeout splits; when a half of a slice that timed
    /// out times out too, the service is not answering (down, or a gateway in front of it), and
    /// halving on would send some 64 queries, each waiting out the timeout, before giving up.
    /// The read ends instead, within two timeouts.
    /// </summary>
    /// <returns>What the halves carry: this slice when it went unanswered, else what it carried.</returns>
    private Slice? Unanswered(Exception failure, Slice slice, Slice? timedOut)
    {
        if (!IsUnanswered(failure))
        {
            return timedOut;
        }

        if (timedOut is Slice before)
        {
            throw new TimeoutException(
                $"Log Analytics did not answer the query for {before} in time, nor for its half {slice} ({failure.Message}): a slice that times out again when halved is not too big; the workspace's service, or something in between, is not answering.",
                failure).At(_client.QueryUrl(_workspaceIds));
        }

        return slice;
    }

    /// <summary>The two halves of a slice that came back incomplete; a slice split so often that its
    /// id buckets overflow is the failure it could not get past, said so, never a wrapped bucket count.</summary>
    private (Slice Newer, Slice Older) SplitOf(Slice slice, Exception failure)
    {
        try
        {
            return slice.Split();
        }
        catch (OverflowException)
        {
            throw new AuditResponseFormatException(
                $"Log Analytics answered the query for {slice} incompletely however small the slice ({failure.Message}); it can't be split further, so the read stops rather than skip its rows.",
                failure).At(_client.QueryUrl(_workspaceIds));
        }
    }

    /// <summary>An answer's check, its failure naming the request (the error then says Log Analytics, not Graph).</summary>
    private T Checked<T>(Func<T> check)
    {
        try
        {
            return check();
        }
        catch (AuditResponseFormatException ex)
        {
            throw ex.At(_client.QueryUrl(_workspaceIds));
        }
    }

    /// <summary>What every query of one read shares: the query, its retry budget, where messages
    /// go and the chunks its answers are read into.</summary>
    private sealed record Reading(ActivityQuery Query, WorkspaceFilterKql Filter, PageRetryPolicy Retry, ISourceReporter Reporter, ArrayPool<byte> Chunks)
    {
        /// <summary>Per <see cref="QueryKind"/>, 1 once a query of that kind was sent (slices are read side by side).</summary>
        private readonly int[] _sent = new int[2];

        /// <summary>True the first time a query of this kind is sent in the read (its text is then shown).</summary>
        public bool FirstOfKind(QueryKind kind) => Interlocked.Exchange(ref _sent[(int)kind], 1) == 0;
    }

    private enum QueryKind
    {
        Count,
        Rows,
    }
}

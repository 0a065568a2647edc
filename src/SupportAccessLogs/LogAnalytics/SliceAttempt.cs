using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// How one try of a Log Analytics query for a slice (its rows, or its counts per hour) ended: the
/// answer, or the failure and whether the query ran out of time.
/// </summary>
internal readonly struct SliceAttempt
{
    private SliceAttempt(AnswerBytes? answer, Exception? failure, bool timedOut)
    {
        Answer = answer;
        Failure = failure;
        TimedOut = timedOut;
    }

    /// <summary>The answer's body, which the caller disposes; null when the try failed.</summary>
    public AnswerBytes? Answer { get; }

    /// <summary>Why the try got no answer; null when it got one.</summary>
    public Exception? Failure { get; }

    /// <summary>Whether no answer came within the page timeout (<see cref="Failure"/> is then a <see cref="TimeoutException"/>).</summary>
    public bool TimedOut { get; }

    /// <summary>
    /// Sends the query once and waits for its answer at most <paramref name="pageTimeout"/>. A
    /// failure is returned, not thrown, so that the caller decides what comes next; only the
    /// caller's own cancellation is thrown.
    /// </summary>
    /// <param name="verbose">Where the request log goes, as for <see cref="LogAnalyticsClient.QueryAsync"/>.</param>
    public static async Task<SliceAttempt> RunAsync(
        LogAnalyticsClient client,
        IReadOnlyList<string> workspaceIds,
        string kql,
        Slice slice,
        TimeSpan pageTimeout,
        ArrayPool<byte> chunks,
        Action<string>? verbose,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(pageTimeout);
        try
        {
            return new SliceAttempt(await client.QueryAsync(workspaceIds, kql, Kql.Timespan(slice), pageTimeout, chunks, verbose, timeout.Token).ConfigureAwait(false), null, false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (ex is OperationCanceledException && timeout.IsCancellationRequested)
            {
                // Said as a timeout naming the request, not as a cancellation nobody asked for.
                return new SliceAttempt(null, new TimeoutException($"Log Analytics did not answer within {pageTimeout.TotalSeconds:0} s.").At(client.QueryUrl(workspaceIds)), true);
            }

            return new SliceAttempt(null, ex, false);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SupportAccessLogs.Activities;

namespace SupportAccessLogs.Export;

/// <summary>What one tenant of an evidence file was last left with, as the run found it.</summary>
internal enum TenantStart
{
    /// <summary>The file doesn't hold this tenant yet: the window asked for.</summary>
    New,
    /// <summary>The checkpoint says what was read: the unfinished windows, and on from its end less the overlap.</summary>
    Checkpointed,
    /// <summary>The file holds the tenant's activities but no checkpoint that matches it (an
    /// earlier version wrote it, or the checkpoint is missing, stale or another file's): what
    /// the file lacks can't be known, so everything the source still serves is read again.</summary>
    Unverified,
}

/// <summary>
/// The windows one tenant's run reads, decided before any request (docs/architecture.md,
/// "Evidence files"): newest first, disjoint, each read to its end before the next, so the
/// oldest source time written marks how far the run got.
/// </summary>
internal sealed class ContinuationPlan
{
    /// <summary>How far past Graph's 30 days a start may lie before it counts as no longer
    /// served: the same slack as -StartTime is given (QueryWindow).</summary>
    internal static readonly TimeSpan RetentionSlack = TimeSpan.FromMinutes(5);

    private ContinuationPlan(TenantStart start)
    {
        Start = start;
    }

    public TenantStart Start { get; }

    /// <summary>The windows to read, newest first.</summary>
    public List<TimeWindow> Windows { get; } = new();

    /// <summary>The oldest window began at Graph's 30-day edge when it was asked for, so its start follows that edge.</summary>
    public bool FollowsRetention { get; private set; }

    /// <summary>Unfinished windows an earlier run left, read again now.</summary>
    public List<TimeWindow> Resumed { get; } = new();

    /// <summary>Stretches that were to be read but that the source no longer serves.</summary>
    public List<TimeWindow> Beyond { get; } = new();

    /// <summary>Where an edge-following window's start moved to (Graph's 30 days moved on).</summary>
    public TimeWindow? Trimmed { get; private set; }

    /// <param name="ledger">The tenant's ledger from a checkpoint that matches the file; null when none.</param>
    /// <param name="held">With no ledger: the oldest and newest activity the file holds that this read may have written; null when none.</param>
    /// <param name="asked">The window asked for (-StartTime, -EndTime, or the last 30 days).</param>
    /// <param name="startGiven">-StartTime was given (so the window does not follow Graph's edge).</param>
    public static ContinuationPlan For(TenantLedger? ledger, TimeWindow? held, TimeWindow asked, bool startGiven, TimeSpan overlap, bool fromWorkspace, DateTime nowUtc)
    {
        ContinuationPlan plan;
        var windows = new List<TimeWindow>();
        if (ledger is not null)
        {
            plan = new ContinuationPlan(TenantStart.Checkpointed) { FollowsRetention = ledger.PendingFollowsRetention };
            plan.Resumed.AddRange(ledger.Pending);
            windows.AddRange(ledger.Pending);
            windows.Add(new TimeWindow(ledger.ReadTo - overlap, nowUtc));
        }
        else if (held is TimeWindow span)
        {
            plan = new ContinuationPlan(TenantStart.Unverified);
            if (fromWorkspace)
            {
                DateTime start = (span.Start < asked.Start ? span.Start : asked.Start) - overlap;
                windows.Add(new TimeWindow(start, nowUtc));
            }
            else
            {
                // Everything Graph still serves, the most that can be checked from it; and what
                // lies between the file's newest activity and that was surely never read.
                windows.Add(new TimeWindow(span.End - overlap, nowUtc));
                windows.Add(new TimeWindow(nowUtc - QueryWindow.GraphRetention + TimeSpan.FromMinutes(1), nowUtc));
            }
        }
        else
        {
            plan = new ContinuationPlan(TenantStart.New) { FollowsRetention = !fromWorkspace && !startGiven };
            windows.Add(asked);
        }

        plan.Windows.AddRange(Merge(windows));
        if (!fromWorkspace)
        {
            plan.HoldToRetention(nowUtc);
        }

        return plan;
    }

    /// <summary>Windows as one disjoint list, newest first; touching or overlapping windows become one.</summary>
    public static List<TimeWindow> Merge(IEnumerable<TimeWindow> windows)
    {
        var merged = new List<TimeWindow>();
        foreach (TimeWindow window in windows.Where(w => !w.IsEmpty).OrderBy(w => w.Start))
        {
            if (merged.Count > 0 && window.Start <= merged[merged.Count - 1].End)
            {
                TimeWindow last = merged[merged.Count - 1];
                merged[merged.Count - 1] = new TimeWindow(last.Start, window.End > last.End ? window.End : last.End);
            }
            else
            {
                merged.Add(window);
            }
        }

        merged.Reverse();
        return merged;
    }

    /// <summary>
    /// Graph serves 30 days: what lies further back can't be read from it. The oldest window of
    /// a default run follows that edge (nothing older was asked for); anything else beyond it is
    /// activity that was to be read and can't be any more.
    /// </summary>
    private void HoldToRetention(DateTime nowUtc)
    {
        DateTime served = nowUtc - QueryWindow.GraphRetention;
        DateTime from = served + TimeSpan.FromMinutes(1);
        for (int i = Windows.Count - 1; i >= 0; i--)
        {
            TimeWindow window = Windows[i];
            if (window.Start >= served - RetentionSlack)
            {
                continue;
            }

            bool edge = FollowsRetention && i == Windows.Count - 1;
            if (edge)
            {
                Trimmed = new TimeWindow(window.Start, from);
            }
            else
            {
                Beyond.Add(new TimeWindow(window.Start, window.End < from ? window.End : from));
            }

            if (window.End <= from)
            {
                Windows.RemoveAt(i);
            }
            else
            {
                Windows[i] = new TimeWindow(from, window.End);
            }
        }

        Beyond.Reverse();
    }
}

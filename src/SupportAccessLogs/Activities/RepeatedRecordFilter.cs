using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Remembers the ids of the records a query has read, so that a record the server sends again
/// (at the top of the next page, from a proxy, from a page served twice) is written once.
/// </summary>
/// <remarks>
/// Graph returns directoryAudits newest first, so a repeated record is one already read whose
/// activityDateTime is at or after the oldest time read so far. Memory stays bounded: the latest
/// <see cref="MinIds"/> ids (a full page, so the previous page's tail is always known, however
/// sparse the records) and beyond them only the ids whose time lies within <see cref="Span"/> of
/// that oldest time: the current stretch of time, not the whole run. A record repeated from
/// further back than both would be written twice; no paging fault seen or documented reaches that
/// far. A hard cap guards a window dense enough to hold more ids than that in one span.
/// </remarks>
internal sealed class RepeatedRecordFilter
{
    /// <summary>How far back in activity time ids are kept.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(1);

    /// <summary>At least this many of the latest ids are kept, whatever their times: a full page ($top 999).</summary>
    public const int MinIds = 1_000;

    /// <summary>At most this many ids are kept, whatever their times.</summary>
    public const int MaxIds = 100_000;

    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset? Time)> _byArrival = new();
    private DateTimeOffset? _oldest;

    /// <summary>How many ids are remembered now (for tests of the bound).</summary>
    public int Count => _ids.Count;

    /// <summary>True when this id was read before in this query; else remembers it.</summary>
    public bool IsRepeat(string id, DateTimeOffset? activityTime)
    {
        if (_ids.Contains(id))
        {
            return true;
        }

        if (activityTime is DateTimeOffset time && (_oldest is null || time < _oldest))
        {
            _oldest = time;
        }

        // A record without a time ages with the records around it.
        _ids.Add(id);
        _byArrival.Enqueue((id, activityTime ?? _oldest));
        Forget();
        return false;
    }

    private void Forget()
    {
        // Arrival order is newest first, so the ids to forget sit at the front of the queue.
        while (_byArrival.Count > 0)
        {
            (string id, DateTimeOffset? time) = _byArrival.Peek();
            bool tooOld = _oldest is DateTimeOffset oldest && time is DateTimeOffset t && t - oldest > Span;
            bool beyondPage = _byArrival.Count > MinIds;
            if (!(tooOld && beyondPage) && _byArrival.Count <= MaxIds)
            {
                return;
            }

            _byArrival.Dequeue();
            _ids.Remove(id);
        }
    }
}

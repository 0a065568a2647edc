using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphEmulator;

/// <summary>
/// Thread-safe log of requests in arrival order: each is numbered as it arrives and added when it
/// has been answered, so entries are ordered by arrival, not by completion.
/// </summary>
public abstract class ArrivalOrderedLog<TEntry>
{
    private readonly Lock _gate = new();
    private readonly List<TEntry> _entries = [];
    private long _sequence;

    /// <summary>Numbers a request as it arrives.</summary>
    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    internal void Add(TEntry entry)
    {
        lock (_gate)
        {
            int index = _entries.Count;
            while (index > 0 && SequenceOf(_entries[index - 1]) > SequenceOf(entry))
                index--;
            _entries.Insert(index, entry);
        }
    }

    /// <summary>The requests answered so far, in arrival order.</summary>
    public IReadOnlyList<TEntry> Snapshot()
    {
        lock (_gate)
            return _entries.ToArray();
    }

    /// <summary>How many requests have been answered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    public void Clear()
    {
        lock (_gate)
            _entries.Clear();
    }

    protected abstract long SequenceOf(TEntry entry);

    protected int CountWhere(Func<TEntry, bool> predicate)
    {
        lock (_gate)
            return _entries.Count(predicate);
    }
}

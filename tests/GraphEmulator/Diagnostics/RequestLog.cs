using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphEmulator;

/// <summary>One Graph request (anything outside /_emulator) as the emulator saw it.</summary>
/// <param name="Sequence">Arrival number, from 1.</param>
/// <param name="Query">The query string without '?', percent-decoded.</param>
/// <param name="HasAuthorization">An Authorization header was sent (whatever it held).</param>
/// <param name="Authorized">The token was accepted.</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="At">When the request arrived.</param>
public sealed record RequestLogEntry(
    long Sequence,
    string Method,
    string Path,
    string Query,
    bool HasAuthorization,
    bool Authorized,
    int Status,
    DateTimeOffset At)
{
    /// <summary>
    /// The fault the request got, by its wire name (<c>throttle429</c>, <c>reset</c>, …, see
    /// <see cref="FaultKinds"/>), or <c>throttle</c> when the reporting throttle refused it; null
    /// when it was served as usual.
    /// </summary>
    public string? Fault { get; init; }
}

/// <summary>
/// Thread-safe log of the Graph requests received, in arrival order, so tests can assert how
/// many pages a client fetched and what it asked for. Control requests (/_emulator) are not logged.
/// </summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RequestLogEntry> _entries = [];
    private long _sequence;

    /// <summary>Numbers a request as it arrives; entries are ordered by this, not by completion.</summary>
    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    internal void Add(RequestLogEntry entry)
    {
        lock (_gate)
        {
            int index = _entries.Count;
            while (index > 0 && _entries[index - 1].Sequence > entry.Sequence)
                index--;
            _entries.Insert(index, entry);
        }
    }

    /// <summary>The requests answered so far, in arrival order.</summary>
    public IReadOnlyList<RequestLogEntry> Snapshot()
    {
        lock (_gate)
            return _entries.ToArray();
    }

    /// <summary>How many answered requests had exactly this path (case-insensitive), e.g. <c>/v1.0/auditLogs/directoryAudits</c>.</summary>
    public int CountFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_gate)
            return _entries.Count(e => string.Equals(e.Path, path, StringComparison.OrdinalIgnoreCase));
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
}

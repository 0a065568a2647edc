using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphEmulator.Data;

/// <summary>
/// One version of a tenant's late records (README.md, "Late records") and what they change: the
/// records in both orders, the truth with them, the served count. Immutable: every add or clear
/// makes a new one, so whoever took it once (a paging sequence, a truth answer) sees one log,
/// before or after an add, never half of one.
/// </summary>
internal sealed class LateRecordSet
{
    private LateRecordSet(GeneratedRecord[] newestFirst, TruthSummary truth, IReadOnlyList<TruthRecord> truthRecords, long servedCount)
    {
        NewestFirst = newestFirst;
        OldestFirst = newestFirst.Reverse().ToArray();
        Truth = truth;
        TruthRecords = truthRecords;
        ServedCount = servedCount;
    }

    /// <summary>The late records, in Graph's default order (activityDateTime, then id, descending).</summary>
    public GeneratedRecord[] NewestFirst { get; }

    public GeneratedRecord[] OldestFirst { get; }

    public int Count => NewestFirst.Length;

    /// <summary>The data set's truth with these records counted.</summary>
    public TruthSummary Truth { get; }

    /// <summary>The data set's truth records with these merged in, newest first.</summary>
    public IReadOnlyList<TruthRecord> TruthRecords { get; }

    /// <summary>Records of any category Graph serves, these included.</summary>
    public long ServedCount { get; }

    /// <summary>None: the data set as it was built.</summary>
    public static LateRecordSet Empty(TruthSummary truth, IReadOnlyList<TruthRecord> truthRecords, long servedCount) =>
        new([], truth, truthRecords, servedCount);

    /// <summary>The base (<paramref name="empty"/>, no late records) with <paramref name="records"/> (in any order) added.</summary>
    public static LateRecordSet Of(LateRecordSet empty, IEnumerable<GeneratedRecord> records)
    {
        GeneratedRecord[] newestFirst = records.ToArray();
        Array.Sort(newestFirst, (a, b) => ServedOrder.Compare(b.Record, a.Record));
        if (newestFirst.Length == 0)
            return empty;

        TruthSummary baseTruth = empty.Truth;
        var byCategory = new Dictionary<string, long>(baseTruth.ByCategory);
        var byActivity = new Dictionary<string, long>(baseTruth.ByActivity);
        foreach (GeneratedRecord late in newestFirst)
        {
            byCategory[late.Expected!.Category]++;
            byActivity[late.Expected.Activity]++;
        }
        var truth = new TruthSummary(baseTruth.Total + newestFirst.Length, byCategory, byActivity, baseTruth.OtherCategoryIds);

        // Both lists are newest first: merge them.
        IReadOnlyList<TruthRecord> listed = empty.TruthRecords;
        var merged = new List<TruthRecord>(listed.Count + newestFirst.Length);
        int i = 0, j = 0;
        while (i < listed.Count || j < newestFirst.Length)
        {
            bool takeListed = j == newestFirst.Length
                || (i < listed.Count && Compare(listed[i], newestFirst[j].Record) > 0);
            merged.Add(takeListed ? listed[i++] : TruthRecordOf(newestFirst[j++]));
        }

        return new LateRecordSet(newestFirst, truth, merged, empty.ServedCount + newestFirst.Length);
    }

    public static TruthRecord TruthRecordOf(GeneratedRecord late) =>
        new(late.Record.Id, late.Expected!, late.Record.ActivityDisplayName, late.Record.ActivityDateTime);

    private static int Compare(TruthRecord listed, AuditRecord late)
    {
        int byTime = listed.ActivityDateTime.UtcTicks.CompareTo(late.ActivityDateTime.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(listed.Id, late.Id);
    }
}

/// <summary>
/// A tenant's late records: support-access records added after start, as audit events that reach
/// the log minutes after they happened. Each is a clone of one of the tenant's support-access
/// scenario records (the same templates as the bulk records, in turn) with its own id and
/// correlation id, derived from the tenant's seed and the record's number over the store's life
/// (never reused, a clear included), and the activityDateTime it was given. Adds and clears are
/// serialized; each publishes a new <see cref="LateRecordSet"/>.
/// </summary>
internal sealed class LateRecordStore
{
    /// <summary>At most this many records per add.</summary>
    public const int MaxPerAdd = 100_000;

    /// <summary>At most this many late records at once in one tenant.</summary>
    public const int MaxRecords = 1_000_000;

    private readonly object _gate = new();
    private readonly IReadOnlyList<GeneratedRecord> _templates;
    private readonly ulong _salt;
    private readonly DateTimeOffset _retentionStart;
    private readonly LateRecordSet _empty;
    private LateRecordSet _current;
    private long _created;

    public LateRecordStore(IReadOnlyList<GeneratedRecord> templates, ulong salt, DateTimeOffset retentionStart, LateRecordSet empty)
    {
        _templates = templates;
        _salt = salt;
        _retentionStart = retentionStart;
        _empty = empty;
        _current = empty;
    }

    /// <summary>The records now, and what they change. A reference read: always a whole version.</summary>
    public LateRecordSet Current => Volatile.Read(ref _current);

    /// <summary>
    /// One record at each of <paramref name="times"/>, in that order; returns them in that order.
    /// </summary>
    /// <exception cref="ArgumentException">No times or more than <see cref="MaxPerAdd"/>, a time
    /// before the retention start (it would never be served), or more than <see cref="MaxRecords"/> in all.</exception>
    public IReadOnlyList<GeneratedRecord> Add(IReadOnlyList<DateTimeOffset> times)
    {
        if (times.Count is 0 or > MaxPerAdd)
            throw new ArgumentException($"Add between 1 and {MaxPerAdd} late records at a time (got {times.Count}).", nameof(times));
        if (_templates.Count == 0)
            throw new ArgumentException("This tenant has no support-access scenario record within retention to clone.", nameof(times));
        foreach (DateTimeOffset time in times)
        {
            if (time < _retentionStart)
                throw new ArgumentException(
                    $"A late record at {AuditRecordJson.FormatTime(time)} would lie before the retention start, {AuditRecordJson.FormatTime(_retentionStart)}, and never be served.",
                    nameof(times));
        }

        lock (_gate)
        {
            LateRecordSet current = _current;
            if (current.Count + (long)times.Count > MaxRecords)
                throw new ArgumentException($"A tenant holds at most {MaxRecords} late records ({current.Count} now); clear them first.", nameof(times));

            var added = new GeneratedRecord[times.Count];
            for (int i = 0; i < added.Length; i++)
            {
                long index = _created++;
                GeneratedRecord template = _templates[(int)(index % _templates.Count)];
                added[i] = template with
                {
                    Record = template.Record with
                    {
                        Id = DeterministicIds.IndexedGuid(_salt, index, stream: 0),
                        CorrelationId = DeterministicIds.IndexedGuid(_salt, index, stream: 1),
                        ActivityDateTime = times[i].ToUniversalTime(),
                    },
                };
            }
            Volatile.Write(ref _current, LateRecordSet.Of(_empty, current.NewestFirst.Concat(added)));
            return added;
        }
    }

    /// <summary>Removes every late record; returns how many there were. Numbering carries on: ids are never reused.</summary>
    public int Clear()
    {
        lock (_gate)
        {
            int count = _current.Count;
            Volatile.Write(ref _current, _empty);
            return count;
        }
    }
}

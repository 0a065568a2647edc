using System;
using System.Collections.Generic;
using System.Linq;
using GraphEmulator.Data;
using GraphEmulator.Paging;

namespace GraphEmulator;

/// <summary>
/// The records an emulator serves and the truth about them. Deterministic from the seed and the
/// anchor: same options, same ids, times and order. The late records a test adds while the
/// emulator runs (<see cref="AddLateRecords(IEnumerable{DateTimeOffset})"/>) are the only part that
/// changes; their ids too follow from the seed and the order of the adds.
/// </summary>
public sealed class AuditDataSet
{
    public const string SupportAccessCategory = ScenarioRow.SupportAccessCategory;

    /// <summary>The longest stretch before the anchor that seeded records occupy.</summary>
    public static readonly TimeSpan MaxSeededSpread = TimeSpan.FromDays(25);

    private readonly GeneratedRecord[] _servedNewestFirst;
    private readonly GeneratedRecord[] _servedOldestFirst;
    private readonly BulkRecords _bulk;
    private readonly LateRecordStore _late;

    public AuditDataSet(EmulatorOptions options)
        : this(Validated(options), options.TenantId, DemoTenant.KnownTenantName(options.TenantId) ?? options.TenantId,
            options.Seed, options.BulkRecordCount,
            // The stories are the demo tenant's (their content names it and its partners): an
            // emulator serving another tenant has none.
            stories: string.Equals(options.TenantId, DemoTenant.TenantId, StringComparison.OrdinalIgnoreCase),
            relabel: null, (options.Anchor ?? TruncateToMinute(DateTimeOffset.UtcNow)).ToUniversalTime())
    {
    }

    /// <summary>
    /// The data set of <paramref name="tenant"/>, served beside the options' own tenant: the scenario
    /// table seeded by <see cref="OtherTenant.SeedFor"/>, relabelled for the tenant (<see cref="TenantRelabel"/>),
    /// the tenant's bulk records, no stories; the served tenant's <paramref name="anchor"/> and the options' retention.
    /// </summary>
    internal AuditDataSet(EmulatorOptions options, OtherTenant tenant, DateTimeOffset anchor)
        : this(options, Guid.Parse(tenant.TenantId).ToString("D"), tenant.Name, OtherTenant.SeedFor(options.Seed, tenant.TenantId),
            tenant.BulkRecordCount, stories: false, TenantRelabel.For(tenant.TenantId, tenant.Name), anchor)
    {
    }

    private static EmulatorOptions Validated(EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private AuditDataSet(EmulatorOptions options, string tenantId, string tenantName, int seed, int bulkRecordCount, bool stories, TenantRelabel? relabel,
        DateTimeOffset anchor)
    {
        TenantId = tenantId;
        TenantName = tenantName;
        Seed = seed;
        HasStories = stories;
        Anchor = anchor;
        RetentionDays = options.RetentionDays;
        RetentionStart = Anchor - TimeSpan.FromDays(RetentionDays);
        // Keep a margin inside retention so a client whose clock is a little ahead of the
        // anchor still sees every seeded record with a "last N days" start time.
        SeededSpread = TimeSpan.FromTicks(Math.Min(MaxSeededSpread.Ticks, (long)(TimeSpan.FromDays(RetentionDays).Ticks * 0.85)));

        var rng = new Random(seed);
        IReadOnlyList<GeneratedRecord> scenarios = ScenarioGenerator.Generate(Scenarios.Build(), rng, Anchor, SeededSpread, RetentionStart);
        if (relabel is not null)
            scenarios = scenarios.Select(relabel.Apply).ToArray();
        ScenarioRecords = scenarios.Select(s => s.Record).ToArray();

        IReadOnlyList<StoryRecord> storyRecords = HasStories
            ? Stories.Generate(Stories.Build(), Anchor)
            : [];
        GeneratedRecord[] ownStories = storyRecords.Where(s => s.AadTenantId is null).Select(s => s.Generated).ToArray();
        StoryRecords = ownStories.Select(s => s.Record).ToArray();
        OtherTenantStoryRecords = storyRecords.Where(s => s.AadTenantId is not null).Select(s => (s.AadTenantId!, s.Generated.Record)).ToArray();

        _servedNewestFirst = scenarios.Concat(ownStories).Where(s => IsWithinRetention(s.Record)).ToArray();
        Array.Sort(_servedNewestFirst, (a, b) => ServedOrder.Compare(b.Record, a.Record));
        _servedOldestFirst = _servedNewestFirst.Reverse().ToArray();

        // Bulk records clone the scenario table only, never a story: a story's request stays
        // whole however many bulk records there are.
        GeneratedRecord[] templates = scenarios.Where(s => s.Expected is not null && IsWithinRetention(s.Record)).ToArray();
        Array.Sort(templates, (a, b) => ServedOrder.Compare(b.Record, a.Record));
        _bulk = new BulkRecords(bulkRecordCount, templates, (ulong)rng.NextInt64(), Anchor, SeededSpread);

        TruthRecord[] truthRecords = _servedNewestFirst
            .Where(s => s.Expected is not null)
            .Select(s => new TruthRecord(s.Record.Id, s.Expected!, s.Record.ActivityDisplayName, s.Record.ActivityDateTime))
            .ToArray();
        // Late records clone the bulk records' templates; their salt is drawn after everything
        // else, so the seed's other ids and times stay what they were.
        _late = new LateRecordStore(templates, (ulong)rng.NextInt64(), RetentionStart,
            LateRecordSet.Empty(Summarize(), truthRecords, _servedNewestFirst.Length + (long)_bulk.Count));
    }

    /// <summary>The tenant whose log this is.</summary>
    public string TenantId { get; }

    /// <summary>Its display name: a known tenant's (Contoso, Fabrikam, …), an other tenant's <see cref="OtherTenant.Name"/>, else the id.</summary>
    public string TenantName { get; }

    /// <summary>The seed the records were drawn with: <see cref="EmulatorOptions.Seed"/>, or <see cref="OtherTenant.SeedFor"/> for another tenant.</summary>
    public int Seed { get; }

    /// <summary>The data set's "now".</summary>
    public DateTimeOffset Anchor { get; }

    public int RetentionDays { get; }

    /// <summary>Anchor minus the retention: older records are not served.</summary>
    public DateTimeOffset RetentionStart { get; }

    /// <summary>Seeded and bulk records all lie within this span before the anchor.</summary>
    public TimeSpan SeededSpread { get; }

    /// <summary>Every record of the scenario table, other categories and expired ones included, in table order.</summary>
    public IReadOnlyList<AuditRecord> ScenarioRecords { get; }

    /// <summary>
    /// True when this is the served tenant's data set and that tenant is <see cref="DemoTenant.TenantId"/>:
    /// only then are there stories (README.md, "Stories"). Other tenants never have them.
    /// </summary>
    public bool HasStories { get; }

    /// <summary>
    /// The stories' records of the served tenant, in story and step order, those older than the
    /// retention included (stored, not served, like the table's expired records). Empty when
    /// <see cref="HasStories"/> is false.
    /// </summary>
    public IReadOnlyList<AuditRecord> StoryRecords { get; }

    /// <summary>Story steps logged by another tenant (its AADTenantId): in the demo workspace only, never served by Graph.</summary>
    internal IReadOnlyList<(string AadTenantId, AuditRecord Record)> OtherTenantStoryRecords { get; }

    public int BulkRecordCount => _bulk.Count;

    /// <summary>How many records of any category the API serves (within retention), the late records of now included.</summary>
    public long ServedCount => Late.ServedCount;

    /// <summary>Counts of the expected classification over every served support-access record, bulk and late records (as of now) included.</summary>
    public TruthSummary Truth => Late.Truth;

    /// <summary>
    /// Expected classification of each served support-access scenario record and late record (as
    /// of now), newest first. Bulk records are left out (they repeat these expectations and are
    /// counted in <see cref="Truth"/>).
    /// </summary>
    public IReadOnlyList<TruthRecord> TruthRecords => Late.TruthRecords;

    /// <summary>
    /// The late records served now (README.md, "Late records"), newest first: support-access
    /// records added after start with <see cref="AddLateRecords(IEnumerable{DateTimeOffset})"/> or
    /// <c>POST /_emulator/late-records</c>, each with the expectation of the scenario record it clones.
    /// </summary>
    public IReadOnlyList<TruthRecord> LateRecords => Late.NewestFirst.Select(LateRecordSet.TruthRecordOf).ToArray();

    /// <summary>
    /// Adds one late record at each of <paramref name="activityDateTimes"/> (UTC or any offset):
    /// served by Graph from the next paging sequence on, and in <see cref="Truth"/> and
    /// <see cref="TruthRecords"/>. Returns them in the order of the times. Thread-safe: a paging
    /// sequence already under way keeps the records it started with (README.md, "Late records").
    /// </summary>
    /// <exception cref="ArgumentException">No times or more than 100,000; a time before
    /// <see cref="RetentionStart"/>; more than 1,000,000 late records in all.</exception>
    public IReadOnlyList<TruthRecord> AddLateRecords(IEnumerable<DateTimeOffset> activityDateTimes)
    {
        ArgumentNullException.ThrowIfNull(activityDateTimes);
        return _late.Add(activityDateTimes.ToArray()).Select(LateRecordSet.TruthRecordOf).ToArray();
    }

    /// <summary><paramref name="count"/> late records, all at <paramref name="activityDateTime"/> (their ids break the tie).</summary>
    public IReadOnlyList<TruthRecord> AddLateRecords(int count, DateTimeOffset activityDateTime)
    {
        if (count is < 1 or > LateRecordStore.MaxPerAdd)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Add between 1 and {LateRecordStore.MaxPerAdd} late records at a time.");
        return AddLateRecords(Enumerable.Repeat(activityDateTime, count));
    }

    /// <summary>Removes every late record of this tenant; returns how many there were. Ids are never reused: the next one added is new.</summary>
    public int ClearLateRecords() => _late.Clear();

    /// <summary>The late records now and what they change, as one version (see <see cref="LateRecordSet"/>).</summary>
    internal LateRecordSet Late => _late.Current;

    public bool IsWithinRetention(AuditRecord record) => record.ActivityDateTime >= RetentionStart;

    /// <summary>Bulk record <paramref name="index"/> (0 is the newest), as the API serves it.</summary>
    internal AuditRecord BulkRecord(int index) => _bulk.Get(index);

    /// <summary>
    /// Served records from <paramref name="from"/> on, each with the cursor just past it: a
    /// merge of the sorted scenario records, the (already ordered) bulk records and the sorted
    /// late records of <paramref name="late"/>, the version the paging sequence started with.
    /// </summary>
    internal IEnumerable<(GeneratedRecord Item, StreamCursor After)> Read(bool newestFirst, StreamCursor from, LateRecordSet late)
    {
        GeneratedRecord[] scenarios = newestFirst ? _servedNewestFirst : _servedOldestFirst;
        GeneratedRecord[] lateRecords = newestFirst ? late.NewestFirst : late.OldestFirst;
        int s = from.Scenario, b = from.Bulk, l = from.Late, bulkCount = _bulk.Count;
        GeneratedRecord? bulkHead = null;

        while (s < scenarios.Length || b < bulkCount || l < lateRecords.Length)
        {
            if (bulkHead is null && b < bulkCount)
            {
                int index = newestFirst ? b : bulkCount - 1 - b;
                bulkHead = new GeneratedRecord(_bulk.Get(index), _bulk.Expectation(index));
            }

            // The head of each stream that has one; the first of them in the sequence's order goes next.
            GeneratedRecord? next = s < scenarios.Length ? scenarios[s] : null;
            int stream = next is null ? -1 : 0;
            if (bulkHead is not null && (next is null || ComesFirst(bulkHead.Record, next.Record, newestFirst)))
                (next, stream) = (bulkHead, 1);
            if (l < lateRecords.Length && (next is null || ComesFirst(lateRecords[l].Record, next.Record, newestFirst)))
                (next, stream) = (lateRecords[l], 2);

            switch (stream)
            {
                case 0: s++; break;
                case 1: bulkHead = null; b++; break;
                default: l++; break;
            }
            yield return (next!, new StreamCursor(s, b, l));
        }
    }

    private static bool ComesFirst(AuditRecord a, AuditRecord b, bool newestFirst)
    {
        int order = ServedOrder.Compare(a, b);
        return newestFirst ? order > 0 : order < 0;
    }

    private TruthSummary Summarize()
    {
        var byCategory = ExpectedCategory.All.ToDictionary(c => c, _ => 0L);
        var byActivity = ExpectedActivity.All.ToDictionary(a => a, _ => 0L);
        var otherCategoryIds = new List<string>();
        long total = 0;

        void Count(ScenarioExpectation e)
        {
            total++;
            byCategory[e.Category]++;
            byActivity[e.Activity]++;
        }

        foreach (GeneratedRecord served in _servedNewestFirst)
        {
            if (served.Expected is { } expected)
                Count(expected);
            else
                otherCategoryIds.Add(served.Record.Id);
        }

        for (int i = 0; i < _bulk.Count; i++)
            Count(_bulk.Expectation(i));

        return new TruthSummary(total, byCategory, byActivity, otherCategoryIds);
    }

    private static DateTimeOffset TruncateToMinute(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}

/// <summary>activityDateTime, then id: the order Graph pages in (the id breaks ties stably).</summary>
internal static class ServedOrder
{
    public static int Compare(AuditRecord a, AuditRecord b)
    {
        int byTime = a.ActivityDateTime.UtcTicks.CompareTo(b.ActivityDateTime.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    }
}

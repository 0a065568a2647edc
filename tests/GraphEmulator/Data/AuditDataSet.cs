using System;
using System.Collections.Generic;
using System.Linq;
using GraphEmulator.Data;
using GraphEmulator.Paging;

namespace GraphEmulator;

/// <summary>
/// The records an emulator serves and the truth about them. Deterministic from the seed and the
/// anchor: same options, same ids, times and order.
/// </summary>
public sealed class AuditDataSet
{
    public const string SupportAccessCategory = ScenarioRow.SupportAccessCategory;

    /// <summary>The longest stretch before the anchor that seeded records occupy.</summary>
    public static readonly TimeSpan MaxSeededSpread = TimeSpan.FromDays(25);

    private readonly GeneratedRecord[] _servedNewestFirst;
    private readonly GeneratedRecord[] _servedOldestFirst;
    private readonly BulkRecords _bulk;

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

        Truth = Summarize();
        TruthRecords = _servedNewestFirst
            .Where(s => s.Expected is not null)
            .Select(s => new TruthRecord(s.Record.Id, s.Expected!, s.Record.ActivityDisplayName, s.Record.ActivityDateTime))
            .ToArray();
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

    /// <summary>How many records of any category the API serves (within retention).</summary>
    public long ServedCount => _servedNewestFirst.Length + (long)_bulk.Count;

    /// <summary>Counts of the expected classification over every served support-access record, bulk included.</summary>
    public TruthSummary Truth { get; }

    /// <summary>
    /// Expected classification of each served support-access scenario record, newest first. Bulk
    /// records are left out (they repeat these expectations and are counted in <see cref="Truth"/>).
    /// </summary>
    public IReadOnlyList<TruthRecord> TruthRecords { get; }

    public bool IsWithinRetention(AuditRecord record) => record.ActivityDateTime >= RetentionStart;

    /// <summary>Bulk record <paramref name="index"/> (0 is the newest), as the API serves it.</summary>
    internal AuditRecord BulkRecord(int index) => _bulk.Get(index);

    /// <summary>
    /// Served records from <paramref name="from"/> on, each with the cursor just past it: a
    /// merge of the sorted scenario records and the (already ordered) bulk records.
    /// </summary>
    internal IEnumerable<(GeneratedRecord Item, StreamCursor After)> Read(bool newestFirst, StreamCursor from)
    {
        GeneratedRecord[] scenarios = newestFirst ? _servedNewestFirst : _servedOldestFirst;
        int s = from.Scenario, b = from.Bulk, bulkCount = _bulk.Count;
        GeneratedRecord? bulkHead = null;

        while (s < scenarios.Length || b < bulkCount)
        {
            if (bulkHead is null && b < bulkCount)
            {
                int index = newestFirst ? b : bulkCount - 1 - b;
                bulkHead = new GeneratedRecord(_bulk.Get(index), _bulk.Expectation(index));
            }

            bool takeScenario = bulkHead is null
                || (s < scenarios.Length && ComesFirst(scenarios[s].Record, bulkHead.Record, newestFirst));
            if (takeScenario)
            {
                s++;
                yield return (scenarios[s - 1], new StreamCursor(s, b));
            }
            else
            {
                GeneratedRecord taken = bulkHead!;
                bulkHead = null;
                b++;
                yield return (taken, new StreamCursor(s, b));
            }
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

using System;
using System.Collections.Generic;

namespace GraphEmulator.Data;

/// <summary>
/// Load-test records, each a clone of one support-access scenario with a fresh id, correlation id
/// and time. Nothing is stored per record: record i is computed from i, so 200,000 of them cost
/// no more memory than 10.
/// </summary>
internal sealed class BulkRecords
{
    private readonly IReadOnlyList<GeneratedRecord> _templates;
    private readonly ulong _salt;
    private readonly long _newestTicks;
    private readonly long _stepTicks;

    public BulkRecords(int count, IReadOnlyList<GeneratedRecord> templates, ulong salt, DateTimeOffset anchor, TimeSpan spread)
    {
        if (count > 0 && templates.Count == 0)
            throw new InvalidOperationException("Bulk records need at least one support-access scenario to clone.");
        Count = count;
        _templates = templates;
        _salt = salt;
        // Even spacing across the seeded window, newest first, half a step clear of the anchor.
        _stepTicks = count == 0 ? 1 : Math.Max(1, spread.Ticks / count);
        _newestTicks = anchor.UtcTicks - _stepTicks / 2 - 1;
    }

    public int Count { get; }

    /// <summary>Record <paramref name="index"/>, where 0 is the newest.</summary>
    public AuditRecord Get(int index)
    {
        AuditRecord template = TemplateOf(index).Record;
        return template with
        {
            Id = DeterministicIds.IndexedGuid(_salt, index, stream: 0),
            CorrelationId = DeterministicIds.IndexedGuid(_salt, index, stream: 1),
            ActivityDateTime = TimeOf(index),
        };
    }

    public ScenarioExpectation Expectation(int index) => TemplateOf(index).Expected!;

    public DateTimeOffset TimeOf(int index) => new(_newestTicks - index * _stepTicks, TimeSpan.Zero);

    private GeneratedRecord TemplateOf(int index) => _templates[index % _templates.Count];
}

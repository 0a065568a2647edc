using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphEmulator;

/// <summary>A scripted rule and how many more times it fires.</summary>
/// <param name="Id">Its number, from 1, in the order rules were added (not reused after a clear).</param>
public sealed record FaultRuleState(int Id, FaultRule Rule, int Remaining);

/// <summary>
/// The scripted faults of an emulator: <see cref="EmulatorOptions.Faults"/> at start; <c>POST
/// /_emulator/faults</c> and <see cref="Replace"/> replace them, <see cref="Add"/> appends. For a
/// page, the first rule (in list order) that is not spent fires. Thread-safe.
/// </summary>
public sealed class FaultSchedule
{
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private int _nextId;

    internal FaultSchedule(IEnumerable<FaultRule> initial) => Add(initial);

    /// <summary>Appends rules (validated first: none is added when one is invalid).</summary>
    public IReadOnlyList<FaultRuleState> Add(IEnumerable<FaultRule> rules) => Store(rules, replace: false);

    /// <summary>Replaces every rule with these (validated first: nothing changes when one is invalid); an empty list clears.</summary>
    public IReadOnlyList<FaultRuleState> Replace(IEnumerable<FaultRule> rules) => Store(rules, replace: true);

    private IReadOnlyList<FaultRuleState> Store(IEnumerable<FaultRule> rules, bool replace)
    {
        ArgumentNullException.ThrowIfNull(rules);
        FaultRule[] list = rules.ToArray();
        foreach (FaultRule rule in list)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            rule.Validate();
        }
        lock (_gate)
        {
            if (replace)
                _slots.Clear();
            foreach (FaultRule rule in list)
                _slots.Add(new Slot(++_nextId, rule) { Remaining = rule.Times });
        }
        return Snapshot();
    }

    /// <summary>The rules in force, in list order, spent ones included (remaining 0).</summary>
    public IReadOnlyList<FaultRuleState> Snapshot()
    {
        lock (_gate)
            return _slots.Select(s => new FaultRuleState(s.Id, s.Rule, s.Remaining)).ToArray();
    }

    public void Clear()
    {
        lock (_gate)
            _slots.Clear();
    }

    /// <summary>The rule firing for a request of this page, its count taken; null when none.</summary>
    internal FaultRule? Take(int page)
    {
        lock (_gate)
        {
            foreach (Slot slot in _slots)
            {
                if (slot.Rule.Page == page && slot.Remaining > 0)
                {
                    slot.Remaining--;
                    return slot.Rule;
                }
            }
            return null;
        }
    }

    private sealed class Slot(int id, FaultRule rule)
    {
        public int Id { get; } = id;
        public FaultRule Rule { get; } = rule;
        public int Remaining { get; set; }
    }
}

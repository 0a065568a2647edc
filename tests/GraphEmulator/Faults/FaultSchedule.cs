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
/// page of a tenant, the first rule (in list order) that is not spent and applies to that tenant
/// (it names none, or that one) fires. Thread-safe.
/// </summary>
public sealed class FaultSchedule
{
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private readonly ServedTenants _tenants;
    private int _nextId;

    /// <param name="tenants">What a rule's <see cref="FaultRule.TenantId"/> may name.</param>
    internal FaultSchedule(IEnumerable<FaultRule> initial, ServedTenants tenants)
    {
        _tenants = tenants;
        Add(initial);
    }

    /// <summary>Appends rules (validated first: none is added when one is invalid or names a tenant not served).</summary>
    public IReadOnlyList<FaultRuleState> Add(IEnumerable<FaultRule> rules) => Store(rules, replace: false);

    /// <summary>Replaces every rule with these (validated first: nothing changes when one is invalid or names a tenant not served); an empty list clears.</summary>
    public IReadOnlyList<FaultRuleState> Replace(IEnumerable<FaultRule> rules) => Store(rules, replace: true);

    private IReadOnlyList<FaultRuleState> Store(IEnumerable<FaultRule> rules, bool replace)
    {
        ArgumentNullException.ThrowIfNull(rules);
        FaultRule[] list = rules.ToArray();
        for (int i = 0; i < list.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i], nameof(rules));
            list[i].Validate();
            list[i] = WithServedTenant(list[i]);
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

    /// <summary>
    /// The rule with its tenant spelled as the served tenant's id, so a request's tenant matches it
    /// by plain comparison and <see cref="Snapshot"/> shows the id the request log shows. A rule for
    /// a tenant that is not served would never fire: refused, as the emulator refuses what it can't do.
    /// </summary>
    private FaultRule WithServedTenant(FaultRule rule)
    {
        if (rule.TenantId is null)
            return rule;
        ServedTenant tenant = _tenants.Find(rule.TenantId)
            ?? throw new ArgumentException($"tenantId '{rule.TenantId}' is not a tenant this emulator serves (it serves {_tenants.Ids}).", nameof(FaultRule.TenantId));
        return rule with { TenantId = tenant.TenantId };
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

    /// <summary>The rule firing for a request of this page of this served tenant's log, its count taken; null when none.</summary>
    /// <param name="tenantId">The served tenant's id (<see cref="ServedTenant.TenantId"/>) the request's token named.</param>
    internal FaultRule? Take(int page, string tenantId)
    {
        lock (_gate)
        {
            foreach (Slot slot in _slots)
            {
                if (slot.Rule.Page == page && slot.Remaining > 0
                    && (slot.Rule.TenantId is null || string.Equals(slot.Rule.TenantId, tenantId, StringComparison.Ordinal)))
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

using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.Data;

/// <summary>
/// The scenario table as another tenant logs it. The table is written from the demo tenant's side
/// (Contoso: "own tenant" evidence names Contoso, partners are Fabrikam and Woodgrove); in another
/// tenant's log the same rows must mean the same, so the two ids are swapped: Contoso's id becomes
/// the tenant's, and the tenant's (when the table names it, as a partner) becomes Contoso's. Applied
/// to every tenant id the content carries (additionalDetails values, in their case, and a user's
/// homeTenantId with its homeTenantName) and to the expectation's other tenant, so the hand-written
/// expectations hold in that tenant as they do in Contoso's. Everything else (the cast, UPNs,
/// support request ids, target ids) stays as written.
/// </summary>
internal sealed class TenantRelabel
{
    private readonly Dictionary<string, (string Id, string Name)> _map = new(StringComparer.OrdinalIgnoreCase);

    private TenantRelabel(string tenantId, string tenantName)
    {
        _map[DemoTenant.TenantId] = (tenantId, tenantName);
        _map[tenantId] = (DemoTenant.TenantId, DemoTenant.TenantName);
    }

    /// <summary>The relabelling for <paramref name="tenantId"/>'s log; null for the demo tenant's own (nothing to change).</summary>
    public static TenantRelabel? For(string tenantId, string tenantName) =>
        Guid.Parse(tenantId) == Guid.Parse(DemoTenant.TenantId) ? null : new TenantRelabel(Guid.Parse(tenantId).ToString("D"), tenantName);

    public GeneratedRecord Apply(GeneratedRecord generated)
    {
        AuditRecord record = generated.Record;
        AuditInitiator? initiatedBy = record.InitiatedBy;
        if (initiatedBy?.User is { HomeTenantId: { } home } user && _map.TryGetValue(home, out var to))
            initiatedBy = initiatedBy with { User = user with { HomeTenantId = Id(home, to.Id), HomeTenantName = user.HomeTenantName is null ? null : to.Name } };

        IReadOnlyList<AuditKeyValue>? details = record.AdditionalDetails?
            .Select(d => d.Value is not null && _map.TryGetValue(d.Value, out var mapped) ? d with { Value = Id(d.Value, mapped.Id) } : d)
            .ToArray();

        ScenarioExpectation? expected = generated.Expected;
        if (expected is not null && _map.TryGetValue(expected.OtherTenantId, out var other))
            expected = expected with { OtherTenantId = other.Id };

        return new GeneratedRecord(record with { InitiatedBy = initiatedBy, AdditionalDetails = details }, expected);
    }

    /// <summary>The new id, in upper case when the old one was written so (the table has such a value on purpose).</summary>
    private static string Id(string old, string mapped) =>
        old.Any(char.IsLetter) && old.Where(char.IsLetter).All(char.IsUpper) ? mapped.ToUpperInvariant() : mapped;
}

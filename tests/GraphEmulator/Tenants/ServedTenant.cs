using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator;

/// <summary>
/// A tenant the emulator serves: the home tenant (<see cref="EmulatorOptions.TenantId"/>, with the
/// demo directory and, for the demo tenant, the stories) or one of <see cref="EmulatorOptions.OtherTenants"/>.
/// Graph answers a token with the data and directory of the tenant its <c>tid</c> names.
/// </summary>
public sealed class ServedTenant
{
    private ServedTenant(string tenantId, string displayName, bool isHome, string homeTenantId, AuditDataSet dataSet, bool pipelineAppConsented,
        bool adminHasAccess, IReadOnlyList<DemoUser> users, IReadOnlyList<DemoRoleDefinition> roleDefinitions)
    {
        TenantId = tenantId;
        HomeTenantId = homeTenantId;
        DisplayName = displayName;
        IsHome = isHome;
        DataSet = dataSet;
        PipelineAppConsented = pipelineAppConsented;
        AdminHasAccess = adminHasAccess;
        Users = users;
        RoleDefinitions = roleDefinitions;
    }

    public string TenantId { get; }

    public string DisplayName { get; }

    /// <summary>The served tenant of <see cref="EmulatorOptions.TenantId"/>: the demo directory's home, where the admin signs in.</summary>
    public bool IsHome { get; }

    /// <summary>The home tenant's id: the demo admin's home, their identity provider in other tenants.</summary>
    public string HomeTenantId { get; }

    /// <summary>The tenant's audit log as Graph serves it, with its truth.</summary>
    public AuditDataSet DataSet { get; }

    /// <summary>The pipeline app may get tokens here (client credentials); always true for the home tenant.</summary>
    public bool PipelineAppConsented { get; }

    /// <summary>The demo admin may sign in here; always true for the home tenant.</summary>
    public bool AdminHasAccess { get; }

    /// <summary>
    /// The directory's users: <see cref="DemoTenant.Users"/> at home; in another tenant only the
    /// demo admin (same oid and UPN, not a member: <see cref="DemoUser.IsMember"/> false, holding
    /// <see cref="OtherTenant.AdminRoleTemplateIds"/>) when they have access, else nobody.
    /// </summary>
    public IReadOnlyList<DemoUser> Users { get; }

    /// <summary>
    /// The role definitions served: <see cref="DemoDirectory.RoleDefinitions"/> at home (28, the four
    /// Contoso custom roles included); the 24 built-in ones in another tenant.
    /// </summary>
    public IReadOnlyList<DemoRoleDefinition> RoleDefinitions { get; }

    /// <summary>The demo admin as this tenant's directory knows them; null where they have no access.</summary>
    public DemoUser? Admin => FindUserByObjectId(DemoTenant.AdminObjectId);

    public DemoUser? FindUser(string key) =>
        Users.FirstOrDefault(u => string.Equals(u.Key, key, StringComparison.OrdinalIgnoreCase));

    public DemoUser? FindUserByObjectId(string objectId) =>
        Users.FirstOrDefault(u => string.Equals(u.ObjectId, objectId, StringComparison.OrdinalIgnoreCase));

    public DemoUser? FindUserByUpn(string userPrincipalName) =>
        Users.FirstOrDefault(u => string.Equals(u.UserPrincipalName, userPrincipalName, StringComparison.OrdinalIgnoreCase));

    internal static ServedTenant Home(AuditDataSet dataSet) => new(
        dataSet.TenantId, dataSet.TenantName, isHome: true, dataSet.TenantId, dataSet, pipelineAppConsented: true, adminHasAccess: true,
        DemoTenant.Users, DemoDirectory.RoleDefinitions);

    internal static ServedTenant Other(OtherTenant tenant, AuditDataSet dataSet, string homeTenantId)
    {
        DemoUser[] users = tenant.AdminHasAccess
            ? [new DemoUser("admin", DemoTenant.AdminObjectId, DemoTenant.AdminUpn, DemoTenant.AdminDisplayName, tenant.AdminRoleTemplateIds, []) { IsMember = false }]
            : [];
        return new ServedTenant(dataSet.TenantId, tenant.Name, isHome: false, homeTenantId, dataSet, tenant.PipelineAppConsented, tenant.AdminHasAccess,
            users, DemoDirectory.RoleDefinitions.Where(r => r.IsBuiltIn).ToArray());
    }
}

/// <summary>The tenants an emulator serves, home first, found by id (case and braces as <see cref="Guid"/> reads them).</summary>
public sealed class ServedTenants
{
    private readonly Dictionary<Guid, ServedTenant> _byId;

    internal ServedTenants(ServedTenant home, IEnumerable<ServedTenant> others)
    {
        All = [home, .. others];
        Home = home;
        _byId = All.ToDictionary(t => Guid.Parse(t.TenantId));
    }

    /// <summary>The home tenant (<see cref="EmulatorOptions.TenantId"/>).</summary>
    public ServedTenant Home { get; }

    /// <summary>Every served tenant: the home tenant, then <see cref="EmulatorOptions.OtherTenants"/> in their order.</summary>
    public IReadOnlyList<ServedTenant> All { get; }

    /// <summary>The served tenant with this id; null for any other value (organizations, common, an unknown id).</summary>
    public ServedTenant? Find(string? tenantId) =>
        Guid.TryParse(tenantId, out Guid id) && _byId.TryGetValue(id, out ServedTenant? tenant) ? tenant : null;

    /// <summary>The ids, home first, for messages.</summary>
    public string Ids => string.Join(", ", All.Select(t => t.TenantId));
}

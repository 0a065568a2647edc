using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator;

/// <summary>
/// The fixed cast of the seeded data set. These ids never depend on the seed, so tests and the
/// demo script can name them; only record ids, correlation ids and times come from the seed.
/// </summary>
public static class DemoTenant
{
    /// <summary>The tenant the emulator serves (the caller's own tenant in every scenario).</summary>
    public const string TenantId = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    public const string TenantName = "Contoso";

    public const string AdminUpn = "admin@contoso.onmicrosoft.com";
    public const string AdminObjectId = "3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61";
    public const string AdminDisplayName = "Contoso Admin";

    /// <summary>The app registration of app-only (automation) tokens, e.g. a runbook's.</summary>
    public const string AutomationAppId = "0d4f6a8c-2e1b-4c3d-9a5f-7b8c9d0e1f2a";

    /// <summary>The service principal object id of <see cref="AutomationAppId"/> (the oid of its tokens).</summary>
    public const string AutomationAppObjectId = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f";

    /// <summary>
    /// The app registration the authority knows as a confidential client ("SupportAccessLogs
    /// pipeline"): client credentials with <see cref="PipelineAppSecret"/> (or
    /// <see cref="EmulatorOptions.ClientSecret"/>), a registered certificate
    /// (<see cref="EmulatorOptions.ClientCertificates"/>), or the federated credential below.
    /// </summary>
    public const string PipelineAppId = "8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b";

    /// <summary>The service principal object id of <see cref="PipelineAppId"/> (the oid of its tokens).</summary>
    public const string PipelineAppObjectId = "2a7c9e1b-3d5f-4a6c-8e0b-9d1f3a5c7e92";

    public const string PipelineAppDisplayName = "SupportAccessLogs pipeline";

    /// <summary>The pipeline app's default client secret: a test value, obviously not a real one.</summary>
    public const string PipelineAppSecret = "emulator-test-secret~NOT.A.REAL.SECRET~0000";

    /// <summary>Issuer of the pipeline app's federated identity credential (GitHub Actions).</summary>
    public const string FederatedIssuer = "https://token.actions.githubusercontent.com";

    /// <summary>Subject of the pipeline app's federated identity credential.</summary>
    public const string FederatedSubject = "repo:contoso/audit-export:ref:refs/heads/main";

    /// <summary>Audience of the pipeline app's federated identity credential.</summary>
    public const string FederatedAudience = "api://AzureADTokenExchange";

    /// <summary>The default secret of the managed identity endpoint (IDENTITY_HEADER / X-IDENTITY-HEADER).</summary>
    public const string IdentityHeader = "emulator-identity-header~NOT.A.REAL.SECRET";

    /// <summary>Client id of the system-assigned managed identity (an Azure Automation account's).</summary>
    public const string AutomationIdentityClientId = "4b1d8f3e-6a2c-4e9b-a7d5-0c3e5f7a9b1d";

    /// <summary>Object (principal) id of the system-assigned managed identity (the oid of its tokens).</summary>
    public const string AutomationIdentityObjectId = "7e2a4c6b-8d0f-4b1a-9c3e-5f7a9b1d3e5c";

    public const string AutomationIdentityDisplayName = "aa-audit-export";

    /// <summary>Client id of the user-assigned managed identity.</summary>
    public const string UserAssignedIdentityClientId = "a3c5e7f9-1b2d-4f6a-8c0e-2d4f6a8c0e1b";

    /// <summary>Object (principal) id of the user-assigned managed identity.</summary>
    public const string UserAssignedIdentityObjectId = "d6f8a0c2-4e1b-4d3f-a5c7-9e1b3d5f7a2c";

    /// <summary>Azure resource id of the user-assigned managed identity.</summary>
    public const string UserAssignedIdentityResourceId =
        "/subscriptions/1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b/resourceGroups/rg-audit-export/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-audit-export";

    public const string UserAssignedIdentityDisplayName = "id-audit-export";

    /// <summary>Other tenant of the cross-tenant scenarios (Fabrikam).</summary>
    public const string PartnerTenantId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    public const string PartnerTenantName = "Fabrikam";

    /// <summary>Second other tenant of the cross-tenant scenarios (Woodgrove).</summary>
    public const string SecondPartnerTenantId = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";
    public const string SecondPartnerTenantName = "Woodgrove";

    /// <summary>Every tenant id the cross-tenant scenarios use, the serving tenant excluded.</summary>
    public static IReadOnlyList<string> PartnerTenantIds { get; } = [PartnerTenantId, SecondPartnerTenantId];

    /// <summary>A customer tenant of the "several tenants" preset (<see cref="CustomerTenants"/>): no scenario names it.</summary>
    public const string NorthwindTenantId = "3e7a9c1b-5d2f-4b8e-a6c4-0f2e4d6b8a13";
    public const string NorthwindTenantName = "Northwind Traders";

    /// <summary>A customer tenant of the "several tenants" preset (<see cref="CustomerTenants"/>): no scenario names it.</summary>
    public const string TailspinTenantId = "b5d7f9a1-3c2e-4f6a-8b0d-1e3f5a7c9d24";
    public const string TailspinTenantName = "Tailspin Toys";

    /// <summary>
    /// Four customer tenants a managed service provider (Contoso, the served tenant) reads, one of
    /// each kind (README.md, "Several tenants"); serve them with
    /// <c>new EmulatorOptions { OtherTenants = DemoTenant.CustomerTenants }</c> or <c>--customer-tenants</c>:
    /// <list type="bullet">
    /// <item>Fabrikam (<see cref="PartnerTenantId"/>): the pipeline app consented, the admin a Global Reader: both read.</item>
    /// <item>Woodgrove (<see cref="SecondPartnerTenantId"/>): the pipeline app NOT consented (AADSTS700016); the admin a Global Reader.</item>
    /// <item>Northwind Traders (<see cref="NorthwindTenantId"/>): the app consented; the admin holds Helpdesk Administrator only, no reader role (403).</item>
    /// <item>Tailspin Toys (<see cref="TailspinTenantId"/>): the app consented; the admin has no access at all (AADSTS50020).</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<OtherTenant> CustomerTenants { get; } =
    [
        new(PartnerTenantId) { DisplayName = PartnerTenantName },
        new(SecondPartnerTenantId) { DisplayName = SecondPartnerTenantName, PipelineAppConsented = false },
        new(NorthwindTenantId) { DisplayName = NorthwindTenantName, AdminRoleTemplateIds = [DemoDirectory.HelpdeskAdministrator] },
        new(TailspinTenantId) { DisplayName = TailspinTenantName, AdminHasAccess = false },
    ];

    /// <summary>The display name of a tenant the demo cast knows (Contoso, Fabrikam, Woodgrove, Northwind Traders, Tailspin Toys), else null.</summary>
    public static string? KnownTenantName(string tenantId) =>
        !Guid.TryParse(tenantId, out Guid id) ? null
        : id == Guid.Parse(TenantId) ? TenantName
        : id == Guid.Parse(PartnerTenantId) ? PartnerTenantName
        : id == Guid.Parse(SecondPartnerTenantId) ? SecondPartnerTenantName
        : id == Guid.Parse(NorthwindTenantId) ? NorthwindTenantName
        : id == Guid.Parse(TailspinTenantId) ? TailspinTenantName
        : null;

    // ---- Directory users (see DemoDirectory for the roles) ----

    public const string ReportsReaderObjectId = "5e8a1c3f-7b2d-4f9a-8c6e-1a3b5d7f9e21";
    public const string ReportsReaderUpn = "reports.reader@contoso.com";
    public const string SecurityReaderObjectId = "6f9b2d4a-8c3e-4a0b-9d7f-2b4c6e8a0f32";
    public const string SecurityReaderUpn = "security.reader@contoso.com";
    public const string SecurityAdminObjectId = "7a0c3e5b-9d4f-4b1c-8e8a-3c5d7f9b1a43";
    public const string SecurityAdminUpn = "security.admin@contoso.com";
    public const string GlobalAdminObjectId = "8b1d4f6c-0e5a-4c2d-9f9b-4d6e8a0c2b54";
    public const string GlobalAdminUpn = "global.admin@contoso.com";
    public const string HelpdeskObjectId = "9c2e5a7d-1f6b-4d3e-8a0c-5e7f9b1d3c65";
    public const string HelpdeskUpn = "helpdesk@contoso.com";
    public const string TicketOperatorObjectId = "ad3f6b8e-2a7c-4e4f-9b1d-6f8a0c2e4d76";
    public const string TicketOperatorUpn = "ticket.operator@contoso.com";
    public const string NoRolesObjectId = "be4a7c9f-3b8d-4f5a-8c2e-7a9b1d3f5e87";
    public const string NoRolesUpn = "no.roles@contoso.com";

    /// <summary>
    /// The directory's users and their active role assignments (scope "/"): built-in roles by
    /// template id (in <c>wids</c> and transitiveMemberOf), custom roles by id (in roleAssignments
    /// only, as in Entra). The apps and managed identities hold no directory roles.
    /// </summary>
    public static IReadOnlyList<DemoUser> Users { get; } =
    [
        new("admin", AdminObjectId, AdminUpn, AdminDisplayName, [DemoDirectory.GlobalReader], []),
        new("reportsReader", ReportsReaderObjectId, ReportsReaderUpn, "Riya Reports", [DemoDirectory.ReportsReader], []),
        new("securityReader", SecurityReaderObjectId, SecurityReaderUpn, "Sam Security-Reader", [DemoDirectory.SecurityReader], []),
        new("securityAdmin", SecurityAdminObjectId, SecurityAdminUpn, "Sasha Security-Admin", [DemoDirectory.SecurityAdministrator], []),
        new("globalAdmin", GlobalAdminObjectId, GlobalAdminUpn, "Gale Global-Admin", [DemoDirectory.GlobalAdministrator], []),
        new("helpdesk", HelpdeskObjectId, HelpdeskUpn, "Hana Helpdesk", [DemoDirectory.HelpdeskAdministrator], []),
        new("ticketOperator", TicketOperatorObjectId, TicketOperatorUpn, "Tomas Ticket-Operator", [], [DemoDirectory.ContosoSupportTicketOperator]),
        new("noRoles", NoRolesObjectId, NoRolesUpn, "Nia No-Roles", [], []),
    ];

    /// <summary>The user with this key (case-insensitive), or null.</summary>
    public static DemoUser? FindUser(string key) =>
        Users.FirstOrDefault(u => string.Equals(u.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>The user with this object id (case-insensitive), or null.</summary>
    public static DemoUser? FindUserByObjectId(string objectId) =>
        Users.FirstOrDefault(u => string.Equals(u.ObjectId, objectId, StringComparison.OrdinalIgnoreCase));

    /// <summary>The user with this UPN (case-insensitive), or null.</summary>
    public static DemoUser? FindUserByUpn(string userPrincipalName) =>
        Users.FirstOrDefault(u => string.Equals(u.UserPrincipalName, userPrincipalName, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A user of the demo directory.</summary>
/// <param name="Key">Short name for <c>/_emulator/token?user=</c> and <see cref="TestTokens.ForUser(string)"/>.</param>
/// <param name="RoleTemplateIds">Built-in roles assigned (template ids): the token's <c>wids</c> and transitiveMemberOf.</param>
/// <param name="CustomRoleIds">Custom roles assigned (role definition ids): in roleAssignments only.</param>
public sealed record DemoUser(
    string Key,
    string ObjectId,
    string UserPrincipalName,
    string DisplayName,
    IReadOnlyList<string> RoleTemplateIds,
    IReadOnlyList<string> CustomRoleIds)
{
    /// <summary>
    /// A member of the directory (true for every user of <see cref="DemoTenant.Users"/>); false for
    /// the demo admin in another served tenant, where they sign in from their home tenant.
    /// </summary>
    public bool IsMember { get; init; } = true;

    /// <summary>
    /// The <c>wids</c> claim Entra issues for this user: the built-in role template ids, then, for a
    /// member, the implicit member "User" template (<see cref="DemoDirectory.MemberUserRoleTemplateId"/>).
    /// </summary>
    public IReadOnlyList<string> Wids => IsMember ? [.. RoleTemplateIds, DemoDirectory.MemberUserRoleTemplateId] : RoleTemplateIds;
}

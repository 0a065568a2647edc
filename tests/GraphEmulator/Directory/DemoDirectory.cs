using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator;

/// <summary>A role definition the emulator serves from <c>/v1.0/roleManagement/directory/roleDefinitions</c>.</summary>
/// <param name="Id">For built-in roles the template id (as Entra serves them); for custom roles a fixed GUID.</param>
/// <param name="TemplateId">Equal to <paramref name="Id"/> for every served role (custom roles too, as Entra does).</param>
/// <param name="AllowedResourceActions">The one rolePermissions entry's actions (condition null).</param>
public sealed record DemoRoleDefinition(
    string Id,
    string DisplayName,
    string Description,
    bool IsBuiltIn,
    string TemplateId,
    IReadOnlyList<string> AllowedResourceActions);

/// <summary>What a test should conclude about one custom role (hand-written, not computed from its actions).</summary>
public sealed record DemoCustomRoleExpectation(string Id, string DisplayName, bool CanManageSupportAccess, bool CanReadActivityLogs);

/// <summary>
/// The demo tenant's directory roles: real built-in role names, template ids and (excerpts of)
/// their permissions as the Microsoft Entra built-in roles reference lists them, plus four custom
/// roles, and the hand-written expectations tests compare a client's reading against.
/// </summary>
/// <remarks>
/// Each built-in role's <c>allowedResourceActions</c> is an excerpt of the reference's list (the
/// long ones are shortened), copied verbatim, and always holds exactly those of the three actions
/// that matter here which the reference gives the role: <see cref="AuditLogsReadAction"/>,
/// <see cref="AzureSupportTicketsAction"/> and <see cref="Office365SupportTicketsAction"/>.
/// Checked against MicrosoftDocs/entra-docs docs/identity/role-based-access-control/
/// permissions-reference.md and its includes (2026).
/// </remarks>
public static class DemoDirectory
{
    /// <summary>Reading directory audit logs (Reports Reader and the other documented reader roles hold it; so do some others).</summary>
    public const string AuditLogsReadAction = "microsoft.directory/auditLogs/allProperties/read";

    /// <summary>Managing Azure support tickets, hence Microsoft Support access requests.</summary>
    public const string AzureSupportTicketsAction = "microsoft.azure.supportTickets/allEntities/allTasks";

    /// <summary>Managing Microsoft 365 service requests: NOT the Azure support tickets action.</summary>
    public const string Office365SupportTicketsAction = "microsoft.office365.supportTickets/allEntities/allTasks";

    /// <summary>
    /// The "User" role template every member user holds implicitly: Entra puts it in a member's
    /// <c>wids</c> claim, but it is not an activated directory role (never in transitiveMemberOf).
    /// </summary>
    public const string MemberUserRoleTemplateId = "b79fbf4d-3ef9-4689-8143-76b194e85509";

    // ---- Reader roles: hold AuditLogsReadAction and are the documented audit log readers ----
    public const string ReportsReader = "4a5d8f65-41da-4de4-8968-e035b65339cf";
    public const string SecurityReader = "5d6b6bb7-de71-4623-b4af-96380a352509";
    public const string GlobalReader = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
    public const string SecurityAdministrator = "194ae4cb-b126-40b2-bd5b-6091b380977d";
    public const string GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10";

    // ---- Built-in roles holding AzureSupportTicketsAction (besides the two admins above) ----
    public const string ServiceSupportAdministrator = "f023fd81-a637-4b56-95fd-791ac0226033";
    public const string HelpdeskAdministrator = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    public const string UserAdministrator = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    public const string ApplicationAdministrator = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
    public const string CloudApplicationAdministrator = "158c047a-c907-4556-b7ef-446551a6b5f7";
    public const string ExchangeAdministrator = "29232cdf-9323-42fd-ade2-1d097af3e4de";
    public const string SharePointAdministrator = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c";
    public const string TeamsAdministrator = "69091246-20e8-4a56-aa4d-066075b2a7a8";
    public const string IntuneAdministrator = "3a2c62db-5318-420d-8d74-23affee5d9d5";
    public const string BillingAdministrator = "b0f54661-2d74-4c50-afa3-1ec803f12efe";
    public const string ComplianceAdministrator = "17315797-102d-40b4-93e0-432062caca18";
    public const string GroupsAdministrator = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
    public const string AuthenticationAdministrator = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
    public const string PowerPlatformAdministrator = "11648597-926c-4cf3-9c36-bcebb0ba8dcc";
    public const string SecurityOperator = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";

    // ---- Built-in roles with neither right ----
    public const string DirectoryReaders = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
    public const string GuestInviter = "95e79109-95c0-4d8e-aee3-d01accf2d47b";
    public const string MessageCenterReader = "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b";
    public const string PasswordAdministrator = "966707d0-3269-4727-9be2-8c3a10f19b9d";

    // ---- Custom roles (isBuiltIn false; id = templateId) ----
    /// <summary>"Contoso Support Ticket Operator": <c>microsoft.azure.supportTickets/*</c>, <c>microsoft.directory/users/standard/read</c>.</summary>
    public const string ContosoSupportTicketOperator = "7c1f2e9a-4b3d-4e8f-a6c5-1d2e3f4a5b6c";

    /// <summary>"Contoso Azure Service Desk": <c>microsoft.azure.*/allEntities/allTasks</c>.</summary>
    public const string ContosoAzureServiceDesk = "b8e2d4f6-1a3c-4e5b-9d7f-2c4e6a8b0d1f";

    /// <summary>"Contoso Directory Auditor": <c>microsoft.directory/auditLogs/allProperties/read</c> (not a documented reader role).</summary>
    public const string ContosoDirectoryAuditor = "3e5a7c9b-2d4f-4a6c-8e1b-5f7a9c1e3d5b";

    /// <summary>"Contoso Office Tickets": <c>microsoft.office365.supportTickets/allEntities/allTasks</c> only (not Azure's).</summary>
    public const string ContosoOfficeTickets = "e4f6a8c0-3b5d-4f7a-9c2e-6b8d0f2a4c6e";

    /// <summary>Every role definition served, in the order served (built-in by display name, then custom).</summary>
    public static IReadOnlyList<DemoRoleDefinition> RoleDefinitions { get; } = BuildRoleDefinitions();

    /// <summary>Hand-written: the built-in roles that may read the audit logs (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
    public static IReadOnlyList<string> ReaderRoleTemplateIds { get; } =
        [ReportsReader, SecurityReader, GlobalReader, SecurityAdministrator, GlobalAdministrator];

    /// <summary>Hand-written: the served built-in roles that hold <see cref="AzureSupportTicketsAction"/>.</summary>
    public static IReadOnlyList<string> SupportTicketManagerTemplateIds { get; } =
    [
        SecurityAdministrator, GlobalAdministrator, ServiceSupportAdministrator, HelpdeskAdministrator, UserAdministrator,
        ApplicationAdministrator, CloudApplicationAdministrator, ExchangeAdministrator, SharePointAdministrator,
        TeamsAdministrator, IntuneAdministrator, BillingAdministrator, ComplianceAdministrator, GroupsAdministrator,
        AuthenticationAdministrator, PowerPlatformAdministrator, SecurityOperator,
    ];

    /// <summary>Hand-written: served built-in roles that can neither read the logs nor manage support access.</summary>
    public static IReadOnlyList<string> NeitherTemplateIds { get; } =
        [DirectoryReaders, GuestInviter, MessageCenterReader, PasswordAdministrator];

    /// <summary>Hand-written: what each custom role should be read as. No custom role reads the logs: only the documented roles do.</summary>
    public static IReadOnlyList<DemoCustomRoleExpectation> CustomRoles { get; } =
    [
        new(ContosoSupportTicketOperator, "Contoso Support Ticket Operator", CanManageSupportAccess: true, CanReadActivityLogs: false),
        new(ContosoAzureServiceDesk, "Contoso Azure Service Desk", CanManageSupportAccess: true, CanReadActivityLogs: false),
        new(ContosoDirectoryAuditor, "Contoso Directory Auditor", CanManageSupportAccess: false, CanReadActivityLogs: false),
        new(ContosoOfficeTickets, "Contoso Office Tickets", CanManageSupportAccess: false, CanReadActivityLogs: false),
    ];

    /// <summary>The served definition with this id (case-insensitive), or null.</summary>
    public static DemoRoleDefinition? FindRole(string id) =>
        RoleDefinitions.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    private static List<DemoRoleDefinition> BuildRoleDefinitions()
    {
        DemoRoleDefinition[] builtIn =
        [
            BuiltIn(ReportsReader, "Reports Reader", "Can read sign-in and audit reports.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.office365.network/performance/allProperties/read",
                "microsoft.office365.usageReports/allEntities/allProperties/read",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(SecurityReader, "Security Reader", "Can read security information and reports in Microsoft Entra ID and Office 365.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.directory/accessReviews/definitions/allProperties/read",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/authorizationPolicy/standard/read",
                "microsoft.directory/bitlockerKeys/key/read",
                "microsoft.directory/conditionalAccessPolicies/standard/read",
                "microsoft.directory/identityProtection/allProperties/read",
                "microsoft.directory/policies/standard/read",
                "microsoft.directory/privilegedIdentityManagement/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.office365.protectionCenter/allEntities/standard/read",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(GlobalReader, "Global Reader", "Can read everything that a Global Administrator can, but not update anything.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.commerce.billing/allEntities/allProperties/read",
                "microsoft.directory/applications/allProperties/read",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/directoryRoles/allProperties/read",
                "microsoft.directory/groups/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/roleAssignments/allProperties/read",
                "microsoft.directory/roleDefinitions/allProperties/read",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.directory/users/allProperties/read",
                "microsoft.office365.messageCenter/messages/read",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.usageReports/allEntities/allProperties/read",
                "microsoft.office365.webPortal/allEntities/standard/read",
                "microsoft.teams/allEntities/allProperties/read"),
            BuiltIn(SecurityAdministrator, "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/applications/policies/update",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/authorizationPolicy/standard/read",
                "microsoft.directory/conditionalAccessPolicies/create",
                "microsoft.directory/conditionalAccessPolicies/standard/read",
                "microsoft.directory/identityProtection/allProperties/read",
                "microsoft.directory/identityProtection/allProperties/update",
                "microsoft.directory/policies/basic/update",
                "microsoft.directory/privilegedIdentityManagement/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.office365.protectionCenter/allEntities/standard/read",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(GlobalAdministrator, "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
                "microsoft.azure.advancedThreatProtection/allEntities/allTasks",
                "microsoft.azure.informationProtection/allEntities/allTasks",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.commerce.billing/allEntities/allProperties/allTasks",
                "microsoft.directory/applications/allProperties/allTasks",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",
                "microsoft.directory/directoryRoles/allProperties/allTasks",
                "microsoft.directory/groups/allProperties/allTasks",
                "microsoft.directory/identityProtection/allProperties/allTasks",
                "microsoft.office365.exchange/allEntities/basic/allTasks",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.sharePoint/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read",
                "microsoft.teams/allEntities/allProperties/allTasks"),
            BuiltIn(ServiceSupportAdministrator, "Service Support Administrator", "Can read service health information and manage support tickets.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.office365.network/performance/allProperties/read",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(HelpdeskAdministrator, "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/bitlockerKeys/key/read",
                "microsoft.directory/deviceLocalCredentials/standard/read",
                "microsoft.directory/users/invalidateAllRefreshTokens",
                "microsoft.directory/users/password/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(UserAdministrator, "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/contacts/create",
                "microsoft.directory/groups/create",
                "microsoft.directory/groups/members/update",
                "microsoft.directory/users/assignLicense",
                "microsoft.directory/users/basic/update",
                "microsoft.directory/users/create",
                "microsoft.directory/users/delete",
                "microsoft.directory/users/password/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(ApplicationAdministrator, "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/applications/applicationProxy/read",
                "microsoft.directory/applications/create",
                "microsoft.directory/applications/credentials/update",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/servicePrincipals/create",
                "microsoft.directory/servicePrincipals/credentials/update",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(CloudApplicationAdministrator, "Cloud Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/applications/create",
                "microsoft.directory/applications/credentials/update",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/servicePrincipals/create",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(ExchangeAdministrator, "Exchange Administrator", "Can manage all aspects of the Exchange product.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/groups.unified/create",
                "microsoft.directory/groups.unified/members/update",
                "microsoft.office365.exchange/allEntities/basic/allTasks",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.usageReports/allEntities/allProperties/read",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(SharePointAdministrator, "SharePoint Administrator", "Can manage all aspects of the SharePoint service.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/groups.unified/create",
                "microsoft.directory/groups.unified/members/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.sharePoint/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.usageReports/allEntities/allProperties/read",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(TeamsAdministrator, "Teams Administrator", "Can manage the Microsoft Teams service.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/groups.unified/create",
                "microsoft.directory/groups.unified/members/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.skypeForBusiness/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read",
                "microsoft.teams/allEntities/allProperties/allTasks"),
            BuiltIn(IntuneAdministrator, "Intune Administrator", "Can manage all aspects of the Intune product.",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.cloudPC/allEntities/allProperties/allTasks",
                "microsoft.directory/devices/basic/update",
                "microsoft.directory/groups.security/create",
                "microsoft.directory/groups.security/members/update",
                "microsoft.intune/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(BillingAdministrator, "Billing Administrator", "Can perform common billing related tasks like updating payment information.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.commerce.billing/allEntities/allProperties/allTasks",
                "microsoft.directory/organization/basic/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(ComplianceAdministrator, "Compliance Administrator", "Can read and manage compliance configuration and reports in Microsoft Entra ID and Microsoft 365.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/entitlementManagement/allProperties/read",
                "microsoft.office365.complianceManager/allEntities/allTasks",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(GroupsAdministrator, "Groups Administrator",
                "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/groups/basic/update",
                "microsoft.directory/groups/create",
                "microsoft.directory/groups/delete",
                "microsoft.directory/groups/members/update",
                "microsoft.directory/groups/owners/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(AuthenticationAdministrator, "Authentication Administrator",
                "Can access to view, set and reset authentication method information for any non-admin user.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/users/authenticationMethods/basic/update",
                "microsoft.directory/users/authenticationMethods/create",
                "microsoft.directory/users/authenticationMethods/delete",
                "microsoft.directory/users/invalidateAllRefreshTokens",
                "microsoft.directory/users/password/update",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(PowerPlatformAdministrator, "Power Platform Administrator",
                "Can create and manage all aspects of Microsoft Dynamics 365, Power Apps and Power Automate.",
                "microsoft.azure.serviceHealth/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.dynamics365/allEntities/allTasks",
                "microsoft.flow/allEntities/allTasks",
                "microsoft.office365.serviceHealth/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.office365.webPortal/allEntities/standard/read",
                "microsoft.powerApps/allEntities/allTasks"),
            BuiltIn(SecurityOperator, "Security Operator", "Creates and manages security events.",
                "microsoft.azure.advancedThreatProtection/allEntities/allTasks",
                "microsoft.azure.supportTickets/allEntities/allTasks",
                "microsoft.directory/auditLogs/allProperties/read",
                "microsoft.directory/authorizationPolicy/standard/read",
                "microsoft.directory/cloudAppSecurity/allProperties/allTasks",
                "microsoft.directory/identityProtection/allProperties/allTasks",
                "microsoft.directory/privilegedIdentityManagement/allProperties/read",
                "microsoft.directory/provisioningLogs/allProperties/read",
                "microsoft.directory/signInReports/allProperties/read",
                "microsoft.intune/allEntities/read",
                "microsoft.office365.securityComplianceCenter/allEntities/allTasks",
                "microsoft.office365.supportTickets/allEntities/allTasks",
                "microsoft.windows.defenderAdvancedThreatProtection/allEntities/allTasks"),
            BuiltIn(DirectoryReaders, "Directory Readers",
                "Can read basic directory information. Commonly used to grant directory read access to applications and guests.",
                "microsoft.directory/administrativeUnits/standard/read",
                "microsoft.directory/applications/standard/read",
                "microsoft.directory/devices/standard/read",
                "microsoft.directory/directoryRoles/standard/read",
                "microsoft.directory/groups/members/read",
                "microsoft.directory/groups/standard/read",
                "microsoft.directory/organization/standard/read",
                "microsoft.directory/roleAssignments/standard/read",
                "microsoft.directory/roleDefinitions/standard/read",
                "microsoft.directory/servicePrincipals/standard/read",
                "microsoft.directory/users/memberOf/read",
                "microsoft.directory/users/standard/read"),
            BuiltIn(GuestInviter, "Guest Inviter", "Can invite guest users independent of the 'members can invite guests' setting.",
                "microsoft.directory/users/appRoleAssignments/read",
                "microsoft.directory/users/inviteGuest",
                "microsoft.directory/users/memberOf/read",
                "microsoft.directory/users/standard/read"),
            BuiltIn(MessageCenterReader, "Message Center Reader", "Can read messages and updates for their organization in Office 365 Message Center only.",
                "microsoft.office365.messageCenter/messages/read",
                "microsoft.office365.webPortal/allEntities/standard/read"),
            BuiltIn(PasswordAdministrator, "Password Administrator", "Can reset passwords for non-administrators and Password Administrators.",
                "microsoft.directory/users/password/update",
                "microsoft.office365.webPortal/allEntities/standard/read"),
        ];

        DemoRoleDefinition[] custom =
        [
            Custom(ContosoSupportTicketOperator, "Contoso Support Ticket Operator",
                "Opens and manages Azure support requests for the service desk.",
                "microsoft.azure.supportTickets/*", "microsoft.directory/users/standard/read"),
            Custom(ContosoAzureServiceDesk, "Contoso Azure Service Desk",
                "Every task on every Azure entity the service desk works with.",
                "microsoft.azure.*/allEntities/allTasks"),
            Custom(ContosoDirectoryAuditor, "Contoso Directory Auditor",
                "Reads the directory audit logs for internal audit.",
                "microsoft.directory/auditLogs/allProperties/read"),
            Custom(ContosoOfficeTickets, "Contoso Office Tickets",
                "Opens Microsoft 365 service requests.",
                "microsoft.office365.supportTickets/allEntities/allTasks"),
        ];

        // Built-in roles by display name, then custom ones: with the default page size of 20
        // the custom roles (and Service Support Administrator) are on the second page.
        return builtIn.OrderBy(r => r.DisplayName, StringComparer.Ordinal).Concat(custom).ToList();
    }

    private static DemoRoleDefinition BuiltIn(string templateId, string displayName, string description, params string[] actions) =>
        new(templateId, displayName, description, IsBuiltIn: true, templateId, actions);

    private static DemoRoleDefinition Custom(string id, string displayName, string description, params string[] actions) =>
        new(id, displayName, description, IsBuiltIn: false, id, actions);
}

using System.Collections.Generic;
using static GraphEmulator.ExpectedActivity;
using static GraphEmulator.ExpectedCategory;
using static GraphEmulator.ExpectedTenantRole;

namespace GraphEmulator.Data;

/// <summary>
/// The hand-written scenario table. Each row is one record and, for the support-access category,
/// what its author means it to classify as under the module's classification rules (docs/architecture.md). The expectations are written here by
/// hand, row by row, and never computed: the truth endpoint exists to check the module's
/// classifier against an independent reading of the rules.
/// </summary>
/// <remarks>
/// Rows that share a workflow are written in order and marked <c>Then()</c>, so their times
/// follow each other and they share a correlation id and the id of their default target (the
/// request, "Microsoft Support access request"), as the steps of one request would.
/// </remarks>
internal static class Scenarios
{
    private const string Own = DemoTenant.TenantId;
    private const string PartnerA = DemoTenant.PartnerTenantId;
    private const string PartnerB = DemoTenant.SecondPartnerTenantId;

    // ---- cast -------------------------------------------------------------------------------

    private static AuditUserIdentity Member(string id, string displayName, string upn, string ip) => new()
    {
        Id = id,
        DisplayName = displayName,
        UserPrincipalName = upn,
        IpAddress = ip,
        UserType = "Member",
        HomeTenantId = Own,
        HomeTenantName = DemoTenant.TenantName,
    };

    internal static readonly AuditUserIdentity Admin =
        Member(DemoTenant.AdminObjectId, DemoTenant.AdminDisplayName, DemoTenant.AdminUpn, "203.0.113.10");

    /// <summary>Initiates exactly three records, all support access (one with the UPN in other case).</summary>
    internal static readonly AuditUserIdentity OBrien =
        Member("5e2d8f40-1a3b-4c6d-8e9f-a0b1c2d3e4f5", "Zoë O'Brien", "o'brien@contoso.com", "198.51.100.23");

    internal static readonly AuditUserIdentity Zoe =
        Member("6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e", "Zoë Ångström", "zoe.angstrom@contoso.com", "198.51.100.61");

    internal static readonly AuditUserIdentity LiLei =
        Member("9e0f1a2b-3c4d-4e5f-a6b7-c8d9e0f1a2b3", "李雷", "li.lei@contoso.com", "2001:db8::1e");

    internal static readonly AuditUserIdentity Lukasz =
        Member("7a1b2c3d-4e5f-4a6b-9c8d-0e1f2a3b4c5d", "Łukasz Żółć", "lukasz.zolc@contoso.com", "2001:db8::7");

    internal static readonly AuditUserIdentity Taro =
        Member("8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f", "田中 太郎", "taro.tanaka@contoso.com", "192.0.2.44");

    internal static readonly AuditUserIdentity Alex =
        Member("1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", "Alex \"AJ\" Wilber, Jr.", "alex.wilber@contoso.com", "203.0.113.77");

    /// <summary>A guest whose home is the partner tenant: homeTenantId is not additionalDetails evidence.</summary>
    internal static readonly AuditUserIdentity FabrikamGuest = new()
    {
        Id = "2f3a4b5c-6d7e-4f8a-9b0c-1d2e3f4a5b6c",
        DisplayName = "Fabrikam Engineer",
        UserPrincipalName = "engineer_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        IpAddress = "198.51.100.201",
        UserType = "Guest",
        HomeTenantId = PartnerA,
        HomeTenantName = DemoTenant.PartnerTenantName,
    };

    /// <summary>A user object with neither id nor UPN, as service-side actions sometimes carry.</summary>
    private static readonly AuditUserIdentity Faceless = new() { DisplayName = "Microsoft Support" };

    private static readonly AuditUserIdentity BlankStrings = new() { Id = "", DisplayName = "", UserPrincipalName = "", IpAddress = "" };

    private static readonly AuditUserIdentity UpnOnly = new() { DisplayName = "Helpdesk Operator", UserPrincipalName = "helpdesk@contoso.com", IpAddress = "203.0.113.5" };

    private static readonly AuditUserIdentity IdOnly = new() { Id = "4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e" };

    /// <summary>
    /// Graph's stand-in user for a step no real user took (the v1.0 "List directoryAudits"
    /// example 2 writes it so): the zero GUID, nulls, and a placeholder address. It names nobody,
    /// so it is not evidence of a user; only a UPN added to it would be.
    /// </summary>
    internal static readonly AuditUserIdentity Placeholder = new()
    {
        Id = "00000000-0000-0000-0000-000000000000",
        DisplayName = null,
        UserPrincipalName = null,
        IpAddress = "10.0.0.0",
        UserType = null,
        HomeTenantId = null,
        HomeTenantName = null,
    };

    /// <summary>The service's own app: the initiator of automated steps.</summary>
    internal static readonly AuditAppIdentity SupportAccessApp = new(
        "c1a2b3d4-e5f6-4789-8abc-def012345678", "Microsoft Support Access Management",
        "d2b3c4e5-f6a7-4890-9bcd-ef0123456789", "Microsoft Support Access Management");

    private static readonly AuditAppIdentity SupportCenterApp = new(
        "e3c4d5f6-a7b8-4901-8cde-f01234567890", "Azure Support Center",
        "f4d5e6a7-b8c9-4012-9def-012345678901", "Azure Support Center");

    private static readonly AuditAppIdentity NamelessApp = new(null, "Microsoft Substrate Management", null, null);

    /// <summary>The app counterpart of <see cref="Placeholder"/>: the zero GUID and nothing else.</summary>
    internal static readonly AuditAppIdentity PlaceholderApp = new("00000000-0000-0000-0000-000000000000", null, null, null);

    private static ScenarioRow Row(string activity, Initiated by) => new(activity, by);

    private static Initiated U(AuditUserIdentity user) => Initiated.User(user);

    private static Initiated A(AuditAppIdentity app) => Initiated.App(app);

    private static AuditTargetResource Ticket(string id, string displayName, params AuditModifiedProperty[] changes) => new()
    {
        Id = id,
        DisplayName = displayName,
        Type = "Other",
        ModifiedProperties = changes,
    };

    private static AuditModifiedProperty Changed(string name, string? oldValue, string? newValue) => new(name, oldValue, newValue);

    // ---- the table --------------------------------------------------------------------------

    public static IReadOnlyList<ScenarioRow> Build() =>
    [
        // Workflow 1, own tenant: created by the service, approved by an admin, approval created,
        // access removed when the ticket closed.
        Row("Request created", A(SupportAccessApp)).Operation("Add")
            .Details(("SupportRequestId", "2411010010000101"), ("RequestedAccess", "Diagnostic data"))
            .Expect(Automated, RequestCreated, supportRequestId: "2411010010000101"),
        Row("Request approved", U(Admin)).Then()
            .Details(("SupportRequestId", "2411010010000101"))
            .Targets(Ticket("a0000001-0000-4000-8000-000000000101", "Support request 2411010010000101",
                Changed("Status", "\"Pending\"", "\"Approved\"")))
            .Expect(UserInitiated, RequestApproved, supportRequestId: "2411010010000101"),
        Row("Access approved", A(SupportAccessApp)).Then().Operation("Add")
            .Details(("SupportRequestId", "2411010010000101"))
            .Expect(Automated, ApprovalCreated, supportRequestId: "2411010010000101"),
        Row("Access removed", A(SupportAccessApp)).Then().Operation("Delete")
            .Details(("SupportRequestId", "2411010010000101"), ("Reason", "Support request closed"))
            .Expect(Automated, AccessRemovedOnClosure, supportRequestId: "2411010010000101"),

        // Workflow 2, own tenant, pre-Oct-2024 names: approval removed by hand before closure.
        Row("Request created", Initiated.Nobody).Operation("Add")
            .Details(("SupportTicketId", "2410150040000202"))
            .Expect(Automated, RequestCreated, supportRequestId: "2410150040000202"),
        Row("Request approved", U(OBrien)).Then()
            .Details(("supportticketid", "2410150040000202"))
            .Expect(UserInitiated, RequestApproved, supportRequestId: "2410150040000202"),
        Row("Approval approved", A(SupportAccessApp)).Then().Operation("Add")
            .Details(("SupportTicketId", "2410150040000202"))
            .Expect(Automated, ApprovalCreated, supportRequestId: "2410150040000202"),
        Row("Approval removed", U(OBrien)).Then().Operation("Delete")
            .Details(("SupportTicketId", "2410150040000202"))
            .Expect(UserInitiated, AccessRemovedManually, supportRequestId: "2410150040000202"),

        // Workflow 3, cross-tenant, the support request tenant's side.
        Row("Request created", A(SupportAccessApp)).Operation("Add")
            .Details(("ResourceTenantId", PartnerA), ("TicketId", "2411050030000303"))
            .Expect(CrossTenant, RequestCreated, SupportRequestTenant, PartnerA, "2411050030000303"),
        Row("Request approved", U(Admin)).Then()
            .Details(("ResourceTenantId", PartnerA), ("TicketId", "2411050030000303"))
            .Expect(CrossTenant, RequestApproved, SupportRequestTenant, PartnerA, "2411050030000303"),

        // Workflow 4, cross-tenant, the resource tenant's side: approval created, removed by hand.
        Row("Access approved", A(SupportAccessApp)).Operation("Add")
            .Details(("supportRequestTenantId", PartnerB), ("RequestId", "2411070050000404"))
            .Expect(CrossTenant, ApprovalCreated, ResourceTenant, PartnerB, "2411070050000404"),
        Row("Access removed", U(Lukasz)).Then().Operation("Delete")
            .Details(("supportRequestTenantId", PartnerB), ("RequestId", "2411070050000404"))
            .Expect(CrossTenant, AccessRemovedManually, ResourceTenant, PartnerB, "2411070050000404"),

        // ---- user-initiated, own tenant -----------------------------------------------------
        Row("Request approved", U(Admin))
            .Expect(UserInitiated, RequestApproved),
        Row("  request APPROVED ", U(Lukasz))
            .Details(("SupportRequestId", "2411120010000505"))
            .Expect(UserInitiated, RequestApproved, supportRequestId: "2411120010000505"),
        Row("Request approved", U(Taro))
            .Targets(Ticket("a0000001-0000-4000-8000-000000000506", "サポート リクエスト 🎫 #506",
                Changed("Status", "\"Pending\"", "\"Approved\"")))
            .Expect(UserInitiated, RequestApproved),
        Row("Request approved", U(Alex)).Result("failure", "Approver does not hold a role that can manage support access.")
            .Details(("SupportRequestId", "2411130010000507"))
            .Expect(UserInitiated, RequestApproved, supportRequestId: "2411130010000507"),
        Row("Request approved", U(Zoe)).Result("timeout", "The operation timed out, retry later.")
            .Expect(UserInitiated, RequestApproved),
        Row("Request approved", Initiated.UserAndApp(Admin, SupportCenterApp))
            .Details(("RequestId", "2411140010000509"))
            .Expect(UserInitiated, RequestApproved, supportRequestId: "2411140010000509"),
        Row("Request approved", U(FabrikamGuest))
            .Expect(UserInitiated, RequestApproved),
        Row("Request rejected", U(Admin))
            .Details(("TicketId", "2411150010000601"))
            .Expect(UserInitiated, RequestRejected, supportRequestId: "2411150010000601"),
        Row("Request rejected", U(LiLei)).Result("success", "Denied, \"per policy\"\nsee ticket")
            .Details(("TICKETID", "2411150010000602"), ("Comment", "Not now,\tnext week"))
            .Expect(UserInitiated, RequestRejected, supportRequestId: "2411150010000602"),
        Row("Request rejected", U(Alex))
            .Targets(Ticket("a0000001-0000-4000-8000-000000000603", "Request \"603\", urgent",
                Changed("Status", "\"Pending\"", "\"Rejected\"")))
            .Expect(UserInitiated, RequestRejected),
        Row("Request canceled", U(Admin))
            .Details(("SupportRequestId", "2411160010000701"))
            .Expect(UserInitiated, RequestCanceled, supportRequestId: "2411160010000701"),
        Row("Request cancelled", U(Zoe))
            .Expect(UserInitiated, RequestCanceled),
        Row("Request Canceled\t", U(Taro))
            .Expect(UserInitiated, RequestCanceled),
        Row("Approval removed", U(Admin)).Operation("Delete")
            .Expect(UserInitiated, AccessRemovedManually),
        Row("Access removed", U(Taro)).Operation("Delete")
            .Details(("SupportRequestId", "2411170010000801"))
            .Expect(UserInitiated, AccessRemovedManually, supportRequestId: "2411170010000801"),
        Row("Access removed", U(UpnOnly)).Operation("Delete")
            .Expect(UserInitiated, AccessRemovedManually),
        Row("Access removed", U(IdOnly)).Operation("Delete")
            .Expect(UserInitiated, AccessRemovedManually),
        Row("ACCESS REMOVED", U(Alex)).Operation("Delete")
            .Expect(UserInitiated, AccessRemovedManually),
        Row("Request created", U(Admin)).Operation("Add")
            .Expect(UserInitiated, RequestCreated),
        Row("Access approved", U(Lukasz)).Operation("Add")
            .Expect(UserInitiated, ApprovalCreated),

        // ---- automated, own tenant ----------------------------------------------------------
        Row("Request created", A(SupportCenterApp)).Operation("Add")
            .Details(("SupportRequestId", "2411180010000901"))
            .Expect(Automated, RequestCreated, supportRequestId: "2411180010000901"),
        Row("Request created", Initiated.Null).Operation("Add")
            .Expect(Automated, RequestCreated),
        Row("  request CREATED ", A(SupportCenterApp)).Operation("Add")
            .Expect(Automated, RequestCreated),
        Row("Request created", Initiated.Absent).Operation("Add")
            .Expect(Automated, RequestCreated),
        Row("Approval approved", A(SupportAccessApp)).Operation("Add")
            .Expect(Automated, ApprovalCreated),
        Row("Access approved", U(Faceless)).Operation("Add")
            .Expect(Automated, ApprovalCreated),
        Row("Access approved", U(BlankStrings)).Operation("Add")
            .Expect(Automated, ApprovalCreated),
        Row("Approval removed", A(SupportAccessApp)).Operation("Delete")
            .Expect(Automated, AccessRemovedOnClosure),
        Row("Access removed", Initiated.Nobody).Operation("Delete")
            .Details(("SupportRequestId", "2411190010001001"))
            .Expect(Automated, AccessRemovedOnClosure, supportRequestId: "2411190010001001"),
        Row("Access removed", U(Faceless)).Operation("Delete")
            .Expect(Automated, AccessRemovedOnClosure),
        Row("Access removed", A(NamelessApp)).Operation("Delete")
            .Expect(Automated, AccessRemovedOnClosure),

        // ---- cross-tenant, support request tenant side --------------------------------------
        Row("Request created", Initiated.Null).Operation("Add")
            .Details(("resourcetenantid", PartnerB))
            .Expect(CrossTenant, RequestCreated, SupportRequestTenant, PartnerB),
        Row("Request approved", U(LiLei))
            .Details(("PartnerTENANTID", PartnerB), ("SupportRequestId", "2411200010001101"))
            .Expect(CrossTenant, RequestApproved, SupportRequestTenant, PartnerB, "2411200010001101"),
        Row(" Request approved", U(Taro))
            .Details(("tenantid", PartnerA))
            .Expect(CrossTenant, RequestApproved, SupportRequestTenant, PartnerA),
        Row("Request rejected", U(Lukasz))
            .Details(("ResourceTenantId", PartnerB))
            .Expect(CrossTenant, RequestRejected, SupportRequestTenant, PartnerB),
        Row("Request rejected", U(Admin)).Result("failure", "Request already closed.")
            .Details(("ResourceTenantId", PartnerA), ("SupportTicketId", "2411200010001103"))
            .Expect(CrossTenant, RequestRejected, SupportRequestTenant, PartnerA, "2411200010001103"),
        Row("Request canceled", U(Alex))
            .Details(("ResourceTenantId", PartnerA))
            .Expect(CrossTenant, RequestCanceled, SupportRequestTenant, PartnerA),
        Row("Request escalated", A(SupportAccessApp))
            .Details(("ResourceTenantId", PartnerB))
            .Expect(CrossTenant, Other, SupportRequestTenant, PartnerB),

        // ---- cross-tenant, resource tenant side ---------------------------------------------
        Row("Approval approved", A(SupportAccessApp)).Operation("Add")
            .Details(("SupportRequestTenantId", PartnerA), ("supportrequestid", "2411210010001201"))
            .Expect(CrossTenant, ApprovalCreated, ResourceTenant, PartnerA, "2411210010001201"),
        Row("Access approved", Initiated.Nobody).Operation("Add")
            .Details(("SupportRequestTenantId", PartnerB))
            .Expect(CrossTenant, ApprovalCreated, ResourceTenant, PartnerB),
        Row("Access removed", U(Zoe)).Operation("Delete")
            .Details(("PartnerTenantId", PartnerA))
            .Expect(CrossTenant, AccessRemovedManually, ResourceTenant, PartnerA),
        Row("Access removed", A(SupportAccessApp)).Operation("Delete")
            .Details(("SupportRequestTenantId", PartnerB), ("TicketId", "2411220010001204"))
            .Expect(CrossTenant, AccessRemovedOnClosure, ResourceTenant, PartnerB, "2411220010001204"),
        Row("Approval removed", Initiated.Null).Operation("Delete")
            .Details(("PartnerTENANTID", PartnerA))
            .Expect(CrossTenant, AccessRemovedOnClosure, ResourceTenant, PartnerA),
        Row("Access removed", U(Faceless)).Operation("Delete")
            .Details(("SupportRequestTenantId", PartnerA))
            .Expect(CrossTenant, AccessRemovedOnClosure, ResourceTenant, PartnerA),
        Row("Support access policy updated", U(Admin))
            .Details(("PartnerTenantId", PartnerB))
            .Expect(CrossTenant, Other, None, PartnerB),

        // ---- not cross-tenant evidence ------------------------------------------------------
        Row("Request approved", U(Admin))
            .Details(("TenantId", Own))
            .Expect(UserInitiated, RequestApproved),
        Row("Access removed", A(SupportAccessApp)).Operation("Delete")
            .Details(("SupportRequestTenantId", Own.ToUpperInvariant()))
            .Expect(Automated, AccessRemovedOnClosure),
        Row("Request approved", U(LiLei))
            .Details(("ResourceTenantId", "not-a-guid"))
            .Expect(UserInitiated, RequestApproved),
        Row("Request created", A(SupportAccessApp)).Operation("Add")
            .Details(("TenantIdentifier", PartnerA))
            .Expect(Automated, RequestCreated),
        Row("Access approved", A(SupportAccessApp)).Operation("Add")
            .Details(("ResourceTenantId", ""), ("ParentRequestId", "2411230010001301"))
            .Expect(Automated, ApprovalCreated),
        Row("Access approved", A(SupportAccessApp)).Operation("Add")
            .Details(("ResourceTenantId", null), ("RequestId", null))
            .Expect(Automated, ApprovalCreated),
        Row("Request approved", U(Lukasz))
            .Details(("HomeTenantId", Own), ("Tenant", PartnerA))
            .Expect(UserInitiated, RequestApproved),

        // ---- activity names the rules don't know --------------------------------------------
        Row("Request escalated", U(Admin))
            .Expect(UserInitiated, Other),
        Row("Request escalated", Initiated.Null)
            .Expect(Automated, Other),
        Row("Support access policy updated", A(SupportCenterApp))
            .Expect(Automated, Other),
        Row("Access extended", U(Zoe)).Result("failure", "Extension isn't supported.")
            .Expect(UserInitiated, Other),

        // ---- nullable and unusual shapes ----------------------------------------------------
        Row("Request approved", U(Admin)).TargetsNull().DetailsNull()
            .Expect(UserInitiated, RequestApproved),
        Row("Request rejected", U(Taro)).TargetsAbsent().DetailsAbsent()
            .Expect(UserInitiated, RequestRejected),
        Row("Request created", A(SupportAccessApp)).Operation("Add").Targets().Details()
            .Expect(Automated, RequestCreated),
        Row("Access removed", A(SupportAccessApp)).Operation("Delete")
            .Targets(new AuditTargetResource { Id = "a0000001-0000-4000-8000-000000001404", DisplayName = "Support access", Type = "Other", ModifiedProperties = null })
            .Expect(Automated, AccessRemovedOnClosure),
        Row("Request approved", U(OBrien with { UserPrincipalName = "O'BRIEN@Contoso.com" }))
            .Extra("futureProperty", """{"a":1}""")
            .Extra("correlationTags", """["x","y"]""")
            .Expect(UserInitiated, RequestApproved),
        Row("Request canceled", U(Lukasz with { ExtraProperties = [new RawJsonProperty("agentType", "\"notAgentic\"")] }))
            .Extra("futureProperty", "null")
            .Expect(UserInitiated, RequestCanceled),
        Row("Access approved", A(SupportAccessApp)).Operation("Add")
            .Result("failure", "Approval could not be created, \"resource tenant\" unreachable.\r\nRetry scheduled.")
            .Details(("Details", "a,b;\"c\"\nd\te"), ("SupportRequestId", "2411240010001407"))
            .Expect(Automated, ApprovalCreated, supportRequestId: "2411240010001407"),
        Row("Request created", A(SupportCenterApp)).Operation("Add").Result(null, null).Omit(AuditJsonNames.OperationType)
            .Expect(Automated, RequestCreated),
        Row("Request approved", U(Alex))
            .Targets(
                new AuditTargetResource { Id = Alex.Id, DisplayName = Alex.DisplayName, Type = "User", UserPrincipalName = Alex.UserPrincipalName },
                Ticket("a0000001-0000-4000-8000-000000001409", "Ticket 🚀 «1409»", Changed("Notes", null, "line1\nline2\ttab")))
            .Expect(UserInitiated, RequestApproved),

        // ---- placeholder initiators (Graph's shape for service actions) ----------------------
        // A zero id with no UPN names no user, and a zero appId with no name no app: these are
        // the service's own steps. A UPN on the placeholder does name a user.
        Row("Request created", U(Placeholder)).Operation("Add")
            .Details(("SupportRequestId", "2411250010001501"))
            .Expect(Automated, RequestCreated, supportRequestId: "2411250010001501"),
        Row("Request canceled", U(Placeholder))
            .Details(("SupportRequestId", "2411250010001502"))
            .Expect(Automated, RequestCanceled, supportRequestId: "2411250010001502"),
        Row("Access removed", U(Placeholder)).Operation("Delete")
            .Details(("SupportRequestId", "2411250010001503"))
            .Expect(Automated, AccessRemovedOnClosure, supportRequestId: "2411250010001503"),
        Row("Approval removed", U(Placeholder)).Operation("Delete")
            .Expect(Automated, AccessRemovedOnClosure),
        Row("Access approved", Initiated.UserAndApp(Placeholder, PlaceholderApp)).Operation("Add")
            .Expect(Automated, ApprovalCreated),
        Row("Access removed", U(Placeholder)).Operation("Delete")
            .Details(("SupportRequestTenantId", PartnerA))
            .Expect(CrossTenant, AccessRemovedOnClosure, ResourceTenant, PartnerA),
        Row("Access removed", U(Placeholder with { UserPrincipalName = "ops@contoso.com" })).Operation("Delete")
            .Expect(UserInitiated, AccessRemovedManually),
        Row("Request approved", A(PlaceholderApp))
            .Expect(Automated, RequestApproved),

        // ---- other categories: served, never support-access truth ---------------------------
        Row("Add user", U(Admin)).InCategory("UserManagement").Operation("Add"),
        Row("Update user", U(Zoe)).InCategory("UserManagement").Operation("Update"),
        Row("Delete user", U(Admin)).InCategory("UserManagement").Operation("Delete"),
        Row("Request approved", U(LiLei)).InCategory("UserManagement"),
        Row("Add member to group", U(Admin)).InCategory("GroupManagement").Operation("Add"),
        Row("Remove member from group", U(Lukasz)).InCategory("GroupManagement").Operation("Delete"),
        Row("Add group", U(Zoe)).InCategory("GroupManagement").Operation("Add"),
        Row("Add service principal", A(SupportCenterApp)).InCategory("ApplicationManagement").Operation("Add"),
        Row("Consent to application", U(Taro)).InCategory("ApplicationManagement").Operation("Assign"),
        Row("Access approved", A(SupportAccessApp)).InCategory("ApplicationManagement"),
        Row("Add member to role", U(Admin)).InCategory("RoleManagement").Operation("Add"),
        Row("Request approved", U(Admin)).InCategory("RoleManagement", "PIM"),
        Row("Request approved", U(Alex)).InCategory("EntitlementManagement", "Entitlement Management"),
        Row("Request created", U(LiLei)).InCategory("EntitlementManagement", "Entitlement Management").Operation("Add"),
        Row("Request rejected", U(Lukasz)).InCategory("EntitlementManagement", "Entitlement Management"),
        Row("Access removed", Initiated.Nobody).InCategory("Policy").Operation("Delete"),
        Row("Update policy", U(Admin)).InCategory("Policy").Operation("Update"),
        Row("Update company settings", U(Admin)).InCategory("DirectoryManagement").Operation("Update"),
        Row("Reset user password", U(Zoe)).InCategory("UserManagement", "Self-service Password Management").Operation("Update"),
        Row("Add device", Initiated.Null).InCategory("Device").Operation("Add"),

        // ---- support access, older than retention: stored, never served ---------------------
        Row("Request approved", U(Zoe)).Expired()
            .Expect(UserInitiated, RequestApproved),
        Row("Access removed", A(SupportAccessApp)).Expired().Operation("Delete")
            .Expect(Automated, AccessRemovedOnClosure),
    ];
}

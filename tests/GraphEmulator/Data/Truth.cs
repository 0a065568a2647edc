using System;
using System.Collections.Generic;

namespace GraphEmulator;

/// <summary>
/// Names of the expected categories, activities and tenant roles, spelled as the module's public
/// enums name them. They are plain strings on purpose: the emulator must not share code with the
/// classifier it is there to check.
/// </summary>
public static class ExpectedCategory
{
    public const string UserInitiated = "UserInitiated";
    public const string Automated = "Automated";
    public const string CrossTenant = "CrossTenant";

    public static IReadOnlyList<string> All { get; } = [UserInitiated, Automated, CrossTenant];
}

public static class ExpectedActivity
{
    public const string RequestCreated = "RequestCreated";
    public const string RequestApproved = "RequestApproved";
    public const string RequestRejected = "RequestRejected";
    public const string RequestCanceled = "RequestCanceled";
    public const string ApprovalCreated = "ApprovalCreated";
    public const string AccessRemovedManually = "AccessRemovedManually";
    public const string AccessRemovedOnClosure = "AccessRemovedOnClosure";
    public const string Other = "Other";

    public static IReadOnlyList<string> All { get; } =
    [
        RequestCreated, RequestApproved, RequestRejected, RequestCanceled,
        ApprovalCreated, AccessRemovedManually, AccessRemovedOnClosure, Other,
    ];
}

public static class ExpectedTenantRole
{
    public const string None = "";
    public const string SupportRequestTenant = "SupportRequestTenant";
    public const string ResourceTenant = "ResourceTenant";
}

/// <summary>What the scenario's author meant a record to classify as (written by hand, never computed).</summary>
public sealed record ScenarioExpectation(
    string Category,
    string Activity,
    string TenantRole = ExpectedTenantRole.None,
    string OtherTenantId = "",
    string SupportRequestId = "");

/// <summary>One served support-access record and its expected classification.</summary>
public sealed record TruthRecord(
    string Id,
    ScenarioExpectation Expected,
    string ActivityDisplayName,
    DateTimeOffset ActivityDateTime);

/// <summary>Counts over every served support-access record (scenarios and bulk).</summary>
public sealed record TruthSummary(
    long Total,
    IReadOnlyDictionary<string, long> ByCategory,
    IReadOnlyDictionary<string, long> ByActivity,
    IReadOnlyList<string> OtherCategoryIds);

using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Classification;

/// <summary>
/// Every classification rule of DESIGN §3 as data. Microsoft publishes no sample payloads, so
/// these are derived from the docs: when a real sample disagrees, the change belongs here.
/// </summary>
internal static class ClassificationRules
{
    /// <summary>The audit category all support-access activities are logged under.</summary>
    public const string AuditCategory = "MicrosoftSupportAccessManagement";

    /// <summary>The service that logs the category; the server-side fallback filter when
    /// the service rejects a filter on category.</summary>
    public const string LoggedByService = "Core Directory";

    /// <summary>Rule 1: activity display names (trimmed, case-insensitive). Both spellings
    /// coexist around the October 2024 rename (Approval * became Access *).</summary>
    public static readonly IReadOnlyDictionary<string, ActivityNameRule> ActivityNames =
        new Dictionary<string, ActivityNameRule>(StringComparer.OrdinalIgnoreCase)
        {
            ["Request created"] = ActivityNameRule.Always(Activity.RequestCreated),
            ["Request approved"] = ActivityNameRule.Always(Activity.RequestApproved),
            ["Request rejected"] = ActivityNameRule.Always(Activity.RequestRejected),
            ["Request canceled"] = ActivityNameRule.Always(Activity.RequestCanceled),
            ["Request cancelled"] = ActivityNameRule.Always(Activity.RequestCanceled),
            ["Approval approved"] = ActivityNameRule.Always(Activity.ApprovalCreated),
            ["Access approved"] = ActivityNameRule.Always(Activity.ApprovalCreated),
            ["Approval removed"] = ActivityNameRule.ByInitiator(Activity.AccessRemovedManually, Activity.AccessRemovedOnClosure),
            ["Access removed"] = ActivityNameRule.ByInitiator(Activity.AccessRemovedManually, Activity.AccessRemovedOnClosure),
        };

    /// <summary>Rule 2: an additionalDetails key with this suffix (case-insensitive) whose value
    /// is a GUID other than the caller's tenant is cross-tenant evidence.</summary>
    public const string OtherTenantKeySuffix = "TenantId";

    /// <summary>Rule 4: the tenant's side of a cross-tenant request, by activity name prefix.</summary>
    public static readonly IReadOnlyList<(string Prefix, TenantRole Role)> TenantRolePrefixes = new[]
    {
        ("Request", TenantRole.SupportRequestTenant),
        ("Approval", TenantRole.ResourceTenant),
        ("Access", TenantRole.ResourceTenant),
    };

    /// <summary>Rule 5: additionalDetails keys that carry the support request id, in order of preference.</summary>
    public static readonly IReadOnlyList<string> SupportRequestIdKeys = new[]
    {
        "SupportRequestId",
        "SupportTicketId",
        "TicketId",
        "RequestId",
    };
}

/// <summary>What an activity name maps to: one activity, or one of two depending on whether a
/// user initiated it (a manual removal) or not (removal when the ticket closed).</summary>
internal sealed class ActivityNameRule
{
    private ActivityNameRule(Activity byUser, Activity otherwise)
    {
        WhenUserInitiated = byUser;
        Otherwise = otherwise;
    }

    public Activity WhenUserInitiated { get; }
    public Activity Otherwise { get; }

    public static ActivityNameRule Always(Activity activity) => new(activity, activity);

    public static ActivityNameRule ByInitiator(Activity byUser, Activity otherwise) => new(byUser, otherwise);

    public Activity Resolve(bool userInitiated) => userInitiated ? WhenUserInitiated : Otherwise;
}

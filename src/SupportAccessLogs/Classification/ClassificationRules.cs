using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Classification;

/// <summary>
/// Every classification rule as data (docs/architecture.md, "Classification rules"). Microsoft
/// publishes no sample payloads for this category, so these are derived from the docs: when a
/// real sample disagrees, the change belongs here.
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

    /// <summary>
    /// Who initiated (rules 1 and 3): a user counts only when the record identifies someone, by a
    /// user id that is not the all-zero GUID or by a UPN. Graph's own examples write service actions
    /// with a placeholder user (id 00000000-…, every other member null); taking that as a person
    /// would report a removal on ticket closure as a manual removal. An app counts when it is named
    /// or has an id that is not the all-zero GUID.
    /// </summary>
    public static InitiatorEvidence UserEvidence(string? id, string? userPrincipalName)
    {
        if (HasText(userPrincipalName))
        {
            return InitiatorEvidence.UserByUpn;
        }

        if (HasText(id))
        {
            return IsPlaceholderId(id) ? InitiatorEvidence.PlaceholderUser : InitiatorEvidence.UserById;
        }

        return InitiatorEvidence.UnidentifiedUser;
    }

    /// <summary>True when an app initiator names an application (see <see cref="UserEvidence"/>).</summary>
    public static bool IdentifiesApp(string? appId, string? displayName, string? servicePrincipalId, string? servicePrincipalName) =>
        HasText(displayName) || HasText(servicePrincipalName) || IsRealId(appId) || IsRealId(servicePrincipalId);

    /// <summary>An id that names something: text that is not the all-zero GUID.</summary>
    public static bool IsRealId(string? id) => HasText(id) && !IsPlaceholderId(id);

    /// <summary>The all-zero GUID Graph writes where no real principal acted.</summary>
    public static bool IsPlaceholderId(string? id) => Guid.TryParse(id?.Trim(), out Guid value) && value == Guid.Empty;

    /// <summary>What <c>ClassificationReason</c> says about the initiator: the evidence rule 3
    /// (and rule 1's manual/closure split) rested on.</summary>
    public static string Describe(InitiatorEvidence evidence) => evidence switch
    {
        InitiatorEvidence.UserById => "initiatedBy.user.id names a user",
        InitiatorEvidence.UserByUpn => "initiatedBy.user.userPrincipalName names a user",
        InitiatorEvidence.PlaceholderUser => "no user initiator: initiatedBy.user is a placeholder (all-zero id, no userPrincipalName)",
        InitiatorEvidence.UnidentifiedUser => "no user initiator: initiatedBy.user has no id or userPrincipalName",
        InitiatorEvidence.NoUser => "no user initiator: initiatedBy.user is absent",
        InitiatorEvidence.NoInitiator => "no user initiator: initiatedBy is absent",
        _ => throw new ArgumentOutOfRangeException(nameof(evidence)),
    };

    /// <summary>What <c>ClassificationReason</c> says about rule 2's evidence.</summary>
    public static string DescribeOtherTenant(string key) => $"additionalDetails.{key} is another tenant";

    /// <summary>What <c>ClassificationReason</c> adds when rule 1 knows no such activity name.</summary>
    public const string UnknownActivityName = "activity name not in the rules";

    private static bool HasText(string? value) => !string.IsNullOrWhiteSpace(value);
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

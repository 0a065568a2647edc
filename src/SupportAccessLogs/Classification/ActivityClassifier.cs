using SupportAccessLogs.Records;
using System;
using System.Collections.Generic;
using System.Text;

namespace SupportAccessLogs.Classification;

/// <summary>Applies <see cref="ClassificationRules"/>, in the order of docs/architecture.md ("Classification rules"), to one audit
/// record and flattens it into the public output type.</summary>
internal sealed class ActivityClassifier
{
    private readonly Guid _callerTenantId;

    /// <param name="callerTenantId">The tenant of a record that doesn't name its own (<see cref="AuditRecord.TenantId"/>): the connection's.</param>
    public ActivityClassifier(Guid callerTenantId)
    {
        _callerTenantId = callerTenantId;
    }

    /// <summary>True when the record belongs to the support-access category (checked on every
    /// record, whatever the server-side filter said).</summary>
    public static bool IsSupportAccessRecord(AuditRecord record) =>
        string.Equals(record.Category, ClassificationRules.AuditCategory, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when no rule knows the record's activity name; the record is still
    /// returned, as <see cref="Activity.Other"/>.</summary>
    public static bool IsKnownActivityName(string? activityDisplayName) =>
        ClassificationRules.ActivityNames.ContainsKey((activityDisplayName ?? "").Trim());

    /// <param name="rawColumns">The column names when <paramref name="rawRecord"/> is a Log Analytics row.</param>
    public SupportAccessActivity Classify(AuditRecord record, byte[] rawRecord, string[]? rawColumns = null)
    {
        string displayName = record.ActivityDisplayName ?? "";
        string trimmedName = displayName.Trim();
        AuditUser? user = record.InitiatedBy?.User;
        AuditApp? app = record.InitiatedBy?.App;
        InitiatorEvidence initiator = record.InitiatedBy is null ? InitiatorEvidence.NoInitiator
            : user is null ? InitiatorEvidence.NoUser
            : ClassificationRules.UserEvidence(user.Id, user.UserPrincipalName);
        bool userInitiated = initiator is InitiatorEvidence.UserById or InitiatorEvidence.UserByUpn;
        bool appInitiated = !userInitiated && app is not null
            && ClassificationRules.IdentifiesApp(app.AppId, app.DisplayName, app.ServicePrincipalId, app.ServicePrincipalName);

        // Rule 1
        bool knownName = ClassificationRules.ActivityNames.TryGetValue(trimmedName, out ActivityNameRule? rule);
        Activity activity = knownName ? rule!.Resolve(userInitiated) : Activity.Other;

        // Rules 2-4: "another tenant" is another than the one whose log holds the record.
        Guid thisTenant = Guid.TryParse(record.TenantId, out Guid recordTenant) ? recordTenant : _callerTenantId;
        (string otherTenantId, string? otherTenantKey) = FindOtherTenant(record.AdditionalDetails, thisTenant);
        SupportAccessActivity result;
        if (otherTenantId.Length > 0)
        {
            result = new CrossTenantActivity(rawRecord, rawColumns) { TenantRole = TenantRoleFor(trimmedName) };
        }
        else if (userInitiated)
        {
            result = new UserInitiatedActivity(rawRecord, rawColumns);
        }
        else
        {
            result = new AutomatedActivity(rawRecord, rawColumns);
        }

        result.Id = record.Id ?? "";
        result.TenantId = thisTenant.ToString();
        result.ActivityTime = record.ActivityDateTime?.UtcDateTime ?? default;
        result.SourceTime = (record.TimeGenerated ?? record.ActivityDateTime)?.UtcDateTime ?? default;
        result.Activity = activity;
        result.ActivityDisplayName = displayName;
        result.Result = record.Result ?? "";
        result.ResultReason = record.ResultReason ?? "";
        result.OtherTenantId = otherTenantId;
        // Rule 5
        result.SupportRequestId = FindSupportRequestId(record.AdditionalDetails);
        result.CorrelationId = record.CorrelationId ?? "";
        result.LoggedByService = record.LoggedByService ?? "";
        result.OperationType = record.OperationType ?? "";
        result.TargetResources = FlattenTargets(record.TargetResources);
        result.RequestTargetId = TargetText.RequestTargetId(record.TargetResources);
        result.AdditionalDetails = FlattenDetails(record.AdditionalDetails);
        result.Initiator = initiator;
        result.ClassificationReason = Reason(otherTenantKey, initiator, knownName);
        if (userInitiated)
        {
            result.InitiatorType = InitiatorType.User;
            result.InitiatedBy = FirstText(user!.UserPrincipalName, user.DisplayName, RealId(user.Id));
            result.InitiatorId = RealId(user.Id);
            result.InitiatorIpAddress = FirstText(user.IpAddress);
        }
        else if (appInitiated)
        {
            result.InitiatorType = InitiatorType.App;
            result.InitiatedBy = FirstText(app!.DisplayName, app.ServicePrincipalName, RealId(app.AppId));
            result.InitiatorId = FirstText(RealId(app.AppId), RealId(app.ServicePrincipalId));
        }
        else
        {
            result.InitiatorType = InitiatorType.None;
        }

        return result;
    }

    // The reasons repeat across records: one string per combination, built once per query. The
    // key names come from the server, so the cache is bounded.
    private const int MaxCachedReasons = 256;
    private readonly Dictionary<(string? OtherTenantKey, InitiatorEvidence Initiator, bool KnownName), string> _reasons = new();

    /// <summary>Which evidence decided the category and the activity, in the rules' own words.</summary>
    private string Reason(string? otherTenantKey, InitiatorEvidence initiator, bool knownName)
    {
        if (_reasons.TryGetValue((otherTenantKey, initiator, knownName), out string? reason))
        {
            return reason;
        }

        // The initiator is named even for cross-tenant records: it decides manual removal versus
        // removal on closure on either side.
        reason = ClassificationRules.Describe(initiator);
        if (otherTenantKey is not null)
        {
            reason = ClassificationRules.DescribeOtherTenant(otherTenantKey) + "; " + reason;
        }

        if (!knownName)
        {
            reason += "; " + ClassificationRules.UnknownActivityName;
        }

        if (_reasons.Count < MaxCachedReasons)
        {
            _reasons[(otherTenantKey, initiator, knownName)] = reason;
        }

        return reason;
    }

    private static (string TenantId, string? Key) FindOtherTenant(List<AuditKeyValue?>? details, Guid thisTenant)
    {
        if (details is null)
        {
            return ("", null);
        }

        foreach (AuditKeyValue? detail in details)
        {
            if (detail?.Key is string key
                && key.EndsWith(ClassificationRules.OtherTenantKeySuffix, StringComparison.OrdinalIgnoreCase)
                && Guid.TryParse(detail.Value?.Trim(), out Guid tenant)
                && tenant != thisTenant
                && tenant != Guid.Empty)
            {
                return (tenant.ToString(), key.Trim());
            }
        }

        return ("", null);
    }

    private static TenantRole? TenantRoleFor(string trimmedName)
    {
        foreach ((string prefix, TenantRole role) in ClassificationRules.TenantRolePrefixes)
        {
            if (trimmedName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return role;
            }
        }

        return null;
    }

    private static string FindSupportRequestId(List<AuditKeyValue?>? details)
    {
        if (details is null)
        {
            return "";
        }

        foreach (string wanted in ClassificationRules.SupportRequestIdKeys)
        {
            foreach (AuditKeyValue? detail in details)
            {
                if (string.Equals(detail?.Key, wanted, StringComparison.OrdinalIgnoreCase) && HasText(detail!.Value))
                {
                    return detail.Value!;
                }
            }
        }

        return "";
    }

    // One builder per thread, reused for every record: the flattened strings are the output, the
    // intermediate lists and joins they were once built from were a third of classifying's allocations.
    [ThreadStatic]
    private static StringBuilder? t_text;

    private static StringBuilder RentText()
    {
        StringBuilder text = t_text ??= new StringBuilder(512);
        text.Clear();
        return text;
    }

    internal static string FlattenDetails(List<AuditKeyValue?>? details)
    {
        if (details is null || details.Count == 0)
        {
            return "";
        }

        StringBuilder text = RentText();
        foreach (AuditKeyValue? detail in details)
        {
            if (detail is null)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(detail.Key).Append('=').Append(detail.Value);
        }

        return text.ToString();
    }

    /// <summary>The target resources as one line of text (<see cref="TargetText"/>: names read as
    /// they are, with the characters that would read as structure escaped).</summary>
    internal static string FlattenTargets(List<AuditTargetResource?>? targets)
    {
        if (targets is null || targets.Count == 0)
        {
            return "";
        }

        StringBuilder text = RentText();
        TargetText.Append(text, targets);
        return text.ToString();
    }

    private static bool HasText(string? value) => !string.IsNullOrWhiteSpace(value);

    private static string FirstText(string? first) => HasText(first) ? first! : "";

    private static string RealId(string? id) => ClassificationRules.IsRealId(id) ? id! : "";

    private static string FirstText(string? first, string? second) => HasText(first) ? first! : FirstText(second);

    private static string FirstText(string? first, string? second, string? third) =>
        HasText(first) ? first! : FirstText(second, third);
}

using System;
using System.Globalization;
using System.Management.Automation;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.Requests;

/// <summary>What grouping and the lifecycle need of one activity: read from an activity this
/// module wrote, or from one read back (Import-Csv, Import-Clixml, ConvertFrom-Json) by its
/// property names, so a file groups as the query that wrote it did.</summary>
internal readonly struct ActivityFacts
{
    public string Id { get; init; }
    public string TenantId { get; init; }
    public DateTime Time { get; init; }
    public Activity Activity { get; init; }
    public TenantRole? TenantRole { get; init; }
    public string InitiatedBy { get; init; }
    public string SupportRequestId { get; init; }
    /// <summary>The id of the request's own target resource (<see cref="LifecycleRules.IsRequestTarget"/>), or null.</summary>
    public string? RequestTargetId { get; init; }
    public string CorrelationId { get; init; }

    public static ActivityFacts Of(SupportAccessActivity activity) => new()
    {
        Id = activity.Id,
        TenantId = activity.TenantId,
        Time = activity.ActivityTime,
        Activity = activity.Activity,
        TenantRole = activity.TenantRole,
        InitiatedBy = activity.InitiatedBy,
        SupportRequestId = activity.SupportRequestId,
        // Parsed from the record's targets, never from their text.
        RequestTargetId = activity.RequestTargetId,
        CorrelationId = activity.CorrelationId,
    };

    /// <summary>An activity read back by property names; a <see cref="ModuleException"/> says
    /// what is missing or wrong when the object is no activity of ours.</summary>
    public static ActivityFacts Of(PSObject input)
    {
        if (input.BaseObject is SupportAccessActivity activity)
        {
            return Of(activity);
        }

        string id = Text(input, "Id");
        if (id.Length == 0)
        {
            throw NotAnActivity(input, "it has no Id");
        }

        if (!TryTime(Value(input, "ActivityDateTime"), out DateTime time))
        {
            throw NotAnActivity(input, $"its ActivityDateTime '{Text(input, "ActivityDateTime")}' is not a date and time");
        }

        if (!Enum.TryParse(Text(input, "Activity"), ignoreCase: true, out Activity kind) || !Enum.IsDefined(typeof(Activity), kind))
        {
            throw NotAnActivity(input, $"its Activity '{Text(input, "Activity")}' is none of {string.Join(", ", Enum.GetNames(typeof(Activity)))}");
        }

        string role = Text(input, "TenantRole");
        TenantRole? side = null;
        if (role.Length > 0)
        {
            if (!Enum.TryParse(role, ignoreCase: true, out TenantRole parsed) || !Enum.IsDefined(typeof(TenantRole), parsed))
            {
                throw NotAnActivity(input, $"its TenantRole '{role}' is neither SupportRequestTenant nor ResourceTenant");
            }

            side = parsed;
        }

        return new ActivityFacts
        {
            Id = id,
            TenantId = Text(input, "TenantId"),
            Time = time,
            Activity = kind,
            TenantRole = side,
            InitiatedBy = Text(input, "InitiatedBy"),
            SupportRequestId = Text(input, "SupportRequestId"),
            // The text as written: its escapes make reading it back exact, so it is not trimmed.
            RequestTargetId = TargetText.RequestTargetId(Text(input, "TargetResources", trim: false)),
            CorrelationId = Text(input, "CorrelationId"),
        };
    }

    private static object? Value(PSObject input, string name)
    {
        object? value = input.Properties[name]?.Value;
        return value is PSObject wrapped ? wrapped.BaseObject : value;
    }

    private static string Text(PSObject input, string name, bool trim = true)
    {
        string text = Value(input, name) switch
        {
            null => "",
            DateTime time => IsoDateTime.Format(time.ToUniversalTime()),
            object other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
        };
        return trim ? text.Trim() : text;
    }

    /// <summary>A [datetime] as it is, or ISO 8601 text (what Export-Csv wrote), taken as UTC unless it says otherwise.</summary>
    private static bool TryTime(object? value, out DateTime time)
    {
        switch (value)
        {
            case DateTime given:
                time = given.Kind == DateTimeKind.Local ? given.ToUniversalTime() : DateTime.SpecifyKind(given, DateTimeKind.Utc);
                return true;
            case DateTimeOffset offset:
                time = offset.UtcDateTime;
                return true;
            case string text when DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime parsed):
                time = DateTime.SpecifyKind(parsed, DateTimeKind.Utc);
                return true;
            default:
                time = default;
                return false;
        }
    }

    private static ModuleException NotAnActivity(PSObject input, string what) =>
        new("InputNotAnActivity", ErrorCategory.InvalidData,
            $"An input object is not a support access activity: {what}. Get-SupportAccessRequest groups the objects of Get-SupportAccessActivity, or rows read back from its Export-Csv or ConvertTo-Json output (properties Id, ActivityDateTime, Activity, TenantId, TenantRole, InitiatedBy, SupportRequestId, TargetResources, CorrelationId).",
            input);
}

using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Report;

/// <summary>What one report shows: what was read, and the requests and activities of it.</summary>
internal sealed class ReportData
{
    public ReportData(ReportSource source, IReadOnlyList<SupportAccessRequest> requests, IReadOnlyList<ReportActivity> activities)
    {
        Source = source;
        Requests = requests;
        Activities = activities;
    }

    public ReportSource Source { get; }

    public IReadOnlyList<SupportAccessRequest> Requests { get; }

    /// <summary>The activities shown; empty when only requests were given.</summary>
    public IReadOnlyList<ReportActivity> Activities { get; }
}

/// <summary>What was read, when and how: the report's first lines.</summary>
internal sealed record ReportSource
{
    /// <summary>Where the records came from, in words ("Microsoft Graph", "Log Analytics workspace …", "pipeline input").</summary>
    public string Origin { get; init; } = "";

    /// <summary>The tenants read (by connection), in the order given; the report adds those the records name.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = Array.Empty<string>();

    /// <summary>The tenants whose read failed (each reported as an error): the page says nothing is known of them, never that none of their requests is active.</summary>
    public IReadOnlyList<string> FailedTenants { get; init; } = Array.Empty<string>();

    /// <summary>The window read, UTC; null when the records came from the pipeline (their own span is shown).</summary>
    public DateTime? WindowStartUtc { get; init; }

    public DateTime? WindowEndUtc { get; init; }

    /// <summary>When the report was made, UTC: "now" for access still active.</summary>
    public DateTime GeneratedUtc { get; init; }

    public string ModuleVersion { get; init; } = "";
}

/// <summary>
/// An activity as the report shows it: from the module's own object, or read back from a CSV or
/// JSON file (whose Category, Activity and side are text: shown as written).
/// </summary>
internal sealed class ReportActivity
{
    public string Id { get; init; } = "";
    public DateTime TimeUtc { get; init; }
    public string TenantId { get; init; } = "";
    public string Category { get; init; } = "";
    public Activity Activity { get; init; }
    public string ActivityDisplayName { get; init; } = "";
    public string TenantRole { get; init; } = "";
    public string InitiatedBy { get; init; } = "";
    public string SupportRequestId { get; init; } = "";
    public string Result { get; init; } = "";
    public string ClassificationReason { get; init; } = "";

    public static ReportActivity Of(SupportAccessActivity activity) => new()
    {
        Id = activity.Id,
        TimeUtc = activity.ActivityTime,
        TenantId = activity.TenantId,
        Category = activity.Category.ToString(),
        Activity = activity.Activity,
        ActivityDisplayName = activity.ActivityDisplayName,
        TenantRole = activity.TenantRole?.ToString() ?? "",
        InitiatedBy = activity.InitiatedBy,
        SupportRequestId = activity.SupportRequestId,
        Result = activity.Result,
        ClassificationReason = activity.ClassificationReason,
    };
}

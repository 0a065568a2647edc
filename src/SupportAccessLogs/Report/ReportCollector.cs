using System;
using System.Collections.Generic;
using System.Management.Automation;
using SupportAccessLogs.Requests;

namespace SupportAccessLogs.Report;

/// <summary>
/// Gathers what a report shows, as it comes: activities (the module's objects or read back from
/// a file), grouped into requests as Get-SupportAccessRequest groups them, or requests as
/// Get-SupportAccessRequest wrote them. When both come, the requests given are shown as given
/// and the activities beside them: grouping the activities again would show some requests twice.
/// </summary>
internal sealed class ReportCollector
{
    private readonly RequestBook _book = new();
    private readonly List<SupportAccessRequest> _requests = new();
    private readonly List<ReportActivity> _activities = new();

    public int Count => _requests.Count + _activities.Count;

    public void Add(SupportAccessActivity activity)
    {
        _book.Add(ActivityFacts.Of(activity));
        _activities.Add(ReportActivity.Of(activity));
    }

    public void Add(SupportAccessRequest request) => _requests.Add(request);

    /// <summary>An object from the pipeline; a <see cref="ModuleException"/> when it is neither an activity nor a request.</summary>
    public void Add(PSObject input)
    {
        switch (input.BaseObject)
        {
            case SupportAccessActivity activity:
                Add(activity);
                return;
            case SupportAccessRequest request:
                Add(request);
                return;
        }

        if (LooksLikeARequestReadBack(input))
        {
            throw new ModuleException("ReportRequestReadBack", ErrorCategory.InvalidData,
                "This object looks like a support request read back from a file. The report takes requests only as Get-SupportAccessRequest writes them; from a file, pipe the activities instead (Import-Csv activities.csv | Export-SupportAccessReport), and their requests are grouped again.",
                input);
        }

        // Throws, saying what is missing, for anything that is no activity.
        ActivityFacts facts = ActivityFacts.Of(input);
        _book.Add(facts);
        _activities.Add(new ReportActivity
        {
            Id = facts.Id,
            TimeUtc = facts.Time,
            TenantId = facts.TenantId?.ToString() ?? "",
            Category = ActivityFacts.TextOf(input, nameof(SupportAccessActivity.Category)),
            Activity = facts.Activity,
            ActivityDisplayName = ActivityFacts.TextOf(input, nameof(SupportAccessActivity.ActivityDisplayName)),
            TenantRole = facts.TenantRole?.ToString() ?? "",
            InitiatedBy = facts.InitiatedBy,
            SupportRequestId = facts.SupportRequestId,
            Result = ActivityFacts.TextOf(input, nameof(SupportAccessActivity.Result)),
            ClassificationReason = ActivityFacts.TextOf(input, nameof(SupportAccessActivity.ClassificationReason)),
        });
    }

    /// <summary>The report's data: the requests given, or those of the activities walked against <paramref name="source"/>'s time.</summary>
    public ReportData Close(ReportSource source, IMessageSink reporter)
    {
        List<SupportAccessRequest> requests = _requests.Count > 0 || _activities.Count == 0
            ? _requests
            : _book.Close(source.GeneratedUtc, reporter);
        if (_requests.Count > 0 && _activities.Count > 0)
        {
            reporter.Verbose($"Both requests ({_requests.Count}) and activities ({_activities.Count}) came: the requests are shown as given, the activities beside them.");
        }

        return new ReportData(source, requests, _activities);
    }

    private static bool LooksLikeARequestReadBack(PSObject input) =>
        input.Properties[nameof(SupportAccessRequest.State)] is not null
        && input.Properties[nameof(SupportAccessRequest.GroupedBy)] is not null
        && input.Properties[nameof(SupportAccessActivity.Activity)] is null;
}

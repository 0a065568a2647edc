using System;
using System.Management.Automation;
using SupportAccessLogs.Activities;

namespace SupportAccessLogs.Commands;

/// <summary>
/// The filters on activities that Get-SupportAccessActivity and Export-SupportAccessActivity
/// share: which categories, steps, tenant roles, initiators and results to keep.
/// </summary>
public abstract class ActivityFilterCommand : SupportAccessQueryCommand
{
    [Parameter]
    public Category[]? Category { get; set; }

    [Parameter]
    public Activity[]? Activity { get; set; }

    [Parameter]
    public TenantRole[]? TenantRole { get; set; }

    /// <summary>A UPN, app name, object or app id; wildcards allowed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InitiatedBy { get; set; }

    [Parameter]
    [ValidateSet("success", "failure", "timeout", "unknownFutureValue", IgnoreCase = true)]
    public string[]? Result { get; set; }

    /// <summary>The query of the window with the filters given, checked (-InitiatedBy) before any request.</summary>
    private protected ActivityQuery FilteredQuery(DateTime startUtc, DateTime endUtc)
    {
        ActivityQuery.CheckInitiatedBy(InitiatedBy);
        return WindowQuery(startUtc, endUtc) with
        {
            InitiatedBy = InitiatedBy,
            Categories = Category,
            Activities = Activity,
            TenantRoles = TenantRole,
            Results = Result,
        };
    }
}

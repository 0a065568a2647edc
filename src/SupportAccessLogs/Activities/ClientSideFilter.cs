using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SupportAccessLogs.Activities;

/// <summary>The filters Graph can't apply (they are our classification, or an initiator match
/// across user and app), applied to each classified activity.</summary>
internal sealed class ClientSideFilter
{
    private readonly HashSet<Category>? _categories;
    private readonly HashSet<Activity>? _activities;
    private readonly HashSet<TenantRole>? _tenantRoles;
    private readonly HashSet<string>? _results;
    private readonly WildcardPattern? _initiator;

    public ClientSideFilter(ActivityQuery query)
    {
        _categories = SetOrNull(query.Categories);
        _activities = SetOrNull(query.Activities);
        _tenantRoles = SetOrNull(query.TenantRoles);
        _results = query.Results is { Count: > 0 } results ? new HashSet<string>(results, StringComparer.OrdinalIgnoreCase) : null;
        _initiator = string.IsNullOrEmpty(query.InitiatedBy) ? null : WildcardPattern.Get(query.InitiatedBy, WildcardOptions.IgnoreCase);
    }

    public bool Matches(SupportAccessActivity activity) =>
        (_categories is null || _categories.Contains(activity.Category))
        && (_activities is null || _activities.Contains(activity.Activity))
        && (_tenantRoles is null || (activity.TenantRole is TenantRole role && _tenantRoles.Contains(role)))
        && (_results is null || _results.Contains(activity.Result))
        && (_initiator is null || _initiator.IsMatch(activity.InitiatedBy) || _initiator.IsMatch(activity.InitiatorId));

    private static HashSet<T>? SetOrNull<T>(IReadOnlyCollection<T>? values) =>
        values is { Count: > 0 } ? new HashSet<T>(values) : null;
}

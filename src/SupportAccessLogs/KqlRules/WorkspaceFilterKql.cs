using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace SupportAccessLogs.KqlRules;

/// <summary>The rows a generated query classifies for a read: a half-open window on TimeGenerated, and
/// the connection's tenant as "this tenant" of a row that names none (as the module's reader takes it).</summary>
/// <param name="RowCondition">A condition on the raw row that every row the read wants meets, so
/// the rows that fail it are not classified at all (<see cref="WorkspaceFilterKql"/>); null for none.</param>
internal sealed record ReadScope(DateTime StartUtc, DateTime EndUtc, Guid ThisTenant, string? RowCondition = null);

/// <summary>What a read asks of each activity and each request, for the workspace to apply (typed values, no query text).</summary>
internal sealed record WorkspaceFilter
{
    public IReadOnlyCollection<Category>? Categories { get; init; }
    public IReadOnlyCollection<Activity>? Activities { get; init; }
    public IReadOnlyCollection<TenantRole>? TenantRoles { get; init; }
    public IReadOnlyCollection<string>? Results { get; init; }

    /// <summary>A PowerShell wildcard pattern matched against InitiatedBy and InitiatorId.</summary>
    public string? InitiatedBy { get; init; }

    public IReadOnlyCollection<RequestState>? RequestStates { get; init; }
    public bool ActiveRequestsOnly { get; init; }

    /// <summary>"This tenant" of a row whose AADTenantId is no GUID: the connection's.</summary>
    public Guid ThisTenant { get; init; }

    /// <summary>The read's whole window: a request's state depends on all its activities in it.</summary>
    public DateTime WindowStartUtc { get; init; }
    public DateTime WindowEndUtc { get; init; }
}

/// <summary>
/// A read's filters as KQL (docs/architecture.md, "Filters in the workspace"): let statements that
/// name the ids of the matching rows, computed by the generated rules themselves (the activity
/// query of <see cref="ActivityKql"/>, the request walk of <see cref="RequestLifecycleKql"/>), and
/// the condition the reading query keeps rows by. No rule is written here: a filter compares the
/// columns those queries give, which are the activity's and the request's properties.
/// </summary>
internal static class WorkspaceFilterKql
{
    private const string MatchingActivities = "_MatchingActivities";
    private const string RequestSteps = "_RequestSteps";
    private const string MatchingRequests = "_MatchingRequests";
    private const string MatchingRequestActivities = "_MatchingRequestActivities";

    /// <summary>The parameter names of the filters <see cref="Lets"/> applies, for Verbose and the docs.</summary>
    public static IReadOnlyList<string> Applied(WorkspaceFilter filter)
    {
        var names = new List<string>();
        if (filter.Categories is { Count: > 0 })
        {
            names.Add("-Category");
        }

        if (filter.Activities is { Count: > 0 })
        {
            names.Add("-Activity");
        }

        if (filter.TenantRoles is { Count: > 0 })
        {
            names.Add("-TenantRole");
        }

        if (filter.Results is { Count: > 0 } && CaseInsensitiveRegex.AnyOf(filter.Results) is not null)
        {
            names.Add("-Result");
        }

        if (!string.IsNullOrEmpty(filter.InitiatedBy) && CaseInsensitiveRegex.Wildcard(filter.InitiatedBy!) is not null)
        {
            names.Add("-InitiatedBy");
        }

        if (filter.RequestStates is { Count: > 0 })
        {
            names.Add("-State");
        }

        if (filter.ActiveRequestsOnly)
        {
            names.Add("-Active");
        }

        return names;
    }

    /// <summary>
    /// The let statements (ending in a line break) that name the matching rows' ids over the rows
    /// of [<paramref name="startUtc"/>, <paramref name="endUtc"/>), or "" when nothing is filtered
    /// in the workspace; <see cref="Condition"/> then keeps them.
    /// </summary>
    public static string Lets(WorkspaceFilter filter, DateTime startUtc, DateTime endUtc)
    {
        string? activities = ActivityConditions(filter);
        string? requests = RequestConditions(filter);
        if (activities is null && requests is null)
        {
            return "";
        }

        var kql = new StringBuilder(ActivityKql.HelperLets());
        if (activities is not null)
        {
            // Classified over the rows read: a record held twice is one, the newest, as the reader keeps it.
            kql.Append("let ").Append(MatchingActivities).Append(" = ")
               .Append(ActivityKql.Query(withRequestTargetId: false, new ReadScope(startUtc, endUtc, filter.ThisTenant, RowConditions(filter))))
               .Append("| where ").Append(activities).Append('\n')
               .Append("| project Id;\n");
        }

        if (requests is not null)
        {
            // A request's state depends on every activity it has in the window, so its requests are
            // walked over the whole window whatever part of it this query reads, and all their activities kept.
            kql.Append(RequestLifecycleKql.Lets());
            kql.Append("let ").Append(RequestSteps).Append(" = ")
               .Append(RequestLifecycleKql.Grouped(ActivityKql.Query(withRequestTargetId: true, new ReadScope(filter.WindowStartUtc, filter.WindowEndUtc, filter.ThisTenant)).TrimEnd('\n')))
               .Append(";\n");
            kql.Append("let ").Append(MatchingRequests).Append(" = ")
               .Append(RequestLifecycleKql.Walked(RequestSteps)).Append('\n')
               .Append("| where ").Append(requests).Append('\n')
               .Append("| project ").Append(RequestLifecycleKql.GroupColumn).Append(" = ").Append(RequestLifecycleKql.GroupOfRequest).Append(";\n");
            kql.Append("let ").Append(MatchingRequestActivities).Append(" = ").Append(RequestSteps).Append('\n')
               .Append("| where ").Append(RequestLifecycleKql.GroupColumn).Append(" in (").Append(MatchingRequests).Append(")\n")
               .Append("| project Id;\n");
        }

        return kql.ToString();
    }

    /// <summary>The condition a row of the reading query is kept by, or null when nothing is filtered
    /// in the workspace. A row without an id is always kept: the lets can't name it, the module filters it.</summary>
    public static string? Condition(WorkspaceFilter filter)
    {
        var kept = new List<string>();
        if (ActivityConditions(filter) is not null)
        {
            kept.Add(MatchingActivities);
        }

        if (RequestConditions(filter) is not null)
        {
            kept.Add(MatchingRequestActivities);
        }

        string all = string.Join(" and ", kept.Select(ids => $"Id in ({ids})"));
        return kept.Count switch
        {
            0 => null,
            1 => $"({all} or Id == \"\")",
            _ => $"(({all}) or Id == \"\")",
        };
    }

    /// <summary>ClientSideFilter's tests, on the activity query's columns; null when none applies here.</summary>
    private static string? ActivityConditions(WorkspaceFilter filter)
    {
        var conditions = new List<string>();
        if (filter.Categories is { Count: > 0 } categories)
        {
            conditions.Add("Category in (" + Names(categories) + ")");
        }

        if (filter.Activities is { Count: > 0 } activities)
        {
            conditions.Add("Activity in (" + Names(activities) + ")");
        }

        if (filter.TenantRoles is { Count: > 0 } roles)
        {
            conditions.Add("TenantRole in (" + Names(roles) + ")");
        }

        if (filter.Results is { Count: > 0 } results && CaseInsensitiveRegex.AnyOf(results) is string result)
        {
            conditions.Add("Result matches regex " + Regex(result));
        }

        if (!string.IsNullOrEmpty(filter.InitiatedBy) && CaseInsensitiveRegex.Wildcard(filter.InitiatedBy!) is string initiator)
        {
            conditions.Add("(InitiatedBy matches regex " + Regex(initiator) + " or InitiatorId matches regex " + Regex(initiator) + ")");
        }

        return conditions.Count == 0 ? null : string.Join(" and ", conditions);
    }

    /// <summary>
    /// What the raw row must meet for the filter to keep it, from rule 1's names and rule 4's
    /// prefixes and the raw Result (the activity's own): the rows that fail it are not classified.
    /// A record held twice may then be judged by an older row when its newest fails; all its rows
    /// still travel and the module keeps the newest, so that costs a row on the wire, never one lost.
    /// </summary>
    private static string? RowConditions(WorkspaceFilter filter)
    {
        var conditions = new List<string>();
        if (filter.Activities is { Count: > 0 } activities)
        {
            conditions.Add(ActivityKql.NameCondition(activities));
        }

        if (filter.TenantRoles is { Count: > 0 } roles)
        {
            conditions.Add(ActivityKql.TenantRoleNameCondition(roles));
        }

        if (filter.Results is { Count: > 0 } results && CaseInsensitiveRegex.AnyOf(results) is string result)
        {
            conditions.Add("Result matches regex " + Regex(result));
        }

        return conditions.Count == 0 ? null : string.Join(" and ", conditions);
    }

    /// <summary>Get-SupportAccessRequest's -State and -Active, on the request walk's columns; null when neither is given.</summary>
    private static string? RequestConditions(WorkspaceFilter filter)
    {
        var conditions = new List<string>();
        if (filter.RequestStates is { Count: > 0 } states)
        {
            conditions.Add("State in (" + Names(states) + ")");
        }

        if (filter.ActiveRequestsOnly)
        {
            conditions.Add("IsAccessActive");
        }

        return conditions.Count == 0 ? null : string.Join(" and ", conditions);
    }

    private static string Names<T>(IEnumerable<T> values) where T : struct, Enum =>
        string.Join(", ", values.Select(v => v.ToString()).Distinct(StringComparer.Ordinal).OrderBy(v => v, StringComparer.Ordinal).Select(KqlLiteral.String));

    /// <summary>A regular expression as a verbatim literal: its backslashes are the expression's own.</summary>
    private static string Regex(string pattern) => "@\"" + pattern.Replace("\"", "\"\"") + "\"";
}

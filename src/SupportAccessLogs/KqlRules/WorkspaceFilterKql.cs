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
/// columns those queries give, which are the activity's and the request's properties. Built once
/// per read; only the activity lets change from query to query (their rows are the query's).
/// </summary>
internal sealed class WorkspaceFilterKql
{
    private const string MatchingActivities = "_MatchingActivities";
    private const string RequestSteps = "_RequestSteps";
    private const string MatchingRequests = "_MatchingRequests";
    private const string MatchingRequestActivities = "_MatchingRequestActivities";

    private readonly Guid _thisTenant;

    /// <summary>ClientSideFilter's tests on the activity query's columns; null when none applies here.</summary>
    private readonly string? _activities;

    /// <summary>What the raw row must meet for the activity tests to keep it (<see cref="ReadScope.RowCondition"/>).</summary>
    private readonly string? _rows;

    /// <summary>The lets that name the activities of the matching requests: the same in every query of the read.</summary>
    private readonly string? _requestLets;

    private WorkspaceFilterKql(WorkspaceFilter filter)
    {
        _thisTenant = filter.ThisTenant;
        var applied = new List<string>();
        var activities = new List<string>();
        var rows = new List<string>();
        var requests = new List<string>();
        if (filter.Categories is { Count: > 0 } categories)
        {
            applied.Add("-Category");
            activities.Add("Category in (" + Names(categories) + ")");
        }

        if (filter.Activities is { Count: > 0 } names)
        {
            applied.Add("-Activity");
            activities.Add("Activity in (" + Names(names) + ")");
            rows.Add(ActivityKql.NameCondition(names));
        }

        if (filter.TenantRoles is { Count: > 0 } roles)
        {
            applied.Add("-TenantRole");
            activities.Add("TenantRole in (" + Names(roles) + ")");
            rows.Add(ActivityKql.TenantRoleNameCondition(roles));
        }

        // Result is the raw column as the activity carries it: its test is the same on the raw row.
        if (filter.Results is { Count: > 0 } results && CaseInsensitiveRegex.AnyOf(results) is string result)
        {
            applied.Add("-Result");
            activities.Add("Result matches regex " + Regex(result));
            rows.Add("Result matches regex " + Regex(result));
        }

        if (!string.IsNullOrEmpty(filter.InitiatedBy) && CaseInsensitiveRegex.Wildcard(filter.InitiatedBy!) is string initiator)
        {
            applied.Add("-InitiatedBy");
            activities.Add("(InitiatedBy matches regex " + Regex(initiator) + " or InitiatorId matches regex " + Regex(initiator) + ")");
        }

        if (filter.RequestStates is { Count: > 0 } states)
        {
            applied.Add("-State");
            requests.Add("State in (" + Names(states) + ")");
        }

        if (filter.ActiveRequestsOnly)
        {
            applied.Add("-Active");
            requests.Add("IsAccessActive");
        }

        Applied = applied;
        _activities = activities.Count == 0 ? null : string.Join(" and ", activities);
        _rows = rows.Count == 0 ? null : string.Join(" and ", rows);
        _requestLets = requests.Count == 0 ? null : RequestLets(filter, string.Join(" and ", requests));
        var kept = new List<string>();
        if (_activities is not null)
        {
            kept.Add(MatchingActivities);
        }

        if (_requestLets is not null)
        {
            kept.Add(MatchingRequestActivities);
        }

        // A row without an id is always kept: the lets can't name it, the module filters it.
        string all = string.Join(" and ", kept.Select(ids => $"Id in ({ids})"));
        Condition = kept.Count switch
        {
            0 => null,
            1 => $"({all} or Id == \"\")",
            _ => $"(({all}) or Id == \"\")",
        };
    }

    public static WorkspaceFilterKql Of(WorkspaceFilter filter) => new(filter);

    /// <summary>The parameter names of the filters applied in the workspace, for Verbose.</summary>
    public IReadOnlyList<string> Applied { get; }

    /// <summary>The condition a row of the reading query is kept by, or null when nothing is filtered in the workspace.</summary>
    public string? Condition { get; }

    /// <summary>
    /// The let statements (ending in a line break) that name the matching rows' ids, the activities
    /// classified over the rows of [<paramref name="startUtc"/>, <paramref name="endUtc"/>), or ""
    /// when nothing is filtered in the workspace; <see cref="Condition"/> then keeps them.
    /// </summary>
    public string Lets(DateTime startUtc, DateTime endUtc)
    {
        if (Condition is null)
        {
            return "";
        }

        var kql = new StringBuilder(ActivityKql.HelperLets());
        if (_activities is not null)
        {
            // Classified over the rows read: a record held twice is one, the newest, as the reader keeps it.
            kql.Append("let ").Append(MatchingActivities).Append(" = ")
               .Append(ActivityKql.Query(withRequestTargetId: false, new ReadScope(startUtc, endUtc, _thisTenant, _rows)))
               .Append("| where ").Append(_activities).Append('\n')
               .Append("| project Id;\n");
        }

        return kql.Append(_requestLets).ToString();
    }

    /// <summary>
    /// A request's state depends on every activity it has in the window, so its requests are walked
    /// over the whole window whatever part of it a query reads, and all their activities kept.
    /// </summary>
    private static string RequestLets(WorkspaceFilter filter, string requests)
    {
        var kql = new StringBuilder(RequestLifecycleKql.Lets());
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
        return kql.ToString();
    }

    private static string Names<T>(IEnumerable<T> values) where T : struct, Enum =>
        string.Join(", ", values.Select(v => v.ToString()).Distinct(StringComparer.Ordinal).OrderBy(v => v, StringComparer.Ordinal).Select(KqlLiteral.String));

    /// <summary>A regular expression as a verbatim literal: its backslashes are the expression's own.</summary>
    private static string Regex(string pattern) => "@\"" + pattern.Replace("\"", "\"\"") + "\"";
}

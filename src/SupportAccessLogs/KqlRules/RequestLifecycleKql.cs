using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.KqlRules;

/// <summary>
/// The request lifecycle as KQL, generated from <see cref="LifecycleRules"/>: activities grouped
/// into requests as RequestBook groups them, each request's steps walked oldest first with
/// <c>scan</c> as RequestLifecycle walks them (docs/architecture.md, "The rules as KQL"): the
/// function of Get-SupportAccessKql -Kind Request.
/// </summary>
internal static class RequestLifecycleKql
{
    /// <summary>The columns each step needs, from the activity rows plus the request target's id.</summary>
    public const string StepColumns =
        "(TenantId:string, TenantRole:string, SupportRequestId:string, RequestTargetId:string, CorrelationId:string, Id:string, ActivityDateTime:datetime, Activity:string, InitiatedBy:string)";

    /// <summary>The columns of a request row: the request object's properties, in their order.</summary>
    public static readonly IReadOnlyList<string> Columns = new[]
    {
        "SupportRequestId", "TenantId", "TenantRole", "State", "CreatedDateTime", "DecidedDateTime", "DecidedBy",
        "AccessGrantedDateTime", "AccessRemovedDateTime", "RemovalKind", "AccessDuration", "IsAccessActive",
        "IsTruncated", "ActivityCount", "FirstActivityDateTime", "LastActivityDateTime", "ActivityIds", "GroupedBy",
        "GroupKey", "AccessGrantCount",
    };

    /// <summary>
    /// The request function: the activity query with each activity's request target
    /// (<see cref="ActivityKql.Query"/>), walked into requests. Its rows are
    /// Get-SupportAccessRequest's requests of the same window.
    /// </summary>
    public static KqlFunction Function(string name) =>
        new(name, ActivityKql.TimeParameters, (ActivityKql.HelperLets() + Lets() + Query(ActivityKql.Query(withRequestTargetId: true).TrimEnd('\n'))).TrimEnd('\n'),
            "Microsoft Support access requests from the Entra audit log, one row per request with its state and access, as SupportAccessLogs follows them.");

    /// <summary>The let statements the lifecycle uses (once, before the query), after <see cref="ActivityKql.HelperLets"/> (it uses _HasText).</summary>
    public static string Lets()
    {
        var kql = new StringBuilder();
        // LifecycleRules.Steps: the state after a step, from the state before it ("" before any step).
        kql.Append("let _NextState = (state:string, activity:string) { case(\n");
        foreach (KeyValuePair<Activity, LifecycleStep> step in LifecycleRules.Steps.OrderBy(s => s.Key))
        {
            // Each state before the step, by the state after it (LifecycleStep.From); any other is Unknown.
            string activity = KqlLiteral.String(step.Key.ToString());
            foreach (IGrouping<RequestState, RequestState> after in StatesBefore().GroupBy(step.Value.From).Where(g => g.Key != RequestState.Unknown))
            {
                kql.Append("    activity == ").Append(activity).Append(" and state in (").Append(States(after)).Append("), ").Append(KqlLiteral.String(after.Key.ToString())).Append(",\n");
            }

            kql.Append("    activity == ").Append(activity).Append(", ").Append(KqlLiteral.String(nameof(RequestState.Unknown))).Append(",\n");
        }

        // An activity outside the lifecycle (Other) moves nothing.
        kql.Append("    state) };\n");
        kql.Append("let _Grants = (activity:string) { activity in (").Append(ActivitiesWith(AccessEffect.Grants)).Append(") };\n");
        kql.Append("let _Removes = (activity:string) { activity in (").Append(ActivitiesWith(AccessEffect.Removes)).Append(") };\n");
        kql.Append("let _RemovalKind = (activity:string) { case(");
        foreach (Activity activity in AllActivities().Where(a => LifecycleRules.RemovalKindOf(a) != RemovalKind.None))
        {
            kql.Append("activity == ").Append(KqlLiteral.String(activity.ToString())).Append(", ").Append(KqlLiteral.String(LifecycleRules.RemovalKindOf(activity).ToString())).Append(", ");
        }

        kql.Append(KqlLiteral.String(nameof(RemovalKind.None))).Append(") };\n");
        kql.Append("let _OrderWithinInstant = (activity:string) { case(");
        foreach (IGrouping<int, Activity> order in AllActivities().GroupBy(LifecycleRules.OrderWithinInstant).OrderBy(g => g.Key))
        {
            kql.Append("activity in (").Append(string.Join(", ", order.Select(a => KqlLiteral.String(a.ToString())))).Append("), ").Append(order.Key).Append(", ");
        }

        kql.Append("99) };\n");
        return kql.ToString();
    }

    /// <summary>The requests of the steps in <paramref name="steps"/> (a tabular expression with <see cref="StepColumns"/>).</summary>
    public static string Query(string steps) => Walked(Grouped(steps));

    /// <summary>The requests of steps already grouped (<see cref="Grouped"/>): a tabular expression, or the name of one.</summary>
    public static string Walked(string grouped) => grouped + "\n" + Walk();

    /// <summary>The request's group (<see cref="GroupColumn"/>) of each step, as the request rows' TenantId, TenantRole, GroupedBy and GroupKey make it.</summary>
    public const string GroupColumn = "_Group";

    /// <summary>The group a request row belongs to, from its own columns: <see cref="GroupColumn"/> of its steps.</summary>
    public const string GroupOfRequest = "strcat(TenantId, \"|\", TenantRole, \"|\", GroupedBy, \"|\", GroupKey)";

    /// <summary>The steps, each with the request it belongs to (<see cref="GroupColumn"/>), as RequestBook groups them.</summary>
    public static string Grouped(string steps)
    {
        var kql = new StringBuilder(steps).Append('\n');
        // LifecycleRules.GroupingOf: the support request id, else the request target's id, else the correlation id.
        kql.Append("| extend _By = case(_HasText(SupportRequestId), ").Append(Grouping(RequestGrouping.SupportRequestId))
            .Append(", _HasText(RequestTargetId), ").Append(Grouping(RequestGrouping.TargetResourceId))
            .Append(", _HasText(CorrelationId), ").Append(Grouping(RequestGrouping.CorrelationId))
            .Append(", ").Append(Grouping(RequestGrouping.None)).Append(")\n");
        // LifecycleRules.GroupingOf trims as .NET does (ActivityKql.WhiteSpace), not only RE2's \s.
        kql.Append("| extend _Key = case(_By == ").Append(Grouping(RequestGrouping.SupportRequestId)).Append(", trim(" + ActivityKql.WhiteSpace + ", SupportRequestId), _By == ")
            .Append(Grouping(RequestGrouping.TargetResourceId)).Append(", trim(" + ActivityKql.WhiteSpace + ", RequestTargetId), _By == ")
            .Append(Grouping(RequestGrouping.CorrelationId)).Append(", trim(" + ActivityKql.WhiteSpace + ", CorrelationId), Id)\n");
        kql.Append("| extend _Tenant = tostring(toguid(trim(@\"\\s+\", TenantId)))\n");
        kql.Append("| extend _Group = strcat(_Tenant, \"|\", TenantRole, \"|\", _By, \"|\", _Key), _Order = _OrderWithinInstant(Activity)");
        return kql.ToString();
    }

    /// <summary>The grouped steps (<see cref="Grouped"/>) walked into one row per request.</summary>
    private static string Walk()
    {
        var kql = new StringBuilder();
        kql.Append("| order by _Group asc, ActivityDateTime asc, _Order asc, Id asc\n");
        // RequestLifecycle.Walk, a row at a time: a new group starts from nothing.
        kql.Append("| scan declare (_PrevGroup:string = \"\", _State:string = \"\", _Open:bool = false, _GrantCount:long = 0, _Granted:datetime = datetime(null),\n");
        kql.Append("    _Removed:datetime = datetime(null), _Removal:string = \"None\", _Created:datetime = datetime(null), _Decided:datetime = datetime(null), _DecidedBy:string = \"\",\n");
        kql.Append("    _SawCreated:bool = false, _SawApproval:bool = false, _Count:long = 0, _Ids:string = \"\", _First:datetime = datetime(null)) with (\n");
        kql.Append("    step s: true =>\n");
        const string New = "_Group != s._PrevGroup";
        string prevState = $"iff({New}, \"\", s._State)";
        string prevOpen = $"iff({New}, false, s._Open)";
        string prevGrants = $"iff({New}, 0, s._GrantCount)";
        string prevRemoved = $"iff({New}, datetime(null), s._Removed)";
        string grants = $"(_Grants(Activity) and not({prevOpen}))";
        string removes = $"(_Removes(Activity) and ({prevOpen} or ({prevGrants} == 0 and isnull({prevRemoved}))))";
        string decision = "Activity in (" + string.Join(", ", AllActivities().Where(LifecycleRules.IsDecision).Select(a => KqlLiteral.String(a.ToString()))) + ")";
        string unknown = KqlLiteral.String(nameof(RequestState.Unknown));
        kql.Append("        _PrevGroup = _Group,\n");
        kql.Append(FormattableString.Invariant($"        _State = iff({prevState} == {unknown}, {unknown}, _NextState({prevState}, Activity)),\n"));
        kql.Append(FormattableString.Invariant($"        _Open = case({grants}, true, {removes}, false, {prevOpen}),\n"));
        kql.Append(FormattableString.Invariant($"        _GrantCount = {prevGrants} + iff({grants}, 1, 0),\n"));
        kql.Append(FormattableString.Invariant($"        _Granted = iff({grants}, ActivityDateTime, iff({New}, datetime(null), s._Granted)),\n"));
        kql.Append(FormattableString.Invariant($"        _Removed = case({grants}, datetime(null), {removes}, ActivityDateTime, {prevRemoved}),\n"));
        kql.Append(FormattableString.Invariant($"        _Removal = case({grants}, \"None\", {removes}, _RemovalKind(Activity), iff({New}, \"None\", s._Removal)),\n"));
        kql.Append(FormattableString.Invariant($"        _Created = iff(Activity == {KqlLiteral.String(nameof(Activity.RequestCreated))} and isnull(iff({New}, datetime(null), s._Created)), ActivityDateTime, iff({New}, datetime(null), s._Created)),\n"));
        kql.Append(FormattableString.Invariant($"        _Decided = iff({decision} and isnull(iff({New}, datetime(null), s._Decided)), ActivityDateTime, iff({New}, datetime(null), s._Decided)),\n"));
        kql.Append(FormattableString.Invariant($"        _DecidedBy = iff({decision} and isnull(iff({New}, datetime(null), s._Decided)), InitiatedBy, iff({New}, \"\", s._DecidedBy)),\n"));
        kql.Append(FormattableString.Invariant($"        _SawCreated = iff({New}, false, s._SawCreated) or Activity == {KqlLiteral.String(nameof(Activity.RequestCreated))},\n"));
        kql.Append(FormattableString.Invariant($"        _SawApproval = iff({New}, false, s._SawApproval) or Activity == {KqlLiteral.String(nameof(Activity.ApprovalCreated))},\n"));
        kql.Append(FormattableString.Invariant($"        _Count = iff({New}, 0, s._Count) + 1,\n"));
        kql.Append(FormattableString.Invariant($"        _Ids = iff({New}, Id, strcat(s._Ids, \";\", Id)),\n"));
        kql.Append(FormattableString.Invariant($"        _First = iff({New}, ActivityDateTime, s._First);\n"));
        kql.Append(")\n");
        kql.Append("| extend _Row = row_number()\n");
        kql.Append("| summarize arg_max(_Row, *) by _Group\n");
        AppendColumns(kql);
        return kql.ToString().TrimEnd('\n');
    }

    /// <summary>The rest of RequestLifecycle.Walk: the state no step decided, access, truncation, duration.</summary>
    private static void AppendColumns(StringBuilder kql)
    {
        string unknown = KqlLiteral.String(nameof(RequestState.Unknown));
        kql.Append(FormattableString.Invariant($"| extend State = iff(_By == {Grouping(RequestGrouping.None)} or _State == \"\", {unknown}, _State)\n"));
        kql.Append("| extend IsAccessActive = _Open and State in (")
            .Append(string.Join(", ", EnumValues.Of<RequestState>().Where(LifecycleRules.MayHoldAccess).Select(s => KqlLiteral.String(s.ToString()))))
            .Append(")\n");
        kql.Append("| extend _End = coalesce(_Removed, iff(IsAccessActive, now(), datetime(null)))\n");
        kql.Append("| extend AccessDuration = iff(isnull(_Granted) or isnull(_End), timespan(null), iff(_End < _Granted, 0s, _End - _Granted))\n");
        kql.Append(FormattableString.Invariant($"| extend IsTruncated = _By != {Grouping(RequestGrouping.None)} and not(iff(TenantRole == {KqlLiteral.String(nameof(TenantRole.ResourceTenant))}, _SawApproval, _SawCreated))\n"));
        kql.Append("| project SupportRequestId = iff(_By == ").Append(Grouping(RequestGrouping.SupportRequestId)).Append(", _Key, \"\"), TenantId = _Tenant, TenantRole, State,\n");
        kql.Append("    CreatedDateTime = _Created, DecidedDateTime = _Decided, DecidedBy = _DecidedBy, AccessGrantedDateTime = _Granted, AccessRemovedDateTime = _Removed,\n");
        kql.Append("    RemovalKind = _Removal, AccessDuration, IsAccessActive, IsTruncated, ActivityCount = _Count, FirstActivityDateTime = _First,\n");
        kql.Append("    LastActivityDateTime = ActivityDateTime, ActivityIds = _Ids, GroupedBy = _By, GroupKey = _Key, AccessGrantCount = _GrantCount\n");
    }

    /// <summary>Every state a request can be in before a step: none yet (Start, "" in the KQL), or any state.</summary>
    private static IEnumerable<RequestState> StatesBefore() =>
        new[] { LifecycleRules.Start }.Concat(EnumValues.Of<RequestState>());

    private static string States(IEnumerable<RequestState> states) =>
        string.Join(", ", states.Select(s => KqlLiteral.String(s == LifecycleRules.Start ? "" : s.ToString())));

    private static string ActivitiesWith(AccessEffect effect) =>
        string.Join(", ", LifecycleRules.Steps.Where(s => s.Value.Access == effect).Select(s => KqlLiteral.String(s.Key.ToString())).OrderBy(s => s, StringComparer.Ordinal));

    private static IEnumerable<Activity> AllActivities() => EnumValues.Of<Activity>();

    private static string Grouping(RequestGrouping grouping) => KqlLiteral.String(grouping.ToString());
}

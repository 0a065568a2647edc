using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.KqlRules;

/// <summary>
/// The activity function: one row per support-access activity of the AuditLogs table, with the
/// columns and values of the module's activity objects, generated from the rule tables the module
/// classifies with (<see cref="ClassificationRules"/>, <see cref="TargetText"/>'s escaping), so a
/// rule changed there changes both (docs/architecture.md, "The rules as KQL"). Each step below
/// names the C# it mirrors; where KQL can't do exactly the same, the difference is written down
/// in that document.
/// </summary>
internal static class ActivityKql
{
    public const string DefaultName = "SupportAccessActivity";

    /// <summary>The time parameters every generated function takes (null: no bound).</summary>
    public const string TimeParameters = "(starttime:datetime=datetime(null), endtime:datetime=datetime(null))";

    /// <summary>The columns of the function's rows: the activity object's properties, in their order.</summary>
    public static readonly IReadOnlyList<string> Columns = new[]
    {
        "ActivityDateTime", "Id", "TenantId", "Category", "Activity", "ActivityDisplayName", "TenantRole", "Result",
        "ResultReason", "InitiatorType", "InitiatedBy", "InitiatorId", "InitiatorIpAddress", "SupportRequestId",
        "OtherTenantId", "CorrelationId", "LoggedByService", "OperationType", "TargetResources", "AdditionalDetails",
        "ClassificationReason",
    };

    public static KqlFunction Function(string name = DefaultName) =>
        new(name, TimeParameters, Body(), "Microsoft Support access activities from the Entra audit log, classified as SupportAccessLogs classifies them.");

    /// <summary>
    /// White space as the module's rules take it (.NET's char.IsWhiteSpace: string.Trim,
    /// string.IsNullOrWhiteSpace), as an RE2 pattern: RE2's \s is only [\t\n\f\r ], so a
    /// no-break space (U+00A0) or another Unicode space around a name would not be trimmed.
    /// </summary>
    private const string WhiteSpaceClass = @"[\s\v\x{85}\p{Z}]";

    internal const string WhiteSpace = "@\"" + WhiteSpaceClass + "+\"";

    private const string HexDigits = "[0-9A-Fa-f]";

    private const string Hyphenated = HexDigits + "{8}-" + HexDigits + "{4}-" + HexDigits + "{4}-" + HexDigits + "{4}-" + HexDigits + "{12}";

    /// <summary>
    /// A GUID as .NET's Guid.TryParse reads one (ClassificationRules.IsPlaceholderId, the other
    /// tenant, this tenant): the whole text but for white space around it, hyphenated, in braces or
    /// parentheses, or 32 bare digits; the digits in a group of their own. KQL's toguid alone also
    /// reads a GUID followed by other text, and none in braces (docs/architecture.md, "The rules as KQL").
    /// </summary>
    private const string GuidForms = "@\"^" + WhiteSpaceClass + "*(?:(" + Hyphenated + @")|\{(" + Hyphenated + @")\}|\((" + Hyphenated + @")\)|(" + HexDigits + "{32}))" + WhiteSpaceClass + "*$\"";

    /// <summary>The all-zero GUID Graph writes where no real principal acted (<see cref="ClassificationRules.IsPlaceholderId"/>).</summary>
    private const string PlaceholderGuid = "guid(00000000-0000-0000-0000-000000000000)";

    private static string Body() => (HelperLets() + Query(withRequestTargetId: false)).TrimEnd('\n');

    /// <summary>
    /// The let statements the activity query uses: ClassificationRules' HasText, IsPlaceholderId
    /// and IsRealId, and TargetText's escaping. The request function shares them.
    /// </summary>
    internal static string HelperLets()
    {
        var kql = new StringBuilder();
        kql.Append("let _HasText = (s:string) { isnotempty(trim(" + WhiteSpace + ", s)) };\n");
        kql.Append("let _ToGuid = (s:string) { iff(isnotempty(s) and replace_regex(s, " + GuidForms + ", \"\") == \"\", toguid(replace_regex(s, " + GuidForms + ", @\"\\1\\2\\3\\4\")), guid(null)) };\n");
        kql.Append("let _IsPlaceholderId = (s:string) { _ToGuid(s) == ").Append(PlaceholderGuid).Append(" };\n");
        kql.Append("let _IsRealId = (s:string) { _HasText(s) and not(_IsPlaceholderId(s)) };\n");
        kql.Append("let _FirstText = (a:string, b:string, c:string) { case(_HasText(a), a, _HasText(b), b, _HasText(c), c, \"\") };\n");
        AppendEscape(kql, "_EscapeValue", TargetText.ValueSpecials);
        AppendEscape(kql, "_EscapeType", TargetText.TypeSpecials);
        AppendEscape(kql, "_EscapeNoType", TargetText.NoTypeSpecials);
        AppendEscape(kql, "_EscapePropertyName", TargetText.PropertyNameSpecials);
        AppendEscape(kql, "_EscapePropertyValue", TargetText.PropertyValueSpecials);
        return kql.ToString();
    }

    /// <summary>
    /// The activity query over AuditLogs (after <see cref="HelperLets"/>), ending in a line break.
    /// With <paramref name="withRequestTargetId"/> the rows also carry RequestTargetId, which the
    /// activity object keeps to itself (SupportAccessActivity.RequestTargetId) and the request
    /// function groups by (<see cref="RequestLifecycleKql.StepColumns"/>).
    /// </summary>
    /// <param name="scope">The rows of a read (<see cref="WorkspaceFilterKql"/>): its window as literals
    /// instead of the function's parameters, and the connection's tenant as "this tenant" of a row
    /// that names none, as the module's reader takes it; null for the function.</param>
    internal static string Query(bool withRequestTargetId, ReadScope? scope = null)
    {
        var kql = new StringBuilder();
        // ActivityClassifier.IsSupportAccessRecord, and the window.
        kql.Append("AuditLogs\n");
        if (scope is not null)
        {
            // A literal window first, as the reading query's own: the engine reads only its rows.
            kql.Append("| where TimeGenerated >= ").Append(KqlLiteral.DateTime(scope.StartUtc)).Append(" and TimeGenerated < ").Append(KqlLiteral.DateTime(scope.EndUtc)).Append('\n');
        }

        kql.Append("| where Category =~ ").Append(KqlLiteral.String(ClassificationRules.AuditCategory)).Append('\n');
        if (scope is null)
        {
            kql.Append("| where (isnull(starttime) or TimeGenerated >= starttime) and (isnull(endtime) or TimeGenerated < endtime)\n");
        }
        else if (scope.RowCondition is not null)
        {
            kql.Append("| where ").Append(scope.RowCondition).Append('\n');
        }

        // ActivityReader: a record sent again (its id read already) is written once, the newest;
        // records without an id are each their own, but for a row repeated whole.
        kql.Append("| summarize arg_max(TimeGenerated, *) by Id, _Record = iff(Id == \"\", tostring(pack_array(TimeGenerated, ActivityDisplayName, CorrelationId, InitiatedBy, TargetResources, AdditionalDetails)), \"\")\n");
        // A workspace keeps these as dynamic; a Data Explorer copy may keep them as text.
        kql.Append("| extend _Initiator = todynamic(InitiatedBy), _Details = todynamic(AdditionalDetails), _Targets = todynamic(TargetResources)\n");
        AppendInitiator(kql);
        AppendActivityName(kql);
        // ActivityClassifier: "another tenant" is another than the one whose log holds the record.
        kql.Append("| extend _ThisTenant = coalesce(_ToGuid(AADTenantId), ")
            .Append(scope is null ? "_ToGuid(TenantId)" : $"toguid({KqlLiteral.String(scope.ThisTenant.ToString("D"))})").Append(")\n");
        AppendDetails(kql);
        AppendTargets(kql);
        AppendColumns(kql, withRequestTargetId);
        return kql.ToString();
    }

    /// <summary>
    /// Rule 1 as a condition on a raw row: its trimmed name is one the rule table resolves to one
    /// of <paramref name="activities"/> (by user or not), or, for Other, no name the table knows.
    /// A row that fails it can't be any of them, so a read may drop it before classifying.
    /// </summary>
    internal static string NameCondition(IEnumerable<Activity> activities)
    {
        var wanted = new HashSet<Activity>(activities);
        string[] names = ClassificationRules.ActivityNames
            .Where(n => wanted.Contains(n.Value.Resolve(userInitiated: true)) || wanted.Contains(n.Value.Resolve(userInitiated: false)))
            .Select(n => n.Key).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var either = new List<string>();
        if (names.Length > 0)
        {
            either.Add(RawName + " in~ (" + string.Join(", ", names.Select(KqlLiteral.String)) + ")");
        }

        if (wanted.Contains(SupportAccessLogs.Activity.Other))
        {
            either.Add("not(" + RawName + " in~ (" + string.Join(", ", ClassificationRules.ActivityNames.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(KqlLiteral.String)) + "))");
        }

        return either.Count == 0 ? "false" : "(" + string.Join(" or ", either) + ")";
    }

    /// <summary>Rule 4 as a condition on a raw row: its trimmed name begins as a name of one of <paramref name="roles"/> does.</summary>
    internal static string TenantRoleNameCondition(IEnumerable<TenantRole> roles)
    {
        var wanted = new HashSet<TenantRole>(roles);
        string[] prefixes = ClassificationRules.TenantRolePrefixes.Where(p => wanted.Contains(p.Role)).Select(p => RawName + " startswith " + KqlLiteral.String(p.Prefix)).ToArray();
        return prefixes.Length == 0 ? "false" : "(" + string.Join(" or ", prefixes) + ")";
    }

    /// <summary>The name rule 1 reads (<c>_Name</c> below), from the raw column.</summary>
    private const string RawName = "trim(" + WhiteSpace + ", ActivityDisplayName)";

    /// <summary>ActivityClassifier.Classify's initiator: the evidence (rule 3), who, and by what id.</summary>
    private static void AppendInitiator(StringBuilder kql)
    {
        kql.Append("| extend _User = _Initiator.user, _App = _Initiator.app\n");
        kql.Append("| extend _UserId = tostring(_User.id), _Upn = tostring(_User.userPrincipalName)\n");
        kql.Append("| extend _Evidence = case(isnull(_Initiator), ").Append(Evidence(InitiatorEvidence.NoInitiator))
            .Append(", isnull(_User), ").Append(Evidence(InitiatorEvidence.NoUser))
            .Append(", _HasText(_Upn), ").Append(Evidence(InitiatorEvidence.UserByUpn))
            .Append(", _HasText(_UserId) and _IsPlaceholderId(_UserId), ").Append(Evidence(InitiatorEvidence.PlaceholderUser))
            .Append(", _HasText(_UserId), ").Append(Evidence(InitiatorEvidence.UserById))
            .Append(", ").Append(Evidence(InitiatorEvidence.UnidentifiedUser)).Append(")\n");
        kql.Append("| extend _UserInitiated = _Evidence in (").Append(Evidence(InitiatorEvidence.UserById)).Append(", ").Append(Evidence(InitiatorEvidence.UserByUpn)).Append(")\n");
        kql.Append("| extend _AppInitiated = not(_UserInitiated) and isnotnull(_App) and (_HasText(tostring(_App.displayName)) or _HasText(tostring(_App.servicePrincipalName)) or _IsRealId(tostring(_App.appId)) or _IsRealId(tostring(_App.servicePrincipalId)))\n");
    }

    /// <summary>Rule 1: the activity from its trimmed name, ignoring case; a removal by who removed it.</summary>
    private static void AppendActivityName(StringBuilder kql)
    {
        kql.Append("| extend _Name = ").Append(RawName).Append('\n');
        kql.Append("| extend _KnownName = _Name in~ (")
            .Append(string.Join(", ", ClassificationRules.ActivityNames.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(KqlLiteral.String)))
            .Append(")\n");
        kql.Append("| extend Activity = case(");
        foreach (KeyValuePair<string, ActivityNameRule> name in ClassificationRules.ActivityNames.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            kql.Append("_Name =~ ").Append(KqlLiteral.String(name.Key)).Append(", ");
            Activity byUser = name.Value.Resolve(userInitiated: true);
            Activity otherwise = name.Value.Resolve(userInitiated: false);
            kql.Append(byUser == otherwise
                ? KqlLiteral.String(byUser.ToString())
                : $"iff(_UserInitiated, {KqlLiteral.String(byUser.ToString())}, {KqlLiteral.String(otherwise.ToString())})");
            kql.Append(",\n    ");
        }

        kql.Append(KqlLiteral.String(SupportAccessLogs.Activity.Other.ToString())).Append(")\n");
    }

    /// <summary>
    /// One pass over additionalDetails, in its order: the flattened text (ActivityClassifier.FlattenDetails),
    /// rule 2's other tenant (the first key ending in the suffix whose value is a GUID other than this
    /// tenant and not all zeros), and rule 5's support request id (by key preference, then order).
    /// </summary>
    private static void AppendDetails(StringBuilder kql)
    {
        kql.Append("| mv-apply with_itemindex=_DetailIndex _Detail = _Details to typeof(dynamic) on (\n");
        kql.Append("    order by _DetailIndex asc\n");
        kql.Append("    | extend _Key = tostring(_Detail.key), _Value = tostring(_Detail.value)\n");
        kql.Append("    | extend _ValueGuid = _ToGuid(_Value)\n");
        kql.Append("    | summarize _DetailTexts = make_list_if(strcat(_Key, \"=\", _Value), isnotnull(_Detail)),\n");
        kql.Append("        _OtherTenants = make_list_if(pack_array(tostring(_ValueGuid), trim(" + WhiteSpace + ", _Key)), _Key endswith ")
            .Append(KqlLiteral.String(ClassificationRules.OtherTenantKeySuffix))
            .Append(" and isnotnull(_ValueGuid) and _ValueGuid != _ThisTenant and _ValueGuid != ").Append(PlaceholderGuid).Append(')');
        IReadOnlyList<string> keys = ClassificationRules.SupportRequestIdKeys;
        for (int i = 0; i < keys.Count; i++)
        {
            kql.Append(",\n        _RequestIds").Append(i).Append(" = make_list_if(_Value, _Key =~ ").Append(KqlLiteral.String(keys[i])).Append(" and _HasText(_Value))");
        }

        kql.Append("\n)\n");
        kql.Append("| extend OtherTenantId = tostring(_OtherTenants[0][0]), _OtherTenantKey = tostring(_OtherTenants[0][1])\n");
        kql.Append("| extend SupportRequestId = coalesce(")
            .Append(string.Join(", ", keys.Select((_, i) => $"tostring(_RequestIds{i}[0])")))
            .Append(", \"\")\n");
        kql.Append("| extend AdditionalDetails = strcat_array(_DetailTexts, \"; \")\n");
    }

    /// <summary>
    /// ActivityClassifier.FlattenTargets (<see cref="TargetText.Append"/>): per resource its type
    /// (or "-" for a named resource without one), display name, &lt;upn&gt;, (groupType), [id] and
    /// {modified properties}, each part only when it has text and escaped as TargetText escapes
    /// it; resources joined by " | ", null entries skipped.
    /// </summary>
    private static void AppendTargets(StringBuilder kql)
    {
        kql.Append("| mv-apply with_itemindex=_TargetIndex _Target = _Targets to typeof(dynamic) on (\n");
        kql.Append("    order by _TargetIndex asc\n");
        kql.Append("    | where isnotnull(_Target)\n");
        // Graph's own examples write a target's type as "Type"; the module reads member names ignoring case.
        kql.Append("    | extend _Type = coalesce(tostring(_Target.type), tostring(_Target.Type)), _TargetName = tostring(_Target.displayName),\n");
        kql.Append("        _TargetUpn = tostring(_Target.userPrincipalName), _GroupType = tostring(_Target.groupType), _TargetId = tostring(_Target.id)\n");
        // mv-expand gives a null array one row of null; the module writes no {…} without modifiedProperties, "{}" for [null].
        kql.Append("    | mv-apply with_itemindex=_ChangeIndex _Change = coalesce(_Target.modifiedProperties, dynamic([])) to typeof(dynamic) on (\n");
        kql.Append("        order by _ChangeIndex asc\n");
        kql.Append("        | summarize _Changes = make_list_if(strcat(_EscapePropertyName(tostring(_Change.displayName)), \": \", _EscapePropertyValue(tostring(_Change.oldValue)), \" -> \", _EscapePropertyValue(tostring(_Change.newValue))), isnotnull(_Change)), _ChangeCount = count()\n");
        kql.Append("    )\n");
        kql.Append("    | extend _Text = case(_HasText(_Type), iff(_Type == ").Append(KqlLiteral.String(TargetText.NoType))
            .Append(", _EscapeNoType(_Type), _EscapeType(_Type)), _HasText(_TargetName), ").Append(KqlLiteral.String(TargetText.NoType)).Append(", \"\")\n");
        AppendPart(kql, "_TargetName", "", "");
        AppendPart(kql, "_TargetUpn", "<", ">");
        AppendPart(kql, "_GroupType", "(", ")");
        AppendPart(kql, "_TargetId", "[", "]");
        kql.Append("    | extend _Text = strcat(_Text, iff(_ChangeCount > 0, strcat(iff(_Text == \"\", \"\", \" \"), \"{\", strcat_array(_Changes, \", \"), \"}\"), \"\"))\n");
        // TargetText.RequestTargetId: the first request target (LifecycleRules.IsRequestTarget) with an id, trimmed.
        kql.Append("    | summarize _TargetTexts = make_list(_Text), _RequestTargetIds = make_list_if(trim(" + WhiteSpace + ", _TargetId),\n");
        kql.Append("        trim_start(" + WhiteSpace + ", _TargetName) startswith ").Append(KqlLiteral.String(LifecycleRules.RequestTargetName)).Append(" and _HasText(_TargetId))\n");
        kql.Append(")\n");
        kql.Append("| extend TargetResources = strcat_array(_TargetTexts, \" | \")\n");
    }

    /// <summary>TargetText.AppendPart: a space before it when the resource has text already.</summary>
    private static void AppendPart(StringBuilder kql, string column, string before, string after) =>
        kql.Append("    | extend _Text = strcat(_Text, iff(_HasText(").Append(column).Append("), strcat(iff(_Text == \"\", \"\", \" \"), ")
            .Append(KqlLiteral.String(before)).Append(", _EscapeValue(").Append(column).Append("), ").Append(KqlLiteral.String(after)).Append("), \"\"))\n");

    /// <summary>The rest of ActivityClassifier.Classify: category (rules 2 and 3), tenant role (rule 4), who, and why.</summary>
    private static void AppendColumns(StringBuilder kql, bool withRequestTargetId)
    {
        kql.Append("| extend Category = case(OtherTenantId != \"\", ").Append(KqlLiteral.String(nameof(SupportAccessLogs.Category.CrossTenant)))
            .Append(", _UserInitiated, ").Append(KqlLiteral.String(nameof(SupportAccessLogs.Category.UserInitiated)))
            .Append(", ").Append(KqlLiteral.String(nameof(SupportAccessLogs.Category.Automated))).Append(")\n");
        kql.Append("| extend TenantRole = iff(Category == ").Append(KqlLiteral.String(nameof(SupportAccessLogs.Category.CrossTenant))).Append(", case(");
        foreach ((string prefix, TenantRole role) in ClassificationRules.TenantRolePrefixes)
        {
            kql.Append("_Name startswith ").Append(KqlLiteral.String(prefix)).Append(", ").Append(KqlLiteral.String(role.ToString())).Append(", ");
        }

        kql.Append("\"\"), \"\")\n");
        kql.Append("| extend InitiatorType = case(_UserInitiated, ").Append(KqlLiteral.String(nameof(SupportAccessLogs.InitiatorType.User)))
            .Append(", _AppInitiated, ").Append(KqlLiteral.String(nameof(SupportAccessLogs.InitiatorType.App)))
            .Append(", ").Append(KqlLiteral.String(nameof(SupportAccessLogs.InitiatorType.None))).Append(")\n");
        kql.Append("| extend _AppId = tostring(_App.appId), _AppSpId = tostring(_App.servicePrincipalId)\n");
        kql.Append("| extend InitiatedBy = case(_UserInitiated, _FirstText(_Upn, tostring(_User.displayName), iff(_IsRealId(_UserId), _UserId, \"\")),\n");
        kql.Append("        _AppInitiated, _FirstText(tostring(_App.displayName), tostring(_App.servicePrincipalName), iff(_IsRealId(_AppId), _AppId, \"\")), \"\"),\n");
        kql.Append("    InitiatorId = case(_UserInitiated, iff(_IsRealId(_UserId), _UserId, \"\"),\n");
        kql.Append("        _AppInitiated, case(_IsRealId(_AppId), _AppId, _IsRealId(_AppSpId), _AppSpId, \"\"), \"\"),\n");
        kql.Append("    InitiatorIpAddress = iff(_UserInitiated, _FirstText(tostring(_User.ipAddress), \"\", \"\"), \"\")\n");
        AppendReason(kql);
        kql.Append("| project ActivityDateTime = coalesce(ActivityDateTime, TimeGenerated), Id, TenantId = tostring(_ThisTenant), Category, Activity, ActivityDisplayName, TenantRole,\n");
        kql.Append("    Result, ResultReason, InitiatorType, InitiatedBy, InitiatorId, InitiatorIpAddress, SupportRequestId, OtherTenantId, CorrelationId,\n");
        kql.Append("    LoggedByService, OperationType = AADOperationType, TargetResources, AdditionalDetails, ClassificationReason")
            .Append(withRequestTargetId ? ", RequestTargetId = tostring(_RequestTargetIds[0])\n" : "\n");
    }

    /// <summary>ActivityClassifier.Reason: the other tenant's key, the initiator evidence, an unknown name.</summary>
    private static void AppendReason(StringBuilder kql)
    {
        kql.Append("| extend _InitiatorReason = case(");
#pragma warning disable CA2263 // netstandard2.0 has no generic Enum.GetValues; every evidence is described, a new one too.
        foreach (InitiatorEvidence evidence in Enum.GetValues(typeof(InitiatorEvidence)).Cast<InitiatorEvidence>())
#pragma warning restore CA2263
        {
            kql.Append("_Evidence == ").Append(Evidence(evidence)).Append(", ").Append(KqlLiteral.String(ClassificationRules.Describe(evidence))).Append(", ");
        }

        kql.Append("\"\")\n");
        // DescribeOtherTenant's words around the key, taken from the rule itself.
        const string Marker = "\u0001";
        string[] around = ClassificationRules.DescribeOtherTenant(Marker).Split(new[] { Marker }, StringSplitOptions.None);
        kql.Append("| extend ClassificationReason = strcat(iff(_OtherTenantKey != \"\", strcat(").Append(KqlLiteral.String(around[0]))
            .Append(", _OtherTenantKey, ").Append(KqlLiteral.String(around[1])).Append(", \"; \"), \"\"), _InitiatorReason, iff(_KnownName, \"\", ")
            .Append(KqlLiteral.String("; " + ClassificationRules.UnknownActivityName)).Append("))\n");
    }

    /// <summary>let name = (s:string) { ... }: a backslash before each of <paramref name="specials"/>, as TargetText.AppendEscaped writes.</summary>
    private static void AppendEscape(StringBuilder kql, string name, char[] specials)
    {
        var set = new StringBuilder("[");
        foreach (char c in specials)
        {
            // Inside an RE2 character class only these have a meaning; the rest stand for themselves.
            if (c is '\\' or ']' or '[' or '^' or '-')
            {
                set.Append('\\');
            }

            set.Append(c);
        }

        set.Append(']');
        kql.Append("let ").Append(name).Append(" = (s:string) { replace_regex(s, @\"(").Append(set).Append(")\", @\"\\\\\\1\") };\n");
    }

    private static string Evidence(InitiatorEvidence evidence) => KqlLiteral.String(evidence.ToString());
}

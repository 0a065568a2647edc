using SupportAccessLogs.Classification;

namespace SupportAccessLogs.KqlRules;

/// <summary>
/// The activity function: one row per support-access activity of the AuditLogs table, with the
/// columns and values of the module's activity objects, generated from the rule tables
/// (<see cref="ClassificationRules"/>) the module classifies with (docs/architecture.md,
/// "The rules as KQL").
/// </summary>
internal static class ActivityKql
{
    public const string DefaultName = "SupportAccessActivity";

    /// <summary>The time parameters every generated function takes (null: no bound).</summary>
    public const string TimeParameters = "(starttime:datetime=datetime(null), endtime:datetime=datetime(null))";

    public static KqlFunction Function(string name = DefaultName) =>
        new(name, TimeParameters, Body(), "Microsoft Support access activities from the Entra audit log, classified as SupportAccessLogs classifies them.");

    // WORK IN PROGRESS: the full body is being written; this one already has the function's shape.
    private static string Body() =>
        "AuditLogs\n"
        + "| where Category =~ " + KqlLiteral.String(ClassificationRules.AuditCategory) + "\n"
        + "| where (isnull(starttime) or TimeGenerated >= starttime) and (isnull(endtime) or TimeGenerated < endtime)\n"
        + "| project Id, TenantId = AADTenantId, ActivityDateTime, ActivityDisplayName";
}

namespace SupportAccessLogs;

/// <summary>What Get-SupportAccessKql generates: support-access activities, or support requests.</summary>
public enum KqlKind
{
    /// <summary>One row per support-access activity, as Get-SupportAccessActivity gives it.</summary>
    Activity,
    /// <summary>One row per support request, as Get-SupportAccessRequest gives it.</summary>
    Request,
}

/// <summary>How Get-SupportAccessKql hands the rules over.</summary>
public enum KqlFormat
{
    /// <summary>A query that runs as it is in the Logs blade (Log Analytics, Sentinel).</summary>
    Kql,
    /// <summary>The YAML of a Microsoft Sentinel parser (the Azure-Sentinel repository's Parsers/ format).</summary>
    SentinelParser,
    /// <summary>An ARM template that deploys the function as a workspace function.</summary>
    ArmTemplate,
    /// <summary>An Azure Data Explorer .create-or-alter function command.</summary>
    AdxFunction,
    /// <summary>A scheduled Microsoft Sentinel analytics rule template.</summary>
    AnalyticsRule,
}

namespace SupportAccessLogs;

/// <summary>How an evidence file holds activities.</summary>
public enum EvidenceFileFormat
{
    /// <summary>What Export-Csv writes of the activities: the same header, columns and quoting.</summary>
    Csv,
    /// <summary>One JSON object per line, the activities' properties in order, enums as names.</summary>
    JsonLines,
}

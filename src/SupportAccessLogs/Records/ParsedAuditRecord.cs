namespace SupportAccessLogs.Records;

/// <summary>One audit record as parsed, with its exact bytes from the response.</summary>
internal readonly struct ParsedAuditRecord
{
    public ParsedAuditRecord(AuditRecord record, byte[] raw, string[]? rawColumns = null)
    {
        Record = record;
        Raw = raw;
        RawColumns = rawColumns;
    }

    public AuditRecord Record { get; }

    /// <summary>The record's bytes as the source sent them: a Graph record (an object), or a Log
    /// Analytics row (an array of values, named by <see cref="RawColumns"/>).</summary>
    public byte[] Raw { get; }

    /// <summary>The column names of a Log Analytics row; null for a Graph record.</summary>
    public string[]? RawColumns { get; }
}

namespace SupportAccessLogs.Records;

/// <summary>One audit record as parsed, with its exact bytes from the response.</summary>
internal readonly struct ParsedAuditRecord
{
    public ParsedAuditRecord(AuditRecord record, byte[] raw)
    {
        Record = record;
        Raw = raw;
    }

    public AuditRecord Record { get; }
    public byte[] Raw { get; }
}

using SupportAccessLogs.Records;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Counts the records of a query that lack an id or an activityDateTime. Such a record is still
/// written (nothing is dropped), with an empty Id or a time of 0001-01-01; the query says so once,
/// with the count, rather than once per record.
/// </summary>
internal sealed class IncompleteRecordCount
{
    private long _withoutId;
    private long _withoutTime;
    private bool _reported;

    public void Note(AuditRecord record)
    {
        if (string.IsNullOrEmpty(record.Id))
        {
            _withoutId++;
        }

        if (record.ActivityDateTime is null)
        {
            _withoutTime++;
        }
    }

    /// <summary>The one warning of the query, when there is something to say.</summary>
    public void Report(IMessageSink reporter)
    {
        if (_reported || (_withoutId == 0 && _withoutTime == 0))
        {
            return;
        }

        _reported = true;
        reporter.Warning($"Microsoft Graph sent {Describe(_withoutId, "id")}{(_withoutId > 0 && _withoutTime > 0 ? " and " : "")}{Describe(_withoutTime, "activityDateTime")}. They are kept: without an id the activity's Id is empty (and a repeat of it can't be recognised); without a time its ActivityDateTime is 0001-01-01 and it may stand out of order.");
    }

    private static string Describe(long count, string member) =>
        count == 0 ? "" : count == 1 ? $"1 record without {member}" : $"{count} records without {member}";
}

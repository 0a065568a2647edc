using SupportAccessLogs.Records;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Counts the records of a query that lack an id or an activityDateTime. Such a record is still
/// written (nothing is dropped), with an empty Id, or a time of 0001-01-01, or, from a workspace,
/// the row's TimeGenerated standing in for its time; the query says so once, with the count and
/// the source it came from, rather than once per record (Verbose names each stand-in).
/// </summary>
internal sealed class IncompleteRecordCount
{
    private readonly string _source;
    private long _withoutId;
    private long _withoutTime;
    private long _timeFromTimeGenerated;
    private bool _reported;

    /// <param name="source">Who sent the records, as a sentence's subject (<see cref="IRecordSource.Name"/>).</param>
    public IncompleteRecordCount(string source) => _source = source;

    public void Note(AuditRecord record, IMessageSink reporter)
    {
        if (string.IsNullOrEmpty(record.Id))
        {
            _withoutId++;
        }

        if (record.ActivityDateTimeFromTimeGenerated)
        {
            _timeFromTimeGenerated++;
            reporter.Verbose($"Record {(string.IsNullOrEmpty(record.Id) ? "without an id" : record.Id)} came without ActivityDateTime; its TimeGenerated {IsoDateTime.Format(record.ActivityDateTime!.Value.UtcDateTime)} (when the row reached the workspace) stands in as its ActivityDateTime.");
        }
        else if (record.ActivityDateTime is null)
        {
            _withoutTime++;
        }
    }

    /// <summary>The one warning of the query, when there is something to say.</summary>
    public void Report(IMessageSink reporter)
    {
        long total = _withoutId + _withoutTime + _timeFromTimeGenerated;
        if (_reported || total == 0)
        {
            return;
        }

        _reported = true;
        var counts = new System.Collections.Generic.List<string>();
        var kept = new System.Collections.Generic.List<string>();
        if (_withoutId > 0)
        {
            counts.Add(Describe(_withoutId, "id"));
            kept.Add("without an id the activity's Id is empty (and a repeat of it can't be recognised)");
        }

        if (_withoutTime > 0)
        {
            counts.Add(Describe(_withoutTime, "activityDateTime"));
            kept.Add("without a time its ActivityDateTime is 0001-01-01 and it may stand out of order");
        }

        if (_timeFromTimeGenerated > 0)
        {
            counts.Add(Describe(_timeFromTimeGenerated, "ActivityDateTime"));
            kept.Add("without ActivityDateTime the row's TimeGenerated (when it reached the workspace, usually minutes after the activity) stands in as its ActivityDateTime (-Verbose names each)");
        }

        reporter.Warning($"{_source} sent {string.Join(" and ", counts)}. {(total == 1 ? "It is" : "They are")} kept: {string.Join("; ", kept)}.");
    }

    private static string Describe(long count, string member) =>
        count == 1 ? $"1 record without {member}" : $"{count} records without {member}";
}

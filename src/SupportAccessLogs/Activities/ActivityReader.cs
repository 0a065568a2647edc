using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Where a query's records come from: Graph's directoryAudits or a Log Analytics workspace. A
/// source hands over the records of the query's window, newest first, with its own transport,
/// paging and retries; it knows nothing of classification or PowerShell. A record it had to read
/// again (a retried page) it hands over once; one the server itself sent twice the reader drops.
/// </summary>
internal interface IRecordSource
{
    /// <summary>Who sends the records, as the subject of a sentence ("Microsoft Graph", "Log Analytics workspace …"): warnings about them name it.</summary>
    string Name { get; }

    IAsyncEnumerable<ParsedAuditRecord> ReadAsync(ActivityQuery query, ISourceReporter reporter, CancellationToken cancellationToken);
}

/// <summary>What a source reports: Verbose and Warning text, and the end of each page or slice.</summary>
internal interface ISourceReporter : IMessageSink
{
    void PageDone(int pageNumber);
}

/// <summary>
/// Turns a source's records into the activities a query writes, the same for every source: each
/// record once, classified, through the client-side filters, past -Skip and up to -First, with
/// one warning for records that lack an id or a time and a count for -IncludeTotalCount.
/// </summary>
internal sealed class ActivityReader
{
    private readonly Guid _connectionTenant;
    private RecordSieve? _sieve;
    private long _recordsRead;
    private long _written;
    private int _pageRecords;
    private int _pageRepeats;
    private int _repeatedPagesInARow;

    /// <summary>Pages in a row that brought only records already read before the read is stopped:
    /// a page served twice happens (a retry, a proxy); a server leading back to pages already
    /// read under new links, again and again, would keep a read going for ever.</summary>
    internal const int RepeatedPagesAllowed = 3;

    private readonly UnknownActivityNames? _unknownNames;

    /// <param name="connectionTenant">"This tenant" for a record that doesn't name its own.</param>
    /// <param name="unknownNames">Unknown activity names already warned of by the command (shared by its tenants).</param>
    public ActivityReader(Guid connectionTenant, UnknownActivityNames? unknownNames = null)
    {
        _connectionTenant = connectionTenant;
        _unknownNames = unknownNames;
    }

    /// <summary>Activities that passed every filter, including those skipped by -Skip.</summary>
    public long MatchedCount => _sieve?.MatchedCount ?? 0;

    /// <summary>True once the source had nothing more (the total count is then exact).</summary>
    public bool ReachedEnd { get; private set; }

    /// <summary>The oldest activityDateTime read so far; the read covers the window from its end down to here.</summary>
    public DateTimeOffset? OldestTimeRead { get; private set; }

    public async IAsyncEnumerable<SupportAccessActivity> ReadAsync(
        IRecordSource source,
        ActivityQuery query,
        IQueryReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query.First == 0)
        {
            yield break;
        }

        RecordShapes? shapes = query.DescribeShapes ? new RecordShapes() : null;
        RecordSieve sieve = _sieve = new RecordSieve(new ActivityClassifier(_connectionTenant), new ClientSideFilter(query), query.Skip, reporter, shapes, _unknownNames);
        var repeats = new RepeatedRecordFilter();
        var incomplete = new IncompleteRecordCount(source.Name);
        await foreach (ParsedAuditRecord parsed in source.ReadAsync(query, new Progress(this, reporter), cancellationToken).ConfigureAwait(false))
        {
            AuditRecord record = parsed.Record;
            OldestTimeRead = Older(OldestTimeRead, record.ActivityDateTime);
            _pageRecords++;
            if (!string.IsNullOrEmpty(record.Id) && repeats.IsRepeat(record.Id!, record.ActivityDateTime))
            {
                _pageRepeats++;
                reporter.Verbose($"Record {record.Id} was sent again; it is written once.");
                continue;
            }

            _recordsRead++;
            incomplete.Note(record, reporter);
            if (sieve.Admit(parsed) is not SupportAccessActivity activity)
            {
                continue;
            }

            _written++;
            yield return activity;
            if (query.First is ulong first && (ulong)_written >= first)
            {
                // Satisfied: leaving the loop disposes the source, which then asks for nothing more.
                incomplete.Report(reporter);
                Describe(shapes, reporter);
                yield break;
            }
        }

        ReachedEnd = true;
        incomplete.Report(reporter);
        Describe(shapes, reporter);
    }

    private static void Describe(RecordShapes? shapes, IMessageSink reporter)
    {
        if (shapes is not null)
        {
            reporter.Verbose(shapes.Describe());
        }
    }

    /// <summary>
    /// -IncludeTotalCount's answer: exact once every record was read; after an early stop, the
    /// activities matched so far scaled up by how much of the window the records read cover
    /// (sources hand records over newest first), with that share as PowerShell's accuracy.
    /// </summary>
    public (ulong Count, double Accuracy) TotalCount(ActivityQuery query)
    {
        ulong matched = (ulong)MatchedCount;
        if (ReachedEnd)
        {
            return (matched, 1.0);
        }

        double window = (query.EndUtc - query.StartUtc).TotalSeconds;
        double covered = OldestTimeRead is DateTimeOffset oldest ? (query.EndUtc - oldest.UtcDateTime).TotalSeconds : 0;
        if (window <= 0 || covered <= 0)
        {
            // Nothing to scale by: all that is known is a lower bound, at the least accuracy PowerShell still calls an estimate.
            return (matched, double.Epsilon);
        }

        double share = Math.Min(covered / window, 0.99);
        return ((ulong)Math.Round(matched / share), share);
    }

    /// <summary>A page whose records were all read before counts toward <see cref="RepeatedPagesAllowed"/>;
    /// a page with anything new starts the count again, and an empty page leaves it as it is.</summary>
    private void CountRepeatedPage(int pageNumber)
    {
        if (_pageRecords > 0)
        {
            _repeatedPagesInARow = _pageRepeats == _pageRecords ? _repeatedPagesInARow + 1 : 0;
        }

        _pageRecords = 0;
        _pageRepeats = 0;
        if (_repeatedPagesInARow >= RepeatedPagesAllowed)
        {
            throw new ModuleException("PagesRepeated", ErrorCategory.InvalidResult,
                $"The server sent {RepeatedPagesAllowed} pages in a row (up to page {pageNumber}) that held only records already read, each behind a new next-page link: it leads back to what it served before, and following it would never end. The read stops here; everything read before was written once. Try again later; if it persists, the endpoint (a proxy or gateway in front of Microsoft Graph) is at fault.");
        }
    }

    private static DateTimeOffset? Older(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (b < a ? b : a);

    /// <summary>A source's page ends, reported with the reader's counts.</summary>
    private sealed class Progress : ISourceReporter
    {
        private readonly ActivityReader _reader;
        private readonly IQueryReporter _reporter;

        public Progress(ActivityReader reader, IQueryReporter reporter)
        {
            _reader = reader;
            _reporter = reporter;
        }

        public void Verbose(string message) => _reporter.Verbose(message);

        public void Warning(string message) => _reporter.Warning(message);

        public void PageDone(int pageNumber)
        {
            _reader.CountRepeatedPage(pageNumber);
            _reporter.PageRead(pageNumber, _reader._recordsRead, _reader._written);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Export;

namespace SupportAccessLogs.Commands;

/// <summary>
/// Keeps an evidence file of support access activity that each run continues: a new file gets
/// the window asked for; an existing one is read back, and the source is read from its newest
/// activity minus an overlap, appending only what the file doesn't hold (docs/architecture.md,
/// "Evidence files").
/// </summary>
[Cmdlet(VerbsData.Export, "SupportAccessActivity")]
[OutputType(typeof(ExportSummary))]
public sealed class ExportSupportAccessActivityCommand : ActivityFilterCommand
{
    private string _path = "";

    /// <summary>The evidence file: created when missing, continued when it exists.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    public EvidenceFileFormat Format { get; set; } = EvidenceFileFormat.Csv;

    /// <summary>How far before the file's newest activity a continued run reads again: longer
    /// than audit events take to arrive (about 2 minutes at P95, 5 at P99; Log Analytics batches).</summary>
    [Parameter]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Go on when the file's newest activity is older than the source still serves: warn, and say what is missing in the summary.</summary>
    [Parameter]
    public SwitchParameter AllowGap { get; set; }

    /// <summary>How long to wait while another run writes the file.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);

    protected override void BeginProcessing()
    {
        foreach ((string name, TimeSpan value, TimeSpan least) in new[] { ("Overlap", Overlap, TimeSpan.Zero), ("Timeout", Timeout, TimeSpan.Zero) })
        {
            if (value < least || (value > TimeSpan.Zero && value < TimeSpan.FromSeconds(1)))
            {
                // [timespan]30 is 30 ticks: a number almost certainly meant minutes or seconds.
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-{name} {value} is negative or under a second (a bare number is taken as ticks). Give a time span, for example -{name} (New-TimeSpan -Minutes 30) or -{name} 00:30:00."),
                    $"{name}Invalid", ErrorCategory.InvalidArgument, value));
            }
        }

        try
        {
            _path = FileSystemPath.Resolve(this, Path, "-Path");
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }

        PrepareQuery(FilteredQuery);
    }

    protected override void ProcessRecord() => GatherConnections();

    protected override void EndProcessing() => ReadGatheredConnections();

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using EvidenceFile file = await EvidenceFile.OpenAsync(_path, Format, Timeout, messages, cancellationToken).ConfigureAwait(false);
        var summary = new ExportSummary { Path = _path, Format = Format, RepairedBytes = file.RepairedBytes };
        if (file.RepairedBytes > 0)
        {
            messages.WriteWarning($"'{_path}' ended in a record cut short ({file.RepairedBytes} bytes), left by a run that stopped mid-write. It was removed; this run reads that activity again.");
        }

        DateTime start = file.IsNew ? Query.StartUtc : Continued(file, summary, messages);
        Requery(query => query with { StartUtc = start });
        summary.WindowStartTime = start;
        summary.WindowEndTime = Query.EndUtc;
        messages.WriteVerbose(file.IsNew
            ? $"'{_path}' is new: reading {IsoDateTime.Format(start)} to {IsoDateTime.Format(Query.EndUtc)}."
            : $"'{_path}' holds activities up to {IsoDateTime.Format(file.Newest!.Value)}: reading again from {IsoDateTime.Format(start)} ({Overlap} of overlap) to {IsoDateTime.Format(Query.EndUtc)}.");

        await foreach (SupportAccessActivity activity in ReadActivitiesAsync(messages, cancellationToken).ConfigureAwait(false))
        {
            if (file.Append(activity))
            {
                summary.Appended++;
            }
            else
            {
                summary.AlreadyPresent++;
            }
        }

        // On disk before the run reports success: a power loss after this keeps every record.
        file.Flush();
        yield return summary;
    }

    /// <summary>
    /// Where a continued file's run starts: the oldest of the tenants' newest activities in the
    /// file (a tenant the file doesn't hold yet: the start asked for), minus the overlap, so late
    /// events and a tenant that failed last time are read again. Graph serves 30 days: when that
    /// newest activity is older, the days between are lost to this run. It stops and says which
    /// days and how to fill them, or with -AllowGap warns, reads what can be read and records
    /// the gap in the summary.
    /// </summary>
    private DateTime Continued(EvidenceFile file, ExportSummary summary, AsyncPipeline messages)
    {
        if (StartTime is not null)
        {
            messages.WriteVerbose($"-StartTime applies to a new file; '{_path}' is continued from what it holds.");
        }

        DateTime newest = Connections.Select(c => file.NewestOf(c.TenantId.ToString()) ?? Query.StartUtc).Min();
        DateTime start = newest - Overlap;
        if (start > Query.EndUtc)
        {
            return Query.EndUtc;
        }

        if (WorkspaceId is not null)
        {
            return start;
        }

        // A minute inside the retention, so the start is still served when the request arrives.
        DateTime served = DateTime.UtcNow - QueryWindow.GraphRetention + TimeSpan.FromMinutes(1);
        if (newest >= served)
        {
            return start < served ? served : start;
        }

        string missing = $"{IsoDateTime.Format(newest)} to {IsoDateTime.Format(served)}";
        if (!AllowGap)
        {
            throw new ModuleException("EvidenceGap", ErrorCategory.InvalidOperation,
                $"'{_path}' holds activities up to {IsoDateTime.Format(newest)}, but Microsoft Graph keeps 30 days of audit log: activity from {missing} can no longer be read from it, and appending now would leave those days out without a trace. Fill them from a Log Analytics workspace that receives the audit log (Export-SupportAccessActivity -Path '{_path}' -WorkspaceId <id>), or accept the gap with -AllowGap (it is then recorded in the summary).",
                _path);
        }

        messages.WriteWarning($"'{_path}' misses activity from {missing}: Microsoft Graph no longer serves it. Reading from {IsoDateTime.Format(served)} on; the gap is recorded in the summary (GapStart, GapEnd).");
        summary.GapStartTime = newest;
        summary.GapEndTime = served;
        return served;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Export;

namespace SupportAccessLogs.Commands;

/// <summary>
/// Keeps an evidence file of support access activity that each run continues: a new file gets
/// the window asked for; an existing one is continued from its checkpoint, which says what each
/// tenant has read to the end: what a run that stopped early left unread, and on from the newest
/// window's end less an overlap for late events; only what the file doesn't hold is appended
/// (docs/architecture.md, "Evidence files").
/// </summary>
[Cmdlet(VerbsData.Export, "SupportAccessActivity", SupportsShouldProcess = true)]
[OutputType(typeof(ExportSummary))]
public sealed class ExportSupportAccessActivityCommand : ActivityFilterCommand
{
    /// <summary>A checkpoint after this many activities at most, so a run stopped hard repeats little.</summary>
    private const int CommitEveryActivities = 1000;

    /// <summary>…and at least this often while activities arrive.</summary>
    private static readonly TimeSpan CommitEvery = TimeSpan.FromSeconds(5);

    /// <summary>The ids of at least the last day before each tenant's end are kept in the checkpoint.</summary>
    private static readonly TimeSpan LeastRecentSpan = TimeSpan.FromDays(1);

    private readonly Dictionary<SupportAccessConnection, IReadOnlyList<TimeWindow>> _windows = new();
    private string _path = "";

    /// <summary>The evidence file: created when missing (its folder too), continued when it exists.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>A new file's format (CSV by default); an existing file keeps its own.</summary>
    [Parameter]
    public EvidenceFileFormat Format { get; set; } = EvidenceFileFormat.Csv;

    /// <summary>How far before the end of the last run's window a run reads again: longer than
    /// audit events take to arrive (about 2 minutes at P95, 5 at P99; Log Analytics batches).</summary>
    [Parameter]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Go on when activity that was to be read is older than the source still serves: warn, and say what is missing in the summary.</summary>
    [Parameter]
    public SwitchParameter AllowGap { get; set; }

    /// <summary>How long to wait while another run writes the file.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);

    protected override void BeginProcessing()
    {
        foreach ((string name, TimeSpan value) in new[] { ("Overlap", Overlap), ("Timeout", Timeout) })
        {
            if (value < TimeSpan.Zero || (value > TimeSpan.Zero && value < TimeSpan.FromSeconds(1)))
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

    protected override void EndProcessing()
    {
        if (ShouldProcess(_path, "Append Microsoft Support access activity"))
        {
            ReadGatheredConnections();
        }
    }

    private protected override IReadOnlyList<ActivityQuery> WindowsOf(SupportAccessConnection connection, ActivityQuery query) =>
        _windows.TryGetValue(connection, out IReadOnlyList<TimeWindow>? windows)
            ? windows.Select(w => query with { StartUtc = w.Start, EndUtc = w.End }).ToArray()
            : Array.Empty<ActivityQuery>();

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DateTime nowUtc = DateTime.UtcNow;
        EvidenceFileFormat? formatGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Format)) ? Format : null;
        using EvidenceFile file = await EvidenceFile.OpenAsync(_path, formatGiven, Overlap, Timeout, messages, nowUtc, cancellationToken).ConfigureAwait(false);
        var summary = new ExportSummary { Path = _path, Format = file.Format, RepairedBytes = file.RepairedBytes, TornRecordPath = file.TornRecordPath, CheckpointPath = file.CheckpointPath };
        if (file.RepairedBytes > 0)
        {
            messages.WriteWarning($"'{_path}' ended in a record cut short ({file.RepairedBytes} bytes), left by a run that stopped mid-write. Those bytes are kept in '{file.TornRecordPath}'; this run reads that activity again.");
        }

        Checkpoint checkpoint = Prepare(file, messages);
        var plans = Connections.ToDictionary(c => c, c => Plan(file, checkpoint, c, nowUtc));
        HoldToRetention(plans, checkpoint, summary, messages);
        WarnOfIgnoredWindow(file, plans, messages);
        Begin(plans, checkpoint, summary, messages);

        // Recorded before the first request: a run stopped at any point leaves what it set out to read.
        file.Commit(checkpoint);

        var oldestWritten = new Dictionary<Guid, DateTime>();
        bool finished = false;
        int sinceCommit = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            await foreach (SupportAccessActivity activity in ReadActivitiesAsync(messages, cancellationToken).ConfigureAwait(false))
            {
                if (file.Append(activity, activity.SourceTime))
                {
                    summary.Appended++;
                }
                else
                {
                    summary.AlreadyPresent++;
                }

                if (activity.SourceTime != default && (!oldestWritten.TryGetValue(activity.ReadBy, out DateTime oldest) || activity.SourceTime < oldest))
                {
                    oldestWritten[activity.ReadBy] = activity.SourceTime;
                }

                if (++sinceCommit >= CommitEveryActivities || clock.Elapsed >= CommitEvery)
                {
                    RecordProgress(checkpoint, oldestWritten);
                    file.Commit(checkpoint);
                    sinceCommit = 0;
                    clock.Restart();
                }
            }

            finished = true;
        }
        finally
        {
            RecordProgress(checkpoint, oldestWritten);
            if (finished)
            {
                foreach (SupportAccessConnection connection in Connections.Except(FailedConnections))
                {
                    checkpoint.Tenants[connection.TenantId].Finish();
                }
            }

            try
            {
                // On disk before the run reports success: a power loss after this keeps every record.
                file.Commit(checkpoint);
            }
            catch (Exception) when (!finished)
            {
                // The run's own failure is the error to report; the last checkpoint written still holds.
            }
        }

        summary.Complete = FailedConnections.Count == 0;
        if (!summary.Complete)
        {
            messages.WriteWarning($"'{_path}' lacks what the failed tenants did not read ({string.Join(", ", FailedConnections.Select(c => c.TenantId))}); the next run reads it.");
        }

        yield return summary;
    }

    /// <summary>The checkpoint this run continues (or begins), refused when the file was made with other filters.</summary>
    private Checkpoint Prepare(EvidenceFile file, AsyncPipeline messages)
    {
        string filters = EvidenceFilters.Describe(Query);
        Checkpoint checkpoint = file.Checkpoint ?? new Checkpoint { Filters = filters };
        if (file.Checkpoint is Checkpoint held && held.Filters != filters)
        {
            throw new ModuleException("EvidenceFiltersChanged", ErrorCategory.InvalidArgument,
                $"'{_path}' was made with {EvidenceFilters.Phrase(held.Filters)}, and this run asks for {EvidenceFilters.Phrase(filters)}. A file holds what one set of filters selects, so that what it lacks is known: run with the same filters ({(held.Filters.Length == 0 ? "none" : held.Filters)}), or give a new -Path for the other selection. Nothing was read or written.",
                _path);
        }

        if (file.Checkpoint is null && !file.IsNew)
        {
            messages.WriteWarning(file.CheckpointIgnored is string why
                ? $"'{_path}' has a checkpoint that does not match it ({why}). What earlier runs may have missed can't be known from it: everything the source still serves is read again, and only what the file lacks is appended."
                : $"'{_path}' has no checkpoint (an earlier version of this module wrote it, or '{file.CheckpointPath}' was removed). What earlier runs may have missed can't be known: everything the source still serves is read again, and only what the file lacks is appended.");
        }

        // Ids are kept far enough back for this run's overlap; a file read whole knows them all.
        checkpoint.RecentSpan = file.ReadWhole || file.IsNew || checkpoint.RecentSpan < Overlap
            ? (Overlap > LeastRecentSpan ? Overlap : LeastRecentSpan)
            : checkpoint.RecentSpan;
        checkpoint.Filters = filters;
        return checkpoint;
    }

    private ContinuationPlan Plan(EvidenceFile file, Checkpoint checkpoint, SupportAccessConnection connection, DateTime nowUtc)
    {
        checkpoint.Tenants.TryGetValue(connection.TenantId, out TenantLedger? ledger);
        TimeWindow? held = null;
        if (ledger is null && file.ReadWhole)
        {
            if (WorkspaceId is not null)
            {
                // A workspace holds many tenants' rows: any of them may be this read's.
                held = file.SpanByTenant.Count > 0 ? new TimeWindow(file.SpanByTenant.Values.Min(w => w.Start), file.SpanByTenant.Values.Max(w => w.End)) : null;
            }
            else if (file.SpanByTenant.TryGetValue(connection.TenantId.ToString(), out TimeWindow span))
            {
                held = span;
            }
        }

        bool existing = !file.IsNew;
        var asked = new TimeWindow(Query.StartUtc, existing ? nowUtc : Query.EndUtc);
        return ContinuationPlan.For(ledger, held, asked, StartTime is not null, Overlap, WorkspaceId is not null, nowUtc);
    }

    /// <summary>
    /// Activity that was to be read and that Graph no longer serves (older than its 30 days):
    /// the run stops before reading, saying which days and how to fill them; with -AllowGap it
    /// warns, records the gap in the checkpoint and the summary, and reads what can be read.
    /// </summary>
    private void HoldToRetention(Dictionary<SupportAccessConnection, ContinuationPlan> plans, Checkpoint checkpoint, ExportSummary summary, AsyncPipeline messages)
    {
        foreach (KeyValuePair<SupportAccessConnection, ContinuationPlan> plan in plans.Where(p => p.Value.Trimmed is not null))
        {
            messages.WriteVerbose($"Tenant {plan.Key.TenantId}: the window began at Graph's 30-day edge when it was asked for; it now begins at {IsoDateTime.Format(plan.Value.Trimmed!.Value.End)}, where Graph's 30 days begin.");
        }

        var beyond = plans.Where(p => p.Value.Beyond.Count > 0).ToArray();
        if (beyond.Length == 0)
        {
            return;
        }

        string missing = string.Join("; ", beyond.Select(p => $"tenant {p.Key.TenantId}: {string.Join(", ", p.Value.Beyond)}"));
        if (!AllowGap)
        {
            throw new ModuleException("EvidenceGap", ErrorCategory.InvalidOperation,
                $"'{_path}' lacks activity that Microsoft Graph no longer serves (it keeps 30 days): {missing}. Appending now would leave that out without a trace, so nothing was read or written. Fill it from a Log Analytics workspace that receives the audit log (Export-SupportAccessActivity -Path '{_path}' -WorkspaceId <id>), or accept the gap with -AllowGap (it is then recorded in the checkpoint and the summary).",
                _path);
        }

        messages.WriteWarning($"'{_path}' misses activity Microsoft Graph no longer serves: {missing}. Reading what is still served; the gap is recorded in the checkpoint and the summary (GapStart, GapEnd).");
        foreach (KeyValuePair<SupportAccessConnection, ContinuationPlan> plan in beyond)
        {
            if (!checkpoint.Tenants.TryGetValue(plan.Key.TenantId, out TenantLedger? ledger))
            {
                checkpoint.Tenants[plan.Key.TenantId] = ledger = new TenantLedger();
            }

            ledger.Lost.AddRange(plan.Value.Beyond);
        }

        TimeWindow[] lost = beyond.SelectMany(p => p.Value.Beyond).ToArray();
        summary.GapStartTime = lost.Min(w => w.Start);
        summary.GapEndTime = lost.Max(w => w.End);
    }

    /// <summary>-StartTime and -EndTime choose a new file's window; a file that exists says its own.</summary>
    private void WarnOfIgnoredWindow(EvidenceFile file, Dictionary<SupportAccessConnection, ContinuationPlan> plans, AsyncPipeline messages)
    {
        if (file.IsNew)
        {
            return;
        }

        if (EndTime is not null)
        {
            messages.WriteWarning($"-EndTime is not used: '{_path}' exists, and an evidence file is continued to now.");
        }

        if (StartTime is not null)
        {
            Guid[] continued = plans.Where(p => p.Value.Start != TenantStart.New).Select(p => p.Key.TenantId).ToArray();
            Guid[] fresh = plans.Where(p => p.Value.Start == TenantStart.New).Select(p => p.Key.TenantId).ToArray();
            if (continued.Length > 0)
            {
                messages.WriteWarning($"-StartTime is not used for the tenants '{_path}' holds ({string.Join(", ", continued)}): they continue from what the file has read."
                    + (fresh.Length > 0 ? $" It applies to the tenants new to the file ({string.Join(", ", fresh)})." : ""));
            }
        }
    }

    /// <summary>Each tenant sets out on its windows; what it resumes is said (Verbose, and the summary).</summary>
    private void Begin(Dictionary<SupportAccessConnection, ContinuationPlan> plans, Checkpoint checkpoint, ExportSummary summary, AsyncPipeline messages)
    {
        var resumed = new List<string>();
        foreach (KeyValuePair<SupportAccessConnection, ContinuationPlan> entry in plans)
        {
            (SupportAccessConnection connection, ContinuationPlan plan) = (entry.Key, entry.Value);
            if (!checkpoint.Tenants.TryGetValue(connection.TenantId, out TenantLedger? ledger))
            {
                checkpoint.Tenants[connection.TenantId] = ledger = new TenantLedger();
            }

            ledger.Begin(plan.Windows, plan.FollowsRetention);
            _windows[connection] = plan.Windows;
            string windows = plan.Windows.Count == 0 ? "nothing" : string.Join(", then ", plan.Windows);
            string why = plan.Start switch
            {
                TenantStart.New => "new to the file",
                TenantStart.Unverified => "no checkpoint to say what was read: everything the source still serves",
                _ => plan.Resumed.Count > 0
                    ? $"resuming {string.Join(", ", plan.Resumed)}, left unread by a run that stopped early, and on from the last window's end less {Overlap} of overlap"
                    : $"continued from the last window's end less {Overlap} of overlap",
            };
            messages.WriteVerbose($"'{_path}', tenant {connection.TenantId} ({why}): reading {windows}.");
            if (plan.Resumed.Count > 0)
            {
                resumed.Add($"{connection.TenantId}: {string.Join(", ", plan.Resumed)}");
            }
        }

        summary.Resumed = string.Join("; ", resumed);
        summary.WindowStartTime = plans.Values.SelectMany(p => p.Windows).Select(w => (DateTime?)w.Start).Min() ?? Query.EndUtc;
        summary.WindowEndTime = plans.Values.SelectMany(p => p.Windows).Select(w => (DateTime?)w.End).Max() ?? Query.EndUtc;
    }

    private static void RecordProgress(Checkpoint checkpoint, Dictionary<Guid, DateTime> oldestWritten)
    {
        foreach (KeyValuePair<Guid, DateTime> tenant in oldestWritten)
        {
            if (checkpoint.Tenants.TryGetValue(tenant.Key, out TenantLedger? ledger))
            {
                ledger.ReadDownTo(tenant.Value);
            }
        }
    }
}

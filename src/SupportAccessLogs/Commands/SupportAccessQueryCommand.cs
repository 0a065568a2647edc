using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Commands;

/// <summary>
/// What every command that reads activities shares: the window, the source (Graph, or
/// -WorkspaceId), the connection, the role check, retries and pacing, and how the read reports
/// to the pipeline. Get-SupportAccessActivity adds its filters and paging; Get-SupportAccessRequest
/// groups what is read.
/// </summary>
public abstract class SupportAccessQueryCommand : ConnectionsCommand
{
    private const int MaxWorkspaces = 100;
    private ActivityRead? _read;
    private string[]? _workspaces;
    private ActivityQuery _query = null!;

    /// <summary>Start of the window; local times are converted, unspecified ones taken as UTC.</summary>
    [Parameter]
    public DateTime? StartTime { get; set; }

    [Parameter]
    public DateTime? EndTime { get; set; }

    /// <summary>How many times a failed page is tried again (throttling, timeouts, resets) before the command stops.</summary>
    [Parameter]
    [ValidateRange(0, 20)]
    public int MaxRetries { get; set; } = PageRetryPolicy.DefaultMaxRetries;

    /// <summary>Audit requests per 10 seconds for each tenant and app; 0 turns pacing off.
    /// Graph's reporting limit is 5, which is the default.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int RequestsPer10Seconds { get; set; } = ReportingPacer.DefaultRequestsPerWindow;

    /// <summary>How long one page may take before it is tried again.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int PageTimeoutSeconds { get; set; } = 100;

    /// <summary>Skips the pre-flight check of permissions and roles (see Get-SupportAccessRole).</summary>
    [Parameter]
    public SwitchParameter SkipRoleCheck { get; set; }

    /// <summary>Read from these Log Analytics workspaces' AuditLogs table instead of Graph: no 30-day limit.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateCount(1, MaxWorkspaces)]
    public string[]? WorkspaceId { get; set; }

    /// <summary>How many tenants are read at once (each under its own reporting budget).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>The names of the parameters above, for a command that refuses them in some use.</summary>
    private protected static readonly string[] QueryParameterNames =
    {
        nameof(StartTime), nameof(EndTime), nameof(MaxRetries), nameof(RequestsPer10Seconds),
        nameof(PageTimeoutSeconds), nameof(SkipRoleCheck), nameof(WorkspaceId), nameof(Connection), nameof(ThrottleLimit),
    };

    private protected ActivityQuery Query => _query;

    /// <summary>Changes the prepared query before the read (a window known only once the read's
    /// other inputs are: an evidence file's newest activity).</summary>
    private protected void Requery(Func<ActivityQuery, ActivityQuery> change) => _query = change(_query);

    /// <summary>True when Verbose output is shown: -Verbose, or $VerbosePreference without it.</summary>
    private protected bool VerboseShown =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out object? given)
            ? given is SwitchParameter verbose && verbose.IsPresent
            : LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
              && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    /// <summary>The query of a window with this command's retry, pacing and Verbose settings, no filter.</summary>
    private protected ActivityQuery WindowQuery(DateTime startUtc, DateTime endUtc) => new()
    {
        StartUtc = startUtc,
        EndUtc = endUtc,
        MaxRetries = MaxRetries,
        RequestsPer10Seconds = RequestsPer10Seconds,
        PageTimeout = TimeSpan.FromSeconds(PageTimeoutSeconds),
        DescribeShapes = VerboseShown,
    };

    /// <summary>
    /// Checks the parameters and prepares the query, before any request; a bad parameter ends the
    /// command with an error that says what to do.
    /// </summary>
    /// <param name="describe">The command's own part of the query (its filters and paging), given the window.</param>
    private protected void PrepareQuery(Func<DateTime, DateTime, ActivityQuery> describe)
    {
        try
        {
            _workspaces = QueryWindow.WorkspaceIds(WorkspaceId);
            (DateTime startUtc, DateTime endUtc) = QueryWindow.Resolve(StartTime, EndTime, _workspaces is not null, DateTime.UtcNow, WriteVerbose);
            _query = describe(startUtc, endUtc);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }
    }

    /// <summary>Reads the activities of every connection given (or the current one), once the
    /// pipeline's connections are all in: the producer runs from here.</summary>
    private protected void ReadGatheredConnections()
    {
        ResolveGatheredConnections();
        _read = new ActivityRead(Connections, _query, ThrottleLimit)
        {
            Workspaces = _workspaces,
            SkipRoleCheck = SkipRoleCheck,
            WindowsOf = WindowsOf,
        };
        RunProducer();
    }

    /// <summary>
    /// The prepared query's activities over the connections (<see cref="ActivityRead"/>): each
    /// tenant's Verbose, warnings and progress relayed to the pipeline, a tenant that fails among
    /// several reported as an error of its own.
    /// </summary>
    private protected async IAsyncEnumerable<SupportAccessActivity> ReadActivitiesAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool several = Connections.Count > 1;
        var reporters = new ConcurrentDictionary<SupportAccessConnection, PipelineReporter>();
        PipelineReporter ReporterFor(SupportAccessConnection connection) =>
            reporters.GetOrAdd(connection, c => new PipelineReporter(messages, _query, Unit, several ? c : null, several ? IndexOf(c) + 1 : 1));

        try
        {
            await foreach (SupportAccessActivity activity in _read!.ReadAsync(
                ReporterFor,
                (connection, failure) => messages.WriteError(ErrorRecords.ForTenant(failure, connection.TenantId.ToString(), connection.Account, EndpointOf(connection))),
                failure => ErrorRecords.ToErrorRecord(failure, null).FullyQualifiedErrorId,
                messages,
                cancellationToken).ConfigureAwait(false))
            {
                yield return activity;
            }
        }
        finally
        {
            foreach (PipelineReporter reporter in reporters.Values)
            {
                reporter.Complete();
            }
        }
    }

    /// <summary>-IncludeTotalCount's answer over every tenant read (<see cref="ActivityRead.TotalCount"/>).</summary>
    private protected (ulong Count, double Accuracy) TotalCount() => _read!.TotalCount();

    /// <summary>
    /// The windows one connection reads, one after another: the query's own window, or (for an
    /// evidence file) the windows that tenant still lacks, newest first.
    /// </summary>
    private protected virtual IReadOnlyList<ActivityQuery> WindowsOf(SupportAccessConnection connection, ActivityQuery query) => new[] { query };

    /// <summary>The connections whose read failed among several (each was reported as an error); empty when all were read.</summary>
    private protected IReadOnlyCollection<SupportAccessConnection> FailedConnections => _read?.Failed ?? Array.Empty<SupportAccessConnection>();

    private int IndexOf(SupportAccessConnection connection)
    {
        for (int i = 0; i < Connections.Count; i++)
        {
            if (ReferenceEquals(Connections[i], connection))
            {
                return i;
            }
        }

        return 0;
    }

    private string Unit => WorkspaceId is null ? "page" : "slice";

    private Uri? EndpointOf(SupportAccessConnection? connection) =>
        WorkspaceId is null ? connection?.GraphEndpoint : connection?.LogAnalyticsEndpoint;

    protected override ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, EndpointOf(Connections.Count == 1 ? Connections[0] : null));

    /// <summary>Relays one tenant's Verbose, Warning and progress to the pipeline; among several
    /// tenants, each message names its tenant and each tenant has its own progress bar.</summary>
    private protected sealed class PipelineReporter : IQueryReporter
    {
        private readonly AsyncPipeline _pipeline;
        private readonly ActivityQuery _query;
        private readonly string _unit;
        private readonly string _prefix;
        private readonly string _activity;
        private readonly int _progressId;

        public PipelineReporter(AsyncPipeline pipeline, ActivityQuery query, string unit, SupportAccessConnection? tenant, int progressId)
        {
            _pipeline = pipeline;
            _query = query;
            _unit = unit;
            _prefix = tenant is null ? "" : $"Tenant {tenant.TenantId}: ";
            _activity = tenant is null ? "Reading Microsoft Support access activity" : $"Reading Microsoft Support access activity of tenant {tenant.TenantId}";
            _progressId = progressId;
        }

        public void Verbose(string message) => _pipeline.WriteVerbose(_prefix + message);

        public void Warning(string message) => _pipeline.WriteWarning(_prefix + message);

        public void PageRead(int pageNumber, long recordsRead, long activitiesWritten) =>
            _pipeline.WriteProgress(new ProgressRecord(
                _progressId,
                _activity,
                $"{_query.StartUtc:yyyy-MM-dd HH:mm} to {_query.EndUtc:yyyy-MM-dd HH:mm} UTC: {_unit} {pageNumber}, {recordsRead} records read, {activitiesWritten} activities written"));

        public void Complete() =>
            _pipeline.WriteProgress(new ProgressRecord(_progressId, _activity, "Done")
            {
                RecordType = ProgressRecordType.Completed,
            });
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Roles;

namespace SupportAccessLogs.Commands;

/// <summary>
/// What every command that reads activities shares: the window, the source (Graph, or
/// -WorkspaceId), the connection, the role check, retries and pacing, and how the read reports
/// to the pipeline. Get-SupportAccessActivity adds its filters and paging; Get-SupportAccessRequest
/// groups what is read.
/// </summary>
public abstract class SupportAccessQueryCommand : AsyncPSCmdlet
{
    private const int MaxWorkspaces = 100;
    private ActivityReader? _reader;
    private IRecordSource? _source;
    private ActivityQuery _query = null!;
    private SupportAccessConnection? _connection;

    /// <summary>Start of the window; local times are converted, unspecified ones taken as UTC.</summary>
    [Parameter]
    public DateTime? StartTime { get; set; }

    [Parameter]
    public DateTime? EndTime { get; set; }

    /// <summary>How many times a failed page is tried again (throttling, timeouts, resets) before the command stops.</summary>
    [Parameter]
    [ValidateRange(0, 20)]
    public int MaxRetries { get; set; } = PageRetryPolicy.DefaultMaxRetries;

    /// <summary>Audit requests per 10 seconds for this tenant and app; 0 turns pacing off.
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

    /// <summary>A connection from Connect-SupportAccess -PassThru; default: the session's current one.</summary>
    [Parameter]
    [ValidateNotNull]
    public SupportAccessConnection? Connection { get; set; }

    /// <summary>The names of the parameters above, for a command that refuses them in some use.</summary>
    private protected static readonly string[] QueryParameterNames =
    {
        nameof(StartTime), nameof(EndTime), nameof(MaxRetries), nameof(RequestsPer10Seconds),
        nameof(PageTimeoutSeconds), nameof(SkipRoleCheck), nameof(WorkspaceId), nameof(Connection),
    };

    /// <summary>The reader of the prepared query, for its counts once the read is over.</summary>
    private protected ActivityReader Reader => _reader!;

    private protected ActivityQuery Query => _query;

    /// <summary>True when Verbose output is shown: -Verbose, or $VerbosePreference without it.</summary>
    private protected bool VerboseShown =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out object? given)
            ? given is SwitchParameter verbose && verbose.IsPresent
            : LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
              && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    /// <summary>
    /// Checks the parameters and prepares the read, before any request; a bad parameter or no
    /// connection ends the command with an error that says what to do.
    /// </summary>
    /// <param name="describe">The command's own part of the query (its filters and paging), given the window.</param>
    private protected void PrepareQuery(Func<DateTime, DateTime, ActivityQuery> describe)
    {
        DateTime startUtc = default;
        DateTime endUtc = default;
        try
        {
            string[]? workspaces = QueryWindow.WorkspaceIds(WorkspaceId);
            (startUtc, endUtc) = QueryWindow.Resolve(StartTime, EndTime, workspaces is not null, DateTime.UtcNow, WriteVerbose);
            _query = describe(startUtc, endUtc);
            _connection = ConnectionStore.Resolve(Connection);
            _source = workspaces is null
                ? new GraphAuditSource(_connection)
                : new LogAnalytics.LogAnalyticsSource(_connection.LogAnalyticsClient, workspaces);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }

        _reader = new ActivityReader(_connection!.TenantId);
    }

    /// <summary>The prepared query's activities, after the role check (Graph only).</summary>
    private protected async IAsyncEnumerable<SupportAccessActivity> ReadActivitiesAsync(PipelineReporter reporter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (WorkspaceId is not null)
        {
            // Directory roles decide Graph's answer, not a workspace's: Azure RBAC does, and a
            // refusal there names the roles that work.
            reporter.Verbose("Reading Log Analytics: the directory role check does not apply (the workspace's access control decides).");
        }
        else if (!SkipRoleCheck)
        {
            await RoleCheck.EnsureCanReadAsync(_connection!, reporter, cancellationToken).ConfigureAwait(false);
        }

        await foreach (SupportAccessActivity activity in _reader!.ReadAsync(_source!, _query, reporter, cancellationToken).ConfigureAwait(false))
        {
            yield return activity;
        }

        reporter.Complete();
    }

    private protected PipelineReporter NewReporter(AsyncPipeline messages) =>
        new(messages, _query, WorkspaceId is null ? "page" : "slice");

    protected override ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, WorkspaceId is null ? _connection?.GraphEndpoint : _connection?.LogAnalyticsEndpoint);

    /// <summary>Relays the query's Verbose, Warning and progress to the pipeline.</summary>
    private protected sealed class PipelineReporter : IQueryReporter
    {
        private const int ProgressId = 1;
        private readonly AsyncPipeline _pipeline;
        private readonly ActivityQuery _query;
        private readonly string _unit;

        public PipelineReporter(AsyncPipeline pipeline, ActivityQuery query, string unit)
        {
            _pipeline = pipeline;
            _query = query;
            _unit = unit;
        }

        public void Verbose(string message) => _pipeline.WriteVerbose(message);

        public void Warning(string message) => _pipeline.WriteWarning(message);

        public void PageRead(int pageNumber, long recordsRead, long activitiesWritten) =>
            _pipeline.WriteProgress(new ProgressRecord(
                ProgressId,
                "Reading Microsoft Support access activity",
                $"{_query.StartUtc:yyyy-MM-dd HH:mm} to {_query.EndUtc:yyyy-MM-dd HH:mm} UTC: {_unit} {pageNumber}, {recordsRead} records read, {activitiesWritten} activities written"));

        public void Complete() =>
            _pipeline.WriteProgress(new ProgressRecord(ProgressId, "Reading Microsoft Support access activity", "Done")
            {
                RecordType = ProgressRecordType.Completed,
            });
    }
}

using SupportAccessLogs.Activities;
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Roles;

namespace SupportAccessLogs.Commands;

[Cmdlet(VerbsCommon.Get, "SupportAccessActivity", SupportsPaging = true)]
[OutputType(typeof(UserInitiatedActivity), typeof(AutomatedActivity), typeof(CrossTenantActivity))]
public sealed class GetSupportAccessActivityCommand : AsyncPSCmdlet
{
    private const int MaxWorkspaces = 100;
    private ActivityReader? _reader;
    private IRecordSource? _source;
    private ActivityQuery _query = null!;
    private SupportAccessConnection _connection = null!;

    /// <summary>Start of the window; local times are converted, unspecified ones taken as UTC.</summary>
    [Parameter]
    public DateTime? StartTime { get; set; }

    [Parameter]
    public DateTime? EndTime { get; set; }

    [Parameter]
    public Category[]? Category { get; set; }

    [Parameter]
    public Activity[]? Activity { get; set; }

    [Parameter]
    public TenantRole[]? TenantRole { get; set; }

    /// <summary>A UPN, app name, object or app id; wildcards allowed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InitiatedBy { get; set; }

    [Parameter]
    [ValidateSet("success", "failure", "timeout", "unknownFutureValue", IgnoreCase = true)]
    public string[]? Result { get; set; }

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

    protected override void BeginProcessing()
    {
        if (PagingParameters.First == 0)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-First 0 asks for no activities. Give -First 1 or more, or leave -First out to read them all."),
                "FirstIsZero", ErrorCategory.InvalidArgument, 0));
        }

        DateTime startUtc = default;
        DateTime endUtc = default;
        try
        {
            string[]? workspaces = QueryWindow.WorkspaceIds(WorkspaceId);
            (startUtc, endUtc) = QueryWindow.Resolve(StartTime, EndTime, workspaces is not null, DateTime.UtcNow, WriteVerbose);
            ActivityQuery.CheckInitiatedBy(InitiatedBy);
            _connection = ConnectionStore.Resolve(Connection);
            _source = workspaces is null
                ? new GraphAuditSource(_connection)
                : new LogAnalytics.LogAnalyticsSource(_connection.LogAnalyticsClient, workspaces);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }

        _reader = new ActivityReader(_connection.TenantId);
        _query = new ActivityQuery
        {
            StartUtc = startUtc,
            EndUtc = endUtc,
            InitiatedBy = InitiatedBy,
            Categories = Category,
            Activities = Activity,
            TenantRoles = TenantRole,
            Results = Result,
            Skip = PagingParameters.Skip,
            First = PagingParameters.First == ulong.MaxValue ? null : PagingParameters.First,
            MaxRetries = MaxRetries,
            RequestsPer10Seconds = RequestsPer10Seconds,
            PageTimeout = TimeSpan.FromSeconds(PageTimeoutSeconds),
        };
    }

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reporter = new PipelineReporter(messages, _query, WorkspaceId is null ? "page" : "slice");
        if (WorkspaceId is not null)
        {
            // Directory roles decide Graph's answer, not a workspace's: Azure RBAC does, and a
            // refusal there names the roles that work.
            reporter.Verbose("Reading Log Analytics: the directory role check does not apply (the workspace's access control decides).");
        }
        else if (!SkipRoleCheck)
        {
            await RoleCheck.EnsureCanReadAsync(_connection, reporter, cancellationToken).ConfigureAwait(false);
        }

        await foreach (SupportAccessActivity activity in _reader!.ReadAsync(_source!, _query, reporter, cancellationToken).ConfigureAwait(false))
        {
            yield return activity;
        }

        reporter.Complete();
        if (PagingParameters.IncludeTotalCount)
        {
            (ulong count, double accuracy) = _reader.TotalCount(_query);
            yield return PagingParameters.NewTotalCount(count, accuracy);
        }
    }

    protected override ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, WorkspaceId is null ? _connection?.GraphEndpoint : _connection?.LogAnalyticsEndpoint);

    /// <summary>Relays the query's Verbose, Warning and progress to the pipeline.</summary>
    private sealed class PipelineReporter : IQueryReporter
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

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Roles;

namespace SupportAccessLogs.Commands;

/// <summary>
/// Which directory roles can read the support-access logs or manage support access requests,
/// and which of them the caller holds.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessRole", DefaultParameterSetName = RelevantSet)]
[OutputType(typeof(SupportAccessRole), ParameterSetName = new[] { RelevantSet, AssignedSet, AllSet })]
[OutputType(typeof(SupportAccessRoleSummary), ParameterSetName = new[] { SummarySet })]
public sealed class GetSupportAccessRoleCommand : AsyncPSCmdlet
{
    private const string RelevantSet = "Relevant";
    private const string AssignedSet = "Assigned";
    private const string AllSet = "All";
    private const string SummarySet = "Summary";

    /// <summary>Only the roles the caller holds.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AssignedSet)]
    public SwitchParameter Assigned { get; set; }

    /// <summary>Every role, including those that can do neither.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>One answer for the caller: can they read, can they manage, through which roles.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SummarySet)]
    public SwitchParameter Summary { get; set; }

    /// <summary>Connections to answer for (also from the pipeline); default: the session's current one.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public SupportAccessConnection[]? Connection { get; set; }

    private readonly List<SupportAccessConnection> _given = new();
    private IReadOnlyList<SupportAccessConnection> _connections = Array.Empty<SupportAccessConnection>();

    protected override void ProcessRecord()
    {
        if (Connection is not null)
        {
            _given.AddRange(Connection);
        }
    }

    protected override void EndProcessing()
    {
        try
        {
            _connections = ConnectionStore.Resolve(_given);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }

        RunProducer();
    }

    protected override ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, _connections.Count == 1 ? _connections[0].GraphEndpoint : null);

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (SupportAccessConnection connection in _connections)
        {
            RoleCatalog catalog;
            if (_connections.Count == 1)
            {
                catalog = await RoleCatalog.LoadAsync(connection, messages, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    catalog = await RoleCatalog.LoadAsync(connection, messages, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One tenant's failure among several is its own error; the others still answer.
                    ErrorRecord failed = ErrorRecords.ToErrorRecord(ex, connection.GraphEndpoint);
                    string message = $"Tenant {connection.TenantId} ({connection.Account}): {failed.ErrorDetails?.Message ?? failed.Exception.Message}";
                    messages.WriteError(new ErrorRecord(new InvalidOperationException(message, ex), failed.FullyQualifiedErrorId, failed.CategoryInfo.Category, connection.TenantId)
                    {
                        ErrorDetails = new ErrorDetails(message) { RecommendedAction = failed.ErrorDetails?.RecommendedAction },
                    });
                    continue;
                }
            }

            string tenant = connection.TenantId.ToString();
            if (Summary)
            {
                SupportAccessRoleSummary summary = catalog.Summarize();
                summary.TenantId = tenant;
                yield return summary;
                continue;
            }

            foreach (SupportAccessRole role in catalog.Roles)
            {
                bool wanted = ParameterSetName switch
                {
                    AssignedSet => role.AssignedToCaller,
                    AllSet => true,
                    _ => role.CanReadActivityLogs || role.CanManageSupportAccess,
                };
                if (wanted)
                {
                    role.TenantId = tenant;
                    yield return role;
                }
            }
        }
    }
}

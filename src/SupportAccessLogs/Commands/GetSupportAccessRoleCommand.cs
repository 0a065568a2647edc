using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;
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
public sealed class GetSupportAccessRoleCommand : ConnectionsCommand
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

    protected override void ProcessRecord() => GatherConnections();

    protected override void EndProcessing()
    {
        ResolveGatheredConnections();
        RunProducer();
    }

    protected override ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, Connections.Count == 1 ? Connections[0].GraphEndpoint : null);

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (SupportAccessConnection connection in Connections)
        {
            RoleCatalog catalog;
            if (Connections.Count == 1)
            {
                catalog = await TenantClients.Of(connection).RolesAsync(messages, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    catalog = await TenantClients.Of(connection).RolesAsync(messages, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One tenant's failure among several is its own error; the others still answer.
                    messages.WriteError(ErrorRecords.ForTenant(ex, connection.TenantId.ToString(), connection.Account, connection.GraphEndpoint));
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

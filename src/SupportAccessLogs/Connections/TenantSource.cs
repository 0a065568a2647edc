using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.LogAnalytics;
using SupportAccessLogs.Roles;

namespace SupportAccessLogs.Connections;

/// <summary>Where one tenant's records come from: its Log Analytics workspaces, or Graph after
/// the role pre-flight check.</summary>
internal static class TenantSource
{
    public static async Task<IRecordSource> OpenAsync(
        SupportAccessConnection connection,
        IReadOnlyList<string>? workspaces,
        bool skipRoleCheck,
        IMessageSink reporter,
        CancellationToken cancellationToken)
    {
        TenantClients clients = TenantClients.Of(connection);
        if (workspaces is not null)
        {
            // Directory roles decide Graph's answer, not a workspace's: Azure RBAC does, and a
            // refusal there names the roles that work.
            reporter.Verbose("Reading Log Analytics: the directory role check does not apply (the workspace's access control decides).");
            return new LogAnalyticsSource(clients.LogAnalyticsClient, workspaces, connection.TenantId);
        }

        GraphTenant graph = clients.Graph;
        if (!skipRoleCheck)
        {
            await RoleCheck.EnsureCanReadAsync(graph, reporter, cancellationToken).ConfigureAwait(false);
        }

        return new GraphAuditSource(graph);
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;

namespace SupportAccessLogs.Commands;

/// <summary>
/// A command that works on one connection or several: given by -Connection or from the pipeline
/// (Get-SupportAccessConnection | …), gathered while the pipeline runs, else the current one of
/// the runspace running the command (docs/architecture.md, "Many tenants"). A connection given
/// explicitly works in any runspace; one Disconnect-SupportAccess closed is refused.
/// </summary>
public abstract class ConnectionsCommand : AsyncPSCmdlet
{
    private readonly List<SupportAccessConnection> _given = new();

    /// <summary>Connections from Connect-SupportAccess -PassThru or Get-SupportAccessConnection,
    /// also from the pipeline (made in any runspace); default: this runspace's current one.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public SupportAccessConnection[]? Connection { get; set; }

    /// <summary>The connections to work on, once <see cref="ResolveGatheredConnections"/> ran.</summary>
    private protected IReadOnlyList<SupportAccessConnection> Connections { get; private set; } = Array.Empty<SupportAccessConnection>();

    /// <summary>Keeps the connections given so far (by parameter or from the pipeline).</summary>
    private protected void GatherConnections()
    {
        if (Connection is not null)
        {
            _given.AddRange(Connection);
        }
    }

    /// <summary>Keeps a connection that came another way (a pipeline object bound to another parameter).</summary>
    private protected void GatherConnection(SupportAccessConnection connection) => _given.Add(connection);

    /// <summary>True once any connection was given.</summary>
    private protected bool GatheredAny => _given.Count > 0;

    /// <summary>The connections gathered, each once, or the current one; without any, the
    /// command ends with the error that says to connect, and with ConnectionClosed when one given
    /// was disconnected. Called on the pipeline thread (EndProcessing), where
    /// Runspace.DefaultRunspace is the runspace running this command.</summary>
    private protected void ResolveGatheredConnections()
    {
        try
        {
            Connections = ConnectionStore.ForCurrentRunspace().Resolve(_given);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }
    }
}

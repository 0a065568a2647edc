using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;

namespace SupportAccessLogs.Commands;

/// <summary>Closes this runspace's current connection, the connections given (also from the
/// pipeline, made in any runspace), or every connection of this runspace. A closed connection
/// lets go of its HTTP clients, tokens and certificate; used later it is ConnectionClosed.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "SupportAccess", DefaultParameterSetName = CurrentSet, SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class DisconnectSupportAccessCommand : PSCmdlet
{
    private const string CurrentSet = "Current";
    private const string ConnectionSet = "Connection";
    private const string AllSet = "All";
    private readonly List<SupportAccessConnection> _given = new();

    /// <summary>The connections to close (from Get-SupportAccessConnection or Connect-SupportAccess -PassThru).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ConnectionSet)]
    [ValidateNotNull]
    public SupportAccessConnection[] Connection { get; set; } = System.Array.Empty<SupportAccessConnection>();

    /// <summary>Closes every connection of this runspace.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord() => _given.AddRange(Connection);

    protected override void EndProcessing()
    {
        // On the pipeline thread: the store of the runspace running this command.
        ConnectionStore store = ConnectionStore.ForCurrentRunspace();
        IReadOnlyList<SupportAccessConnection> forget = ParameterSetName switch
        {
            AllSet => store.All,
            ConnectionSet => _given.Where(c => !c.IsClosed).ToArray(),
            _ => store.Current is SupportAccessConnection current ? new[] { current } : System.Array.Empty<SupportAccessConnection>(),
        };
        if (forget.Count == 0)
        {
            WriteVerbose(ParameterSetName == ConnectionSet ? "The connections given were closed already." : "There was no connection to close.");
        }

        // -WhatIf and -Confirm ask per connection, as Disconnect-AzAccount does per context.
        SupportAccessConnection[] confirmed = forget.Distinct()
            .Where(c => ShouldProcess($"tenant {c.TenantId} ({c.Account})", "Disconnect"))
            .ToArray();
        store.Remove(confirmed);
        foreach (SupportAccessConnection connection in confirmed)
        {
            // A connection handed to another runspace closes there too: that runspace lists it no
            // more, and a read through it is ConnectionClosed.
            connection.Dispose();
            WriteVerbose($"Disconnected from tenant {connection.TenantId} ({connection.Account}); its HTTP clients, tokens and certificate are released.");
        }
    }
}

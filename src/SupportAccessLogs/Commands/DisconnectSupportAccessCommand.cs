using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SupportAccessLogs.Auth;

namespace SupportAccessLogs.Commands;

/// <summary>Forgets the current connection, the connections given (also from the pipeline), or every one.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "SupportAccess", DefaultParameterSetName = CurrentSet, SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class DisconnectSupportAccessCommand : PSCmdlet
{
    private const string CurrentSet = "Current";
    private const string ConnectionSet = "Connection";
    private const string AllSet = "All";
    private readonly List<SupportAccessConnection> _given = new();

    /// <summary>The connections to forget (from Get-SupportAccessConnection or Connect-SupportAccess -PassThru).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ConnectionSet)]
    [ValidateNotNull]
    public SupportAccessConnection[] Connection { get; set; } = System.Array.Empty<SupportAccessConnection>();

    /// <summary>Forgets every connection of the session.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord() => _given.AddRange(Connection);

    protected override void EndProcessing()
    {
        IReadOnlyList<SupportAccessConnection> forget = ParameterSetName switch
        {
            AllSet => ConnectionStore.All,
            ConnectionSet => _given,
            _ => ConnectionStore.Current is SupportAccessConnection current ? new[] { current } : System.Array.Empty<SupportAccessConnection>(),
        };
        if (forget.Count == 0)
        {
            WriteVerbose("There was no connection to close.");
        }

        // -WhatIf and -Confirm ask per connection, as Disconnect-AzAccount does per context.
        SupportAccessConnection[] confirmed = forget.Distinct()
            .Where(c => ShouldProcess($"tenant {c.TenantId} ({c.Account})", "Disconnect"))
            .ToArray();
        ConnectionStore.Remove(confirmed);
        foreach (SupportAccessConnection connection in confirmed)
        {
            WriteVerbose($"Disconnected from tenant {connection.TenantId} ({connection.Account}).");
        }
    }
}

using System.Management.Automation;
using SupportAccessLogs.Auth;

namespace SupportAccessLogs.Commands;

/// <summary>Every live connection of the session, oldest first (tenant, account, endpoint,
/// expiry; never a token); with -Current, the one commands use when given none. Writes nothing
/// when not connected, as Get-MgContext does.</summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessConnection")]
[OutputType(typeof(SupportAccessConnection))]
public sealed class GetSupportAccessConnectionCommand : PSCmdlet
{
    /// <summary>Only the current connection (the last one made).</summary>
    [Parameter]
    public SwitchParameter Current { get; set; }

    protected override void EndProcessing()
    {
        if (Current)
        {
            if (ConnectionStore.Current is SupportAccessConnection current)
            {
                WriteObject(current);
            }
        }
        else
        {
            foreach (SupportAccessConnection connection in ConnectionStore.All)
            {
                WriteObject(connection);
            }
        }

        if (ConnectionStore.Current is null && ConnectionStore.All.Count == 0)
        {
            WriteVerbose("Not connected. Run Connect-SupportAccess.");
        }
    }
}

using System.Management.Automation;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;

namespace SupportAccessLogs.Commands;

/// <summary>Every live connection made in this runspace, oldest first (tenant, account,
/// endpoint, expiry; never a token); with -Current, the one commands here use when given none.
/// Another runspace's connections (a thread job's, a hosted script's) are not listed. Writes
/// nothing when not connected, as Get-MgContext does.</summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessConnection")]
[OutputType(typeof(SupportAccessConnection))]
public sealed class GetSupportAccessConnectionCommand : PSCmdlet
{
    /// <summary>Only the current connection (the last one made).</summary>
    [Parameter]
    public SwitchParameter Current { get; set; }

    protected override void EndProcessing()
    {
        // On the pipeline thread: the store of the runspace running this command.
        ConnectionStore store = ConnectionStore.ForCurrentRunspace();
        if (Current)
        {
            if (store.Current is SupportAccessConnection current)
            {
                WriteObject(current);
            }
        }
        else
        {
            foreach (SupportAccessConnection connection in store.All)
            {
                WriteObject(connection);
            }
        }

        if (store.Current is null && store.All.Count == 0)
        {
            WriteVerbose("Not connected in this runspace. Run Connect-SupportAccess.");
        }
    }
}

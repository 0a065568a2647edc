using System.Management.Automation;
using SupportAccessLogs.Auth;

namespace SupportAccessLogs.Commands;

/// <summary>The session's current connection (tenant, account, endpoint, expiry; never a token).
/// Writes nothing when not connected, as Get-MgContext does.</summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessConnection")]
[OutputType(typeof(SupportAccessConnection))]
public sealed class GetSupportAccessConnectionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (ConnectionStore.Current is SupportAccessConnection connection)
        {
            WriteObject(connection);
        }
        else
        {
            WriteVerbose("Not connected. Run Connect-SupportAccess.");
        }
    }
}

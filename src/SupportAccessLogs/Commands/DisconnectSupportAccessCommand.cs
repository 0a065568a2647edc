using System.Management.Automation;
using SupportAccessLogs.Auth;

namespace SupportAccessLogs.Commands;

[Cmdlet(VerbsCommunications.Disconnect, "SupportAccess")]
[OutputType(typeof(void))]
public sealed class DisconnectSupportAccessCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        SupportAccessConnection? previous = ConnectionStore.Current;
        ConnectionStore.Set(null);
        WriteVerbose(previous is null
            ? "There was no connection to close."
            : $"Disconnected from tenant {previous.TenantId} ({previous.Account}).");
    }
}

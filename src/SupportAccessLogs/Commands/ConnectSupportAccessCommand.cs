using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Commands;

[Cmdlet(VerbsCommunications.Connect, "SupportAccess", DefaultParameterSetName = AccessTokenSet)]
[OutputType(typeof(SupportAccessConnection))]
public sealed class ConnectSupportAccessCommand : PSCmdlet
{
    private const string AccessTokenSet = "AccessToken";

    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    public SecureString AccessToken { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    [Parameter]
    public GraphEnvironment Environment { get; set; } = GraphEnvironment.Global;

    [Parameter]
    [ValidateNotNull]
    public Uri? GraphEndpoint { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        SupportAccessConnection connection;
        try
        {
            // The plain token lives only as long as the connection's request pipeline needs it.
            string token = new NetworkCredential(string.Empty, AccessToken).Password;
            connection = SupportAccessConnection.FromAccessToken(token, TenantId, Environment, GraphEndpoint);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(GraphErrors.ToErrorRecord(ex, null));
            return;
        }

        ConnectionStore.Set(connection);
        WriteVerbose($"Connected to tenant {connection.TenantId} as {connection.Account} through {connection.GraphEndpoint}"
            + (connection.ExpiresOn is DateTimeOffset expiry ? $"; the token expires at {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC." : "."));
        if (PassThru)
        {
            WriteObject(connection);
        }
    }
}

using System;
using System.Linq;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Commands;

[Cmdlet(VerbsCommunications.Connect, "SupportAccess", DefaultParameterSetName = InteractiveSet)]
[OutputType(typeof(SupportAccessConnection))]
public sealed class ConnectSupportAccessCommand : AsyncPSCmdlet
{
    private const string InteractiveSet = "Interactive";
    private const string DeviceCodeSet = "DeviceCode";
    private const string ClientSecretSet = "ClientSecret";
    private const string CertificateThumbprintSet = "CertificateThumbprint";
    private const string CertificatePathSet = "CertificatePath";
    private const string CertificateSet = "Certificate";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string FederatedTokenFileSet = "FederatedTokenFile";
    private const string WorkloadIdentitySet = "WorkloadIdentity";
    private const string AzureCliSet = "AzureCli";
    private const string AccessTokenSet = "AccessToken";

    private SignInRequest? _signIn;

    [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
    public SwitchParameter UseDeviceCode { get; set; }

    /// <summary>User name: the application (client) id; password: the client secret's value.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Credential]
    public PSCredential ClientSecretCredential { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateThumbprint { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
    [ValidateNotNullOrEmpty]
    public string CertificatePath { get; set; } = null!;

    [Parameter(ParameterSetName = CertificatePathSet)]
    public SecureString? CertificatePassword { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [ValidateNotNull]
    public X509Certificate2 Certificate { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    public SwitchParameter Identity { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = FederatedTokenFileSet)]
    [ValidateNotNullOrEmpty]
    public string FederatedTokenFile { get; set; } = null!;

    /// <summary>Federated sign-in from AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WorkloadIdentitySet)]
    public SwitchParameter WorkloadIdentity { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AzureCliSet)]
    public SwitchParameter UseAzureCli { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    public SecureString AccessToken { get; set; } = null!;

    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = FederatedTokenFileSet)]
    [Parameter(ParameterSetName = AzureCliSet)]
    [Parameter(ParameterSetName = AccessTokenSet)]
    [ValidateNotNullOrEmpty]
    [ValidateCount(1, MaxTenants)]
    public string[]? TenantId { get; set; }

    /// <summary>The most tenants one Connect-SupportAccess signs in to.</summary>
    private const int MaxTenants = 1000;

    /// <summary>The app registration's client id; for -Identity, a user-assigned identity's client id.</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = FederatedTokenFileSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    [Parameter]
    public GraphEnvironment Environment { get; set; } = GraphEnvironment.Global;

    /// <summary>The Log Analytics query API that Get-SupportAccessActivity -WorkspaceId reads; default: the cloud's.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? LogAnalyticsEndpoint { get; set; }

    /// <summary>A Log Analytics token to go with -AccessToken, for -WorkspaceId.</summary>
    [Parameter(ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public SecureString? LogAnalyticsAccessToken { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? GraphEndpoint { get; set; }

    /// <summary>A private or sovereign sign-in authority (https only).</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificatePathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = FederatedTokenFileSet)]
    [Parameter(ParameterSetName = WorkloadIdentitySet)]
    [ValidateNotNull]
    public Uri? AuthorityHost { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The connections of the runspace running this command, found on the pipeline
    /// thread: the sign-in continues on thread-pool threads, whose DefaultRunspace is not ours.</summary>
    private ConnectionStore _store = null!;

    protected override void BeginProcessing() => _store = ConnectionStore.ForCurrentRunspace();

    protected override void ProcessRecord()
    {
        // Paths resolve against the session's current location, which only the pipeline thread may read.
        try
        {
            if (TenantId is { Length: > 1 } && ParameterSetName is AccessTokenSet or ManagedIdentitySet)
            {
                throw new ModuleException("OneTenantOnly", ErrorCategory.InvalidArgument,
                    ParameterSetName == AccessTokenSet
                        ? "-AccessToken holds a token for one tenant, so -TenantId takes one tenant here. Connect once per tenant with its own token, or sign in with a credential (a client secret, a certificate, a federated token, the browser or a device code), which gets a token for each tenant."
                        : "A managed identity belongs to one tenant, so -TenantId takes one tenant with -Identity. Use an app registration consented in each tenant (-ClientSecretCredential, -CertificateThumbprint, -FederatedTokenFile) to reach several.",
                    TenantId);
            }

            _signIn = ParameterSetName == AccessTokenSet ? null : BuildSignInRequest();
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }

        base.ProcessRecord();
    }

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SupportAccessConnection connection;
        if (_signIn is not SignInRequest request)
        {
            // The plain token lives only as long as the connection's request pipeline needs it.
            string token = new NetworkCredential(string.Empty, AccessToken).Password;
            string? logAnalyticsToken = LogAnalyticsAccessToken is null ? null : new NetworkCredential(string.Empty, LogAnalyticsAccessToken).Password;
            connection = TenantSignIn.FromAccessToken(token, TenantId?[0], Environment, GraphEndpoint, logAnalyticsToken, LogAnalyticsEndpoint);
            if (TenantId?[0] is string named && !Guid.TryParse(named, out _))
            {
                messages.WriteVerbose($"-TenantId '{named}' is a domain name, which can't be checked against the token without signing in; the token's tenant {connection.TenantId} is used.");
            }
        }
        else if (request.IsMultiTenant)
        {
            string[] tenants = new[] { request.TenantId! }.Concat(request.OtherTenants).ToArray();
            messages.WriteVerbose($"Signing in ({request.Method}) once for {tenants.Length} tenants: {string.Join(", ", tenants)}"
                + (request.ClientId is null ? "" : $", client id {request.ClientId}") + ".");
            var failed = new List<string>();
            IReadOnlyList<SupportAccessConnection> connections = await TenantSignIn.SignInToTenantsAsync(
                request,
                message => messages.WriteWarning(message),
                (tenant, failure) =>
                {
                    failed.Add(tenant);
                    messages.WriteError(ErrorRecords.ForTenant(failure, tenant, null, null));
                },
                cancellationToken).ConfigureAwait(false);
            foreach (SupportAccessConnection made in connections)
            {
                _store.Add(made);
                messages.WriteVerbose($"Connected to tenant {made.TenantId} as {made.Account}.");
            }

            if (failed.Count > 0)
            {
                messages.WriteWarning($"Connected to {connections.Count} of {tenants.Length} tenants; not to {string.Join(", ", failed)} (see the errors).");
            }

            if (PassThru)
            {
                foreach (SupportAccessConnection made in connections)
                {
                    yield return made;
                }
            }

            yield break;
        }
        else
        {
            messages.WriteVerbose($"Signing in ({request.Method}) for tenant {request.TenantId ?? "(from the token)"}"
                + (request.ClientId is null ? "" : $", client id {request.ClientId}")
                + $", scopes {string.Join(" ", TenantSignIn.GraphScopes(request))}.");
            // The device code reaches the user on the warning stream: consoles, transcripts and
            // Azure Automation job output all show it, where Write-Host output may be lost.
            connection = await TenantSignIn
                .SignInAsync(request, message => messages.WriteWarning(message), cancellationToken)
                .ConfigureAwait(false);
        }

        _store.Add(connection);
        messages.WriteVerbose($"Connected to tenant {connection.TenantId} as {connection.Account} through {connection.GraphEndpoint}"
            + (connection.ExpiresOn is DateTimeOffset expiry ? $"; the token expires at {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC." : "."));
        if (PassThru)
        {
            yield return connection;
        }
    }

    private SignInRequest BuildSignInRequest()
    {
        (SignInMethod method, string? clientId) = ParameterSetName switch
        {
            InteractiveSet => (SignInMethod.Interactive, ClientId),
            DeviceCodeSet => (SignInMethod.DeviceCode, ClientId),
            ClientSecretSet => (SignInMethod.ClientSecret, ClientSecretCredential.UserName),
            CertificateThumbprintSet or CertificatePathSet or CertificateSet => (SignInMethod.Certificate, ClientId),
            ManagedIdentitySet => (SignInMethod.ManagedIdentity, ClientId),
            FederatedTokenFileSet or WorkloadIdentitySet => (SignInMethod.FederatedToken, ClientId),
            AzureCliSet => (SignInMethod.AzureCli, null),
            _ => throw new InvalidOperationException($"Unknown parameter set {ParameterSetName}."),
        };

        return new SignInRequest
        {
            Method = method,
            TenantId = TenantId?[0],
            OtherTenants = TenantId is { Length: > 1 } tenants ? tenants.Skip(1).Distinct(StringComparer.OrdinalIgnoreCase).Where(t => !string.Equals(t, tenants[0], StringComparison.OrdinalIgnoreCase)).ToArray() : Array.Empty<string>(),
            ClientId = clientId,
            Environment = Environment,
            GraphEndpoint = GraphEndpoint,
            LogAnalyticsEndpoint = LogAnalyticsEndpoint,
            AuthorityHost = AuthorityHost,
            ClientSecret = ParameterSetName == ClientSecretSet ? ClientSecretCredential.Password : null,
            Certificate = ParameterSetName switch
            {
                CertificateThumbprintSet => CertificateLoader.FromThumbprint(CertificateThumbprint),
                CertificatePathSet => CertificateLoader.FromFile(FileSystemPath.Resolve(this, CertificatePath, "-CertificatePath"), CertificatePassword),
                CertificateSet => CertificateLoader.RequirePrivateKey(Certificate, "-Certificate"),
                _ => null,
            },
            OwnsCertificate = ParameterSetName is CertificateThumbprintSet or CertificatePathSet,
            FederatedTokenFile = ParameterSetName == FederatedTokenFileSet
                ? FileSystemPath.Resolve(this, FederatedTokenFile, "-FederatedTokenFile")
                : null,
        };
    }
}

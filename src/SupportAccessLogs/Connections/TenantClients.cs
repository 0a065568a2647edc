using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;
using SupportAccessLogs.LogAnalytics;
using SupportAccessLogs.Roles;

namespace SupportAccessLogs.Connections;

/// <summary>
/// The per-tenant clients the module builds for a connection and keeps beside it: the Graph
/// client, the Log Analytics client (made on first use), and the certificate share that signs
/// their token renewals. A connection object passed to another runspace brings these with it;
/// Disconnect-SupportAccess closes them all (docs/architecture.md, "Connections").
/// </summary>
internal sealed class TenantClients : IConnectionState
{
    private readonly SupportAccessConnection _connection;
    private readonly GraphTenant _graph;
    private readonly AccessTokenProvider? _logAnalyticsTokens;
    private readonly IDisposable? _ownedCertificate;
    private LogAnalyticsClient? _logAnalyticsClient;
    private int _closed;

    private TenantClients(
        SupportAccessConnection connection,
        AccessTokenProvider graphTokens,
        AccessTokenClaims claims,
        IDisposable? ownedCertificate,
        AccessTokenProvider? logAnalyticsTokens)
    {
        _connection = connection;
        _graph = new GraphTenant(connection, graphTokens, claims);
        _ownedCertificate = ownedCertificate;
        _logAnalyticsTokens = logAnalyticsTokens;
    }

    /// <summary>A connection and its clients, as a sign-in (<see cref="TenantSignIn"/>) makes them.</summary>
    public static SupportAccessConnection Open(
        Guid tenantId,
        string account,
        string authenticationMethod,
        GraphEnvironment environment,
        Uri graphBaseUrl,
        AccessTokenProvider graphTokens,
        AccessTokenClaims claims,
        IDisposable? ownedCertificate = null,
        Uri? logAnalyticsEndpoint = null,
        AccessTokenProvider? logAnalyticsTokens = null) =>
        new(tenantId, account, authenticationMethod, environment, graphBaseUrl,
            logAnalyticsEndpoint ?? LogAnalyticsClouds.Endpoint(environment),
            connection => new TenantClients(connection, graphTokens, claims, ownedCertificate, logAnalyticsTokens));

    /// <summary>The clients of a connection; every connection is made by <see cref="Open"/>.</summary>
    public static TenantClients Of(SupportAccessConnection connection) => (TenantClients)connection.State;

    /// <summary>The Graph client; refused with ConnectionClosed once disconnected.</summary>
    public GraphTenant Graph
    {
        get
        {
            ThrowIfClosed();
            return _graph;
        }
    }

    /// <summary>What the Graph token says of the caller.</summary>
    public AccessTokenClaims Claims => _graph.Claims;

    /// <summary>The client for -WorkspaceId queries, made on first use and kept with the
    /// connection (its sockets too); refused, with the fix, for a connection made from a Graph
    /// token alone.</summary>
    public LogAnalyticsClient LogAnalyticsClient
    {
        get
        {
            ThrowIfClosed();
            if (_logAnalyticsTokens is null)
            {
                throw new ModuleException("LogAnalyticsTokenMissing", ErrorCategory.AuthenticationError,
                    "This connection was made with -AccessToken alone, which holds a Microsoft Graph token; reading a Log Analytics workspace needs a token for Log Analytics as well. Connect again with -LogAnalyticsAccessToken (for example: (Get-AzAccessToken -ResourceUrl https://api.loganalytics.io -AsSecureString).Token), or sign in with a credential, which gets both tokens.");
            }

            LogAnalyticsClient? client = Volatile.Read(ref _logAnalyticsClient);
            if (client is null)
            {
                var made = new LogAnalyticsClient(_connection.LogAnalyticsEndpoint, _logAnalyticsTokens);
                client = Interlocked.CompareExchange(ref _logAnalyticsClient, made, null) ?? made;
                if (!ReferenceEquals(client, made))
                {
                    made.Dispose();
                }

                if (IsClosed)
                {
                    // Closed while the client was made: Dispose may have run before it was there.
                    Interlocked.Exchange(ref _logAnalyticsClient, null)?.Dispose();
                    ThrowIfClosed();
                }
            }

            return client;
        }
    }

    /// <summary>The roles of the tenant and which the caller holds (Get-SupportAccessRole).</summary>
    public Task<RoleCatalog> RolesAsync(IMessageSink reporter, CancellationToken cancellationToken) =>
        RoleCatalog.LoadAsync(Graph, reporter, cancellationToken);

    public bool IsCurrent => ConnectionStore.ForCurrentRunspace().IsCurrent(_connection);

    public DateTimeOffset? ExpiresOn => _graph.ExpiresOn;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Closes the clients, forgets the tokens and lets the certificate share go (the
    /// last connection of a -TenantId a,b sign-in lets the certificate go). Twice does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _graph.Dispose();
        _logAnalyticsTokens?.TryForgetToken();
        Interlocked.Exchange(ref _logAnalyticsClient, null)?.Dispose();
        _ownedCertificate?.Dispose();
    }

    public void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw SupportAccessConnection.Closed(new[] { _connection });
        }
    }
}

using System;
using System.Net.Http;
using System.Threading;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Graph;

/// <summary>
/// One tenant's Graph client: the request adapter over the shared transport, the token
/// provider behind it, and what the token says of the caller. The audit source and the role
/// lookups read through it; once closed (Disconnect-SupportAccess), a read fails at its next
/// request with ConnectionClosed, saying why.
/// </summary>
internal sealed class GraphTenant : IDisposable
{
    private readonly HttpClient _httpClient;
    private readonly AccessTokenProvider _tokens;
    private readonly IRequestAdapter _requestAdapter;
    private int _closed;

    public GraphTenant(SupportAccessConnection connection, AccessTokenProvider tokens, AccessTokenClaims claims)
    {
        Connection = connection;
        _tokens = tokens;
        Claims = claims;
        // Graph's default handlers (retry honouring Retry-After, telemetry, compression) stay in
        // force, redirects are refused; we only replace how the body is parsed.
        _httpClient = HttpTransport.CreateClient();
        var authentication = new BaseBearerTokenAuthenticationProvider(tokens);
        _requestAdapter = new GraphServiceClient(_httpClient, authentication, connection.GraphEndpoint.AbsoluteUri.TrimEnd('/')).RequestAdapter;
    }

    /// <summary>The public connection this client belongs to (names the tenant in errors).</summary>
    public SupportAccessConnection Connection { get; }

    public Guid TenantId => Connection.TenantId;

    public string Account => Connection.Account;

    public GraphEnvironment Environment => Connection.Environment;

    public Uri GraphEndpoint => Connection.GraphEndpoint;

    /// <summary>What the Graph token says of the caller (roles, scopes, ids).</summary>
    public AccessTokenClaims Claims { get; }

    public DateTimeOffset? ExpiresOn => _tokens.ExpiresOn;

    public IRequestAdapter RequestAdapter
    {
        get
        {
            if (Volatile.Read(ref _closed) != 0)
            {
                throw SupportAccessConnection.Closed(new[] { Connection });
            }

            return _requestAdapter;
        }
    }

    /// <summary>After Graph refused a token it thought valid (clock skew, revocation), let the
    /// next request sign in afresh; false for a connection made from a caller's token.</summary>
    public bool TryRenewToken() => _tokens.TryForgetToken();

    /// <summary>Forgets the token and lets the client go; its sockets are the shared transport's.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _tokens.TryForgetToken();
        _httpClient.Dispose();
    }
}

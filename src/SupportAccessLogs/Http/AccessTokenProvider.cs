using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions.Authentication;

namespace SupportAccessLogs.Http;

/// <summary>
/// The tokens of one API for one tenant (Graph's or Log Analytics'), handed out for that API's
/// endpoint only: a request to any other scheme, host or port (a nextLink gone astray) gets no
/// token at all. Graph's request adapter asks through Kiota's interface; the Log Analytics
/// pipeline's bearer policy asks <see cref="GetTokenAsync"/> directly.
/// </summary>
internal abstract class AccessTokenProvider : IAccessTokenProvider
{
    private readonly Uri _endpoint;

    protected AccessTokenProvider(Uri endpoint)
    {
        _endpoint = endpoint;
        // Kiota's validator compares host names only; it is kept for the interface, and the
        // origin check below is the one that decides.
        AllowedHostsValidator = new AllowedHostsValidator(new[] { endpoint.Host });
    }

    public AllowedHostsValidator AllowedHostsValidator { get; }

    /// <summary>When the token in use expires, when known.</summary>
    public abstract DateTimeOffset? ExpiresOn { get; }

    public async Task<string> GetAuthorizationTokenAsync(
        Uri uri,
        Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        if (!Endpoints.SameOrigin(uri, _endpoint))
        {
            return string.Empty;
        }

        string token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        Secrets.Remember(token);
        return token;
    }

    public abstract Task<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>Drops the token in use so the next request gets a fresh one; false when this
    /// provider can't get another (a caller-supplied token).</summary>
    public virtual bool TryForgetToken() => false;
}

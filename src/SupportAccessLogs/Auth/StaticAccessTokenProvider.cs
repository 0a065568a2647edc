using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions.Authentication;

namespace SupportAccessLogs.Auth;

/// <summary>The token has expired; the caller must connect again.</summary>
internal sealed class AccessTokenExpiredException : Exception
{
    public AccessTokenExpiredException(DateTimeOffset expiredOn)
        : base($"The access token expired at {expiredOn.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. Get a new token and run Connect-SupportAccess again.")
    {
        ExpiredOn = expiredOn;
    }

    public DateTimeOffset ExpiredOn { get; }
}

/// <summary>
/// Hands a caller-supplied token to the Graph request adapter, for the connection's Graph host
/// only: a request to any other host (a nextLink gone astray) gets no token at all.
/// </summary>
internal sealed class StaticAccessTokenProvider : IAccessTokenProvider
{
    private readonly string _token;
    private readonly DateTimeOffset? _expiresOn;

    public StaticAccessTokenProvider(string token, DateTimeOffset? expiresOn, Uri graphBaseUrl)
    {
        _token = token;
        _expiresOn = expiresOn;
        AllowedHostsValidator = new AllowedHostsValidator(new[] { graphBaseUrl.Host });
    }

    public AllowedHostsValidator AllowedHostsValidator { get; }

    public Task<string> GetAuthorizationTokenAsync(
        Uri uri,
        Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        if (!AllowedHostsValidator.IsUrlHostValid(uri))
        {
            return Task.FromResult(string.Empty);
        }

        if (_expiresOn is DateTimeOffset expiry && expiry <= DateTimeOffset.UtcNow)
        {
            throw new AccessTokenExpiredException(expiry);
        }

        return Task.FromResult(_token);
    }
}

using System;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Http;

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

/// <summary>A caller-supplied token: used as is until it expires, never refreshed.</summary>
internal sealed class StaticAccessTokenProvider : AccessTokenProvider
{
    private readonly string _token;
    private readonly DateTimeOffset? _expiresOn;

    public StaticAccessTokenProvider(string token, DateTimeOffset? expiresOn, Uri graphBaseUrl)
        : base(graphBaseUrl)
    {
        _token = token;
        _expiresOn = expiresOn;
    }

    public override DateTimeOffset? ExpiresOn => _expiresOn;

    public override Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_expiresOn is DateTimeOffset expiry && expiry <= DateTimeOffset.UtcNow)
        {
            throw new AccessTokenExpiredException(expiry);
        }

        return Task.FromResult(_token);
    }
}

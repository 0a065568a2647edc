using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Auth;

/// <summary>
/// Tokens from an Azure.Identity credential, refreshed by itself shortly before they expire, so
/// a long export outlives any one token. Some credentials (Azure CLI) run a process per call,
/// hence the cache here rather than relying on each credential's own.
/// </summary>
#pragma warning disable CA1001 // _refreshing holds no handle to free (nothing reads AvailableWaitHandle); token providers are never disposed.
internal sealed class CredentialTokenProvider : AccessTokenProvider
#pragma warning restore CA1001
{
    // Entra and MSAL treat a token within five minutes of expiry as expired.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly TokenCredential _credential;
    private readonly TokenRequestContext _context;
    private readonly SignInMethod _method;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private CachedToken? _current;

    public CredentialTokenProvider(TokenCredential credential, string[] scopes, string? tenantId, SignInMethod method, Uri graphBaseUrl)
        : base(graphBaseUrl)
    {
        _credential = credential;
        _context = new TokenRequestContext(scopes, tenantId: tenantId);
        _method = method;
    }

    public override DateTimeOffset? ExpiresOn => Volatile.Read(ref _current)?.ExpiresOn;

    public override bool TryForgetToken()
    {
        Volatile.Write(ref _current, null);
        return true;
    }

    public override async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        CachedToken? cached = Volatile.Read(ref _current);
        if (cached is not null && !cached.IsDue)
        {
            return cached.Token;
        }

        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cached = Volatile.Read(ref _current);
            if (cached is not null && !cached.IsDue)
            {
                return cached.Token;
            }

            AccessToken token;
            try
            {
                token = await _credential.GetTokenAsync(_context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (SignInErrors.IsSignInFailure(ex))
            {
                throw SignInErrors.ToModuleException(ex, _method);
            }

            DateTimeOffset refreshAt = token.RefreshOn ?? token.ExpiresOn - RefreshMargin;
            Volatile.Write(ref _current, new CachedToken(token.Token, token.ExpiresOn, refreshAt));
            return token.Token;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private sealed class CachedToken
    {
        public CachedToken(string token, DateTimeOffset expiresOn, DateTimeOffset refreshAt)
        {
            Token = token;
            ExpiresOn = expiresOn;
            RefreshAt = refreshAt;
        }

        public string Token { get; }
        public DateTimeOffset ExpiresOn { get; }
        public DateTimeOffset RefreshAt { get; }
        public bool IsDue => DateTimeOffset.UtcNow >= RefreshAt;
    }
}

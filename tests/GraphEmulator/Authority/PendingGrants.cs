using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Buffers.Text;

namespace GraphEmulator.Authority;

/// <summary>A delegated sign-in in progress or done: who signed in to which client, for which scopes.</summary>
/// <param name="Tenant">The tenant segment the client used to start the sign-in (a served tenant, <c>organizations</c> or <c>common</c>), or the tenant a refresh token was last redeemed at. The token is always the tenant of the endpoint that redeems the grant.</param>
internal sealed record DelegatedGrant(string ClientId, string Scope, string Tenant);

/// <summary>A device code handed out by the devicecode endpoint; polled until redeemed once.</summary>
internal sealed class DeviceCodeGrant(DelegatedGrant grant, DateTimeOffset expires)
{
    public DelegatedGrant Grant { get; } = grant;
    public DateTimeOffset Expires { get; } = expires;
    private int _polls;

    /// <summary>Counts a poll; the first one is answered authorization_pending (the user has not signed in yet).</summary>
    public int Poll() => System.Threading.Interlocked.Increment(ref _polls);
}

/// <summary>An authorization code handed out by the authorize endpoint, with its PKCE challenge.</summary>
internal sealed record AuthorizationCodeGrant(
    DelegatedGrant Grant, string RedirectUri, string? CodeChallenge, string? CodeChallengeMethod, DateTimeOffset Expires);

/// <summary>The authority's state: outstanding device and authorization codes, and the refresh tokens issued.</summary>
internal sealed class PendingGrants
{
    public ConcurrentDictionary<string, DeviceCodeGrant> DeviceCodes { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, AuthorizationCodeGrant> AuthorizationCodes { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, DelegatedGrant> RefreshTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>An opaque random value (device codes, authorization codes, refresh tokens).</summary>
    public static string NewOpaque(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>An 8-character user code from letters and digits that can't be confused (no 0/O, 1/I/L).</summary>
    public static string NewUserCode()
    {
        const string alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        Span<char> code = stackalloc char[8];
        for (int i = 0; i < code.Length; i++)
            code[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return new string(code);
    }

    public string IssueRefreshToken(DelegatedGrant grant)
    {
        string token = NewOpaque("0.emu.rt.");
        RefreshTokens[token] = grant;
        return token;
    }
}

using System;

namespace GraphEmulator;

/// <summary>
/// One sign-in request as the emulator saw it: a token, device code or managed identity request,
/// or (for the record) a discovery or authorize request. Never holds a secret, an assertion, a
/// code or a token: only who asked, for what, how, and the answer.
/// </summary>
/// <param name="Sequence">Arrival number, from 1.</param>
/// <param name="Endpoint">
/// <c>token</c>, <c>devicecode</c>, <c>msi</c>; also <c>authorize</c>, <c>openid-configuration</c>,
/// <c>instance-discovery</c>, <c>jwks</c> and <c>unknown</c> (any other path on the authority listener).
/// </param>
/// <param name="Tenant">The tenant segment of the path (null for msi and instance discovery).</param>
/// <param name="GrantType">The grant_type sent to the token endpoint, as sent.</param>
/// <param name="ClientId">The client_id sent (msi: the client id of the identity served, or the one asked for).</param>
/// <param name="Scope">The scope sent; for msi, the resource.</param>
/// <param name="CredentialKind">
/// <c>secret</c>, <c>certificate</c>, <c>federated</c>, <c>device_code</c>, <c>managed_identity</c>,
/// <c>authorization_code</c>, <c>refresh_token</c>, or null when none could be told.
/// </param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="Error">The AADSTS code of an error answer (<c>AADSTS7000215</c>), a short code for msi errors, else null.</param>
/// <param name="OAuthError">The OAuth error code of an error answer (<c>invalid_client</c>, <c>authorization_pending</c>), else null.</param>
/// <param name="At">When the request arrived.</param>
public sealed record TokenRequestLogEntry(
    long Sequence,
    string Endpoint,
    string? Tenant,
    string? GrantType,
    string? ClientId,
    string? Scope,
    string? CredentialKind,
    int Status,
    string? Error,
    string? OAuthError,
    DateTimeOffset At);

/// <summary>Thread-safe log of the sign-in requests received, in arrival order. Kept apart from <see cref="RequestLog"/>.</summary>
public sealed class TokenRequestLog : ArrivalOrderedLog<TokenRequestLogEntry>
{
    /// <summary>How many answered requests went to this endpoint (<c>token</c>, <c>devicecode</c>, <c>msi</c>, …).</summary>
    public int CountFor(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return CountWhere(e => string.Equals(e.Endpoint, endpoint, StringComparison.OrdinalIgnoreCase));
    }

    protected override long SequenceOf(TokenRequestLogEntry entry) => entry.Sequence;
}

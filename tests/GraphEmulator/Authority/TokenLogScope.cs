using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator.Authority;

/// <summary>
/// What the token request log will hold for one request, filled in while the request is handled
/// and written once, as the response starts (so a client that has its answer finds it logged).
/// </summary>
internal sealed class TokenLogScope
{
    private readonly TokenRequestLog _log;
    private readonly HttpContext _context;
    private readonly long _sequence;
    private readonly DateTimeOffset _arrived = DateTimeOffset.UtcNow;
    private bool _logged;

    public TokenLogScope(TokenRequestLog log, HttpContext context, string endpoint)
    {
        _log = log;
        _context = context;
        _sequence = log.NextSequence();
        Endpoint = endpoint;
        context.Response.OnStarting(() =>
        {
            Complete();
            return Task.CompletedTask;
        });
    }

    public string Endpoint { get; set; }
    public string? Tenant { get; set; }
    public string? GrantType { get; set; }
    public string? ClientId { get; set; }
    public string? Scope { get; set; }
    public string? CredentialKind { get; set; }
    public string? Error { get; set; }
    public string? OAuthError { get; set; }

    public void Complete()
    {
        if (_logged)
            return;
        _logged = true;
        _log.Add(new TokenRequestLogEntry(
            _sequence, Endpoint, Tenant, GrantType, ClientId, Scope, CredentialKind,
            _context.Response.StatusCode, Error, OAuthError, _arrived));
    }
}

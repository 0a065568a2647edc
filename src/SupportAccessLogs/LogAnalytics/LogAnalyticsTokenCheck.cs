using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// What a Log Analytics token must say before it is sent (docs/architecture.md, "Log Analytics"):
/// <c>aud</c> the Log Analytics API of the connection's cloud, <c>tid</c> the connection's tenant.
/// Both are required: a token without them can't be told to be the connection's. The same check
/// for -LogAnalyticsAccessToken and for each token a credential gets. Messages name claims, never
/// the token.
/// </summary>
internal static class LogAnalyticsTokenCheck
{
    /// <param name="source">What gave the token, for the message: "-LogAnalyticsAccessToken" or the credential's.</param>
    /// <param name="fix">How to get the right token, for the message.</param>
    public static void Check(AccessTokenClaims claims, Guid tenant, GraphEnvironment environment, string source, string fix)
    {
        string expected = LogAnalytics.LogAnalyticsClouds.Audience(environment);
        if (claims.Audience is not string audience)
        {
            throw new ModuleException("LogAnalyticsAccessTokenWrongAudience", ErrorCategory.AuthenticationError,
                $"{source} has no 'aud' claim, so it can't be told to be a token for the Log Analytics API. Expected a token for {expected} ({environment} cloud). {fix}");
        }

        if (!string.Equals(audience.TrimEnd('/'), expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModuleException("LogAnalyticsAccessTokenWrongAudience", ErrorCategory.AuthenticationError,
                $"{source} is for '{Short(audience)}', not the Log Analytics API of the {environment} cloud ({expected}). {fix}");
        }

        if (claims.TenantId is not string tid)
        {
            throw new ModuleException("LogAnalyticsAccessTokenTenantMismatch", ErrorCategory.AuthenticationError,
                $"{source} has no 'tid' claim, so it can't be told to be for the connection's tenant {tenant}. {fix}");
        }

        if (!Guid.TryParse(tid, out Guid issued) || issued != tenant)
        {
            throw new ModuleException("LogAnalyticsAccessTokenTenantMismatch", ErrorCategory.AuthenticationError,
                $"{source} was issued for tenant {Short(tid)}, but the connection is for tenant {tenant}. {fix}");
        }
    }

    private static string Short(string claim) => ServerText.Clean(claim.Length > 64 ? claim.Substring(0, 64) + "…" : claim);

    /// <summary>A credential's Log Analytics tokens, each new one checked before it is used.</summary>
    internal sealed class CheckedTokens : AccessTokenProvider
    {
        private readonly AccessTokenProvider _inner;
        private readonly Guid _tenant;
        private readonly GraphEnvironment _environment;
        private string? _checked;

        public CheckedTokens(AccessTokenProvider inner, Guid tenant, GraphEnvironment environment, Uri endpoint)
            : base(endpoint)
        {
            _inner = inner;
            _tenant = tenant;
            _environment = environment;
        }

        public override DateTimeOffset? ExpiresOn => _inner.ExpiresOn;

        public override bool TryForgetToken() => _inner.TryForgetToken();

        public override async Task<string> GetTokenAsync(CancellationToken cancellationToken)
        {
            string token = await _inner.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(token, Volatile.Read(ref _checked)))
            {
                Check(AccessTokenClaims.Parse(token), _tenant, _environment, "The Log Analytics token the sign-in returned",
                    $"Sign in to tenant {_tenant} (Connect-SupportAccess -TenantId {_tenant}) with an account or app of that tenant that may read the workspace; with Azure CLI or Azure PowerShell, sign in there to that tenant first. Then connect again.");
                Volatile.Write(ref _checked, token);
            }

            return token;
        }
    }
}

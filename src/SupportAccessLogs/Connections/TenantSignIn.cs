using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;
using SupportAccessLogs.LogAnalytics;

namespace SupportAccessLogs.Connections;

/// <summary>
/// Makes connections: from a caller's token, checked offline, or through a credential, whose
/// first token decides the tenant and account. Each connection comes with its per-tenant
/// clients (<see cref="TenantClients"/>).
/// </summary>
internal static class TenantSignIn
{
    /// <summary>Delegated sign-in asks for exactly what reading the audit log needs.</summary>
    private static readonly string[] DelegatedPermissions = { "AuditLog.Read.All", "Directory.Read.All" };

    /// <summary>What a credential asks Graph for: an app the .default scope, a user exactly the
    /// delegated permissions reading the audit log needs.</summary>
    public static string[] GraphScopes(SignInRequest request)
    {
        string resource = GraphAudiences.ResourceFor(request.Environment);
        if (!request.IsDelegated)
        {
            return new[] { resource + "/.default" };
        }

        return Array.ConvertAll(DelegatedPermissions, permission => $"{resource}/{permission}");
    }

    /// <summary>Builds a connection from a caller-supplied access token, checking what can be
    /// checked without a request: shape, tenant, audience and expiry.</summary>
    public static SupportAccessConnection FromAccessToken(
        string token,
        string? tenantId,
        GraphEnvironment environment,
        Uri? graphEndpoint,
        string? logAnalyticsToken = null,
        Uri? logAnalyticsEndpoint = null)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ModuleException("AccessTokenEmpty", ErrorCategory.InvalidArgument,
                "The access token is empty. Pass the token as a SecureString, for example: -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force).");
        }

        Uri baseUrl = ResolveBaseUrl(environment, graphEndpoint);
        AccessTokenClaims claims = AccessTokenClaims.Parse(token);
        if (!claims.IsJwt)
        {
            // Entra's access tokens for Microsoft Graph are JWTs. Anything else (a refresh token,
            // an authorization code, a secret, a truncated copy) would connect and then fail every
            // call with 401; say what it is now.
            throw new ModuleException("AccessTokenNotJwt", ErrorCategory.InvalidArgument,
                "The access token is not a JWT (three base64url parts separated by dots, the middle one a JSON object of claims), so it is not a Microsoft Graph access token from Entra ID. Pass the access token itself, not a refresh token, ID token, code or secret; for example: (Get-AzAccessToken -ResourceTypeName MSGraph -AsSecureString).Token, or az account get-access-token --resource-type ms-graph.");
        }

        if (!string.IsNullOrWhiteSpace(tenantId) && tenantId is string named && !Guid.TryParse(named, out _))
        {
            if (named.IndexOf('.') < 0)
            {
                throw new ModuleException("TenantIdInvalid", ErrorCategory.InvalidArgument,
                    $"-TenantId '{named}' is neither a tenant id GUID nor a domain name. Give the directory (tenant) id shown in the Entra admin center overview.", named);
            }

            if (claims.TenantId is null)
            {
                throw new ModuleException("TenantIdNotGuid", ErrorCategory.InvalidArgument,
                    $"The access token does not say which tenant it is for (it has no 'tid' claim), and -TenantId '{named}' is a domain name, which can't be turned into a tenant id without signing in. Give the directory (tenant) id GUID shown in the Entra admin center overview.", named);
            }

            // A domain name can't be compared with the token's tid offline; the token decides.
            tenantId = null;
        }

        Guid tenant = ResolveTenant(claims, tenantId);
        if (claims.ExpiresOn is DateTimeOffset expiry && expiry <= DateTimeOffset.UtcNow)
        {
            throw new ModuleException("AccessTokenExpired", ErrorCategory.AuthenticationError,
                $"The access token expired at {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. Get a new token and connect again.");
        }

        if (claims.Audience is string audience && !GraphAudiences.IsGraph(audience, baseUrl))
        {
            throw new ModuleException("AccessTokenWrongAudience", ErrorCategory.AuthenticationError,
                $"The access token is for '{audience}', not Microsoft Graph. Request a token for the resource '{GraphAudiences.ResourceFor(environment)}' (for example: az account get-access-token --resource-type ms-graph).");
        }

        string account = claims.UserPrincipalName ?? claims.AppDisplayName ?? claims.AppId ?? claims.ObjectId ?? "(unknown)";
        var provider = new StaticAccessTokenProvider(token, claims.ExpiresOn, baseUrl);
        Uri logAnalyticsBase = ResolveLogAnalyticsUrl(environment, logAnalyticsEndpoint);
        AccessTokenProvider? logAnalyticsTokens = logAnalyticsToken is null ? null : LogAnalyticsTokenFrom(logAnalyticsToken, tenant, environment, logAnalyticsBase);
        return TenantClients.Open(tenant, account, SignInMethod.AccessToken.ToString(), environment, baseUrl, provider, claims,
            logAnalyticsEndpoint: logAnalyticsBase, logAnalyticsTokens: logAnalyticsTokens);
    }

    /// <summary>A caller's Log Analytics token, checked as the Graph token is: a JWT, not expired,
    /// and (required, <see cref="LogAnalyticsTokenCheck"/>) for the Log Analytics API of the
    /// connection's cloud and the connection's tenant.</summary>
    private static StaticAccessTokenProvider LogAnalyticsTokenFrom(string token, Guid tenant, GraphEnvironment environment, Uri endpoint)
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(token);
        if (string.IsNullOrWhiteSpace(token) || !claims.IsJwt)
        {
            throw new ModuleException("LogAnalyticsAccessTokenNotJwt", ErrorCategory.InvalidArgument,
                "-LogAnalyticsAccessToken is not a JWT, so it is not an access token from Entra ID. Pass the access token itself, for example: (Get-AzAccessToken -ResourceUrl https://api.loganalytics.io -AsSecureString).Token.");
        }

        if (claims.ExpiresOn is DateTimeOffset expiry && expiry <= DateTimeOffset.UtcNow)
        {
            throw new ModuleException("LogAnalyticsAccessTokenExpired", ErrorCategory.AuthenticationError,
                $"-LogAnalyticsAccessToken expired at {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. Get a new token and connect again.");
        }

        LogAnalyticsTokenCheck.Check(claims, tenant, environment, "-LogAnalyticsAccessToken",
            $"Get a token for tenant {tenant} and the resource {LogAnalyticsClouds.Audience(environment)}, for example: (Get-AzAccessToken -TenantId {tenant} -ResourceUrl {LogAnalyticsClouds.Audience(environment)} -AsSecureString).Token, or az account get-access-token --tenant {tenant} --resource {LogAnalyticsClouds.Audience(environment)}; then connect again.");

        return new StaticAccessTokenProvider(token, claims.ExpiresOn, endpoint);
    }

    private static Uri ResolveLogAnalyticsUrl(GraphEnvironment environment, Uri? endpoint) =>
        Checked(() => LogAnalyticsClouds.BaseUrl(endpoint ?? LogAnalyticsClouds.Endpoint(environment)), "LogAnalyticsEndpointRefused", endpoint);

    /// <summary>Signs in through Azure.Identity and acquires the first token at once, so that a
    /// wrong secret or a missing consent fails here rather than in the middle of a query.</summary>
    public static async Task<SupportAccessConnection> SignInAsync(
        SignInRequest request,
        Action<string> showDeviceCode,
        CancellationToken cancellationToken)
    {
        // The connection owns a certificate the module loaded: it signs every renewal, and goes
        // with the connection, or at once when signing in fails.
        X509Certificate2? ownedCertificate = request.OwnsCertificate ? request.Certificate : null;
        try
        {
            return await SignInAsync(request, ownedCertificate, showDeviceCode, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ownedCertificate?.Dispose();
            throw;
        }
    }

    private static async Task<SupportAccessConnection> SignInAsync(
        SignInRequest request,
        IDisposable? ownedCertificate,
        Action<string> showDeviceCode,
        CancellationToken cancellationToken)
    {
        Uri baseUrl = ResolveBaseUrl(request.Environment, request.GraphEndpoint);
        if (request.AuthorityHost is Uri authority)
        {
            try
            {
                Endpoints.RefuseUserInfo(authority, "-AuthorityHost");
            }
            catch (ArgumentException ex)
            {
                throw new ModuleException("AuthorityHostRefused", ErrorCategory.InvalidArgument, ex.Message, Endpoints.WithoutUserInfo(authority));
            }

            if (authority.Scheme != Uri.UriSchemeHttps)
            {
                throw new ModuleException("AuthorityHostNotHttps", ErrorCategory.InvalidArgument,
                    $"-AuthorityHost '{Endpoints.WithoutUserInfo(authority)}' must use https: sign-in sends credentials there.", Endpoints.WithoutUserInfo(authority));
            }
        }

        if (request.TenantId is string requestedTenant && !Guid.TryParse(requestedTenant, out _) && requestedTenant.IndexOf('.') < 0)
        {
            throw new ModuleException("TenantIdInvalid", ErrorCategory.InvalidArgument,
                $"-TenantId '{requestedTenant}' is neither a tenant id GUID nor a domain name. Give the directory (tenant) id shown in the Entra admin center overview.", requestedTenant);
        }

        TokenCredential credential = CredentialFactory.Create(request, showDeviceCode);
        string? tenantHint = request.Method is SignInMethod.ManagedIdentity ? null : request.TenantId;
        return await ConnectAsync(request, credential, tenantHint, baseUrl, ownedCertificate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One connection per tenant from one credential (Connect-SupportAccess -TenantId with
    /// several values): an app gets a token for each tenant; a user signs in once, for the first,
    /// and every other tenant's token comes silently (a guest account or delegated admin access
    /// there) or that tenant fails with why, never through a second prompt. A tenant that fails
    /// is handed to <paramref name="tenantFailed"/> and the others still connect.
    /// </summary>
    public static async Task<IReadOnlyList<SupportAccessConnection>> SignInToTenantsAsync(
        SignInRequest request,
        Action<string> showDeviceCode,
        Action<string, ModuleException> tenantFailed,
        CancellationToken cancellationToken)
    {
        Uri baseUrl = ResolveBaseUrl(request.Environment, request.GraphEndpoint);
        string[] tenants = new[] { request.TenantId! }.Concat(request.OtherTenants).ToArray();
        foreach (string tenant in tenants)
        {
            if (!Guid.TryParse(tenant, out _) && tenant.IndexOf('.') < 0)
            {
                throw new ModuleException("TenantIdInvalid", ErrorCategory.InvalidArgument,
                    $"-TenantId '{tenant}' is neither a tenant id GUID nor a domain name. Give each tenant's directory (tenant) id or a verified domain.", tenant);
            }
        }

        // The certificate signs every tenant's renewals: it goes with the last of their connections.
        SharedOwnership? certificate = request.OwnsCertificate && request.Certificate is not null ? new SharedOwnership(request.Certificate) : null;
        var connections = new List<SupportAccessConnection>();
        try
        {
            TokenCredential credential = CredentialFactory.Create(request, showDeviceCode);
            string[] scopes = GraphScopes(request);
            if (request.IsDelegated)
            {
                // The one sign-in, for the first tenant; the others are asked for silently.
                try
                {
                    var context = new TokenRequestContext(scopes, tenantId: tenants[0]);
                    _ = credential switch
                    {
                        InteractiveBrowserCredential browser => await browser.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false),
                        DeviceCodeCredential deviceCode => await deviceCode.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false),
                        _ => null,
                    };
                }
                catch (Exception ex) when (SignInErrors.IsSignInFailure(ex))
                {
                    throw SignInErrors.ToModuleException(ex, request.Method);
                }
            }

            foreach (string tenant in tenants)
            {
                try
                {
                    connections.Add(await ConnectAsync(request, credential, tenant, baseUrl, certificate?.Share(), cancellationToken).ConfigureAwait(false));
                }
                catch (ModuleException ex)
                {
                    tenantFailed(tenant, ex);
                }
            }

            return connections;
        }
        finally
        {
            // Each connection holds a share; this call's own is let go.
            certificate?.Release();
        }
    }

    /// <summary>The connection for one tenant through a credential the caller made (tests: a
    /// credential that gets its tokens from the emulator), as a sign-in makes it.</summary>
    public static Task<SupportAccessConnection> ConnectWithCredentialAsync(SignInRequest request, TokenCredential credential, string? tenantHint, CancellationToken cancellationToken) =>
        ConnectAsync(request, credential, tenantHint, ResolveBaseUrl(request.Environment, request.GraphEndpoint), null, cancellationToken);

    /// <summary>The connection for one tenant through a credential: its first token decides the
    /// tenant and account.</summary>
    private static async Task<SupportAccessConnection> ConnectAsync(
        SignInRequest request,
        TokenCredential credential,
        string? tenantHint,
        Uri baseUrl,
        IDisposable? ownedCertificate,
        CancellationToken cancellationToken)
    {
        var provider = new CredentialTokenProvider(credential, GraphScopes(request), tenantHint, request.Method, baseUrl);
        string token = await provider.GetTokenAsync(cancellationToken).ConfigureAwait(false);

        AccessTokenClaims claims = AccessTokenClaims.Parse(token);
        // A tenant given by domain name can't be compared with the token's tid; the token decides.
        string? tenantGuid = tenantHint is string t && Guid.TryParse(t, out _) ? t : null;
        Guid tenant = ResolveTenant(claims, tenantGuid);
        string account = claims.UserPrincipalName ?? claims.AppDisplayName ?? claims.AppId ?? request.ClientId ?? claims.ObjectId ?? "(unknown)";
        // The same credential gets the Log Analytics token, on first use by -WorkspaceId.
        Uri logAnalyticsBase = ResolveLogAnalyticsUrl(request.Environment, request.LogAnalyticsEndpoint);
        // Each of its tokens is checked as a caller's is: for the Log Analytics API and this tenant.
        var logAnalyticsTokens = new LogAnalyticsTokenCheck.CheckedTokens(
            new CredentialTokenProvider(credential, new[] { LogAnalyticsClouds.Scope(request.Environment) }, tenantHint, request.Method, logAnalyticsBase),
            tenant, request.Environment, logAnalyticsBase);
        // A token for the tenant was had, so the connection stands.
        return TenantClients.Open(tenant, account, request.Method.ToString(), request.Environment, baseUrl, provider, claims, ownedCertificate,
            logAnalyticsBase, logAnalyticsTokens);
    }

    private static Uri ResolveBaseUrl(GraphEnvironment environment, Uri? graphEndpoint) =>
        Checked(() => GraphClouds.V1BaseUrl(graphEndpoint ?? GraphClouds.GraphHost(environment)), "GraphEndpointRefused", graphEndpoint);

    /// <summary>An API's base URL, or the error that says why the endpoint given is refused; its
    /// target is the URL without any user info (it may hold a password).</summary>
    private static Uri Checked(Func<Uri> baseUrl, string errorId, Uri? given)
    {
        try
        {
            return baseUrl();
        }
        catch (ArgumentException ex)
        {
            throw new ModuleException(errorId, ErrorCategory.InvalidArgument, ex.Message, given is null ? null : Endpoints.WithoutUserInfo(given));
        }
    }

    private static Guid ResolveTenant(AccessTokenClaims claims, string? tenantId)
    {
        Guid? fromToken = Guid.TryParse(claims.TenantId, out Guid t) ? t : null;
        if (claims.TenantId is string tid && fromToken is null)
        {
            throw new ModuleException("AccessTokenTenantInvalid", ErrorCategory.InvalidArgument,
                $"The access token's 'tid' claim ('{ServerText.Clean(tid.Length > 64 ? tid.Substring(0, 64) + "…" : tid)}') is not a tenant id GUID, so this is not an Entra ID access token for Microsoft Graph. Get a token from Entra ID for the resource https://graph.microsoft.com (or your cloud's Graph) and connect with that.");
        }

        Guid? given = null;
        if (!string.IsNullOrWhiteSpace(tenantId))
        {
            if (!Guid.TryParse(tenantId, out Guid g))
            {
                throw new ModuleException("TenantIdNotGuid", ErrorCategory.InvalidArgument,
                    $"-TenantId '{tenantId}' is not a tenant id. Give the directory (tenant) id GUID shown in the Entra admin center overview.", tenantId);
            }

            given = g;
        }

        if (fromToken is Guid a && given is Guid b && a != b)
        {
            throw new ModuleException("TenantIdMismatch", ErrorCategory.InvalidArgument,
                $"The access token was issued for tenant {a}, but -TenantId names {b}. Use a token for {b}, or drop -TenantId.", tenantId);
        }

        return fromToken ?? given ?? throw new ModuleException("TenantUnknown", ErrorCategory.InvalidArgument,
            "The access token does not say which tenant it is for (it has no 'tid' claim) and no -TenantId was given. Pass -TenantId <tenant GUID>.");
    }
}

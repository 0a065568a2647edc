using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace GraphEmulator.Authority;

/// <summary>
/// An Entra-compatible authority (Microsoft identity platform v2.0 endpoints) on the HTTPS
/// listener, enough for MSAL and Azure.Identity: the token endpoint (client credentials with a
/// secret, a certificate or a federated assertion; device code; authorization code; refresh
/// token), the device code endpoint, the authorize endpoint, and discovery documents. Tokens are
/// for Microsoft Graph or the Log Analytics query API (<see cref="Scopes"/>), in any served tenant
/// (<see cref="ServedTenants"/>): the tenant of the path is the token's <c>tid</c>
/// (<c>organizations</c> and <c>common</c>: the home tenant).
/// </summary>
internal sealed class AuthorityEndpoints(EmulatorOptions options, ServedTenants tenants, TokenRequestLog log, ILogger logger)
{
    /// <summary>The device code grant as RFC 8628 names it.</summary>
    public const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>The device code grant as MSAL.NET sends it (and Entra accepts).</summary>
    public const string MsalDeviceCodeGrantType = "device_code";
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public const string DeviceLoginUri = "https://microsoft.com/devicelogin";

    private static readonly TimeSpan DeviceCodeLifetime = TimeSpan.FromSeconds(900);
    private static readonly TimeSpan AuthorizationCodeLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly PendingGrants _grants = new();

    /// <summary>The home tenant: where the demo admin's account lives (client_info's utid).</summary>
    private string HomeTenantId => tenants.Home.TenantId;

    public Task HandleAsync(HttpContext context)
    {
        string[] segments = (context.Request.Path.Value ?? "/").Trim('/').Split('/');
        if (Is(segments, "common", "discovery", "instance"))
            return InstanceDiscoveryAsync(context);
        if (segments.Length == 4 && Is(segments[1..], "v2.0", ".well-known", "openid-configuration"))
            return OpenIdConfigurationAsync(context, segments[0]);
        if (segments.Length == 4 && Is(segments[1..], "discovery", "v2.0", "keys"))
            return KeysAsync(context, segments[0]);
        if (segments.Length == 4 && Is(segments[1..3], "oauth2", "v2.0"))
        {
            switch (segments[3].ToLowerInvariant())
            {
                case "token": return TokenAsync(context, segments[0]);
                case "devicecode": return DeviceCodeAsync(context, segments[0]);
                case "authorize": return AuthorizeAsync(context, segments[0]);
            }
        }

        var scope = new TokenLogScope(log, context, "unknown") { Tenant = segments[0] };
        logger.LogWarning("Authority: no endpoint {Method} {Path}", context.Request.Method, context.Request.Path);
        return EntraResponses.ErrorAsync(context, scope, "invalid_request", 900561,
            $"The emulator's authority has no endpoint '{context.Request.Method} {context.Request.Path}'. See tests/GraphEmulator/README.md, \"Sign-in endpoints\".",
            StatusCodes.Status404NotFound);
    }

    private static bool Is(string[] segments, params string[] expected) =>
        segments.Length == expected.Length
        && segments.Zip(expected).All(pair => string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase));

    // ---------------------------------------------------------------- discovery

    private Task InstanceDiscoveryAsync(HttpContext context)
    {
        var scope = new TokenLogScope(log, context, "instance-discovery");
        string host = context.Request.Host.Value ?? "127.0.0.1";
        string tenant = "common";
        if (Uri.TryCreate(context.Request.Query["authorization_endpoint"].ToString(), UriKind.Absolute, out Uri? authorize)
            && authorize.Segments.Length > 1)
            tenant = authorize.Segments[1].TrimEnd('/');
        scope.Tenant = tenant;
        string baseUri = $"{context.Request.Scheme}://{host}";
        return EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("tenant_discovery_endpoint", $"{baseUri}/{tenant}/v2.0/.well-known/openid-configuration");
            json.WriteString("api-version", "1.1");
            json.WriteStartArray("metadata");
            json.WriteStartObject();
            json.WriteString("preferred_network", host);
            json.WriteString("preferred_cache", host);
            json.WriteStartArray("aliases");
            json.WriteStringValue(host);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        });
    }

    private Task OpenIdConfigurationAsync(HttpContext context, string tenant)
    {
        var scope = new TokenLogScope(log, context, "openid-configuration") { Tenant = tenant };
        if (!AcceptsTenant(tenant, delegated: true))
            return TenantNotFoundAsync(context, scope, tenant);

        string authority = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}";
        string issuerTenant = tenants.Find(tenant)?.TenantId ?? "{tenantid}";
        return EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("token_endpoint", $"{authority}/oauth2/v2.0/token");
            json.WriteStartArray("token_endpoint_auth_methods_supported");
            foreach (string method in new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" })
                json.WriteStringValue(method);
            json.WriteEndArray();
            json.WriteString("jwks_uri", $"{authority}/discovery/v2.0/keys");
            WriteArray(json, "response_modes_supported", "query", "fragment", "form_post");
            WriteArray(json, "subject_types_supported", "pairwise");
            WriteArray(json, "id_token_signing_alg_values_supported", "RS256");
            WriteArray(json, "response_types_supported", "code", "id_token", "code id_token", "id_token token");
            WriteArray(json, "scopes_supported", "openid", "profile", "email", "offline_access");
            json.WriteString("issuer", $"https://login.microsoftonline.com/{issuerTenant}/v2.0");
            json.WriteBoolean("request_uri_parameter_supported", false);
            json.WriteString("userinfo_endpoint", "https://graph.microsoft.com/oidc/userinfo");
            json.WriteString("authorization_endpoint", $"{authority}/oauth2/v2.0/authorize");
            json.WriteString("device_authorization_endpoint", $"{authority}/oauth2/v2.0/devicecode");
            json.WriteBoolean("http_logout_supported", true);
            json.WriteBoolean("frontchannel_logout_supported", true);
            json.WriteString("end_session_endpoint", $"{authority}/oauth2/v2.0/logout");
            WriteArray(json, "claims_supported", "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
                "c_hash", "email");
            json.WriteString("tenant_region_scope", "WW");
            json.WriteString("cloud_instance_name", "microsoftonline.com");
            json.WriteString("cloud_graph_host_name", "graph.windows.net");
            json.WriteString("msgraph_host", "graph.microsoft.com");
            json.WriteString("rbac_url", "https://pas.windows.net");
        });
    }

    private Task KeysAsync(HttpContext context, string tenant)
    {
        // Tokens are unsigned (alg none): there are no signing keys to publish.
        _ = new TokenLogScope(log, context, "jwks") { Tenant = tenant };
        return EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartArray("keys");
            json.WriteEndArray();
        });
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter json, string name, params string[] values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    // ---------------------------------------------------------------- tenants and parameters

    private bool IsServedTenant(string tenant) => tenants.Find(tenant) is not null;

    /// <summary>The served tenant of a path's tenant segment: the tenant with that id, else (organizations, common) the home tenant.</summary>
    private ServedTenant Resolve(string tenant) => tenants.Find(tenant) ?? tenants.Home;

    /// <summary>A served tenant; for delegated flows also <c>organizations</c> and <c>common</c>, which Entra resolves to the user's home tenant.</summary>
    private bool AcceptsTenant(string tenant, bool delegated) =>
        IsServedTenant(tenant)
        || (delegated && (tenant.Equals("organizations", StringComparison.OrdinalIgnoreCase) || tenant.Equals("common", StringComparison.OrdinalIgnoreCase)));

    private static Task TenantNotFoundAsync(HttpContext context, TokenLogScope scope, string tenant) =>
        EntraResponses.ErrorAsync(context, scope, "invalid_request", 90002,
            $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. " +
            "Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");

    private static Task MissingParameterAsync(HttpContext context, TokenLogScope scope, string name) =>
        EntraResponses.ErrorAsync(context, scope, "invalid_request", 900144,
            $"The request body must contain the following parameter: '{name}'.");

    private static Task PostOnlyAsync(HttpContext context, TokenLogScope scope) =>
        EntraResponses.ErrorAsync(context, scope, "invalid_request", 900561,
            $"The endpoint only accepts POST requests. Received a {context.Request.Method} request.");

    /// <summary>
    /// AADSTS700016: the app has no service principal in the tenant: an unknown client id anywhere,
    /// or the pipeline app in a tenant that never consented to it (<see cref="OtherTenant.PipelineAppConsented"/>).
    /// </summary>
    private static Task UnknownApplicationAsync(HttpContext context, TokenLogScope scope, string clientId, ServedTenant tenant) =>
        EntraResponses.ErrorAsync(context, scope, "unauthorized_client", 700016,
            $"Application with identifier '{clientId}' was not found in the directory '{tenant.DisplayName}'. " +
            "This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
            "You may have sent your authentication request to the wrong tenant.");

    /// <summary>
    /// AADSTS50020: the signed-in user (the demo admin, from the home tenant) is no user of
    /// <paramref name="tenant"/>, neither a guest nor a delegated admin (<see cref="OtherTenant.AdminHasAccess"/>).
    /// </summary>
    private Task UserNotInTenantAsync(HttpContext context, TokenLogScope scope, string clientId, ServedTenant tenant)
    {
        string application = string.Equals(clientId, DemoTenant.PipelineAppId, StringComparison.OrdinalIgnoreCase)
            ? $"'{clientId}'({DemoTenant.PipelineAppDisplayName})"
            : $"'{clientId}'";
        return EntraResponses.ErrorAsync(context, scope, "invalid_grant", 50020,
            $"User account '{DemoTenant.AdminUpn}' from identity provider '{IdentityProvider}' does not exist in tenant '{tenant.DisplayName}' " +
            $"and cannot access the application {application} in that tenant. The account needs to be added as an external user in the tenant first. " +
            "Sign out and sign in again with a different Microsoft Entra user account.");
    }

    /// <summary>The demo admin's identity provider as Entra names it for a guest: the home tenant's v1 issuer.</summary>
    private string IdentityProvider => $"https://sts.windows.net/{HomeTenantId}/";

    private static async Task<IFormCollection> ReadFormAsync(HttpContext context) =>
        context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;

    private static string? Value(IFormCollection form, string name) => NullIfEmpty(form[name]);

    private static string? NullIfEmpty(StringValues value) => StringValues.IsNullOrEmpty(value) ? null : value.ToString();

    // ---------------------------------------------------------------- token endpoint

    private async Task TokenAsync(HttpContext context, string tenant)
    {
        var scope = new TokenLogScope(log, context, "token") { Tenant = tenant };
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await PostOnlyAsync(context, scope);
            return;
        }

        IFormCollection form = await ReadFormAsync(context);
        string? grantType = Value(form, "grant_type");
        scope.GrantType = grantType;
        scope.ClientId = Value(form, "client_id");
        scope.Scope = Value(form, "scope");
        scope.CredentialKind = grantType switch
        {
            DeviceCodeGrantType or MsalDeviceCodeGrantType => "device_code",
            "authorization_code" => "authorization_code",
            "refresh_token" => "refresh_token",
            "client_credentials" when form.ContainsKey("client_secret") => "secret",
            _ => null,
        };
        if (grantType is null)
        {
            await MissingParameterAsync(context, scope, "grant_type");
            return;
        }

        bool delegated = grantType is DeviceCodeGrantType or MsalDeviceCodeGrantType or "authorization_code" or "refresh_token";
        if (!AcceptsTenant(tenant, delegated))
        {
            await TenantNotFoundAsync(context, scope, tenant);
            return;
        }

        // The token is the path's tenant's (organizations and common: the home tenant's).
        ServedTenant target = Resolve(tenant);
        switch (grantType)
        {
            case "client_credentials":
                await ClientCredentialsAsync(context, scope, form, tenant, target);
                break;
            case DeviceCodeGrantType or MsalDeviceCodeGrantType:
                await DeviceCodeTokenAsync(context, scope, form, target);
                break;
            case "authorization_code":
                await AuthorizationCodeTokenAsync(context, scope, form, target);
                break;
            case "refresh_token":
                await RefreshTokenAsync(context, scope, form, target);
                break;
            default:
                await EntraResponses.ErrorAsync(context, scope, "unsupported_grant_type", 70003,
                    $"The app requested an unsupported grant type '{grantType}'.");
                break;
        }
    }

    private async Task ClientCredentialsAsync(HttpContext context, TokenLogScope scope, IFormCollection form, string tenant, ServedTenant target)
    {
        string? clientId = Value(form, "client_id");
        string? secret = Value(form, "client_secret");
        string? assertionText = Value(form, "client_assertion");
        string? assertionType = Value(form, "client_assertion_type");

        ClientAssertion? assertion = null;
        if (assertionText is not null)
        {
            assertion = ClientAssertion.TryParse(assertionText);
            scope.CredentialKind = assertion is null ? null : assertion.NamesCertificate ? "certificate" : "federated";
        }

        if (clientId is null)
        {
            await MissingParameterAsync(context, scope, "client_id");
            return;
        }
        if (secret is not null && assertionText is not null)
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_request", 90014,
                "Only one client credential may be sent, but the request carries both 'client_secret' and 'client_assertion'.");
            return;
        }
        if (secret is null && assertionText is null)
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_client", 7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
            return;
        }
        // Entra looks the app up in the tenant before it looks at the credential: a tenant without
        // the app's service principal is AADSTS700016 whatever the secret or assertion.
        if (!string.Equals(clientId, DemoTenant.PipelineAppId, StringComparison.OrdinalIgnoreCase) || !target.PipelineAppConsented)
        {
            await UnknownApplicationAsync(context, scope, clientId, target);
            return;
        }

        string? scopeValue = Value(form, "scope");
        if (scopeValue is null)
        {
            await MissingParameterAsync(context, scope, "scope");
            return;
        }
        if (!Scopes.TryReadAppOnly(scopeValue, out Scopes.Resource? resource, out int scopeError, out string? scopeMessage))
        {
            await EntraResponses.ErrorAsync(context, scope, scopeError == 500011 ? "invalid_resource" : "invalid_scope", scopeError, scopeMessage!);
            return;
        }

        if (secret is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(options.ClientSecret)))
            {
                await EntraResponses.ErrorAsync(context, scope, "invalid_client", 7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, " +
                    $"not the client secret ID, for a secret added to app '{clientId}'.");
                return;
            }
        }
        else
        {
            if (assertionType is null)
            {
                await MissingParameterAsync(context, scope, "client_assertion_type");
                return;
            }
            if (!string.Equals(assertionType, JwtBearerAssertionType, StringComparison.Ordinal))
            {
                await EntraResponses.ErrorAsync(context, scope, "invalid_request", 90014,
                    $"The client_assertion_type '{assertionType}' is not supported; the only one is '{JwtBearerAssertionType}'.");
                return;
            }
            if (assertion is null)
            {
                await EntraResponses.ErrorAsync(context, scope, "invalid_client", 50027,
                    "JWT token is invalid or malformed. The client_assertion is not a JWT with a JSON header and payload.");
                return;
            }

            bool accepted = assertion.NamesCertificate
                ? await CheckCertificateAssertionAsync(context, scope, assertion, clientId, tenant)
                : await CheckFederatedAssertionAsync(context, scope, assertion);
            if (!accepted)
                return;
        }

        await WriteAppTokenAsync(context, clientId, resource!, scope.CredentialKind == "secret" ? "1" : "2", target);
    }

    private async Task<bool> CheckCertificateAssertionAsync(HttpContext context, TokenLogScope scope, ClientAssertion assertion, string clientId, string tenant)
    {
        const string Docs = "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .";
        X509Certificate2? certificate = assertion.FindCertificate(options.ClientCertificates);
        if (certificate is null)
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_client", 700027,
                "The certificate with identifier used to sign the client assertion is not registered on application. " +
                $"[Reason - The key was not found., Thumbprint of key used by client: '{assertion.ClaimedThumbprint()}', " +
                $"Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{clientId}'. {Docs}]");
            return false;
        }
        if (!assertion.VerifySignature(certificate))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_client", 700027,
                "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., " +
                $"Thumbprint of key used by client: '{assertion.ClaimedThumbprint()}', Algorithm: '{assertion.Algorithm}'. {Docs}]");
            return false;
        }
        if (!string.Equals(assertion.Issuer, clientId, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(assertion.Subject, clientId, StringComparison.OrdinalIgnoreCase))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_client", 700021,
                $"Client assertion application identifier doesn't match 'client_id' parameter (iss '{assertion.Issuer}', sub '{assertion.Subject}'). {Docs}");
            return false;
        }

        string tokenEndpoint = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
        if (!AudienceMatches(assertion.Audiences, tokenEndpoint, tenant, context))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_client", 50027,
                $"JWT token is invalid or malformed. [Reason - The client assertion's audience '{string.Join(", ", assertion.Audiences)}' " +
                $"is not the token endpoint '{tokenEndpoint}'.] {Docs}");
            return false;
        }

        return await CheckLifetimeAsync(context, scope, assertion, Docs);
    }

    /// <summary>
    /// The audience of a certificate assertion must be the token endpoint (MSAL writes
    /// <c>https://host/{tenant}/oauth2/v2.0/token</c>). Case is ignored; a trailing slash and the
    /// v2.0 issuer form are accepted too, with a warning, as Entra accepts them.
    /// </summary>
    private bool AudienceMatches(IReadOnlyList<string> audiences, string tokenEndpoint, string tenant, HttpContext context)
    {
        if (audiences.Any(a => string.Equals(a, tokenEndpoint, StringComparison.OrdinalIgnoreCase)))
            return true;
        string issuer = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}/v2.0";
        string? lenient = audiences.FirstOrDefault(a =>
            string.Equals(a.TrimEnd('/'), tokenEndpoint.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            || string.Equals(a.TrimEnd('/'), issuer, StringComparison.OrdinalIgnoreCase));
        if (lenient is null)
            return false;
        logger.LogWarning("Authority: client assertion audience '{Audience}' accepted for token endpoint '{Endpoint}'", lenient, tokenEndpoint);
        return true;
    }

    private async Task<bool> CheckFederatedAssertionAsync(HttpContext context, TokenLogScope scope, ClientAssertion assertion)
    {
        const string Docs = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
        if (!await CheckLifetimeAsync(context, scope, assertion, Docs))
            return false;

        // Issuer and subject are compared exactly, as Entra does; the audience is one of aud's values.
        if (!string.Equals(assertion.Issuer, DemoTenant.FederatedIssuer, StringComparison.Ordinal)
            || !string.Equals(assertion.Subject, DemoTenant.FederatedSubject, StringComparison.Ordinal)
            || !assertion.Audiences.Contains(DemoTenant.FederatedAudience, StringComparer.Ordinal))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_request", 70021,
                "No matching federated identity record found for presented assertion. " +
                $"Assertion Issuer: '{assertion.Issuer}'. Assertion Subject: '{assertion.Subject}'. " +
                $"Assertion Audience: '{string.Join(",", assertion.Audiences)}'. {Docs}");
            return false;
        }
        return true;
    }

    private static async Task<bool> CheckLifetimeAsync(HttpContext context, TokenLogScope scope, ClientAssertion assertion, string docs)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset? exp = assertion.Expires;
        DateTimeOffset? nbf = assertion.NotBefore;
        if (exp is null || exp <= now || (nbf is not null && nbf > now + ClockSkew))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_client", 700024,
                $"Client assertion is not within its valid time range. Current time: {now:yyyy-MM-ddTHH:mm:ss.fffffffZ}, " +
                $"assertion valid from {nbf:yyyy-MM-ddTHH:mm:ss.fffffffZ}, expiry time of assertion {exp:yyyy-MM-ddTHH:mm:ss.fffffffZ}. {docs}");
            return false;
        }
        return true;
    }

    /// <summary>The pipeline app's token for <paramref name="resource"/>: that API's application permissions in <c>roles</c>.</summary>
    private Task WriteAppTokenAsync(HttpContext context, string clientId, Scopes.Resource resource, string appIdAcr, ServedTenant target)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        int lifetime = options.TokenLifetimeSeconds;
        string accessToken = TestTokens.MintCore(
            target.TenantId,
            oid: DemoTenant.PipelineAppObjectId,
            upn: null,
            scp: null,
            roles: resource.Api.AppRoles,
            wids: null,
            issuedAt: now,
            expires: now.AddSeconds(lifetime),
            aud: resource.Uri,
            appId: clientId,
            appDisplayName: DemoTenant.PipelineAppDisplayName,
            extraClaims: [new("appidacr", appIdAcr), new("idtyp", "app"), new("sub", DemoTenant.PipelineAppObjectId)]);
        return EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", lifetime);
            json.WriteNumber("ext_expires_in", lifetime);
            json.WriteString("access_token", accessToken);
        });
    }

    // ---------------------------------------------------------------- delegated grants

    private async Task DeviceCodeTokenAsync(HttpContext context, TokenLogScope scope, IFormCollection form, ServedTenant target)
    {
        string? clientId = Value(form, "client_id");
        string? deviceCode = Value(form, "device_code");
        if (clientId is null)
        {
            await MissingParameterAsync(context, scope, "client_id");
            return;
        }
        if (deviceCode is null)
        {
            await MissingParameterAsync(context, scope, "device_code");
            return;
        }
        if (!_grants.DeviceCodes.TryGetValue(deviceCode, out DeviceCodeGrant? pending))
        {
            await EntraResponses.ErrorAsync(context, scope, "bad_verification_code", 70000,
                "The provided value for the input parameter 'device_code' is not valid.");
            return;
        }
        scope.Scope ??= pending.Grant.Scope;
        if (pending.Expires <= DateTimeOffset.UtcNow)
        {
            _grants.DeviceCodes.TryRemove(deviceCode, out _);
            await EntraResponses.ErrorAsync(context, scope, "expired_token", 70019, "Verification code expired.");
            return;
        }
        if (!string.Equals(pending.Grant.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 70000,
                $"The provided value for the input parameter 'device_code' is not valid for client '{clientId}'.");
            return;
        }
        // The first poll finds the user still signing in; the next one finds it done.
        if (pending.Poll() == 1)
        {
            await EntraResponses.ErrorAsync(context, scope, "authorization_pending", 70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
            return;
        }
        if (!_grants.DeviceCodes.TryRemove(deviceCode, out _))
        {
            await EntraResponses.ErrorAsync(context, scope, "bad_verification_code", 70000,
                "The provided value for the input parameter 'device_code' is not valid.");
            return;
        }

        await WriteDelegatedTokenAsync(context, scope, pending.Grant, target);
    }

    private async Task AuthorizationCodeTokenAsync(HttpContext context, TokenLogScope scope, IFormCollection form, ServedTenant target)
    {
        string? clientId = Value(form, "client_id");
        string? code = Value(form, "code");
        if (clientId is null)
        {
            await MissingParameterAsync(context, scope, "client_id");
            return;
        }
        if (code is null)
        {
            await MissingParameterAsync(context, scope, "code");
            return;
        }
        if (!_grants.AuthorizationCodes.TryRemove(code, out AuthorizationCodeGrant? pending) || pending.Expires <= DateTimeOffset.UtcNow)
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 70000,
                "The provided value for the 'code' parameter is not valid. The code has expired, was already redeemed, or was never issued.");
            return;
        }
        scope.Scope ??= pending.Grant.Scope;
        if (!string.Equals(pending.Grant.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 70000,
                $"The provided value for the 'code' parameter is not valid: it was issued to another client than '{clientId}'.");
            return;
        }
        string? redirectUri = Value(form, "redirect_uri");
        if (!string.Equals(redirectUri, pending.RedirectUri, StringComparison.Ordinal))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 500112,
                $"The reply address '{redirectUri}' does not match the reply address '{pending.RedirectUri}' provided when requesting the authorization code.");
            return;
        }
        if (pending.CodeChallenge is not null && !PkceMatches(pending, Value(form, "code_verifier")))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
            return;
        }

        await WriteDelegatedTokenAsync(context, scope, pending.Grant, target);
    }

    private static bool PkceMatches(AuthorizationCodeGrant pending, string? verifier)
    {
        if (verifier is null)
            return false;
        string expected = string.Equals(pending.CodeChallengeMethod, "plain", StringComparison.OrdinalIgnoreCase)
            ? verifier
            : Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return string.Equals(expected, pending.CodeChallenge, StringComparison.Ordinal);
    }

    /// <summary>
    /// A refresh token is redeemed at any served tenant's token endpoint, whichever tenant issued it
    /// (MSAL's silent flow with another tenant's authority does this): the token is that tenant's,
    /// for the same user, when they have access there (<see cref="WriteDelegatedTokenAsync"/>).
    /// </summary>
    private async Task RefreshTokenAsync(HttpContext context, TokenLogScope scope, IFormCollection form, ServedTenant target)
    {
        string? clientId = Value(form, "client_id");
        string? refreshToken = Value(form, "refresh_token");
        if (clientId is null)
        {
            await MissingParameterAsync(context, scope, "client_id");
            return;
        }
        if (refreshToken is null)
        {
            await MissingParameterAsync(context, scope, "refresh_token");
            return;
        }
        if (!_grants.RefreshTokens.TryGetValue(refreshToken, out DelegatedGrant? grant))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
            return;
        }
        if (!string.Equals(grant.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_grant", 700005,
                $"The refresh token was issued to another client than '{clientId}'.");
            return;
        }

        string requested = Value(form, "scope") ?? grant.Scope;
        await WriteDelegatedTokenAsync(context, scope, grant with { Scope = requested, Tenant = target.TenantId }, target);
    }

    /// <summary>
    /// The demo admin's tokens for a delegated grant in <paramref name="target"/>: access token (for
    /// the resource asked for, Graph or Log Analytics: its consented permissions plus any asked for;
    /// <c>wids</c> Global Reader at home, the admin's roles there in another tenant, with <c>idp</c> the
    /// home tenant's issuer), refresh token, id token (tid the target) and client_info (always the
    /// home account: uid the admin, utid the home tenant), which MSAL needs to build the account of a
    /// public client. AADSTS50020 in a tenant where the admin has no access.
    /// </summary>
    private async Task WriteDelegatedTokenAsync(HttpContext context, TokenLogScope scope, DelegatedGrant grant, ServedTenant target)
    {
        if (target.Admin is not { } admin)
        {
            await UserNotInTenantAsync(context, scope, grant.ClientId, target);
            return;
        }

        if (!Scopes.TryReadDelegated(grant.Scope, out Scopes.Delegated? delegated, out int scopeError, out string? scopeMessage))
        {
            await EntraResponses.ErrorAsync(context, scope, scopeError == 500011 ? "invalid_resource" : "invalid_scope", scopeError, scopeMessage!);
            return;
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        int lifetime = options.TokenLifetimeSeconds;
        var permissions = delegated!.Resource.Api.ConsentedScopes.ToList();
        foreach (string asked in delegated.Permissions)
        {
            if (!permissions.Contains(asked, StringComparer.OrdinalIgnoreCase))
                permissions.Add(asked);
        }

        List<KeyValuePair<string, string>> claims =
            [new("name", DemoTenant.AdminDisplayName), new("idtyp", "user"), new("sub", PairwiseSubject(grant.ClientId))];
        if (!target.IsHome)
            claims.Add(new("idp", IdentityProvider));
        string accessToken = TestTokens.MintCore(
            target.TenantId,
            oid: DemoTenant.AdminObjectId,
            upn: DemoTenant.AdminUpn,
            scp: string.Join(' ', permissions),
            roles: null,
            // At home as it always was (Global Reader alone); elsewhere the roles the admin holds there.
            wids: target.IsHome ? [TestTokens.GlobalReaderRoleTemplateId] : admin.Wids,
            issuedAt: now,
            expires: now.AddSeconds(lifetime),
            aud: delegated.Resource.Uri,
            appId: grant.ClientId,
            appDisplayName: TestTokens.AppDisplayName,
            extraClaims: claims);
        string idToken = IdToken(grant.ClientId, target, now, now.AddHours(1));
        string refreshToken = _grants.IssueRefreshToken(grant);
        string clientInfo = HomeClientInfo();
        string grantedScope = string.Join(' ',
            permissions.Select(p => $"{delegated.Resource.Uri}/{p}")
                .Concat(delegated.ReservedAsked.Where(r => r != "offline_access")));

        await EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("token_type", "Bearer");
            json.WriteString("scope", grantedScope);
            json.WriteNumber("expires_in", lifetime);
            json.WriteNumber("ext_expires_in", lifetime);
            json.WriteString("access_token", accessToken);
            json.WriteString("refresh_token", refreshToken);
            json.WriteString("id_token", idToken);
            json.WriteString("client_info", clientInfo);
        });
    }

    /// <summary>The home account as MSAL keys it: base64url of <c>{"uid":admin oid,"utid":home tenant}</c>, whichever tenant the token is for.</summary>
    private string HomeClientInfo() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        $$"""{"uid":"{{DemoTenant.AdminObjectId}}","utid":"{{HomeTenantId}}"}"""));

    /// <summary>An unsigned id token for the demo admin in <paramref name="target"/>, as Entra's v2.0 endpoint issues it (MSAL does not check its signature).</summary>
    private string IdToken(string clientId, ServedTenant target, DateTimeOffset issued, DateTimeOffset expires) => TestTokens.Unsigned(json =>
    {
        json.WriteString("aud", clientId);
        json.WriteString("iss", $"https://login.microsoftonline.com/{target.TenantId}/v2.0");
        json.WriteNumber("iat", issued.ToUnixTimeSeconds());
        json.WriteNumber("nbf", issued.ToUnixTimeSeconds());
        json.WriteNumber("exp", expires.ToUnixTimeSeconds());
        json.WriteString("name", DemoTenant.AdminDisplayName);
        json.WriteString("oid", DemoTenant.AdminObjectId);
        json.WriteString("preferred_username", DemoTenant.AdminUpn);
        json.WriteString("sub", PairwiseSubject(clientId));
        json.WriteString("tid", target.TenantId);
        if (!target.IsHome)
            json.WriteString("idp", IdentityProvider);
        json.WriteString("ver", "2.0");
    });

    /// <summary>Entra's sub: stable per user and app, opaque.</summary>
    private static string PairwiseSubject(string clientId) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(DemoTenant.AdminObjectId + "|" + clientId.ToLowerInvariant())));

    // ---------------------------------------------------------------- device code endpoint

    private async Task DeviceCodeAsync(HttpContext context, string tenant)
    {
        var scope = new TokenLogScope(log, context, "devicecode") { Tenant = tenant, CredentialKind = "device_code" };
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await PostOnlyAsync(context, scope);
            return;
        }

        IFormCollection form = await ReadFormAsync(context);
        string? clientId = Value(form, "client_id");
        string? scopeValue = Value(form, "scope");
        scope.ClientId = clientId;
        scope.Scope = scopeValue;
        if (!AcceptsTenant(tenant, delegated: true))
        {
            await TenantNotFoundAsync(context, scope, tenant);
            return;
        }
        if (clientId is null)
        {
            await MissingParameterAsync(context, scope, "client_id");
            return;
        }
        if (scopeValue is null)
        {
            await MissingParameterAsync(context, scope, "scope");
            return;
        }
        if (!Scopes.TryReadDelegated(scopeValue, out _, out int scopeError, out string? scopeMessage))
        {
            await EntraResponses.ErrorAsync(context, scope, scopeError == 500011 ? "invalid_resource" : "invalid_scope", scopeError, scopeMessage!);
            return;
        }

        // Any client id is accepted: a public client, e.g. the module's own or Azure PowerShell's.
        string deviceCode = PendingGrants.NewOpaque("DAQABIQEAAAB.emu.");
        string userCode = PendingGrants.NewUserCode();
        _grants.DeviceCodes[deviceCode] = new DeviceCodeGrant(new DelegatedGrant(clientId, scopeValue, tenant), DateTimeOffset.UtcNow + DeviceCodeLifetime);
        await EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("user_code", userCode);
            json.WriteString("device_code", deviceCode);
            json.WriteString("verification_uri", DeviceLoginUri);
            json.WriteNumber("expires_in", (int)DeviceCodeLifetime.TotalSeconds);
            json.WriteNumber("interval", 1);
            json.WriteString("message",
                $"To sign in, use a web browser to open the page {DeviceLoginUri} and enter the code {userCode} to authenticate.");
        });
    }

    // ---------------------------------------------------------------- authorize endpoint

    /// <summary>
    /// The interactive sign-in, without the interaction: the demo admin is signed in at once and
    /// the browser is sent back to the loopback redirect URI with a code (PKCE is checked when
    /// the code is redeemed).
    /// </summary>
    private async Task AuthorizeAsync(HttpContext context, string tenant)
    {
        var scope = new TokenLogScope(log, context, "authorize") { Tenant = tenant, CredentialKind = "authorization_code" };
        IQueryCollection query = context.Request.Query;
        string? clientId = NullIfEmpty(query["client_id"]);
        string? redirectUri = NullIfEmpty(query["redirect_uri"]);
        string? scopeValue = NullIfEmpty(query["scope"]);
        string? state = NullIfEmpty(query["state"]);
        scope.ClientId = clientId;
        scope.Scope = scopeValue;

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_request", 900561, "The emulator's authorize endpoint answers GET requests only.");
            return;
        }
        if (!AcceptsTenant(tenant, delegated: true))
        {
            await TenantNotFoundAsync(context, scope, tenant);
            return;
        }
        if (clientId is null)
        {
            await MissingParameterAsync(context, scope, "client_id");
            return;
        }
        if (redirectUri is null || !IsLoopbackRedirect(redirectUri))
        {
            await EntraResponses.ErrorAsync(context, scope, "invalid_request", 50011,
                $"The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. " +
                "The emulator accepts loopback redirect URIs (http://localhost:PORT, http://127.0.0.1:PORT) only.");
            return;
        }

        string responseMode = NullIfEmpty(query["response_mode"]) ?? "query";
        string? error = null, description = null;
        string? challenge = NullIfEmpty(query["code_challenge"]);
        string? challengeMethod = NullIfEmpty(query["code_challenge_method"]);
        if (!(NullIfEmpty(query["response_type"]) ?? "").Split(' ').Contains("code"))
            (error, description) = ("unsupported_response_type", "AADSTS700054: response_type must include 'code'.");
        else if (scopeValue is null)
            (error, description) = ("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.");
        else if (!Scopes.TryReadDelegated(scopeValue, out _, out int scopeError, out string? scopeMessage))
            (error, description) = (scopeError == 500011 ? "invalid_resource" : "invalid_scope", $"AADSTS{scopeError}: {scopeMessage}");
        else if (challengeMethod is not null && challengeMethod is not ("S256" or "plain"))
            (error, description) = ("invalid_request", $"AADSTS501491: Invalid code_challenge_method '{challengeMethod}'.");

        var parameters = new List<KeyValuePair<string, string>>();
        if (error is not null)
        {
            string text = description ?? "";
            scope.Error = text[..Math.Max(0, text.IndexOf(':'))];
            scope.OAuthError = error;
            parameters.Add(new("error", error));
            parameters.Add(new("error_description", text));
        }
        else
        {
            string code = PendingGrants.NewOpaque("1.emu.code.");
            _grants.AuthorizationCodes[code] = new AuthorizationCodeGrant(
                new DelegatedGrant(clientId, scopeValue!, tenant), redirectUri, challenge, challengeMethod, DateTimeOffset.UtcNow + AuthorizationCodeLifetime);
            parameters.Add(new("code", code));
            parameters.Add(new("client_info", HomeClientInfo()));
        }
        if (state is not null)
            parameters.Add(new("state", state));
        parameters.Add(new("session_state", Guid.NewGuid().ToString()));

        if (string.Equals(responseMode, "form_post", StringComparison.OrdinalIgnoreCase))
        {
            await WriteFormPostAsync(context, redirectUri, parameters);
            return;
        }
        string encoded = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        string separator = string.Equals(responseMode, "fragment", StringComparison.OrdinalIgnoreCase) ? "#" : redirectUri.Contains('?') ? "&" : "?";
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = redirectUri + separator + encoded;
        context.Response.Headers.CacheControl = "no-store, no-cache";
    }

    private static bool IsLoopbackRedirect(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && (uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase));

    private static async Task WriteFormPostAsync(HttpContext context, string redirectUri, List<KeyValuePair<string, string>> parameters)
    {
        HtmlEncoder html = HtmlEncoder.Default;
        var page = new StringBuilder();
        page.Append("<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"")
            .Append(html.Encode(redirectUri)).Append("\">");
        foreach ((string name, string value) in parameters)
            page.Append("<input type=\"hidden\" name=\"").Append(html.Encode(name)).Append("\" value=\"").Append(html.Encode(value)).Append("\" />");
        page.Append("<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form>")
            .Append("<script language=\"javascript\">document.forms[0].submit();</script></body></html>");
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(page.ToString(), context.RequestAborted);
    }
}

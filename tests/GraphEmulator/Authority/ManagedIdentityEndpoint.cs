using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace GraphEmulator.Authority;

/// <summary>
/// The local managed identity endpoint of App Service and Azure Automation (protocol version
/// 2019-08-01): <c>GET {IDENTITY_ENDPOINT}?resource=…&amp;api-version=2019-08-01</c> with the
/// <c>X-IDENTITY-HEADER</c> secret, answering <c>{"access_token","expires_on","resource",
/// "token_type","client_id"}</c>. Served on the http listener, as the real one is http on loopback.
/// The resource is Microsoft Graph or the Log Analytics query API (<see cref="Scopes.Find"/>).
/// </summary>
internal sealed class ManagedIdentityEndpoint(EmulatorOptions options, string tenantId, TokenRequestLog log)
{
    public const string Path = "/msi/token";
    public const string ApiVersion = "2019-08-01";
    public const string SecretHeader = "X-IDENTITY-HEADER";

    private sealed record Identity(string ClientId, string ObjectId, string? ResourceId, string DisplayName);

    private static readonly Identity SystemAssigned = new(
        DemoTenant.AutomationIdentityClientId, DemoTenant.AutomationIdentityObjectId, null, DemoTenant.AutomationIdentityDisplayName);

    private static readonly Identity UserAssigned = new(
        DemoTenant.UserAssignedIdentityClientId, DemoTenant.UserAssignedIdentityObjectId,
        DemoTenant.UserAssignedIdentityResourceId, DemoTenant.UserAssignedIdentityDisplayName);

    public async Task HandleAsync(HttpContext context)
    {
        IQueryCollection query = context.Request.Query;
        string? resource = NullIfEmpty(query["resource"]);
        var scope = new TokenLogScope(log, context, "msi") { CredentialKind = "managed_identity", Scope = resource };

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await ErrorAsync(context, scope, StatusCodes.Status405MethodNotAllowed, "method_not_allowed", $"The method '{context.Request.Method}' is not allowed; use GET.");
            return;
        }

        string? secret = NullIfEmpty(context.Request.Headers[SecretHeader]);
        if (secret is null)
        {
            await ErrorAsync(context, scope, StatusCodes.Status400BadRequest, "identity_header_missing", $"The {SecretHeader} header is missing.");
            return;
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(options.IdentityHeader)))
        {
            await ErrorAsync(context, scope, StatusCodes.Status401Unauthorized, "identity_header_mismatch", $"Unauthorized: the {SecretHeader} header does not match.");
            return;
        }

        string? apiVersion = NullIfEmpty(query["api-version"]);
        if (!string.Equals(apiVersion, ApiVersion, StringComparison.Ordinal))
        {
            await ErrorAsync(context, scope, StatusCodes.Status400BadRequest, "api_version_unsupported",
                apiVersion is null ? "The api-version parameter is missing." : $"The api-version '{apiVersion}' is not supported; use '{ApiVersion}'.");
            return;
        }

        string? clientId = NullIfEmpty(query["client_id"]);
        string? principalId = NullIfEmpty(query["principal_id"]) ?? NullIfEmpty(query["object_id"]);
        string? resourceId = NullIfEmpty(query["mi_res_id"]) ?? NullIfEmpty(query["msi_res_id"]);
        scope.ClientId = clientId ?? principalId ?? resourceId;
        if ((clientId is not null ? 1 : 0) + (principalId is not null ? 1 : 0) + (resourceId is not null ? 1 : 0) > 1)
        {
            await ErrorAsync(context, scope, StatusCodes.Status400BadRequest, "ambiguous_identity",
                "Only one of client_id, principal_id and mi_res_id may be given.");
            return;
        }

        Identity? identity = clientId is null && principalId is null && resourceId is null
            ? SystemAssigned
            : Find(clientId, principalId, resourceId);
        if (identity is null)
        {
            await ErrorAsync(context, scope, StatusCodes.Status400BadRequest, "unknown_identity", "Unable to load the proper Managed Identity.");
            return;
        }
        scope.ClientId = identity.ClientId;

        if (resource is null)
        {
            await ErrorAsync(context, scope, StatusCodes.Status400BadRequest, "resource_missing", "The resource parameter is missing.");
            return;
        }
        Scopes.Resource? found = Scopes.Find(resource);
        if (found is null)
        {
            await ErrorAsync(context, scope, StatusCodes.Status400BadRequest, "invalid_resource",
                $"AADSTS500011: The resource principal named {resource} was not found in the tenant named {DemoTenant.TenantName}.");
            return;
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset expires = now.AddSeconds(options.TokenLifetimeSeconds);
        var claims = new System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string>>
        {
            new("appidacr", "2"),
            new("idtyp", "app"),
            new("sub", identity.ObjectId),
            new("xms_mirid", identity.ResourceId
                ?? "/subscriptions/1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b/resourcegroups/rg-audit-export/providers/Microsoft.Automation/automationAccounts/" + identity.DisplayName),
        };
        string accessToken = TestTokens.MintCore(
            tenantId, identity.ObjectId, upn: null, scp: null, found.Api.AppRoles, wids: null, now, expires, found.Uri, identity.ClientId,
            identity.DisplayName, claims);
        await EntraResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("access_token", accessToken);
            json.WriteString("expires_on", expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            json.WriteString("resource", resource);
            json.WriteString("token_type", "Bearer");
            json.WriteString("client_id", identity.ClientId);
        });
    }

    private static Identity? Find(string? clientId, string? principalId, string? resourceId)
    {
        foreach (Identity identity in new[] { SystemAssigned, UserAssigned })
        {
            if (clientId is not null && string.Equals(clientId, identity.ClientId, StringComparison.OrdinalIgnoreCase))
                return identity;
            if (principalId is not null && string.Equals(principalId, identity.ObjectId, StringComparison.OrdinalIgnoreCase))
                return identity;
            if (resourceId is not null && identity.ResourceId is not null
                && string.Equals(resourceId, identity.ResourceId, StringComparison.OrdinalIgnoreCase))
                return identity;
        }
        return null;
    }

    /// <summary>The App Service style error body: <c>{"statusCode","message","correlationId"}</c>; the log gets the short code.</summary>
    private static Task ErrorAsync(HttpContext context, TokenLogScope scope, int status, string code, string message)
    {
        scope.Error = code;
        return EntraResponses.WriteJsonAsync(context, status, json =>
        {
            json.WriteNumber("statusCode", status);
            json.WriteString("message", message);
            json.WriteString("correlationId", Guid.NewGuid().ToString());
        });
    }

    private static string? NullIfEmpty(StringValues value) => StringValues.IsNullOrEmpty(value) ? null : value.ToString();
}

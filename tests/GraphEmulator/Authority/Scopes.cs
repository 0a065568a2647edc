using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.Authority;

/// <summary>
/// The resources the authority issues tokens for (Microsoft Graph in each cloud, or Graph's app
/// id; the Log Analytics query API) and the reading of the <c>scope</c> parameter:
/// <c>{resource}/.default</c> for app grants, a space-separated permission list for delegated ones.
/// </summary>
internal static class Scopes
{
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    /// <summary>Graph in each cloud (docs/architecture.md, "Facts from Microsoft's documentation"), and its app id, which Entra takes as a resource too.</summary>
    public static readonly IReadOnlyList<string> GraphResources =
    [
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
        GraphAppId,
    ];

    /// <summary>The Log Analytics query API's resource URI and its app id (<see cref="GraphEmulator.LogAnalytics.LogAnalyticsEndpoint.AppId"/>).</summary>
    public static readonly IReadOnlyList<string> LogAnalyticsResources =
    [
        TestTokens.LogAnalyticsAudience,
        GraphEmulator.LogAnalytics.LogAnalyticsEndpoint.AppId,
    ];

    /// <summary>
    /// An API the authority issues tokens for: the application permissions (<c>roles</c>) of its
    /// app-only tokens and the delegated permissions (<c>scp</c>) consented for the demo admin.
    /// </summary>
    public sealed record Api(string Name, IReadOnlyList<string> Resources, IReadOnlyList<string> AppRoles, IReadOnlyList<string> ConsentedScopes);

    public static readonly Api Graph = new("Microsoft Graph", GraphResources,
        ["AuditLog.Read.All", "Directory.Read.All"], Split(TestTokens.DefaultScopes));

    public static readonly Api LogAnalytics = new("Log Analytics API", LogAnalyticsResources,
        [TestTokens.LogAnalyticsScope], [TestTokens.LogAnalyticsScope]);

    private static readonly Api[] Apis = [Graph, LogAnalytics];

    /// <summary>A resource the authority issues tokens for: its API and canonical spelling (no trailing slash).</summary>
    public sealed record Resource(Api Api, string Uri);

    /// <summary>OpenID Connect scopes: asked for alongside permissions, never a resource's.</summary>
    public static readonly IReadOnlyList<string> Reserved = ["openid", "profile", "offline_access", "email"];

    /// <summary>The canonical spelling of a Graph resource (no trailing slash), or null when it is none.</summary>
    public static string? GraphResource(string resource)
    {
        string trimmed = resource.Trim().TrimEnd('/');
        return GraphResources.FirstOrDefault(r => string.Equals(r, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Graph or Log Analytics by resource URI or app id (case ignored, a trailing slash too), or null when it is neither.</summary>
    public static Resource? Find(string resource)
    {
        string trimmed = resource.Trim().TrimEnd('/');
        foreach (Api api in Apis)
        {
            string? uri = api.Resources.FirstOrDefault(r => string.Equals(r, trimmed, StringComparison.OrdinalIgnoreCase));
            if (uri is not null)
                return new Resource(api, uri);
        }
        return null;
    }

    public static string[] Split(string scope) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A delegated request's resource and permissions (short names), or an error message.</summary>
    public sealed record Delegated(Resource Resource, IReadOnlyList<string> Permissions, IReadOnlyList<string> ReservedAsked);

    /// <summary>
    /// Reads a delegated scope list. Permissions without a resource prefix are Graph's, as Entra
    /// takes them; with none at all the token is Graph's with the consented permissions. All
    /// permissions must be of one resource (Graph or Log Analytics).
    /// </summary>
    public static bool TryReadDelegated(string scope, out Delegated? delegated, out int aadsts, out string? message)
    {
        delegated = null;
        aadsts = 0;
        message = null;
        Resource? resource = null;
        var permissions = new List<string>();
        var reserved = new List<string>();
        foreach (string item in Split(scope))
        {
            if (Reserved.Contains(item, StringComparer.OrdinalIgnoreCase))
            {
                reserved.Add(item.ToLowerInvariant());
                continue;
            }

            int slash = item.LastIndexOf('/');
            string itemResource = slash > 0 ? item[..slash] : GraphResources[0];
            string permission = slash > 0 ? item[(slash + 1)..] : item;
            Resource? found = Find(itemResource);
            if (found is null)
            {
                aadsts = 500011;
                message = NotFoundMessage(itemResource);
                return false;
            }
            if (resource is not null && !string.Equals(resource.Uri, found.Uri, StringComparison.Ordinal))
            {
                aadsts = 28000;
                message = $"Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.";
                return false;
            }
            resource = found;
            if (permission.Length > 0 && permission != ".default"
                && !permissions.Contains(permission, StringComparer.OrdinalIgnoreCase))
                permissions.Add(permission);
        }

        delegated = new Delegated(resource ?? new Resource(Graph, GraphResources[0]), permissions, reserved);
        return true;
    }

    /// <summary>Reads an app grant's scope: exactly one <c>{Graph or Log Analytics resource}/.default</c>.</summary>
    public static bool TryReadAppOnly(string scope, out Resource? resource, out int aadsts, out string? message)
    {
        resource = null;
        string[] items = Split(scope);
        if (items.Length != 1 || !items[0].EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
        {
            aadsts = 1002012;
            message = $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).";
            return false;
        }

        string asked = items[0][..^"/.default".Length];
        resource = Find(asked);
        if (resource is null)
        {
            aadsts = 500011;
            message = NotFoundMessage(asked);
            return false;
        }

        aadsts = 0;
        message = null;
        return true;
    }

    private static string NotFoundMessage(string resource) =>
        $"The resource principal named {resource} was not found in the tenant named {DemoTenant.TenantName}. " +
        "This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
        "You might have sent your authentication request to the wrong tenant.";
}

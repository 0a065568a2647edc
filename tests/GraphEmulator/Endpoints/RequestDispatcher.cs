using System;
using System.Linq;
using System.Threading.Tasks;
using GraphEmulator.Auth;
using GraphEmulator.Authority;
using GraphEmulator.Faults;
using GraphEmulator.LogAnalytics;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace GraphEmulator.Endpoints;

/// <summary>
/// Every request's way in: each gets Graph's correlation headers; control requests go to
/// <see cref="ControlEndpoints"/>; sign-in requests (the authority on the HTTPS listener, the
/// managed identity endpoint on the http one) to theirs, logged in the token request log; Graph
/// requests are logged, authenticated, routed and authorized by their endpoint; Log Analytics
/// requests (under /v1) are logged and handed whole to <see cref="LogAnalyticsEndpoint"/>.
/// </summary>
internal sealed class RequestDispatcher(
    ServedTenants tenants,
    RequestLog requests,
    DirectoryAuditsEndpoint directoryAudits,
    DirectoryEndpoints directory,
    ControlEndpoints control,
    AuthorityEndpoints? authority,
    ManagedIdentityEndpoint managedIdentity,
    LogAnalyticsEndpoint logAnalytics,
    string? setCookieTenant = null)
{
    private readonly string[] _servedTenantIds = tenants.All.Select(t => t.TenantId).ToArray();

    // What Graph sends with a 401; without a claims challenge, clients must not retry on it.
    private const string BearerChallenge =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

    public async Task HandleAsync(HttpContext context)
    {
        SetCorrelationHeaders(context);
        if (context.Request.Path.StartsWithSegments(ControlEndpoints.PathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            await control.HandleAsync(context);
            return;
        }

        // The HTTPS listener is the authority's; Graph (under /v1.0) and Log Analytics (under /v1) answer there too.
        if (authority is not null && context.Request.IsHttps && !context.Request.Path.StartsWithSegments("/v1.0", StringComparison.OrdinalIgnoreCase)
            && !LogAnalyticsEndpoint.Handles(context.Request))
        {
            await authority.HandleAsync(context);
            return;
        }

        if (!context.Request.IsHttps
            && string.Equals((context.Request.Path.Value ?? "/").TrimEnd('/'), ManagedIdentityEndpoint.Path, StringComparison.OrdinalIgnoreCase))
        {
            await managedIdentity.HandleAsync(context);
            return;
        }

        var entry = new PendingLogEntry(requests, context);
        // Logged as the response starts, before the client can have it, so a test that asserts
        // on the log right after its call returns never races the server.
        context.Response.OnStarting(() =>
        {
            entry.Complete();
            return Task.CompletedTask;
        });
        try
        {
            if (LogAnalyticsEndpoint.Handles(context.Request))
                await logAnalytics.HandleAsync(context, () => entry.Authorized = true);
            else
                await RouteAsync(context, entry);
        }
        finally
        {
            entry.Complete(); // a request aborted before its response started
        }
    }

    /// <summary>The Graph paths served (case-insensitive, a trailing slash ignored), all GET.</summary>
    private static readonly string[] ServedPaths =
    [
        DirectoryAuditsEndpoint.Path,
        DirectoryEndpoints.MePath,
        DirectoryEndpoints.TransitiveMemberOfRolesPath,
        DirectoryEndpoints.RoleDefinitionsPath,
        DirectoryEndpoints.RoleAssignmentsPath,
    ];

    private async Task RouteAsync(HttpContext context, PendingLogEntry entry)
    {
        string requested = (context.Request.Path.Value ?? "/").TrimEnd('/');
        string? path = ServedPaths.FirstOrDefault(p => string.Equals(p, requested, StringComparison.OrdinalIgnoreCase));
        if (path is null)
        {
            await GraphErrors.WriteAsync(context, StatusCodes.Status404NotFound, GraphErrors.ResourceNotFound,
                $"Resource not found for the segment '{context.Request.Path}'. This emulator serves GET {string.Join(", ", ServedPaths)} only.");
            return;
        }

        // Before anything else is looked at: the delay stands for a slow directory, whatever it answers.
        if (DirectoryEndpoints.Paths.Contains(path) && !await directory.DelayAsync(context))
            return;

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await GraphErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, GraphErrors.BadRequest,
                $"The HTTP method '{context.Request.Method}' is not allowed on {path["/v1.0/".Length..]}.");
            return;
        }

        // Graph takes the tenant from the token: a tid that is none of the served tenants is 401.
        string? refusal = BearerCheck.Authenticate(context.Request.Headers.Authorization, DateTimeOffset.UtcNow,
            _servedTenantIds, BearerCheck.IsGraphAudience, out CallerClaims? caller);
        if (refusal is not null)
        {
            context.Response.Headers.WWWAuthenticate = BearerChallenge;
            await GraphErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, GraphErrors.InvalidAuthenticationToken, refusal);
            return;
        }

        // Authenticated; each endpoint still answers 403 (or 400 for /me without a user) when the
        // token lacks what the API needs (GraphAuthorization), in the token's tenant.
        ServedTenant tenant = tenants.Find(caller!.TenantId)!;
        entry.Authorized = true;
        entry.Tenant = tenant.TenantId;
        switch (path)
        {
            case DirectoryAuditsEndpoint.Path:
                // An affinity cookie, as a load balancer in front of one tenant's answers might set.
                if (setCookieTenant is not null && Guid.Parse(setCookieTenant) == Guid.Parse(tenant.TenantId))
                    context.Response.Headers.SetCookie = $"emulator-affinity={tenant.TenantId}; Path=/";
                if (GraphAuthorization.DirectoryAudits(caller, tenant) is { } denial)
                    await GraphErrors.WriteAsync(context, denial.Status, denial.Code, denial.Message);
                else
                    await directoryAudits.HandleAsync(context, caller, tenant);
                break;
            case DirectoryEndpoints.MePath:
                await directory.MeAsync(context, caller, tenant);
                break;
            case DirectoryEndpoints.TransitiveMemberOfRolesPath:
                await directory.TransitiveMemberOfRolesAsync(context, caller, tenant);
                break;
            case DirectoryEndpoints.RoleDefinitionsPath:
                await directory.RoleDefinitionsAsync(context, caller, tenant);
                break;
            case DirectoryEndpoints.RoleAssignmentsPath:
                await directory.RoleAssignmentsAsync(context, caller, tenant);
                break;
        }
    }

    private static void SetCorrelationHeaders(HttpContext context)
    {
        string clientRequestId = context.Request.Headers[GraphErrors.ClientRequestIdHeader].ToString();
        if (clientRequestId.Length == 0)
            clientRequestId = Guid.NewGuid().ToString();
        context.Response.Headers[GraphErrors.RequestIdHeader] = Guid.NewGuid().ToString();
        context.Response.Headers[GraphErrors.ClientRequestIdHeader] = clientRequestId;
    }

    /// <summary>What the log will hold for one request, written once.</summary>
    private sealed class PendingLogEntry(RequestLog log, HttpContext context)
    {
        private readonly long _sequence = log.NextSequence();
        private readonly DateTimeOffset _arrived = DateTimeOffset.UtcNow;
        private bool _logged;

        public bool Authorized { get; set; }

        /// <summary>The served tenant the accepted token named (Graph requests only).</summary>
        public string? Tenant { get; set; }

        public void Complete()
        {
            if (_logged)
                return;
            _logged = true;
            HttpRequest request = context.Request;
            log.Add(new RequestLogEntry(
                _sequence,
                request.Method,
                request.Path.Value ?? "/",
                Uri.UnescapeDataString(request.QueryString.Value?.TrimStart('?') ?? ""),
                request.Headers.ContainsKey(HeaderNames.Authorization),
                Authorized,
                context.Response.StatusCode,
                _arrived)
            {
                Fault = RequestFault.Of(context),
                Kql = RequestKql.Of(context),
                Timespan = RequestKql.TimespanOf(context),
                Tenant = Tenant,
                Cookie = request.Headers.TryGetValue(HeaderNames.Cookie, out var cookie) ? cookie.ToString() : null,
            });
        }
    }
}

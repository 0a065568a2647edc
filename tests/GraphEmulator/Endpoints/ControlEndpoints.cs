using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator.Data;
using GraphEmulator.Faults;
using GraphEmulator.LogAnalytics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace GraphEmulator.Endpoints;

/// <summary>
/// The emulator's own endpoints under /_emulator, for tests and scripts in other processes: the
/// truth about the data set, the directory's users and role expectations, the request log, the
/// token request log, tokens and federated assertions, faults, and the late records a test adds to a tenant's log.
/// No authentication: Kestrel listens on loopback only. These requests are never
/// written to either log.
/// </summary>
internal sealed class ControlEndpoints(
    ServedTenants tenants, RequestLog requests, TokenRequestLog tokenRequests, FaultSchedule faults, ReportingThrottle throttle,
    Func<LogAnalyticsData> logAnalytics, LogAnalyticsFaultSchedule logAnalyticsFaults)
{
    public const string PathPrefix = "/_emulator";
    private const string JsonContentType = "application/json; charset=utf-8";

    public Task HandleAsync(HttpContext context)
    {
        string route = context.Request.Path.Value!.TrimEnd('/').ToLowerInvariant()[PathPrefix.Length..];
        IQueryCollection query = context.Request.Query;
        return (context.Request.Method, route) switch
        {
            ("GET", "/truth") => TenantOf(query) is { } tenant
                ? WriteJsonAsync(context, writer => TruthJson.Write(writer, tenant.DataSet, IncludeRecords(query)))
                : UnknownTenantAsync(context, query),
            ("GET", "/tenants") => WriteJsonAsync(context, writer => TenantsJson.Write(writer, tenants)),
            ("GET", "/requests") => WriteJsonAsync(context, WriteRequests),
            ("GET", "/requests/count") => WriteJsonAsync(context, writer => WriteCount(writer, query["path"], query["tenant"])),
            ("DELETE", "/requests") => ClearRequests(context),
            ("GET", "/token") => TenantOf(query) is not { } tokenTenant
                ? UnknownTenantAsync(context, query)
                : TokenRequest.TryMint(query, tokenTenant, out string? token, out string? error)
                ? WriteJsonAsync(context, writer => WriteToken(writer, token!))
                : GraphErrors.BadRequestAsync(context, error!),
            ("GET", "/federated-assertion") => TokenRequest.TryMintFederatedAssertion(query, out string? assertion, out string? assertionError)
                ? WriteJsonAsync(context, writer => WriteAssertion(writer, assertion!))
                : GraphErrors.BadRequestAsync(context, assertionError!),
            ("GET", "/users") => TenantOf(query) is { } usersTenant
                ? WriteJsonAsync(context, writer => DirectoryJson.WriteUsers(writer, usersTenant))
                : UnknownTenantAsync(context, query),
            ("GET", "/roles") => WriteJsonAsync(context, DirectoryJson.WriteRoleExpectations),
            ("GET", "/token-requests") => WriteJsonAsync(context, WriteTokenRequests),
            ("DELETE", "/token-requests") => ClearTokenRequests(context),
            ("GET", "/faults") => WriteJsonAsync(context, writer => FaultJson.WriteStates(writer, faults.Snapshot())),
            ("POST", "/faults") => AddFaultsAsync(context),
            ("DELETE", "/faults") => ClearFaults(context),
            ("DELETE", "/throttle") => ResetThrottle(context),
            ("GET", "/workspace-truth") => WriteWorkspaceTruthAsync(context, query),
            ("GET", "/la-faults") => WriteJsonAsync(context, writer => LogAnalyticsFaultJson.WriteStates(writer, logAnalyticsFaults.Snapshot())),
            ("POST", "/la-faults") => ReplaceLogAnalyticsFaultsAsync(context),
            ("DELETE", "/la-faults") => ClearLogAnalyticsFaults(context),
            ("GET", "/late-records") => TenantOf(query) is { } lateTenant
                ? WriteJsonAsync(context, writer => WriteLateRecords(writer, lateTenant))
                : UnknownTenantAsync(context, query),
            ("POST", "/late-records") => AddLateRecordsAsync(context, query),
            ("DELETE", "/late-records") => ClearLateRecordsAsync(context, query),
            _ => GraphErrors.WriteAsync(context, StatusCodes.Status404NotFound, GraphErrors.ResourceNotFound,
                $"No emulator control endpoint '{context.Request.Method} {context.Request.Path}'. See tests/GraphEmulator/README.md."),
        };
    }

    /// <summary>The served tenant named by <c>?tenant=</c> (an id, as a GUID); the home tenant without it; null for an unknown one.</summary>
    private ServedTenant? TenantOf(IQueryCollection query) =>
        StringValues.IsNullOrEmpty(query["tenant"]) ? tenants.Home : tenants.Find(query["tenant"].ToString());

    private Task UnknownTenantAsync(HttpContext context, IQueryCollection query) =>
        GraphErrors.WriteAsync(context, StatusCodes.Status404NotFound, GraphErrors.ResourceNotFound,
            $"The emulator serves no tenant '{query["tenant"]}'. Served: {tenants.Ids}.");

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = JsonContentType;
        await using var writer = new Utf8JsonWriter(context.Response.Body, GraphJson.WriterOptions);
        write(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    private Task ClearRequests(HttpContext context)
    {
        requests.Clear();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private async Task AddFaultsAsync(HttpContext context)
    {
        IReadOnlyList<FaultRuleState> states;
        try
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            // Replace validates every rule, and checks the tenants they name, before it changes anything.
            states = faults.Replace(FaultJson.ReadRules(body.RootElement));
        }
        catch (JsonException ex)
        {
            await GraphErrors.BadRequestAsync(context, $"Invalid fault list: {ex.Message}");
            return;
        }
        catch (ArgumentException ex)
        {
            await GraphErrors.BadRequestAsync(context, $"Invalid fault: {ex.Message.Split(" (Parameter")[0]}");
            return;
        }
        await WriteJsonAsync(context, writer => FaultJson.WriteStates(writer, states));
    }

    private async Task ReplaceLogAnalyticsFaultsAsync(HttpContext context)
    {
        IReadOnlyList<LogAnalyticsFaultRule> rules;
        try
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            rules = LogAnalyticsFaultJson.ReadRules(body.RootElement);
            foreach (LogAnalyticsFaultRule rule in rules)
                rule.Validate();
        }
        catch (JsonException ex)
        {
            await GraphErrors.BadRequestAsync(context, $"Invalid Log Analytics fault list: {ex.Message}");
            return;
        }
        catch (ArgumentException ex)
        {
            await GraphErrors.BadRequestAsync(context, $"Invalid Log Analytics fault: {ex.Message.Split(" (Parameter")[0]}");
            return;
        }
        IReadOnlyList<LogAnalyticsFaultRuleState> states = logAnalyticsFaults.Replace(rules);
        await WriteJsonAsync(context, writer => LogAnalyticsFaultJson.WriteStates(writer, states));
    }

    /// <summary>
    /// <c>POST /_emulator/late-records</c>: adds late records to a served tenant (the body's
    /// <c>tenant</c>, or <c>?tenant=</c>, else the home tenant) and answers them with the tenant's
    /// counts after the add (README.md, "Late records").
    /// </summary>
    private async Task AddLateRecordsAsync(HttpContext context, IQueryCollection query)
    {
        LateRecordsRequest request;
        try
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            request = LateRecordsJson.ReadRequest(body.RootElement);
        }
        catch (JsonException ex)
        {
            await GraphErrors.BadRequestAsync(context, $"Invalid late records: {ex.Message}");
            return;
        }

        string? named = request.Tenant;
        if (!StringValues.IsNullOrEmpty(query["tenant"]))
        {
            if (named is not null && tenants.Find(named) is { } inBody && inBody != tenants.Find(query["tenant"].ToString()))
            {
                await GraphErrors.BadRequestAsync(context, $"Invalid late records: the body names tenant '{named}', the query '{query["tenant"]}'.");
                return;
            }
            named ??= query["tenant"].ToString();
        }
        ServedTenant? tenant = named is null ? tenants.Home : tenants.Find(named);
        if (tenant is null)
        {
            await GraphErrors.WriteAsync(context, StatusCodes.Status404NotFound, GraphErrors.ResourceNotFound,
                $"The emulator serves no tenant '{named}'. Served: {tenants.Ids}.");
            return;
        }

        IReadOnlyList<DateTimeOffset> times = request.Times
            ?? Enumerable.Repeat(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(request.MinutesAgo ?? 0), request.Count).ToArray();
        IReadOnlyList<TruthRecord> added;
        try
        {
            added = tenant.DataSet.AddLateRecords(times);
        }
        catch (ArgumentException ex)
        {
            await GraphErrors.BadRequestAsync(context, $"Invalid late records: {ex.Message.Split(" (Parameter")[0]}");
            return;
        }
        LateRecordSet after = tenant.DataSet.Late;
        await WriteJsonAsync(context, writer => LateRecordsJson.Write(writer, tenant, after, added));
    }

    private static void WriteLateRecords(Utf8JsonWriter writer, ServedTenant tenant)
    {
        LateRecordSet late = tenant.DataSet.Late;
        LateRecordsJson.Write(writer, tenant, late, late.NewestFirst.Select(LateRecordSet.TruthRecordOf));
    }

    /// <summary><c>DELETE /_emulator/late-records[?tenant=]</c>: every tenant's late records, or that tenant's.</summary>
    private Task ClearLateRecordsAsync(HttpContext context, IQueryCollection query)
    {
        if (StringValues.IsNullOrEmpty(query["tenant"]))
        {
            foreach (ServedTenant each in tenants.All)
                each.DataSet.ClearLateRecords();
        }
        else if (TenantOf(query) is { } tenant)
        {
            tenant.DataSet.ClearLateRecords();
        }
        else
        {
            return UnknownTenantAsync(context, query);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private Task ClearLogAnalyticsFaults(HttpContext context)
    {
        logAnalyticsFaults.Clear();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>GET /_emulator/workspace-truth?workspace=&amp;start=&amp;end=&amp;tenant=&amp;ids=</c>: what a
    /// window [start, end) of a workspace's AuditLogs holds (README.md, "Log Analytics").
    /// </summary>
    private async Task WriteWorkspaceTruthAsync(HttpContext context, IQueryCollection query)
    {
        string workspace = StringValues.IsNullOrEmpty(query["workspace"]) ? DemoWorkspace.WorkspaceId : query["workspace"].ToString();
        DateTimeOffset? start = null, end = null;
        foreach ((string name, Action<DateTimeOffset> set) in new (string, Action<DateTimeOffset>)[] { ("start", t => start = t), ("end", t => end = t) })
        {
            if (StringValues.IsNullOrEmpty(query[name]))
                continue;
            if (!DateTimeOffset.TryParse(query[name], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                await GraphErrors.BadRequestAsync(context, $"Invalid {name} '{query[name]}': give an ISO 8601 date and time, e.g. 2026-09-01T00:00:00Z.");
                return;
            }
            set(at);
        }
        string? tenant = StringValues.IsNullOrEmpty(query["tenant"]) ? null : query["tenant"].ToString();
        bool includeIds = !bool.TryParse(query["ids"], out bool ids) || ids;

        LogAnalyticsData data = logAnalytics();
        if (data.RowCount(workspace) is null)
        {
            await GraphErrors.WriteAsync(context, StatusCodes.Status404NotFound, GraphErrors.ResourceNotFound,
                $"No workspace '{workspace}'. Served: {string.Join(", ", data.WorkspaceIds)}.");
            return;
        }
        WorkspaceTruth truth = data.Truth(workspace, start, end, tenant);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("workspaceId", truth.WorkspaceId);
            writer.WriteBoolean("hasAuditLogs", truth.HasAuditLogs);
            writer.WriteString("aadTenantId", truth.AadTenantId);
            writer.WriteString("anchor", LogAnalyticsJson.FormatDateTime(data.Anchor.UtcTicks));
            writer.WriteString("tableStart", LogAnalyticsJson.FormatDateTime(data.TableStart.UtcTicks));
            WriteInstant(writer, "start", truth.Start);
            WriteInstant(writer, "end", truth.End);
            writer.WriteNumber("rowCount", truth.RowCount);
            writer.WriteNumber("supportAccessCount", truth.SupportAccessCount);
            writer.WriteStartObject("supportAccessByTenant");
            foreach ((string id, long count) in truth.SupportAccessByTenant)
                writer.WriteNumber(id, count);
            writer.WriteEndObject();
            if (includeIds)
            {
                writer.WriteStartArray("supportAccessIds");
                foreach (string id in truth.SupportAccessIds)
                    writer.WriteStringValue(id);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        });
    }

    private static void WriteInstant(Utf8JsonWriter writer, string name, DateTimeOffset? at)
    {
        if (at is DateTimeOffset value)
            writer.WriteString(name, LogAnalyticsJson.FormatDateTime(value.UtcTicks));
        else
            writer.WriteNull(name);
    }

    private Task ClearFaults(HttpContext context)
    {
        faults.Clear();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private Task ResetThrottle(HttpContext context)
    {
        throttle.Reset();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private Task ClearTokenRequests(HttpContext context)
    {
        tokenRequests.Clear();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private void WriteTokenRequests(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (TokenRequestLogEntry entry in tokenRequests.Snapshot())
        {
            writer.WriteStartObject();
            writer.WriteNumber("sequence", entry.Sequence);
            writer.WriteString("endpoint", entry.Endpoint);
            writer.WriteString("tenant", entry.Tenant);
            writer.WriteString("grantType", entry.GrantType);
            writer.WriteString("clientId", entry.ClientId);
            writer.WriteString("scope", entry.Scope);
            writer.WriteString("credentialKind", entry.CredentialKind);
            writer.WriteNumber("status", entry.Status);
            writer.WriteString("error", entry.Error);
            writer.WriteString("oauthError", entry.OAuthError);
            writer.WriteString("at", entry.At);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteAssertion(Utf8JsonWriter writer, string assertion)
    {
        writer.WriteStartObject();
        writer.WriteString("assertion", assertion);
        writer.WriteEndObject();
    }

    private static bool IncludeRecords(IQueryCollection query) =>
        !bool.TryParse(query["records"], out bool include) || include;

    private void WriteRequests(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (RequestLogEntry entry in requests.Snapshot())
        {
            writer.WriteStartObject();
            writer.WriteNumber("sequence", entry.Sequence);
            writer.WriteString("method", entry.Method);
            writer.WriteString("path", entry.Path);
            writer.WriteString("query", entry.Query);
            writer.WriteBoolean("hasAuthorization", entry.HasAuthorization);
            writer.WriteBoolean("authorized", entry.Authorized);
            writer.WriteNumber("status", entry.Status);
            writer.WriteString("at", entry.At);
            writer.WriteString("fault", entry.Fault);
            writer.WriteString("kql", entry.Kql);
            writer.WriteString("timespan", entry.Timespan);
            writer.WriteString("tenant", entry.Tenant);
            writer.WriteString("cookie", entry.Cookie);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>Requests with the given path (and, with <paramref name="tenant"/>, that read that served tenant), or all of them when no path is given.</summary>
    private void WriteCount(Utf8JsonWriter writer, StringValues path, StringValues tenant)
    {
        writer.WriteStartObject();
        writer.WriteNumber("count",
            StringValues.IsNullOrEmpty(path) ? requests.Count
            : StringValues.IsNullOrEmpty(tenant) ? requests.CountFor(path.ToString())
            : requests.CountFor(path.ToString(), tenant.ToString()));
        writer.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter writer, string token)
    {
        writer.WriteStartObject();
        writer.WriteString("accessToken", token);
        writer.WriteEndObject();
    }
}

/// <summary>
/// <c>GET /_emulator/token</c>'s parameters. Without any, the token is <see cref="TestTokens.DemoAdmin"/>'s.
/// With <c>user=key</c>, it is that demo directory user's (<see cref="DemoTenant.Users"/>): oid,
/// upn, name and <see cref="DemoUser.Wids"/>. With <c>roles</c>, it is app-only: no scp, upn or
/// wids, and the demo automation app's oid and appid. Other parameters override the defaults;
/// one given empty (<c>scp=</c>, <c>wids=</c>) leaves its claim out. With <c>api=loganalytics</c>
/// the defaults are the Log Analytics API's: <c>aud</c> <see cref="TestTokens.LogAnalyticsAudience"/>
/// and <c>scp</c> <see cref="TestTokens.LogAnalyticsScope"/> (app-only tokens name their roles, e.g. roles=Data.Read).
/// With <c>tenant=id</c> (a served tenant), the token is that tenant's: <c>tid</c> the tenant, and a
/// delegated token's user (the admin by default) and <c>wids</c> come from that tenant's directory;
/// in another tenant than the home one it also carries <c>idp</c> (the home tenant's issuer), and a
/// user without access there is 400 (Entra would issue no such token; <c>tid=</c> mints one anyway).
/// </summary>
internal static class TokenRequest
{
    private static readonly char[] ListSeparators = [' ', ','];

    public static bool TryMint(IQueryCollection query, ServedTenant tenant, out string? token, out string? error)
    {
        token = null;
        string? minutes = query["minutes"];
        int lifetimeMinutes = 60;
        if (minutes is not null && !int.TryParse(minutes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out lifetimeMinutes))
        {
            error = $"Invalid minutes '{minutes}': give the token's lifetime in whole minutes (negative for an expired token).";
            return false;
        }

        bool appOnly = !StringValues.IsNullOrEmpty(query["roles"]);
        // api=loganalytics: a token for the Log Analytics query API (its audience, and Data.Read
        // as the default delegated scope) instead of Graph's.
        string api = query["api"].ToString();
        bool logAnalytics = string.Equals(api, "loganalytics", StringComparison.OrdinalIgnoreCase);
        if (api.Length > 0 && !logAnalytics && !string.Equals(api, "graph", StringComparison.OrdinalIgnoreCase))
        {
            error = $"Unknown api '{api}': use graph (the default) or loganalytics.";
            return false;
        }
        string audience = logAnalytics ? TestTokens.LogAnalyticsAudience : TestTokens.GraphAudience;
        string scopes = logAnalytics ? TestTokens.LogAnalyticsScope : TestTokens.DefaultScopes;

        // tenant=: that served tenant's token and directory. Without it, as always: the demo
        // tenant's id and the demo directory (whichever tenant is served).
        bool tenantNamed = !StringValues.IsNullOrEmpty(query["tenant"]);
        string defaultTid = tenantNamed ? tenant.TenantId : DemoTenant.TenantId;
        bool elsewhere = tenantNamed && !tenant.IsHome;
        List<KeyValuePair<string, string>> elsewhereClaims = elsewhere ? [new("idp", $"https://sts.windows.net/{tenant.HomeTenantId}/")] : [];

        if (query.TryGetValue("user", out StringValues userKey))
        {
            DemoUser? user = tenantNamed ? tenant.FindUser(userKey.ToString()) : DemoTenant.FindUser(userKey.ToString());
            if (user is null)
            {
                error = tenantNamed && DemoTenant.FindUser(userKey.ToString()) is not null
                    ? $"User '{userKey}' has no access to tenant '{tenant.TenantId}' ({tenant.DisplayName}): Entra would issue no token there. Use tid= to mint one anyway."
                    : $"Unknown user '{userKey}': use one of {string.Join(", ", DemoTenant.Users.Select(u => u.Key))}.";
                return false;
            }
            if (appOnly)
            {
                error = "user and roles can't be combined: a user's token is delegated, a token with roles app-only.";
                return false;
            }

            error = null;
            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset expires = now.AddMinutes(lifetimeMinutes);
            token = TestTokens.MintCore(
                Claim(query, "tid", defaultTid) ?? "",
                Claim(query, "oid", user.ObjectId),
                Claim(query, "upn", user.UserPrincipalName),
                Claim(query, "scp", scopes),
                roles: null,
                query.ContainsKey("wids") ? List(Claim(query, "wids", null)) : user.Wids,
                (expires < now ? expires : now).AddMinutes(-5),
                expires,
                Claim(query, "aud", audience) ?? audience,
                Claim(query, "appId", null),
                TestTokens.AppDisplayName,
                [new("name", user.DisplayName), .. elsewhereClaims]);
            return true;
        }

        if (elsewhere && !appOnly)
        {
            // The default user, the demo admin, as that tenant knows them.
            DemoUser? admin = tenant.Admin;
            if (admin is null)
            {
                error = $"The demo admin has no access to tenant '{tenant.TenantId}' ({tenant.DisplayName}): Entra would issue no token there. Use tid= to mint one anyway.";
                return false;
            }
            error = null;
            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset expires = now.AddMinutes(lifetimeMinutes);
            token = TestTokens.MintCore(
                Claim(query, "tid", defaultTid) ?? "",
                Claim(query, "oid", admin.ObjectId),
                Claim(query, "upn", admin.UserPrincipalName),
                Claim(query, "scp", scopes),
                roles: null,
                query.ContainsKey("wids") ? List(Claim(query, "wids", null)) : admin.Wids,
                (expires < now ? expires : now).AddMinutes(-5),
                expires,
                Claim(query, "aud", audience) ?? audience,
                Claim(query, "appId", null),
                TestTokens.AppDisplayName,
                [new("name", admin.DisplayName), .. elsewhereClaims]);
            return true;
        }

        error = null;
        token = TestTokens.Mint(
            Claim(query, "tid", defaultTid) ?? "",
            oid: Claim(query, "oid", appOnly ? DemoTenant.AutomationAppObjectId : DemoTenant.AdminObjectId),
            upn: Claim(query, "upn", appOnly ? null : DemoTenant.AdminUpn),
            scp: Claim(query, "scp", appOnly ? null : scopes),
            roles: List(Claim(query, "roles", null)),
            wids: List(Claim(query, "wids", appOnly ? null : TestTokens.GlobalReaderRoleTemplateId)),
            expires: DateTimeOffset.UtcNow.AddMinutes(lifetimeMinutes),
            aud: Claim(query, "aud", audience) ?? audience,
            appId: Claim(query, "appId", appOnly ? DemoTenant.AutomationAppId : null));
        return true;
    }

    /// <summary>
    /// <c>GET /_emulator/federated-assertion?subject=&amp;minutes=&amp;issuer=&amp;audience=</c>: an
    /// unsigned workload identity assertion, by default one the authority accepts for the
    /// pipeline app, valid 10 minutes.
    /// </summary>
    public static bool TryMintFederatedAssertion(IQueryCollection query, out string? assertion, out string? error)
    {
        assertion = null;
        string? minutes = query["minutes"];
        int lifetimeMinutes = 10;
        if (minutes is not null && !int.TryParse(minutes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out lifetimeMinutes))
        {
            error = $"Invalid minutes '{minutes}': give the assertion's lifetime in whole minutes (negative for an expired one).";
            return false;
        }

        error = null;
        assertion = TestTokens.FederatedAssertion(
            subject: NonEmpty(query, "subject") ?? DemoTenant.FederatedSubject,
            expires: DateTimeOffset.UtcNow.AddMinutes(lifetimeMinutes),
            issuer: NonEmpty(query, "issuer") ?? DemoTenant.FederatedIssuer,
            audience: NonEmpty(query, "audience") ?? DemoTenant.FederatedAudience);
        return true;
    }

    private static string? NonEmpty(IQueryCollection query, string name) =>
        StringValues.IsNullOrEmpty(query[name]) ? null : query[name].ToString();

    /// <summary>The parameter's value; null (claim left out) when given empty; the default when absent.</summary>
    private static string? Claim(IQueryCollection query, string name, string? fallback) =>
        query.TryGetValue(name, out StringValues value) ? NullIfEmpty(value.ToString()) : fallback;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static IEnumerable<string>? List(string? value) =>
        value?.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

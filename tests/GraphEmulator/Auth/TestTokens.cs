using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace GraphEmulator;

/// <summary>
/// Unsigned JWTs shaped like Entra access tokens for Graph. The emulator checks only their shape,
/// lifetime, audience and tenant; the module under test reads tid, oid, scp, roles and wids from them.
/// </summary>
public static class TestTokens
{
    public const string GraphAudience = "https://graph.microsoft.com";

    /// <summary>The Log Analytics query API's resource: the <c>aud</c> its tokens carry.</summary>
    public const string LogAnalyticsAudience = "https://api.loganalytics.io";

    /// <summary>The Log Analytics API's permission: a delegated scope (<c>scp</c>) or an application permission (<c>roles</c>).</summary>
    public const string LogAnalyticsScope = "Data.Read";

    /// <summary>The delegated permissions directoryAudits needs (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
    public const string DefaultScopes = "AuditLog.Read.All Directory.Read.All";

    /// <summary>Global Reader's role template id: a role that reads audit logs but can't manage support access.</summary>
    public const string GlobalReaderRoleTemplateId = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

    public const string AppDisplayName = "GraphEmulator test client";

    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}""");

    /// <summary>The demo tenant's admin, signed in with the audit scopes and holding Global Reader; valid for an hour.</summary>
    public static string DemoAdmin() => Mint(
        DemoTenant.TenantId,
        oid: DemoTenant.AdminObjectId,
        upn: DemoTenant.AdminUpn,
        scp: DefaultScopes,
        wids: [GlobalReaderRoleTemplateId]);

    /// <summary>
    /// A delegated token for a user of the demo directory (<see cref="DemoTenant.Users"/>), as
    /// <c>/_emulator/token?user=key</c> mints it: oid, upn, name, <c>wids</c> (the user's built-in
    /// role template ids and the member "User" template), <see cref="DefaultScopes"/>; valid for an hour.
    /// </summary>
    /// <exception cref="ArgumentException">No user has that key.</exception>
    public static string ForUser(string key) =>
        ForUser(DemoTenant.FindUser(key) ?? throw new ArgumentException($"No demo user '{key}'.", nameof(key)));

    /// <summary>A delegated token for <paramref name="user"/>.</summary>
    /// <param name="scp">Delegated scopes; null omits the claim (which makes the token look app-only).</param>
    /// <param name="includeWids">False leaves the <c>wids</c> claim out, so a client must look the roles up.</param>
    /// <param name="expires">Expiry; default one hour from now.</param>
    public static string ForUser(DemoUser user, string? scp = DefaultScopes, bool includeWids = true, DateTimeOffset? expires = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset exp = expires ?? now.AddHours(1);
        return MintCore(DemoTenant.TenantId, user.ObjectId, user.UserPrincipalName, scp, roles: null,
            includeWids ? user.Wids : null, (exp < now ? exp : now).AddMinutes(-5), exp, GraphAudience, appId: null,
            AppDisplayName, [new("name", user.DisplayName)]);
    }

    /// <summary>
    /// A delegated Log Analytics token for a user of the demo directory: <c>aud</c>
    /// <see cref="LogAnalyticsAudience"/>, <c>scp</c> <paramref name="scp"/> (default Data.Read),
    /// oid, upn and name; valid for an hour. Whether it reads a workspace depends on the user
    /// (<see cref="DemoWorkspace.WorkspaceReaders"/>).
    /// </summary>
    public static string LogAnalyticsUser(string key = "admin", string? scp = LogAnalyticsScope)
    {
        DemoUser user = DemoTenant.FindUser(key) ?? throw new ArgumentException($"No demo user '{key}'.", nameof(key));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return MintCore(DemoTenant.TenantId, user.ObjectId, user.UserPrincipalName, scp, roles: null, wids: null,
            now.AddMinutes(-5), now.AddHours(1), LogAnalyticsAudience, appId: null, AppDisplayName, [new("name", user.DisplayName)]);
    }

    /// <summary>An app-only Log Analytics token of the demo automation app with these <c>roles</c> (default Data.Read); valid for an hour.</summary>
    public static string LogAnalyticsApp(params string[] roles) => Mint(
        DemoTenant.TenantId,
        oid: DemoTenant.AutomationAppObjectId,
        roles: roles.Length == 0 ? [LogAnalyticsScope] : roles,
        aud: LogAnalyticsAudience,
        appId: DemoTenant.AutomationAppId);

    /// <summary>An unsigned token: <c>header.payload.</c> with an empty signature segment.</summary>
    /// <param name="tid">Tenant id claim (also names the issuer); empty omits both, for a token without a tenant.</param>
    /// <param name="oid">Object id claim; null omits it.</param>
    /// <param name="upn">UPN claim; null omits it.</param>
    /// <param name="scp">Delegated scopes, space separated; null omits the claim (app-only tokens).</param>
    /// <param name="roles">Application permissions; null omits the claim.</param>
    /// <param name="wids">Directory role template ids; null omits the claim.</param>
    /// <param name="expires">Expiry; default one hour from now. A past value makes an expired token.</param>
    /// <param name="aud">Audience.</param>
    /// <param name="appId">Client application id, written as appid and azp; null omits both.</param>
    public static string Mint(
        string tid,
        string? oid = null,
        string? upn = null,
        string? scp = null,
        IEnumerable<string>? roles = null,
        IEnumerable<string>? wids = null,
        DateTimeOffset? expires = null,
        string aud = GraphAudience,
        string? appId = null)
    {
        ArgumentNullException.ThrowIfNull(tid);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset exp = expires ?? now.AddHours(1);
        // Issued a little before now (and before exp, for deliberately expired tokens), as a
        // token fetched earlier from a cache would be.
        DateTimeOffset issued = (exp < now ? exp : now).AddMinutes(-5);
        return MintCore(tid, oid, upn, scp, roles, wids, issued, exp, aud, appId, AppDisplayName, extraClaims: null);
    }

    /// <summary>
    /// An unsigned assertion as a workload identity provider (GitHub Actions by default) issues
    /// it, for <c>AZURE_FEDERATED_TOKEN_FILE</c>: the authority accepts it for
    /// <see cref="DemoTenant.PipelineAppId"/> when issuer, subject and audience match the
    /// registered federated credential (<see cref="DemoTenant.FederatedIssuer"/>,
    /// <see cref="DemoTenant.FederatedSubject"/>, <see cref="DemoTenant.FederatedAudience"/>)
    /// and it has not expired.
    /// </summary>
    /// <param name="subject">The sub claim; default the registered subject.</param>
    /// <param name="expires">Expiry; default ten minutes from now. A past value makes an expired assertion.</param>
    /// <param name="issuer">The iss claim; default the registered issuer.</param>
    /// <param name="audience">The aud claim; default the registered audience.</param>
    public static string FederatedAssertion(
        string subject = DemoTenant.FederatedSubject,
        DateTimeOffset? expires = null,
        string issuer = DemoTenant.FederatedIssuer,
        string audience = DemoTenant.FederatedAudience)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset exp = expires ?? now.AddMinutes(10);
        long issued = (exp < now ? exp : now).AddMinutes(-1).ToUnixTimeSeconds();
        return Unsigned(json =>
        {
            json.WriteString("jti", Guid.NewGuid().ToString());
            json.WriteString("sub", subject);
            json.WriteString("aud", audience);
            json.WriteString("ref", "refs/heads/main");
            json.WriteString("repository", "contoso/audit-export");
            json.WriteString("iss", issuer);
            json.WriteNumber("nbf", issued);
            json.WriteNumber("iat", issued);
            json.WriteNumber("exp", exp.ToUnixTimeSeconds());
        });
    }

    /// <summary>The access token minter behind <see cref="Mint"/> and the authority's token endpoint.</summary>
    internal static string MintCore(
        string tid,
        string? oid,
        string? upn,
        string? scp,
        IEnumerable<string>? roles,
        IEnumerable<string>? wids,
        DateTimeOffset issuedAt,
        DateTimeOffset expires,
        string aud,
        string? appId,
        string? appDisplayName,
        IEnumerable<KeyValuePair<string, string>>? extraClaims)
    {
        ArgumentNullException.ThrowIfNull(tid);
        long issued = issuedAt.ToUnixTimeSeconds();
        return Unsigned(json =>
        {
            json.WriteString("aud", aud);
            if (tid.Length > 0)
                json.WriteString("iss", $"https://sts.windows.net/{tid}/");
            json.WriteNumber("iat", issued);
            json.WriteNumber("nbf", issued);
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            WriteIfSet(json, "tid", tid.Length > 0 ? tid : null);
            WriteIfSet(json, "oid", oid);
            WriteIfSet(json, "upn", upn);
            WriteIfSet(json, "scp", scp);
            WriteArrayIfSet(json, "roles", roles);
            WriteArrayIfSet(json, "wids", wids);
            if (appId is not null)
            {
                json.WriteString("appid", appId);
                json.WriteString("azp", appId);
            }
            WriteIfSet(json, "app_displayname", appDisplayName);
            if (extraClaims is not null)
            {
                foreach ((string name, string value) in extraClaims)
                    json.WriteString(name, value);
            }
            json.WriteString("ver", "1.0");
        });
    }

    /// <summary>An unsigned JWT (<c>alg: none</c>) whose payload object <paramref name="writeClaims"/> fills.</summary>
    internal static string Unsigned(Action<Utf8JsonWriter> writeClaims)
    {
        using var payload = new MemoryStream();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            writeClaims(json);
            json.WriteEndObject();
        }

        return Base64Url.EncodeToString(Header) + "." + Base64Url.EncodeToString(payload.ToArray()) + ".";
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
            json.WriteString(name, value);
    }

    private static void WriteArrayIfSet(Utf8JsonWriter json, string name, IEnumerable<string>? values)
    {
        if (values is null)
            return;
        json.WriteStartArray(name);
        foreach (string value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}

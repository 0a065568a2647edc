using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator;
using Xunit;

using static SupportAccessLogs.Tests.EmulatorHttp;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The emulator's sign-in endpoints issue Log Analytics tokens (scope
/// <c>https://api.loganalytics.io/.default</c>, MSI resource <c>https://api.loganalytics.io</c>)
/// that its Log Analytics query API accepts, seen by a plain HttpClient (no module code, no MSAL).
/// The authority's CA is trusted by this client alone (a chain built on the test CA as the only
/// root), never by switching certificate checks off.
/// </summary>
public class LogAnalyticsSignInEmulatorTests
{
    private const string LaScope = "https://api.loganalytics.io/.default";
    private const string LaResource = "https://api.loganalytics.io";
    private const int Lifetime = 1234;

    // ---- client credentials ----

    [Fact]
    public async Task ClientSecret_LogAnalyticsScope_IssuesDataReadAppToken_LikeTheGraphOne_AndItQueriesTheDemoWorkspace()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient https = AuthorityClient(server);
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        JsonElement la = await TokenOkAsync(https, SecretForm(LaScope));
        JsonElement graph = await TokenOkAsync(https, SecretForm("https://graph.microsoft.com/.default"));
        Assert.Equal(Lifetime, la.GetProperty("expires_in").GetInt32());
        Assert.Equal("Bearer", la.GetProperty("token_type").GetString());

        JsonElement claims = Claims(la.GetProperty("access_token").GetString()!);
        JsonElement graphClaims = Claims(graph.GetProperty("access_token").GetString()!);
        Assert.Equal(TestTokens.LogAnalyticsAudience, claims.GetProperty("aud").GetString());
        Assert.Equal(["Data.Read"], Strings(claims, "roles"));
        Assert.False(claims.TryGetProperty("scp", out _));
        Assert.Equal("app", claims.GetProperty("idtyp").GetString());
        Assert.Equal("1", claims.GetProperty("appidacr").GetString());
        Assert.Equal(DemoTenant.TenantId, claims.GetProperty("tid").GetString());
        Assert.Equal(DemoTenant.PipelineAppObjectId, claims.GetProperty("oid").GetString());
        Assert.Equal(DemoTenant.PipelineAppId, claims.GetProperty("appid").GetString());
        Assert.Equal(Lifetime, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        foreach (string same in new[] { "tid", "oid", "appid", "sub", "app_displayname" })
            Assert.Equal(graphClaims.GetProperty(same).GetString(), claims.GetProperty(same).GetString());
        Assert.Equal("https://graph.microsoft.com", graphClaims.GetProperty("aud").GetString());
        Assert.Equal(["AuditLog.Read.All", "Directory.Read.All"], Strings(graphClaims, "roles"));

        await AssertQueriesDemoWorkspaceAsync(http, server, la.GetProperty("access_token").GetString()!);
        // and the Graph token of the same flow is no Log Analytics token
        (HttpStatusCode status, _) = await QueryAsync(http, graph.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        // The token request log (over HTTP) names the scope asked for.
        using HttpResponseMessage logResponse = await http.GetAsync("_emulator/token-requests");
        JsonElement log = Json(await logResponse.Content.ReadAsStringAsync());
        JsonElement entry = log.EnumerateArray().First();
        Assert.Equal("token", entry.GetProperty("endpoint").GetString());
        Assert.Equal("client_credentials", entry.GetProperty("grantType").GetString());
        Assert.Equal(LaScope, entry.GetProperty("scope").GetString());
        Assert.Equal("secret", entry.GetProperty("credentialKind").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task FederatedAssertion_LogAnalyticsScope_IssuesDataReadAppToken_ThatQueries()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient https = AuthorityClient(server);
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        JsonElement la = await TokenOkAsync(https, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = DemoTenant.PipelineAppId,
            ["scope"] = LaScope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = TestTokens.FederatedAssertion(),
        });
        JsonElement claims = Claims(la.GetProperty("access_token").GetString()!);
        Assert.Equal(TestTokens.LogAnalyticsAudience, claims.GetProperty("aud").GetString());
        Assert.Equal(["Data.Read"], Strings(claims, "roles"));
        Assert.Equal("2", claims.GetProperty("appidacr").GetString());
        Assert.Equal(DemoTenant.PipelineAppObjectId, claims.GetProperty("oid").GetString());
        await AssertQueriesDemoWorkspaceAsync(http, server, la.GetProperty("access_token").GetString()!);
        Assert.Equal("federated", server.TokenRequests.Snapshot().Single().CredentialKind);
    }

    [Theory]
    [InlineData("https://management.azure.com/.default", "invalid_resource", 500011)]
    [InlineData("https://api.loganalytics.io/Data.Read", "invalid_scope", 1002012)]
    [InlineData("https://api.loganalytics.io/.default https://graph.microsoft.com/.default", "invalid_scope", 1002012)]
    public async Task ClientSecret_OtherScopes_AreStillRefused(string scope, string error, int aadsts)
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient https = AuthorityClient(server);

        using HttpResponseMessage response = await PostTokenAsync(https, SecretForm(scope));
        JsonElement body = Json(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal([aadsts], body.GetProperty("error_codes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.False(body.TryGetProperty("access_token", out _));
        TokenRequestLogEntry entry = server.TokenRequests.Snapshot().Single();
        Assert.Equal(scope, entry.Scope);
        Assert.Equal(400, entry.Status);
    }

    // ---- delegated: refresh token ----

    [Fact]
    public async Task DeviceCode_ThenRefreshToken_ForLogAnalytics_IssuesDataReadUserToken_ThatQueries()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient https = AuthorityClient(server);
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        const string ClientId = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
        string graphScopes = "https://graph.microsoft.com/AuditLog.Read.All https://graph.microsoft.com/Directory.Read.All offline_access openid profile";

        using HttpResponseMessage codeResponse = await https.PostAsync($"{DemoTenant.TenantId}/oauth2/v2.0/devicecode",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = ClientId, ["scope"] = graphScopes }));
        Assert.Equal(HttpStatusCode.OK, codeResponse.StatusCode);
        string deviceCode = Json(await codeResponse.Content.ReadAsStringAsync()).GetProperty("device_code").GetString()!;
        var poll = new Dictionary<string, string> { ["grant_type"] = "device_code", ["client_id"] = ClientId, ["device_code"] = deviceCode };
        using (HttpResponseMessage pending = await PostTokenAsync(https, poll))
            Assert.Equal(HttpStatusCode.BadRequest, pending.StatusCode); // authorization_pending
        JsonElement graph = await TokenOkAsync(https, poll);

        JsonElement la = await TokenOkAsync(https, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = ClientId,
            ["refresh_token"] = graph.GetProperty("refresh_token").GetString()!,
            ["scope"] = LaScope + " offline_access openid profile",
        });
        Assert.Equal("https://api.loganalytics.io/Data.Read openid profile", la.GetProperty("scope").GetString());
        Assert.Equal(Lifetime, la.GetProperty("expires_in").GetInt32());
        JsonElement claims = Claims(la.GetProperty("access_token").GetString()!);
        JsonElement graphClaims = Claims(graph.GetProperty("access_token").GetString()!);
        Assert.Equal(TestTokens.LogAnalyticsAudience, claims.GetProperty("aud").GetString());
        Assert.Equal("Data.Read", claims.GetProperty("scp").GetString());
        Assert.False(claims.TryGetProperty("roles", out _));
        Assert.Equal(DemoTenant.AdminObjectId, claims.GetProperty("oid").GetString());
        foreach (string same in new[] { "tid", "oid", "upn", "appid", "sub", "idtyp" })
            Assert.Equal(graphClaims.GetProperty(same).GetString(), claims.GetProperty(same).GetString());

        await AssertQueriesDemoWorkspaceAsync(http, server, la.GetProperty("access_token").GetString()!);
        TokenRequestLogEntry last = server.TokenRequests.Snapshot().Last();
        Assert.Equal(("refresh_token", LaScope + " offline_access openid profile", 200), (last.GrantType, last.Scope, last.Status));
    }

    // ---- managed identity ----

    [Theory]
    [InlineData(null)]
    [InlineData(DemoTenant.UserAssignedIdentityClientId)]
    public async Task ManagedIdentity_LogAnalyticsResource_IssuesDataReadAppToken_ThatQueries(string? clientId)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { TokenLifetimeSeconds = Lifetime });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        (HttpStatusCode status, JsonElement body) = await ManagedIdentityAsync(http, server, LaResource, clientId);
        Assert.True(status == HttpStatusCode.OK, body.GetRawText());
        (_, JsonElement graphBody) = await ManagedIdentityAsync(http, server, "https://graph.microsoft.com", clientId);
        Assert.Equal(LaResource, body.GetProperty("resource").GetString());
        string expectedClient = clientId ?? DemoTenant.AutomationIdentityClientId;
        string expectedObject = clientId is null ? DemoTenant.AutomationIdentityObjectId : DemoTenant.UserAssignedIdentityObjectId;
        Assert.Equal(expectedClient, body.GetProperty("client_id").GetString());

        JsonElement claims = Claims(body.GetProperty("access_token").GetString()!);
        JsonElement graphClaims = Claims(graphBody.GetProperty("access_token").GetString()!);
        Assert.Equal(TestTokens.LogAnalyticsAudience, claims.GetProperty("aud").GetString());
        Assert.Equal(["Data.Read"], Strings(claims, "roles"));
        Assert.False(claims.TryGetProperty("scp", out _));
        Assert.Equal(DemoTenant.TenantId, claims.GetProperty("tid").GetString());
        Assert.Equal(expectedObject, claims.GetProperty("oid").GetString());
        Assert.Equal(expectedClient, claims.GetProperty("appid").GetString());
        Assert.Equal(Lifetime, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        Assert.Equal(claims.GetProperty("exp").GetInt64(), long.Parse(body.GetProperty("expires_on").GetString()!));
        foreach (string same in new[] { "tid", "oid", "appid", "xms_mirid" })
            Assert.Equal(graphClaims.GetProperty(same).GetString(), claims.GetProperty(same).GetString());

        await AssertQueriesDemoWorkspaceAsync(http, server, body.GetProperty("access_token").GetString()!);
        TokenRequestLogEntry entry = server.TokenRequests.Snapshot().First();
        Assert.Equal(("msi", LaResource, "managed_identity", 200), (entry.Endpoint, entry.Scope, entry.CredentialKind, entry.Status));
    }

    [Fact]
    public async Task ManagedIdentity_OtherResource_IsStillRefused()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        (HttpStatusCode status, JsonElement body) = await ManagedIdentityAsync(http, server, "https://management.azure.com", clientId: null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("AADSTS500011", body.GetProperty("message").GetString());
        TokenRequestLogEntry entry = server.TokenRequests.Snapshot().Single();
        Assert.Equal(("https://management.azure.com", "invalid_resource"), (entry.Scope, entry.Error));
    }

    // ---- helpers ----

    private static Task<EmulatorServer> StartAsync() =>
        EmulatorServer.StartAsync(new EmulatorOptions { EnableAuthority = true, TokenLifetimeSeconds = Lifetime });

    /// <summary>An HttpClient for the HTTPS authority that trusts its test CA (and only it) for this client.</summary>
    private static HttpClient AuthorityClient(EmulatorServer server)
    {
        X509Certificate2 ca = TestCertificateAuthority.Certificate;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return new HttpClient(handler) { BaseAddress = server.AuthorityAddress! };
    }

    private static Dictionary<string, string> SecretForm(string scope) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = DemoTenant.PipelineAppId,
        ["client_secret"] = DemoTenant.PipelineAppSecret,
        ["scope"] = scope,
    };

    private static Task<HttpResponseMessage> PostTokenAsync(HttpClient https, Dictionary<string, string> form) =>
        https.PostAsync($"{DemoTenant.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(form));

    private static async Task<JsonElement> TokenOkAsync(HttpClient https, Dictionary<string, string> form)
    {
        using HttpResponseMessage response = await PostTokenAsync(https, form);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return Json(text);
    }

    private static async Task<(HttpStatusCode, JsonElement)> ManagedIdentityAsync(HttpClient http, EmulatorServer server, string resource, string? clientId)
    {
        string url = $"{server.ManagedIdentityEndpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}"
            + (clientId is null ? "" : $"&client_id={clientId}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-IDENTITY-HEADER", DemoTenant.IdentityHeader);
        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, Json(await response.Content.ReadAsStringAsync()));
    }

    private static async Task<(HttpStatusCode, JsonElement)> QueryAsync(HttpClient http, string token, string kql = "AuditLogs | summarize count()")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{DemoWorkspace.WorkspaceId}/query")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query = kql }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, Json(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>A successful query of the demo workspace: its whole AuditLogs table counted.</summary>
    private static async Task AssertQueriesDemoWorkspaceAsync(HttpClient http, EmulatorServer server, string token)
    {
        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, token);
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body.GetRawText()}");
        JsonElement row = Assert.Single(body.GetProperty("tables")[0].GetProperty("rows").EnumerateArray());
        long count = row[0].GetInt64();
        Assert.True(count > 0);
        Assert.Equal(server.LogAnalytics.RowCount(DemoWorkspace.WorkspaceId), (int)count);
    }

    private static JsonElement Claims(string jwt)
    {
        string[] parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return Json(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])));
    }

    private static string[] Strings(JsonElement claims, string name) =>
        claims.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
}

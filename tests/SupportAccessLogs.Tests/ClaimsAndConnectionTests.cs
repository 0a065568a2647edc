using System;
using System.Management.Automation;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>Decoding access token claims and the checks <see cref="TenantSignIn.FromAccessToken"/>
/// makes before any request. The ErrorIds asserted here are part of the public contract.</summary>
public class ClaimsAndConnectionTests
{
    private const string Tenant = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string OtherTenant = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    private const string ObjectId = "3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61";
    private const string GlobalAdmin = "62e90394-69f5-4237-9190-012177145e10";
    private const string ReportsReader = "4a5d8f65-41da-4de4-8968-e035b65339cf";
    private static readonly Uri Loopback = new("http://127.0.0.1:5099/");

    private static string DelegatedToken(string aud = Jwt.GraphAudience, long? exp = null, string? tid = Tenant) =>
        tid is null
            ? Jwt.Unsigned(new { aud, exp = exp ?? Jwt.InOneHour, oid = ObjectId, upn = "admin@contoso.com", scp = "AuditLog.Read.All Directory.Read.All" })
            : Jwt.Unsigned(new { aud, exp = exp ?? Jwt.InOneHour, tid, oid = ObjectId, upn = "admin@contoso.com", scp = "AuditLog.Read.All Directory.Read.All" });

    // ---- AccessTokenClaims ----

    [Fact]
    public void Parse_DelegatedToken_ReadsEveryClaim()
    {
        long exp = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeSeconds();
        string token = Jwt.Unsigned(new
        {
            aud = "https://graph.microsoft.com",
            tid = Tenant,
            oid = ObjectId,
            upn = "admin@contoso.com",
            appid = "14d82eec-204b-4c2f-b7e8-296a70dab67e",
            app_displayname = "Graph Explorer",
            scp = "AuditLog.Read.All  Directory.Read.All openid",
            wids = new[] { GlobalAdmin, ReportsReader },
            exp,
        });

        AccessTokenClaims claims = AccessTokenClaims.Parse(token);

        Assert.True(claims.IsJwt);
        Assert.False(claims.IsAppOnly);
        Assert.Equal(Tenant, claims.TenantId);
        Assert.Equal(ObjectId, claims.ObjectId);
        Assert.Equal("admin@contoso.com", claims.UserPrincipalName);
        Assert.Equal("14d82eec-204b-4c2f-b7e8-296a70dab67e", claims.AppId);
        Assert.Equal("Graph Explorer", claims.AppDisplayName);
        Assert.Equal("https://graph.microsoft.com", claims.Audience);
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), claims.ExpiresOn);
        Assert.Equal(new[] { "AuditLog.Read.All", "Directory.Read.All", "openid" }, claims.Scopes);
        Assert.Equal(new[] { GlobalAdmin, ReportsReader }, claims.DirectoryRoleTemplateIds);
        Assert.Empty(claims.AppRoles);
    }

    [Fact]
    public void Parse_AppOnlyToken_RolesAndNoScopes()
    {
        string token = Jwt.Unsigned(new
        {
            aud = "00000003-0000-0000-c000-000000000000",
            tid = Tenant,
            oid = "sp-object",
            azp = "c0ffee00-0000-4000-8000-000000000001",
            roles = new[] { "AuditLog.Read.All", "Directory.Read.All" },
            exp = Jwt.InOneHour,
        });

        AccessTokenClaims claims = AccessTokenClaims.Parse(token);

        Assert.True(claims.IsAppOnly);
        Assert.Empty(claims.Scopes);
        Assert.Equal(new[] { "AuditLog.Read.All", "Directory.Read.All" }, claims.AppRoles);
        Assert.Equal("c0ffee00-0000-4000-8000-000000000001", claims.AppId);
        Assert.Null(claims.UserPrincipalName);
        Assert.Empty(claims.DirectoryRoleTemplateIds);
    }

    [Fact]
    public void Parse_PreferredUsernameWithoutUpn_UsedAsUpn()
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(Jwt.Unsigned(new { tid = Tenant, preferred_username = "guest@fabrikam.com", scp = "x" }));

        Assert.Equal("guest@fabrikam.com", claims.UserPrincipalName);
    }

    [Fact]
    public void Parse_UpnAndPreferredUsername_UpnWins()
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(Jwt.Unsigned(new { upn = "upn@contoso.com", preferred_username = "pref@contoso.com" }));

        Assert.Equal("upn@contoso.com", claims.UserPrincipalName);
    }

    [Fact]
    public void Parse_PayloadNeedingBase64UrlCharacters_Decoded()
    {
        // '?' and '>' in the JSON make base64 emit '/' and '+', which base64url spells '_' and '-'.
        string token = Jwt.Unsigned(new { tid = Tenant, upn = "??>>~~@contoso.com", scp = "a" });
        string payload = token.Split('.')[1];
        Assert.True(payload.Contains('_') || payload.Contains('-'));

        Assert.Equal("??>>~~@contoso.com", AccessTokenClaims.Parse(token).UserPrincipalName);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("EwBwA8l6BAAU...opaque")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("eyJhbGciOiJub25lIn0.bm90IGpzb24.")] // payload "not json"
    [InlineData("eyJhbGciOiJub25lIn0.WzEsMl0.")] // payload [1,2]
    [InlineData("")]
    public void Parse_NotAJwt_EmptyClaims(string token)
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(token);

        Assert.False(claims.IsJwt);
        Assert.False(claims.IsAppOnly);
        Assert.Null(claims.TenantId);
        Assert.Null(claims.ExpiresOn);
        Assert.Empty(claims.Scopes);
    }

    [Fact]
    public void Parse_ClaimsOfWrongType_Ignored()
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(Jwt.Unsigned(new { tid = 42, upn = new[] { "a" }, roles = "AuditLog.Read.All", wids = new object[] { 1, GlobalAdmin } }));

        Assert.True(claims.IsJwt);
        Assert.Null(claims.TenantId);
        Assert.Null(claims.UserPrincipalName);
        Assert.Empty(claims.AppRoles);
        Assert.Equal(new[] { GlobalAdmin }, claims.DirectoryRoleTemplateIds);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1700000000")]
    [InlineData(true)]
    public void Parse_ExpNotANumber_NoExpiry(object exp)
    {
        // The token is decoded, not validated: an odd claim must not make Connect-SupportAccess
        // fail with an unrelated InvalidOperationException.
        AccessTokenClaims claims = AccessTokenClaims.Parse(Jwt.Unsigned(new { tid = Tenant, exp, scp = "x" }));

        Assert.True(claims.IsJwt);
        Assert.Equal(Tenant, claims.TenantId);
        Assert.Null(claims.ExpiresOn);
    }

    [Fact]
    public void Parse_ExpBeyondYear9999_DoesNotThrow()
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(Jwt.Unsigned(new { tid = Tenant, exp = 99_999_999_999_999L, scp = "x" }));

        Assert.True(claims.IsJwt);
        Assert.Equal(Tenant, claims.TenantId);
    }

    [Fact]
    public void Parse_ExpWithFraction_NoExpiryOrWholeSeconds()
    {
        AccessTokenClaims claims = AccessTokenClaims.Parse(Jwt.Unsigned(new { tid = Tenant, exp = 1900000000.5, scp = "x" }));

        Assert.True(claims.IsJwt);
        Assert.True(claims.ExpiresOn is null || claims.ExpiresOn == DateTimeOffset.FromUnixTimeSeconds(1900000000));
    }

    // ---- FromAccessToken: accepted ----

    [Fact]
    public void FromAccessToken_ValidTokenLoopbackHttp_Connected()
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(DelegatedToken(), null, GraphEnvironment.Global, Loopback);

        Assert.Equal(Guid.Parse(Tenant), connection.TenantId);
        Assert.Equal("admin@contoso.com", connection.Account);
        Assert.Equal("AccessToken", connection.AuthenticationMethod);
        Assert.Equal(GraphEnvironment.Global, connection.Environment);
        Assert.Equal(new Uri("http://127.0.0.1:5099/v1.0/"), connection.GraphEndpoint);
        Assert.NotNull(connection.ExpiresOn);
        Assert.Equal(Tenant, TenantClients.Of(connection).Claims.TenantId);
    }

    [Theory]
    [InlineData("http://localhost:8080", "http://localhost:8080/v1.0/")]
    [InlineData("http://[::1]:8080/", "http://[::1]:8080/v1.0/")]
    [InlineData("http://127.0.0.1:5099/v1.0", "http://127.0.0.1:5099/v1.0/")]
    [InlineData("https://graph-proxy.contoso.com", "https://graph-proxy.contoso.com/v1.0/")]
    [InlineData("https://gateway.contoso.com/graph/", "https://gateway.contoso.com/graph/v1.0/")]
    [InlineData("https://graph.microsoft.com/v1.0/", "https://graph.microsoft.com/v1.0/")]
    public void FromAccessToken_AllowedEndpoint_V1BaseUrl(string endpoint, string expected)
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(DelegatedToken(), null, GraphEnvironment.Global, new Uri(endpoint));

        Assert.Equal(new Uri(expected), connection.GraphEndpoint);
    }

    [Theory]
    [InlineData(GraphEnvironment.Global, "https://graph.microsoft.com/v1.0/")]
    [InlineData(GraphEnvironment.USGov, "https://graph.microsoft.us/v1.0/")]
    [InlineData(GraphEnvironment.USGovDoD, "https://dod-graph.microsoft.us/v1.0/")]
    [InlineData(GraphEnvironment.China, "https://microsoftgraph.chinacloudapi.cn/v1.0/")]
    public void FromAccessToken_NoEndpoint_CloudGraphHost(GraphEnvironment environment, string expected)
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            DelegatedToken(aud: Graph.GraphClouds.GraphHost(environment).AbsoluteUri), null, environment, null);

        Assert.Equal(new Uri(expected), connection.GraphEndpoint);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com")]
    [InlineData("https://graph.microsoft.com/")]
    [InlineData("00000003-0000-0000-c000-000000000000")]
    [InlineData("https://GRAPH.MICROSOFT.COM")]
    [InlineData("http://127.0.0.1")] // the endpoint's own host (a proxy or gateway under its own name)
    public void FromAccessToken_GraphAudience_Accepted(string aud)
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(DelegatedToken(aud), null, GraphEnvironment.Global, Loopback);

        Assert.Equal(Guid.Parse(Tenant), connection.TenantId);
    }

    [Fact]
    public void FromAccessToken_MatchingTenantId_Accepted()
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(DelegatedToken(), Tenant.ToUpperInvariant(), GraphEnvironment.Global, Loopback);

        Assert.Equal(Guid.Parse(Tenant), connection.TenantId);
    }

    [Fact]
    public void FromAccessToken_NoTidButTenantId_UsesTenantId()
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(DelegatedToken(tid: null), Tenant, GraphEnvironment.Global, Loopback);

        Assert.Equal(Guid.Parse(Tenant), connection.TenantId);
    }

    [Theory]
    [InlineData("EwBwA8l6BAAU-opaque-token", Tenant)]
    [InlineData("opaque-token", null)]
    [InlineData("a.b.c", Tenant)]
    public void FromAccessToken_NotJwt_RefusedAsNotJwtWhateverTheTenant(string token, string? tenantId)
    {
        // Following "pass -TenantId" used to connect, and then every call failed with 401.
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(token, tenantId, GraphEnvironment.Global, Loopback));

        Assert.Equal("AccessTokenNotJwt", error.ErrorId);
        Assert.Contains("not a JWT", error.Message);
        Assert.DoesNotContain("-TenantId", error.Message);
    }

    [Theory]
    [InlineData("contoso")]
    [InlineData("")]
    public void FromAccessToken_TidNotGuid_SaysTheTokenIsNotAnEntraToken(string tid)
    {
        string token = Jwt.Unsigned(new { aud = Jwt.GraphAudience, tid, oid = "u", scp = "AuditLog.Read.All", exp = Jwt.InOneHour });

        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, Loopback));

        Assert.Equal("AccessTokenTenantInvalid", error.ErrorId);
        Assert.Contains($"('{tid}')", error.Message);
    }

    [Fact]
    public void FromAccessToken_TenantIdDomainName_TheTokensTenantDecides()
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(DelegatedToken(), "contoso.onmicrosoft.com", GraphEnvironment.Global, Loopback);

        Assert.Equal(Guid.Parse(Tenant), connection.TenantId);
    }

    [Fact]
    public void FromAccessToken_TenantIdDomainNameAndNoTid_AsksForTheGuid()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(tid: null), "contoso.onmicrosoft.com", GraphEnvironment.Global, Loopback));

        Assert.Equal("TenantIdNotGuid", error.ErrorId);
        Assert.Contains("GUID", error.Message);
    }

    [Fact]
    public void FromAccessToken_AppOnlyToken_AccountIsAppName()
    {
        string token = Jwt.Unsigned(new { aud = Jwt.GraphAudience, tid = Tenant, oid = "sp", appid = "c0ffee00-0000-4000-8000-000000000001", app_displayname = "Audit exporter", roles = new[] { "AuditLog.Read.All" }, exp = Jwt.InOneHour });

        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, Loopback);

        Assert.Equal("Audit exporter", connection.Account);
        Assert.True(TenantClients.Of(connection).Claims.IsAppOnly);
    }

    [Fact]
    public void FromAccessToken_ToString_NoToken()
    {
        string token = DelegatedToken();
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, Loopback);

        string text = connection.ToString();

        Assert.Contains("admin@contoso.com", text);
        Assert.Contains(Tenant, text);
        Assert.DoesNotContain(token.Split('.')[1], text);
    }

    // ---- FromAccessToken: refused ----

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void FromAccessToken_EmptyToken_AccessTokenEmpty(string token)
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(token, Tenant, GraphEnvironment.Global, Loopback));

        Assert.Equal("AccessTokenEmpty", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.Category);
    }

    [Theory]
    [InlineData("http://graph.contoso.com/")]
    [InlineData("http://10.0.0.5:8080/")]
    [InlineData("http://graph.microsoft.com/")]
    [InlineData("ftp://127.0.0.1/")]
    public void FromAccessToken_NonLoopbackHttpEndpoint_GraphEndpointRefused(string endpoint)
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(), null, GraphEnvironment.Global, new Uri(endpoint)));

        Assert.Equal("GraphEndpointRefused", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("https", error.Message);
    }

    [Fact]
    public void FromAccessToken_RelativeEndpoint_GraphEndpointRefused()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(), null, GraphEnvironment.Global, new Uri("/v1.0", UriKind.Relative)));

        Assert.Equal("GraphEndpointRefused", error.ErrorId);
    }

    [Fact]
    public void FromAccessToken_TenantMismatch_TenantIdMismatch()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(), OtherTenant, GraphEnvironment.Global, Loopback));

        Assert.Equal("TenantIdMismatch", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.Category);
        Assert.Contains(Tenant, error.Message);
        Assert.Contains(OtherTenant, error.Message);
    }

    [Fact]
    public void FromAccessToken_TenantIdNeitherGuidNorDomain_TenantIdInvalid()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(), "not-a-guid", GraphEnvironment.Global, Loopback));

        Assert.Equal("TenantIdInvalid", error.ErrorId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void FromAccessToken_NoTidAndNoTenantId_TenantUnknown(string? tenantId)
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(tid: null), tenantId, GraphEnvironment.Global, Loopback));

        Assert.Equal("TenantUnknown", error.ErrorId);
        Assert.Contains("-TenantId", error.Message);
    }

    [Fact]
    public void FromAccessToken_ExpiredToken_AccessTokenExpired()
    {
        long expired = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();

        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(exp: expired), null, GraphEnvironment.Global, Loopback));

        Assert.Equal("AccessTokenExpired", error.ErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.Category);
    }

    [Theory]
    [InlineData("https://management.azure.com")]
    [InlineData("https://management.core.windows.net/")]
    [InlineData("https://vault.azure.net")]
    [InlineData("api://my-app")]
    [InlineData("https://graph.windows.net")]
    public void FromAccessToken_WrongAudience_NamesGraphAudience(string aud)
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken(aud), null, GraphEnvironment.Global, Loopback));

        Assert.Equal("AccessTokenWrongAudience", error.ErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.Category);
        Assert.Contains(aud, error.Message);
        Assert.Contains("https://graph.microsoft.com", error.Message);
    }

    [Fact]
    public void FromAccessToken_WrongAudienceInUsGov_NamesUsGovGraph()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(DelegatedToken("https://management.usgovcloudapi.net"), null, GraphEnvironment.USGov, null));

        Assert.Equal("AccessTokenWrongAudience", error.ErrorId);
        Assert.Contains("https://graph.microsoft.us", error.Message);
    }

    [Fact]
    public void FromAccessToken_Refusal_MessageHasNoToken()
    {
        string token = DelegatedToken("https://management.azure.com");

        ModuleException error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, Loopback));

        Assert.DoesNotContain(token.Split('.')[1], error.Message);
    }

    // ---- the token provider behind a connection ----

    [Fact]
    public async Task TokenProvider_GraphHost_GetsToken()
    {
        var provider = new StaticAccessTokenProvider("tok", DateTimeOffset.UtcNow.AddHours(1), new Uri("http://127.0.0.1:5099/v1.0/"));

        Assert.Equal("tok", await provider.GetAuthorizationTokenAsync(new Uri("http://127.0.0.1:5099/v1.0/auditLogs/directoryAudits")));
    }

    [Theory]
    [InlineData("http://127.0.0.2:5099/v1.0/auditLogs/directoryAudits")]
    [InlineData("https://evil.example/v1.0/auditLogs/directoryAudits")]
    [InlineData("https://graph.microsoft.com/v1.0/auditLogs/directoryAudits")]
    public async Task TokenProvider_OtherHost_GetsNoToken(string url)
    {
        var provider = new StaticAccessTokenProvider("tok", DateTimeOffset.UtcNow.AddHours(1), new Uri("http://127.0.0.1:5099/v1.0/"));

        Assert.Equal("", await provider.GetAuthorizationTokenAsync(new Uri(url)));
    }

    [Fact]
    public async Task TokenProvider_ExpiredSinceConnect_AccessTokenExpiredException()
    {
        DateTimeOffset expiry = DateTimeOffset.UtcNow.AddSeconds(-1);
        var provider = new StaticAccessTokenProvider("tok", expiry, new Uri("https://graph.microsoft.com/v1.0/"));

        AccessTokenExpiredException error = await Assert.ThrowsAsync<AccessTokenExpiredException>(
            () => provider.GetAuthorizationTokenAsync(new Uri("https://graph.microsoft.com/v1.0/me")));
        Assert.Equal(expiry, error.ExpiredOn);
    }

    // ---- audiences ----

    [Theory]
    [InlineData("https://graph.microsoft.us", true)]
    [InlineData("https://dod-graph.microsoft.us", true)]
    [InlineData("https://microsoftgraph.chinacloudapi.cn/", true)]
    [InlineData("00000003-0000-0000-C000-000000000000", true)]
    [InlineData("https://graph-proxy.contoso.com", true)]
    [InlineData("https://graph.microsoft.com.evil.example", false)]
    [InlineData("https://management.azure.com", false)]
    [InlineData("graph.microsoft.com", false)]
    public void IsGraph_Audience(string audience, bool expected) =>
        Assert.Equal(expected, GraphAudiences.IsGraph(audience, new Uri("https://graph-proxy.contoso.com/v1.0/")));
}

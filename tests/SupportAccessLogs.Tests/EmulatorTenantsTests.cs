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
/// The emulator serving several tenants (tests/GraphEmulator/README.md, "Several tenants"), seen over
/// plain HTTP (no module code, no MSAL): Graph answers with the data and directory of the token's
/// tid, each tenant under its own reporting throttle; the authority issues each tenant's tokens,
/// refuses the pipeline app where it is not consented (AADSTS700016) and the admin where they have
/// no access (AADSTS50020); the control endpoints answer per tenant.
/// </summary>
public class EmulatorTenantsTests
{
    private const string Contoso = DemoTenant.TenantId;
    private const string Fabrikam = DemoTenant.PartnerTenantId;           // consented, admin Global Reader
    private const string Woodgrove = DemoTenant.SecondPartnerTenantId;    // pipeline app not consented
    private const string Northwind = DemoTenant.NorthwindTenantId;        // admin holds Helpdesk Administrator only
    private const string Tailspin = DemoTenant.TailspinTenantId;          // admin has no access
    private const string Unnamed = "0c2e4a6b-8d1f-4e3a-9b5c-7d9f1b3d5e7a"; // no scenario names it
    private const string Audits = "v1.0/auditLogs/directoryAudits";
    private static readonly DateTimeOffset Anchor = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    // ---- Graph by the token's tid ----

    [Fact]
    public async Task EachTenant_ServesItsOwnRecords_ByTheTokensTid_MatchingItsTruth_AndNoRecordIsInTwoTenants()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            PageSize = 40,
            OtherTenants = [.. DemoTenant.CustomerTenants, new OtherTenant(Unnamed) { BulkRecordCount = 30 }],
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        var seen = new Dictionary<string, string>();
        foreach (string tenant in new[] { Contoso, Fabrikam, Woodgrove, Northwind, Tailspin, Unnamed })
        {
            // Tailspin: the admin has no access, Northwind: no reader role there; an app reads.
            string token = tenant is Tailspin or Northwind ? await AppTokenAsync(http, tenant) : await ControlTokenAsync(http, tenant);
            string[] ids = await ReadAllIdsAsync(http, token);

            JsonElement truth = await GetJsonAsync(http, $"_emulator/truth?tenant={tenant}");
            Assert.Equal(tenant, truth.GetProperty("tenantId").GetString());
            Assert.Equal(Anchor, DateTimeOffset.Parse(truth.GetProperty("anchor").GetString()!));
            string[] expected = truth.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)
                .Concat(truth.GetProperty("otherCategoryIds").EnumerateArray().Select(i => i.GetString()!))
                .ToArray();
            AuditDataSet data = server.DataSetOf(tenant);
            int bulk = tenant == Unnamed ? 30 : 0;
            Assert.Equal(bulk, truth.GetProperty("bulkRecordCount").GetInt32());
            Assert.Equal(data.ServedCount, ids.Length);
            Assert.Equal(ids.Length, ids.Distinct().Count());
            // Every listed truth record is served (bulk records are counted, not listed).
            Assert.Subset(ids.ToHashSet(), expected.ToHashSet());
            Assert.Equal(expected.Length + bulk, ids.Length);
            Assert.Equal(tenant == Contoso ? 110 : 85 + bulk, truth.GetProperty("total").GetInt64());
            Assert.Equal(tenant == Contoso ? 130 : 105 + bulk, ids.Length);
            Assert.Equal(tenant == Contoso, data.HasStories);

            foreach (string id in ids)
                Assert.True(seen.TryAdd(id, tenant), $"record {id} of {tenant} is also {(seen.TryGetValue(id, out string? other) ? other : "")}'s");
        }

        // The served tenant is exactly as it would be alone.
        await using EmulatorServer alone = await StartAsync(new EmulatorOptions { Anchor = Anchor, PageSize = 40 });
        Assert.Equal(alone.DataSet.TruthRecords, server.DataSet.TruthRecords);
        Assert.Equal(alone.DataSet.ScenarioRecords.Select(r => r.Id), server.DataSet.ScenarioRecords.Select(r => r.Id));
    }

    [Fact]
    public async Task OtherTenantsData_IsDeterministic_SeededFromTheSeedAndTheTenant_AndRelabelledForTheTenant()
    {
        var options = new EmulatorOptions { Anchor = Anchor, OtherTenants = [new(Fabrikam), new(Unnamed)] };
        await using EmulatorServer first = await StartAsync(options);
        await using EmulatorServer second = await StartAsync(options);
        await using EmulatorServer otherSeed = await StartAsync(new EmulatorOptions { Anchor = Anchor, Seed = 7, OtherTenants = [new(Fabrikam)] });

        AuditDataSet fabrikam = first.DataSetOf(Fabrikam);
        Assert.Equal(OtherTenant.SeedFor(42, Fabrikam), fabrikam.Seed);
        Assert.NotEqual(OtherTenant.SeedFor(42, Fabrikam), OtherTenant.SeedFor(42, Unnamed));
        Assert.Equal(fabrikam.ScenarioRecords.Select(r => (r.Id, r.ActivityDateTime)), second.DataSetOf(Fabrikam).ScenarioRecords.Select(r => (r.Id, r.ActivityDateTime)));
        Assert.Empty(fabrikam.ScenarioRecords.Select(r => r.Id).Intersect(otherSeed.DataSetOf(Fabrikam).ScenarioRecords.Select(r => r.Id)));
        Assert.Equal("Fabrikam", fabrikam.TenantName);
        Assert.Empty(fabrikam.StoryRecords);

        // Same table, same expectations, but judged from each tenant's side: its own id is never
        // "the other tenant", and the table's "own tenant" evidence names it.
        foreach ((string tenant, string[] partners) in new[]
                 {
                     (Contoso, new[] { Fabrikam, Woodgrove }),
                     (Fabrikam, new[] { Contoso, Woodgrove }),
                     (Unnamed, new[] { Fabrikam, Woodgrove }),
                 })
        {
            AuditDataSet data = first.DataSetOf(tenant);
            TruthRecord[] table = data.TruthRecords.Where(r => !r.Id.StartsWith("5e000000-", StringComparison.Ordinal)).ToArray(); // stories aside
            Assert.Equal(85, table.Length);
            Assert.Equal(19, table.Count(r => r.Expected.Category == ExpectedCategory.CrossTenant));
            Assert.Equal(partners.Order(), table.Select(r => r.Expected.OtherTenantId).Where(t => t.Length > 0).Distinct().Order());

            foreach (TruthRecord expected in table.Where(r => r.Expected.OtherTenantId.Length > 0))
            {
                AuditRecord record = data.ScenarioRecords.Single(r => r.Id == expected.Id);
                Assert.Contains(record.AdditionalDetails!, d => string.Equals(d.Value, expected.Expected.OtherTenantId, StringComparison.OrdinalIgnoreCase));
            }
            // The table's non-evidence rows: the own tenant's id (once in upper case) under …TenantId keys.
            string[] ownValues = data.ScenarioRecords.SelectMany(r => r.AdditionalDetails ?? [])
                .Where(d => string.Equals(d.Value, tenant, StringComparison.OrdinalIgnoreCase)).Select(d => d.Value!).ToArray();
            Assert.Equal(3, ownValues.Length);
            Assert.Contains(tenant.ToUpperInvariant(), ownValues);
            // Members of the directory are at home in it.
            AuditUserIdentity admin = data.ScenarioRecords.Select(r => r.InitiatedBy?.User).OfType<AuditUserIdentity>()
                .First(u => u.Id == DemoTenant.AdminObjectId);
            Assert.Equal(tenant, admin.HomeTenantId);
            Assert.Equal(data.TenantName, admin.HomeTenantName);
        }
    }

    [Fact]
    public async Task OtherTenantsRecords_ClassifyFromTheirSide_AsTheirTruthSays()
    {
        // The module's classifier (as ClassificationRulesTests and PagingTests use it), told each
        // tenant is "this tenant", reads each tenant's page as its truth expects: the relabelling
        // keeps the hand-written expectations true in every tenant.
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, OtherTenants = [new(Fabrikam), new(Unnamed)] });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        foreach (string tenant in new[] { Contoso, Fabrikam, Unnamed })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Audits + "?$top=999");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AppTokenAsync(http, tenant));
            using HttpResponseMessage response = await http.SendAsync(request);
            List<SupportAccessLogs.Records.ParsedAuditRecord> page = Records.ReadPage(await response.Content.ReadAsStringAsync(), out string? next);
            Assert.Null(next);
            var classifier = new SupportAccessLogs.Classification.ActivityClassifier(Guid.Parse(tenant));
            Dictionary<string, SupportAccessActivity> byId = page
                .Where(p => p.Record.Category == AuditDataSet.SupportAccessCategory)
                .Select(p => classifier.Classify(p.Record, p.Raw))
                .ToDictionary(a => a.Id);

            IReadOnlyList<TruthRecord> truth = server.DataSetOf(tenant).TruthRecords;
            Assert.Equal(truth.Count, byId.Count);
            var mismatches = new List<string>();
            foreach (TruthRecord expected in truth)
            {
                SupportAccessActivity actual = byId[expected.Id];
                (string, string, string, string, string) want = (expected.Expected.Category, expected.Expected.Activity, expected.Expected.TenantRole,
                    expected.Expected.OtherTenantId.ToLowerInvariant(), expected.Expected.SupportRequestId);
                (string, string, string, string, string) got = (actual.Category.ToString(), actual.Activity.ToString(), actual.TenantRole?.ToString() ?? "",
                    (actual.OtherTenantId ?? "").ToLowerInvariant(), actual.SupportRequestId ?? "");
                if (want != got)
                    mismatches.Add($"{tenant} {expected.Id} '{expected.ActivityDisplayName}': expected {want}, got {got}");
            }
            Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
        }
    }

    [Fact]
    public async Task AskipTokenOfOneTenant_IsUnknownToAnotherTenantsToken()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, PageSize = 10, OtherTenants = [new(Fabrikam)] });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string contoso = await ControlTokenAsync(http, Contoso);
        string fabrikam = await ControlTokenAsync(http, Fabrikam);

        (HttpStatusCode status, JsonElement page) = await GetAsync(http, Audits, contoso);
        Assert.Equal(HttpStatusCode.OK, status);
        string next = page.GetProperty("@odata.nextLink").GetString()!;

        (HttpStatusCode crossed, JsonElement error) = await GetAsync(http, next, fabrikam);
        Assert.Equal(HttpStatusCode.BadRequest, crossed);
        Assert.StartsWith("Invalid $skiptoken", error.GetProperty("error").GetProperty("message").GetString());
        (HttpStatusCode own, _) = await GetAsync(http, next, contoso);
        Assert.Equal(HttpStatusCode.OK, own);
    }

    [Theory]
    [InlineData(Audits)]
    [InlineData("v1.0/me")]
    [InlineData("v1.0/roleManagement/directory/roleDefinitions")]
    public async Task ATokenOfNoServedTenant_Is401InvalidAuthenticationToken(string path)
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, OtherTenants = DemoTenant.CustomerTenants });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string token = TestTokens.Mint(Unnamed, oid: DemoTenant.AdminObjectId, upn: DemoTenant.AdminUpn, scp: TestTokens.DefaultScopes,
            wids: [DemoDirectory.GlobalReader]);

        (HttpStatusCode status, JsonElement body) = await GetAsync(http, path, token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        JsonElement error = body.GetProperty("error");
        Assert.Equal("InvalidAuthenticationToken", error.GetProperty("code").GetString());
        Assert.Contains($"'{Unnamed}'", error.GetProperty("message").GetString());
        Assert.Contains(Tailspin, error.GetProperty("message").GetString()); // the served ones are named
        RequestLogEntry entry = server.Requests.Snapshot().Single();
        Assert.False(entry.Authorized);
        Assert.Null(entry.Tenant);
    }

    [Fact]
    public async Task DirectoryReads_AnswerFromTheTokensTenant()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, OtherTenants = DemoTenant.CustomerTenants });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string northwind = await ControlTokenAsync(http, Northwind);
        string fabrikam = await ControlTokenAsync(http, Fabrikam);

        // The admin is there (same oid and UPN), with that tenant's roles.
        (_, JsonElement me) = await GetAsync(http, "v1.0/me", northwind);
        Assert.Equal(DemoTenant.AdminObjectId, me.GetProperty("id").GetString());
        Assert.Equal(DemoTenant.AdminUpn, me.GetProperty("userPrincipalName").GetString());
        Assert.Equal([DemoDirectory.HelpdeskAdministrator], Strings(Claims(northwind), "wids"));
        (_, JsonElement roles) = await GetAsync(http, "v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole", northwind);
        Assert.Equal([DemoDirectory.HelpdeskAdministrator], roles.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("roleTemplateId").GetString()));
        (_, JsonElement fabrikamRoles) = await GetAsync(http, "v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole", fabrikam);
        Assert.Equal([DemoDirectory.GlobalReader], fabrikamRoles.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("roleTemplateId").GetString()));
        (_, JsonElement assignments) = await GetAsync(http,
            $"v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '{DemoTenant.AdminObjectId}'", northwind);
        Assert.Equal([DemoDirectory.HelpdeskAdministrator], assignments.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("roleDefinitionId").GetString()));
        // Contoso's other users are not Northwind's.
        (_, JsonElement none) = await GetAsync(http,
            $"v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '{DemoTenant.ReportsReaderObjectId}'", northwind);
        Assert.Empty(none.GetProperty("value").EnumerateArray());
        string reader = TestTokens.ForUser(DemoTenant.FindUser("reportsReader")!);
        (HttpStatusCode homeStatus, _) = await GetAsync(http, "v1.0/me", reader);
        Assert.Equal(HttpStatusCode.OK, homeStatus);

        // Built-in role definitions only (24): Contoso's custom roles are Contoso's.
        var definitions = new List<JsonElement>();
        string? link = "v1.0/roleManagement/directory/roleDefinitions";
        while (link is not null)
        {
            (_, JsonElement page) = await GetAsync(http, link, fabrikam);
            definitions.AddRange(page.GetProperty("value").EnumerateArray());
            link = page.TryGetProperty("@odata.nextLink", out JsonElement next) ? next.GetString() : null;
        }
        Assert.Equal(24, definitions.Count);
        Assert.All(definitions, d => Assert.True(d.GetProperty("isBuiltIn").GetBoolean()));

        // The audit log: Northwind's admin holds no reader role there (403); the app reads.
        (HttpStatusCode denied, JsonElement denial) = await GetAsync(http, Audits, northwind);
        Assert.Equal(HttpStatusCode.Forbidden, denied);
        Assert.Equal("Authentication_RequestFromUnsupportedUserRole", denial.GetProperty("error").GetProperty("code").GetString());
        // Without wids, the roles are looked up in Northwind's directory: still none that reads.
        string noWids = await ControlTokenAsync(http, Northwind, "&wids=");
        (HttpStatusCode lookedUp, _) = await GetAsync(http, Audits, noWids);
        Assert.Equal(HttpStatusCode.Forbidden, lookedUp);
        (HttpStatusCode app, _) = await GetAsync(http, Audits + "?$top=1", await AppTokenAsync(http, Northwind));
        Assert.Equal(HttpStatusCode.OK, app);
        (HttpStatusCode reads, _) = await GetAsync(http, Audits + "?$top=1", fabrikam);
        Assert.Equal(HttpStatusCode.OK, reads);

        Assert.Equal(3, server.Requests.CountFor("/" + Audits, Northwind));
        Assert.Equal(1, server.Requests.CountFor("/" + Audits, Fabrikam.ToUpperInvariant()));
        JsonElement count = await GetJsonAsync(http, $"_emulator/requests/count?path=/{Audits}&tenant={Northwind}");
        Assert.Equal(3, count.GetProperty("count").GetInt32());
    }

    // ---- the reporting throttle, per tenant ----

    [Fact]
    public async Task Throttle_IsPerTenant_EightTenantsEachGetFiveRequestsInTheWindow_AtTheSameTime()
    {
        string[] others = Enumerable.Range(1, 7).Select(i => $"{i:x8}-0000-4000-8000-00000000000{i}").ToArray();
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            Throttle = true,
            ThrottleWindow = TimeSpan.FromSeconds(30),
            OtherTenants = others.Select(id => new OtherTenant(id)).ToArray(),
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string[] tenants = [Contoso, .. others];
        string[] tokens = await Task.WhenAll(tenants.Select(t => AppTokenAsync(http, t)));

        HttpStatusCode[][] statuses = await Task.WhenAll(tokens.Select(async token =>
            await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => (await GetAsync(http, Audits + "?$top=1", token)).Status))));
        Assert.All(statuses, perTenant => Assert.All(perTenant, s => Assert.Equal(HttpStatusCode.OK, s)));

        foreach (string token in tokens)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Audits + "?$top=1");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage sixth = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
            Assert.True(sixth.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }
        Assert.Equal(8, server.Requests.Snapshot().Count(e => e.Fault == "throttle"));
        Assert.All(tenants, t => Assert.Equal(6, server.Requests.CountFor("/" + Audits, t)));
    }

    [Fact]
    public async Task Throttle_AppLimitAcrossTenants_RefusesPastItWhateverTheTenant()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            Throttle = true,
            ThrottleWindow = TimeSpan.FromSeconds(30),
            ThrottleAppLimit = 7,
            OtherTenants = [new(Fabrikam)],
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string contoso = await AppTokenAsync(http, Contoso);
        string fabrikam = await AppTokenAsync(http, Fabrikam);

        var statuses = new List<HttpStatusCode>();
        foreach (string token in new[] { contoso, contoso, contoso, contoso, fabrikam, fabrikam, fabrikam, fabrikam })
            statuses.Add((await GetAsync(http, Audits + "?$top=1", token)).Status);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 7), HttpStatusCode.TooManyRequests], statuses);

        // Another app has a window of its own.
        string other = await ControlTokenAsync(http, Fabrikam, "&roles=AuditLog.Read.All&appId=11111111-1111-4111-8111-111111111111");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, Audits + "?$top=1", other)).Status);
    }

    // ---- the authority: app tokens per tenant ----

    [Fact]
    public async Task ClientSecret_GetsEachConsentedTenantsToken_AndAADSTS700016WhereTheAppIsNotConsented()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            EnableAuthority = true,
            OtherTenants = DemoTenant.CustomerTenants,
        });
        using HttpClient https = AuthorityClient(server);
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        foreach (string tenant in new[] { Contoso, Fabrikam, Northwind, Tailspin })
        {
            JsonElement ok = await TokenOkAsync(https, tenant, SecretForm());
            JsonElement claims = Claims(ok.GetProperty("access_token").GetString()!);
            Assert.Equal(tenant, claims.GetProperty("tid").GetString());
            Assert.Equal($"https://sts.windows.net/{tenant}/", claims.GetProperty("iss").GetString());
            Assert.Equal(DemoTenant.PipelineAppId, claims.GetProperty("appid").GetString());
            Assert.Equal(["AuditLog.Read.All", "Directory.Read.All"], Strings(claims, "roles"));
            (HttpStatusCode status, JsonElement page) = await GetAsync(http, Audits + "?$top=999", ok.GetProperty("access_token").GetString()!);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(server.DataSetOf(tenant).ServedCount, page.GetProperty("value").GetArrayLength());
        }

        // Woodgrove never consented: Entra's AADSTS700016, before the secret is looked at.
        foreach (Dictionary<string, string> form in new[]
                 {
                     SecretForm(),
                     new Dictionary<string, string>(SecretForm()) { ["client_secret"] = "not-the-secret" },
                     FederatedForm(),
                 })
        {
            using HttpResponseMessage response = await PostTokenAsync(https, Woodgrove, form);
            JsonElement body = Json(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("unauthorized_client", body.GetProperty("error").GetString());
            Assert.Equal([700016], body.GetProperty("error_codes").EnumerateArray().Select(e => e.GetInt32()));
            string description = body.GetProperty("error_description").GetString()!;
            Assert.StartsWith(
                $"AADSTS700016: Application with identifier '{DemoTenant.PipelineAppId}' was not found in the directory 'Woodgrove'. " +
                "This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
                "You may have sent your authentication request to the wrong tenant.\r\nTrace ID: ", description);
            foreach (string member in new[] { "timestamp", "trace_id", "correlation_id", "error_uri" })
                Assert.True(body.TryGetProperty(member, out _), member);
            Assert.False(body.TryGetProperty("access_token", out _));
        }
        TokenRequestLogEntry last = server.TokenRequests.Snapshot().Last();
        Assert.Equal((Woodgrove, "AADSTS700016", "unauthorized_client", 400), (last.Tenant, last.Error, last.OAuthError, last.Status));

        // A tenant the emulator doesn't serve is still AADSTS90002.
        using HttpResponseMessage unknown = await PostTokenAsync(https, Unnamed, SecretForm());
        Assert.Equal([90002], Json(await unknown.Content.ReadAsStringAsync()).GetProperty("error_codes").EnumerateArray().Select(e => e.GetInt32()));
    }

    // ---- the authority: one sign-in, other tenants' tokens by refresh token ----

    [Fact]
    public async Task RefreshToken_RedeemedAtAnotherTenant_GivesThatTenantsToken_WithItsRoles_OrAADSTS50020WithoutAccess()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            EnableAuthority = true,
            OtherTenants = DemoTenant.CustomerTenants,
        });
        using HttpClient https = AuthorityClient(server);
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        // One device code sign-in, at organizations: the home tenant's token.
        JsonElement home = await DeviceCodeSignInAsync(https, "organizations");
        JsonElement homeClaims = Claims(home.GetProperty("access_token").GetString()!);
        Assert.Equal(Contoso, homeClaims.GetProperty("tid").GetString());
        Assert.Equal([DemoDirectory.GlobalReader], Strings(homeClaims, "wids"));
        Assert.False(homeClaims.TryGetProperty("idp", out _));
        string refreshToken = home.GetProperty("refresh_token").GetString()!;

        foreach ((string tenant, string role, HttpStatusCode audits) in new[]
                 {
                     (Fabrikam, DemoDirectory.GlobalReader, HttpStatusCode.OK),
                     (Woodgrove, DemoDirectory.GlobalReader, HttpStatusCode.OK), // consent concerns the pipeline app only
                     (Northwind, DemoDirectory.HelpdeskAdministrator, HttpStatusCode.Forbidden),
                 })
        {
            JsonElement other = await TokenOkAsync(https, tenant, RefreshForm(refreshToken));
            JsonElement claims = Claims(other.GetProperty("access_token").GetString()!);
            Assert.Equal(tenant, claims.GetProperty("tid").GetString());
            Assert.Equal(DemoTenant.AdminObjectId, claims.GetProperty("oid").GetString());
            Assert.Equal(DemoTenant.AdminUpn, claims.GetProperty("upn").GetString());
            Assert.Equal([role], Strings(claims, "wids"));
            Assert.Equal($"https://sts.windows.net/{Contoso}/", claims.GetProperty("idp").GetString());
            Assert.Equal(homeClaims.GetProperty("scp").GetString(), claims.GetProperty("scp").GetString());
            JsonElement idToken = Claims(other.GetProperty("id_token").GetString()!);
            Assert.Equal(tenant, idToken.GetProperty("tid").GetString());
            Assert.Equal($"https://login.microsoftonline.com/{tenant}/v2.0", idToken.GetProperty("iss").GetString());
            // MSAL's account stays the home one.
            Assert.Equal(home.GetProperty("client_info").GetString(), other.GetProperty("client_info").GetString());
            JsonElement clientInfo = Json(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(other.GetProperty("client_info").GetString()!)));
            Assert.Equal((DemoTenant.AdminObjectId, Contoso), (clientInfo.GetProperty("uid").GetString(), clientInfo.GetProperty("utid").GetString()));

            (HttpStatusCode status, _) = await GetAsync(http, Audits + "?$top=1", other.GetProperty("access_token").GetString()!);
            Assert.Equal(audits, status);

            // The refresh token it returns works on, at home too.
            JsonElement back = await TokenOkAsync(https, Contoso, RefreshForm(other.GetProperty("refresh_token").GetString()!));
            Assert.Equal(Contoso, Claims(back.GetProperty("access_token").GetString()!).GetProperty("tid").GetString());
        }

        // Tailspin: the admin has no access there.
        using HttpResponseMessage refused = await PostTokenAsync(https, Tailspin, RefreshForm(refreshToken));
        JsonElement body = Json(await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.Equal([50020], body.GetProperty("error_codes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.StartsWith(
            $"AADSTS50020: User account '{DemoTenant.AdminUpn}' from identity provider 'https://sts.windows.net/{Contoso}/' does not exist in tenant 'Tailspin Toys' " +
            $"and cannot access the application '{PublicClientId}' in that tenant. The account needs to be added as an external user in the tenant first. " +
            "Sign out and sign in again with a different Microsoft Entra user account.\r\nTrace ID: ", body.GetProperty("error_description").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));

        // organizations and common keep meaning the home tenant.
        foreach (string alias in new[] { "organizations", "common" })
        {
            JsonElement again = await TokenOkAsync(https, alias, RefreshForm(refreshToken));
            Assert.Equal(Contoso, Claims(again.GetProperty("access_token").GetString()!).GetProperty("tid").GetString());
        }

        // A device code sign-in straight at another tenant gives that tenant's token; at Tailspin, AADSTS50020.
        JsonElement direct = await DeviceCodeSignInAsync(https, Fabrikam);
        Assert.Equal(Fabrikam, Claims(direct.GetProperty("access_token").GetString()!).GetProperty("tid").GetString());
        using HttpResponseMessage codeResponse = await https.PostAsync($"{Tailspin}/oauth2/v2.0/devicecode",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = PublicClientId, ["scope"] = DelegatedScopes }));
        Assert.Equal(HttpStatusCode.OK, codeResponse.StatusCode);
        var poll = new Dictionary<string, string>
        {
            ["grant_type"] = "device_code",
            ["client_id"] = PublicClientId,
            ["device_code"] = Json(await codeResponse.Content.ReadAsStringAsync()).GetProperty("device_code").GetString()!,
        };
        using (HttpResponseMessage pending = await PostTokenAsync(https, Tailspin, poll))
            Assert.Equal("authorization_pending", Json(await pending.Content.ReadAsStringAsync()).GetProperty("error").GetString());
        using HttpResponseMessage noAccess = await PostTokenAsync(https, Tailspin, poll);
        Assert.Equal(HttpStatusCode.BadRequest, noAccess.StatusCode);
        Assert.Equal([50020], Json(await noAccess.Content.ReadAsStringAsync()).GetProperty("error_codes").EnumerateArray().Select(e => e.GetInt32()));
        TokenRequestLogEntry last = server.TokenRequests.Snapshot().Last();
        Assert.Equal((Tailspin, "AADSTS50020", "invalid_grant", 400), (last.Tenant, last.Error, last.OAuthError, last.Status));
    }

    [Fact]
    public async Task Msal_OneDeviceCodeSignIn_ThenTheSilentFlowWithEachTenantsAuthority_GetsEachTenantsToken_OnTheHomeAccount()
    {
        // MSAL (the library Azure.Identity signs in with) against the authority: one sign-in at
        // organizations, then AcquireTokenSilent(...).WithTenantId(other), which redeems the refresh
        // token at /{other}/oauth2/v2.0/token. The account stays the home one; a tenant where the
        // admin has no access is MSAL's MsalUiRequiredException with AADSTS50020.
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            EnableAuthority = true,
            OtherTenants = DemoTenant.CustomerTenants,
        });
        string[] scopes = ["https://graph.microsoft.com/AuditLog.Read.All", "https://graph.microsoft.com/Directory.Read.All"];
        using HttpClient https = AuthorityClient(server);
        Microsoft.Identity.Client.IPublicClientApplication app = Microsoft.Identity.Client.PublicClientApplicationBuilder.Create(PublicClientId)
            .WithAuthority(new Uri(server.AuthorityAddress!, "organizations"), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new MsalHttpClients(https))
            .Build();

        Microsoft.Identity.Client.AuthenticationResult home = await app.AcquireTokenWithDeviceCode(scopes, _ => Task.CompletedTask).ExecuteAsync();
        Assert.Equal(Contoso, home.TenantId);
        Assert.Equal($"{DemoTenant.AdminObjectId}.{Contoso}", home.Account.HomeAccountId.Identifier);

        foreach ((string tenant, string role) in new[] { (Fabrikam, DemoDirectory.GlobalReader), (Northwind, DemoDirectory.HelpdeskAdministrator) })
        {
            Microsoft.Identity.Client.AuthenticationResult other = await app.AcquireTokenSilent(scopes, home.Account).WithTenantId(tenant).ExecuteAsync();
            Assert.Equal(tenant, other.TenantId);
            Assert.Equal(home.Account.HomeAccountId.Identifier, other.Account.HomeAccountId.Identifier);
            Assert.Equal(Microsoft.Identity.Client.TokenSource.IdentityProvider, other.AuthenticationResultMetadata.TokenSource);
            JsonElement claims = Claims(other.AccessToken);
            Assert.Equal(tenant, claims.GetProperty("tid").GetString());
            Assert.Equal([role], Strings(claims, "wids"));
            // and from MSAL's cache the next time, per tenant
            Microsoft.Identity.Client.AuthenticationResult cached = await app.AcquireTokenSilent(scopes, home.Account).WithTenantId(tenant).ExecuteAsync();
            Assert.Equal((tenant, Microsoft.Identity.Client.TokenSource.Cache), (cached.TenantId, cached.AuthenticationResultMetadata.TokenSource));
        }

        Microsoft.Identity.Client.MsalUiRequiredException refused = await Assert.ThrowsAsync<Microsoft.Identity.Client.MsalUiRequiredException>(
            () => app.AcquireTokenSilent(scopes, home.Account).WithTenantId(Tailspin).ExecuteAsync());
        Assert.Equal("invalid_grant", refused.ErrorCode);
        Assert.StartsWith("AADSTS50020: ", refused.Message);
        Microsoft.Identity.Client.AuthenticationResult homeAgain = await app.AcquireTokenSilent(scopes, home.Account).ExecuteAsync();
        Assert.Equal((Contoso, Microsoft.Identity.Client.TokenSource.Cache), (homeAgain.TenantId, homeAgain.AuthenticationResultMetadata.TokenSource));

        Assert.Equal([("organizations", "device_code"), ("organizations", "device_code"), (Fabrikam, "refresh_token"), (Northwind, "refresh_token"), (Tailspin, "refresh_token")],
            server.TokenRequests.Snapshot().Where(e => e.Endpoint == "token").Select(e => (e.Tenant!, e.GrantType!)));
    }

    /// <summary>MSAL's HTTP client: the one that trusts the authority's test CA.</summary>
    private sealed class MsalHttpClients(HttpClient client) : Microsoft.Identity.Client.IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }

    // ---- control endpoints ----

    [Fact]
    public async Task ControlEndpoints_AnswerPerTenant()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            OtherTenants = [.. DemoTenant.CustomerTenants, new OtherTenant(Unnamed) { DisplayName = "Adatum", BulkRecordCount = 12, AdminRoleTemplateIds = [] }],
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };

        JsonElement tenants = await GetJsonAsync(http, "_emulator/tenants");
        Assert.Equal([Contoso, Fabrikam, Woodgrove, Northwind, Tailspin, Unnamed], tenants.EnumerateArray().Select(t => t.GetProperty("tenantId").GetString()));
        Assert.Equal(["Contoso", "Fabrikam", "Woodgrove", "Northwind Traders", "Tailspin Toys", "Adatum"],
            tenants.EnumerateArray().Select(t => t.GetProperty("displayName").GetString()));
        Assert.Equal([true, false, false, false, false, false], tenants.EnumerateArray().Select(t => t.GetProperty("home").GetBoolean()));
        Assert.Equal([true, true, false, true, true, true], tenants.EnumerateArray().Select(t => t.GetProperty("pipelineAppConsented").GetBoolean()));
        Assert.Equal([true, true, true, true, false, true], tenants.EnumerateArray().Select(t => t.GetProperty("adminHasAccess").GetBoolean()));
        Assert.Equal([110L, 85, 85, 85, 85, 97], tenants.EnumerateArray().Select(t => t.GetProperty("total").GetInt64()));
        Assert.Equal([130L, 105, 105, 105, 105, 117], tenants.EnumerateArray().Select(t => t.GetProperty("servedCount").GetInt64()));

        JsonElement truth = await GetJsonAsync(http, $"_emulator/truth?tenant={Unnamed.ToUpperInvariant()}&records=false");
        Assert.Equal((Unnamed, "Adatum", 97L), (truth.GetProperty("tenantId").GetString(), truth.GetProperty("tenantName").GetString(), truth.GetProperty("total").GetInt64()));
        Assert.False(truth.TryGetProperty("records", out _));
        JsonElement homeTruth = await GetJsonAsync(http, "_emulator/truth?records=false");
        Assert.Equal(Contoso, homeTruth.GetProperty("tenantId").GetString());

        using (HttpResponseMessage unknown = await http.GetAsync("_emulator/truth?tenant=" + DemoTenant.AutomationAppId))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (HttpResponseMessage unknown = await http.GetAsync("_emulator/token?tenant=" + DemoTenant.AutomationAppId))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Tokens: the admin with the tenant's roles (none in Adatum), idp the home tenant's issuer.
        JsonElement adatum = Claims(await ControlTokenAsync(http, Unnamed));
        Assert.Equal((Unnamed, DemoTenant.AdminObjectId), (adatum.GetProperty("tid").GetString(), adatum.GetProperty("oid").GetString()));
        Assert.Empty(Strings(adatum, "wids"));
        Assert.Equal($"https://sts.windows.net/{Contoso}/", adatum.GetProperty("idp").GetString());
        JsonElement fabrikamAdmin = Claims(await ControlTokenAsync(http, Fabrikam, "&user=admin&api=loganalytics"));
        Assert.Equal((TestTokens.LogAnalyticsAudience, "Data.Read"), (fabrikamAdmin.GetProperty("aud").GetString(), fabrikamAdmin.GetProperty("scp").GetString()));
        JsonElement app = Claims(await AppTokenAsync(http, Tailspin));
        Assert.Equal((Tailspin, DemoTenant.AutomationAppId), (app.GetProperty("tid").GetString(), app.GetProperty("appid").GetString()));
        JsonElement home = Claims(await ControlTokenAsync(http, Contoso));
        Assert.Equal([DemoDirectory.GlobalReader], Strings(home, "wids"));
        Assert.False(home.TryGetProperty("idp", out _));
        foreach (string refused in new[] { $"tenant={Tailspin}", $"tenant={Fabrikam}&user=reportsReader", $"tenant={Tailspin}&user=admin" })
        {
            using HttpResponseMessage response = await http.GetAsync("_emulator/token?" + refused);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("has no access to tenant", await response.Content.ReadAsStringAsync());
        }

        JsonElement users = await GetJsonAsync(http, $"_emulator/users?tenant={Northwind}");
        JsonElement user = Assert.Single(users.EnumerateArray());
        Assert.Equal(("admin", DemoTenant.AdminObjectId), (user.GetProperty("key").GetString(), user.GetProperty("objectId").GetString()));
        Assert.Empty((await GetJsonAsync(http, $"_emulator/users?tenant={Tailspin}")).EnumerateArray());
        Assert.Equal(DemoTenant.Users.Count, (await GetJsonAsync(http, "_emulator/users")).GetArrayLength());

        await GetAsync(http, Audits + "?$top=1", await ControlTokenAsync(http, Fabrikam));
        JsonElement log = await GetJsonAsync(http, "_emulator/requests");
        Assert.Equal(Fabrikam, Assert.Single(log.EnumerateArray()).GetProperty("tenant").GetString());
    }

    [Fact]
    public void Options_RefuseOtherTenantsThatCantBe()
    {
        Assert.Throws<ArgumentException>(() => new AuditDataSet(new EmulatorOptions { OtherTenants = [new(Contoso)] }));
        Assert.Throws<ArgumentException>(() => new AuditDataSet(new EmulatorOptions { OtherTenants = [new(Fabrikam), new(Fabrikam.ToUpperInvariant())] }));
        Assert.Throws<ArgumentException>(() => new AuditDataSet(new EmulatorOptions { OtherTenants = [new("fabrikam")] }));
        Assert.Throws<ArgumentException>(() => new AuditDataSet(new EmulatorOptions { OtherTenants = [new(Fabrikam) { AdminRoleTemplateIds = [DemoDirectory.ContosoSupportTicketOperator] }] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditDataSet(new EmulatorOptions { OtherTenants = [new(Fabrikam) { BulkRecordCount = -1 }] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditDataSet(new EmulatorOptions { ThrottleAppLimit = 0 }));

        OtherTenant parsed = OtherTenant.Parse($"{Unnamed}:name=Adatum:bulk=5:consent=false:access=true:roles=Reports Reader+securityreader");
        Assert.Equal((Unnamed, "Adatum", 5, false, true), (parsed.TenantId, parsed.Name, parsed.BulkRecordCount, parsed.PipelineAppConsented, parsed.AdminHasAccess));
        Assert.Equal([DemoDirectory.ReportsReader, DemoDirectory.SecurityReader], parsed.AdminRoleTemplateIds);
        OtherTenant preset = OtherTenant.Parse("Woodgrove:consent=true:roles=none");
        Assert.Equal((Woodgrove, "Woodgrove", true), (preset.TenantId, preset.Name, preset.PipelineAppConsented));
        Assert.Empty(preset.AdminRoleTemplateIds);
        OtherTenant tailspin = OtherTenant.Parse("tailspin");
        Assert.Equal((Tailspin, "Tailspin Toys", false, true), (tailspin.TenantId, tailspin.Name, tailspin.AdminHasAccess, tailspin.PipelineAppConsented));
        Assert.Throws<FormatException>(() => OtherTenant.Parse("nowhere"));
        Assert.Throws<FormatException>(() => OtherTenant.Parse($"{Unnamed}:colour=blue"));
        Assert.Throws<FormatException>(() => OtherTenant.Parse($"{Unnamed}:roles=Contoso Directory Auditor"));
        Assert.Throws<FormatException>(() => OtherTenant.Parse($"{Unnamed}:consent=maybe"));
    }

    // ---- helpers ----

    private const string PublicClientId = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    private const string DelegatedScopes =
        "https://graph.microsoft.com/AuditLog.Read.All https://graph.microsoft.com/Directory.Read.All offline_access openid profile";

    private static Task<EmulatorServer> StartAsync(EmulatorOptions options) => EmulatorServer.StartAsync(options);

    /// <summary>A delegated token of the tenant's admin (or what <paramref name="more"/> asks), from <c>/_emulator/token?tenant=</c>.</summary>
    private static async Task<string> ControlTokenAsync(HttpClient http, string tenant, string more = "") =>
        (await GetJsonAsync(http, $"_emulator/token?tenant={tenant}{more}")).GetProperty("accessToken").GetString()!;

    /// <summary>An app-only token of the tenant (the automation app, AuditLog.Read.All).</summary>
    private static Task<string> AppTokenAsync(HttpClient http, string tenant) =>
        ControlTokenAsync(http, tenant, "&roles=AuditLog.Read.All");

    private static async Task<string[]> ReadAllIdsAsync(HttpClient http, string token)
    {
        var ids = new List<string>();
        string? link = Audits;
        while (link is not null)
        {
            (HttpStatusCode status, JsonElement page) = await GetAsync(http, link, token);
            Assert.True(status == HttpStatusCode.OK, $"{status}: {page.GetRawText()}");
            ids.AddRange(page.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            link = page.TryGetProperty("@odata.nextLink", out JsonElement next) ? next.GetString() : null;
        }
        return ids.ToArray();
    }

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

    private static Dictionary<string, string> SecretForm() => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = DemoTenant.PipelineAppId,
        ["client_secret"] = DemoTenant.PipelineAppSecret,
        ["scope"] = "https://graph.microsoft.com/.default",
    };

    private static Dictionary<string, string> FederatedForm() => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = DemoTenant.PipelineAppId,
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = TestTokens.FederatedAssertion(),
        ["scope"] = "https://graph.microsoft.com/.default",
    };

    private static Dictionary<string, string> RefreshForm(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = PublicClientId,
        ["refresh_token"] = refreshToken,
        ["scope"] = DelegatedScopes,
    };

    /// <summary>A device code sign-in at <paramref name="tenant"/>'s endpoints, polled until it answers (the first poll is pending).</summary>
    private static async Task<JsonElement> DeviceCodeSignInAsync(HttpClient https, string tenant)
    {
        using HttpResponseMessage codeResponse = await https.PostAsync($"{tenant}/oauth2/v2.0/devicecode",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = PublicClientId, ["scope"] = DelegatedScopes }));
        Assert.Equal(HttpStatusCode.OK, codeResponse.StatusCode);
        string deviceCode = Json(await codeResponse.Content.ReadAsStringAsync()).GetProperty("device_code").GetString()!;
        var poll = new Dictionary<string, string> { ["grant_type"] = "device_code", ["client_id"] = PublicClientId, ["device_code"] = deviceCode };
        using (HttpResponseMessage pending = await PostTokenAsync(https, tenant, poll))
            Assert.Equal("authorization_pending", Json(await pending.Content.ReadAsStringAsync()).GetProperty("error").GetString());
        return await TokenOkAsync(https, tenant, poll);
    }

    private static Task<HttpResponseMessage> PostTokenAsync(HttpClient https, string tenant, Dictionary<string, string> form) =>
        https.PostAsync($"{tenant}/oauth2/v2.0/token", new FormUrlEncodedContent(form));

    private static async Task<JsonElement> TokenOkAsync(HttpClient https, string tenant, Dictionary<string, string> form)
    {
        using HttpResponseMessage response = await PostTokenAsync(https, tenant, form);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return Json(text);
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

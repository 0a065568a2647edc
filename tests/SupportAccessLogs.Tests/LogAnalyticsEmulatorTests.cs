using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GraphEmulator;
using Xunit;

using static SupportAccessLogs.Tests.EmulatorHttp;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The emulator's Log Analytics query API (POST /v1/workspaces/{id}/query), seen by a plain
/// HttpClient (no module code): the KQL subset, the data and its truth, the row cap, the faults,
/// authentication and authorization, and that its support-access rows of the last 30 days are
/// the Graph emulator's records.
/// </summary>
public class LogAnalyticsEmulatorTests
{
    private const string SupportAccess = "MicrosoftSupportAccessManagement";
    private const string Demo = DemoWorkspace.WorkspaceId;
    private const string Second = DemoWorkspace.SecondWorkspaceId;

    private const string ProjectAll =
        "project Id, TimeGenerated, ActivityDateTime, ActivityDisplayName, Category, Result, ResultReason, LoggedByService, " +
        "AADOperationType, CorrelationId, AADTenantId, InitiatedBy, TargetResources, AdditionalDetails";

    private static readonly DateTimeOffset Anchor = new(2026, 9, 8, 12, 0, 0, TimeSpan.Zero);

    private static readonly Regex DateTimeValue = new(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$");

    // ---- the last 30 days are Graph's records ----

    [Fact]
    public async Task SupportAccess_Last30Days_AreTheGraphRecords_SameIdsOrderAndFields()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, BulkRecordCount = 40 });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        Result result = await QueryOkAsync(http, token, $"""
            AuditLogs
            | where TimeGenerated >= {Dt(Anchor.AddDays(-30))} and TimeGenerated < {Dt(Anchor)}
            | where Category == "{SupportAccess}"
            | where AADTenantId == "{DemoTenant.TenantId}"
            | {ProjectAll}
            | order by TimeGenerated desc, Id desc
            """);
        List<JsonElement> graph = await GraphRecordsAsync(http, $"category eq '{SupportAccess}'");

        Assert.Equal(
            ["Id", "TimeGenerated", "ActivityDateTime", "ActivityDisplayName", "Category", "Result", "ResultReason", "LoggedByService",
             "AADOperationType", "CorrelationId", "AADTenantId", "InitiatedBy", "TargetResources", "AdditionalDetails"],
            result.Names);
        Assert.Equal(["string", "datetime", "datetime", "string", "string", "string", "string", "string", "string", "string", "string",
                      "dynamic", "dynamic", "dynamic"], result.Types);
        Assert.Equal(server.DataSet.Truth.Total, graph.Count);
        Assert.Equal(85 + 25 + 40, graph.Count); // the scenario table's, the stories' served steps, the bulk records
        // Same records, in the same order: Graph pages newest first with ties broken on the id, as the query sorts.
        Assert.Equal(graph.Select(g => g.GetProperty("id").GetString()), result.Rows.Select(r => result.String(r, "Id")));

        for (int i = 0; i < graph.Count; i++)
        {
            JsonElement g = graph[i];
            JsonElement[] row = result.Rows[i];
            string id = result.String(row, "Id");
            Assert.Equal(ParseInstant(g.GetProperty("activityDateTime").GetString()!), ParseInstant(result.String(row, "TimeGenerated")));
            Assert.Equal(result.String(row, "TimeGenerated"), result.String(row, "ActivityDateTime"));
            Assert.Equal(GraphString(g, "activityDisplayName"), result.String(row, "ActivityDisplayName"));
            Assert.Equal(SupportAccess, result.String(row, "Category"));
            Assert.Equal(GraphString(g, "result"), result.String(row, "Result"));
            Assert.Equal(GraphString(g, "resultReason"), result.String(row, "ResultReason"));
            Assert.Equal(GraphString(g, "loggedByService"), result.String(row, "LoggedByService"));
            Assert.Equal(GraphString(g, "operationType"), result.String(row, "AADOperationType"));
            Assert.Equal(GraphString(g, "correlationId"), result.String(row, "CorrelationId"));
            Assert.Equal(DemoTenant.TenantId, result.String(row, "AADTenantId"));
            foreach ((string graphName, string column) in new[]
                     { ("initiatedBy", "InitiatedBy"), ("targetResources", "TargetResources"), ("additionalDetails", "AdditionalDetails") })
            {
                JsonElement cell = result.Cell(row, column);
                if (!g.TryGetProperty(graphName, out JsonElement graphValue))
                {
                    Assert.Equal("", cell.GetString()); // no such property: an empty cell
                }
                else if (graphValue.ValueKind == JsonValueKind.Null)
                {
                    Assert.Equal(JsonValueKind.Null, cell.ValueKind);
                }
                else
                {
                    using JsonDocument parsed = JsonDocument.Parse(cell.GetString()!);
                    Assert.True(JsonElement.DeepEquals(graphValue, parsed.RootElement), $"{id} {column}: {cell.GetString()} vs {graphValue.GetRawText()}");
                }
            }
        }

        WorkspaceTruthJson truth = await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-30), Anchor, DemoTenant.TenantId);
        Assert.Equal(graph.Select(g => g.GetProperty("id").GetString()!), truth.Ids);
        // Beside the demo tenant's, the last 30 days hold only Fabrikam's side of story S8: its two steps.
        WorkspaceTruthJson whole = await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-30), Anchor);
        Assert.Equal(new Dictionary<string, long> { [DemoTenant.TenantId] = graph.Count, [DemoTenant.PartnerTenantId] = 2 }, whole.ByTenant);
        Assert.Equal(["5e000000-0008-4000-8000-000000000004", "5e000000-0008-4000-8000-000000000003"], whole.Ids.Except(truth.Ids));
    }

    // ---- string literals ----

    [Fact]
    public async Task StringLiterals_EscapesArriveAsData_AnInjectionAttemptIsOneValue()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        long total = await CountAsync(http, token, "AuditLogs");

        const string injection = """AuditLogs | where ActivityDisplayName == "x\" or 1==1 //" | project Id""";
        Result none = await QueryOkAsync(http, token, injection);
        Result all = await QueryOkAsync(http, token, """AuditLogs | where ActivityDisplayName != "x\" or 1==1 //" | project Id""");

        Assert.Empty(none.Rows);
        Assert.Equal(total, all.Rows.Count);
        Assert.True(total > 500);
        Assert.Equal(injection, server.Requests.Snapshot().First(e => e.Kql?.Contains("==", StringComparison.Ordinal) == true).Kql);

        // A quote inside the value, written three ways; the rows hold exactly that text.
        const string alex = "Alex \"AJ\" Wilber, Jr.";
        Result escaped = await QueryOkAsync(http, token, """AuditLogs | where tostring(InitiatedBy.user.displayName) == "Alex \"AJ\" Wilber, Jr." | project Id, InitiatedBy""");
        Result verbatim = await QueryOkAsync(http, token, """AuditLogs | where tostring(InitiatedBy.user.displayName) == @"Alex ""AJ"" Wilber, Jr." | project Id""");
        Result singleQuoted = await QueryOkAsync(http, token, """AuditLogs | where tostring(InitiatedBy['user']["displayName"]) == 'Alex "AJ" Wilber, Jr.' | project Id""");
        Assert.NotEmpty(escaped.Rows);
        Assert.All(escaped.Rows, r => Assert.Equal(alex, Json(escaped.String(r, "InitiatedBy")).GetProperty("user").GetProperty("displayName").GetString()));
        Assert.Equal(escaped.Ids(), verbatim.Ids());
        Assert.Equal(escaped.Ids(), singleQuoted.Ids());

        // \n and \" inside one literal: a reason written on two lines.
        Result reason = await QueryOkAsync(http, token, """AuditLogs | where ResultReason == "Denied, \"per policy\"\nsee ticket" | project ResultReason""");
        Assert.NotEmpty(reason.Rows);
        Assert.All(reason.Rows, r => Assert.Equal("Denied, \"per policy\"\nsee ticket", reason.String(r, "ResultReason")));

        // A trailing backslash is part of the value: nothing has it.
        Assert.Empty((await QueryOkAsync(http, token, $$"""AuditLogs | where Category == "{{SupportAccess}}\\" | project Id""")).Rows);
        Assert.NotEmpty((await QueryOkAsync(http, token, $$"""AuditLogs | where Category == "{{SupportAccess}}" | take 1""")).Rows);
    }

    [Fact]
    public async Task CaseInsensitiveOperators_EqualTildeAndInTilde()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        long exact = await CountAsync(http, token, """AuditLogs | where tostring(InitiatedBy.user.userPrincipalName) == "o'brien@contoso.com" """);
        long anyCase = await CountAsync(http, token, """AuditLogs | where tostring(InitiatedBy.user.userPrincipalName) =~ "O'Brien@CONTOSO.com" """);
        long policy = await CountAsync(http, token, """AuditLogs | where Category == "Policy" """);
        long users = await CountAsync(http, token, """AuditLogs | where Category == "UserManagement" """);

        // The scenario table spells one of o'brien's records O'BRIEN@Contoso.com.
        Assert.True(anyCase > exact && exact > 0, $"=~ {anyCase}, == {exact}");
        Assert.True(policy > 0 && users > 0);
        Assert.Equal(policy + users, await CountAsync(http, token, """AuditLogs | where Category in~ ("POLICY", "usermanagement")"""));
        Assert.Equal(policy + users, await CountAsync(http, token, """AuditLogs | where Category in ("Policy", "UserManagement", "policy")"""));
        Assert.Equal(0, await CountAsync(http, token, """AuditLogs | where Category in ("POLICY")"""));
    }

    // ---- the row cap ----

    [Fact]
    public async Task RowCap_MoreRowsThanTheCap_FirstCapRowsAndAPartialError_AtTheCapNone()
    {
        const int cap = 50;
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, LogAnalyticsRowCap = cap });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        Result capped = await QueryOkAsync(http, token, "AuditLogs | order by TimeGenerated desc, Id desc | project Id, TimeGenerated");
        Result exactly = await QueryOkAsync(http, token, "AuditLogs | order by TimeGenerated desc, Id desc | project Id, TimeGenerated | take 50");
        Result under = await QueryOkAsync(http, token, "AuditLogs | order by TimeGenerated desc, Id desc | project Id | take 49");

        Assert.Equal(cap, capped.Rows.Count);
        JsonElement error = Assert.IsType<JsonElement>(capped.Error);
        Assert.Equal("PartialError", error.GetProperty("code").GetString());
        Assert.Equal("There were some errors when processing your query.", error.GetProperty("message").GetString());
        JsonElement detail = Assert.Single(error.GetProperty("details").EnumerateArray());
        Assert.Equal("EngineError", detail.GetProperty("code").GetString());
        Assert.Equal("Query result set has exceeded the internal record count limit", detail.GetProperty("message").GetString());
        Assert.Equal("-2133196797", detail.GetProperty("innererror").GetProperty("code").GetString());
        Assert.Equal("E_QUERY_RESULT_SET_TOO_LARGE", detail.GetProperty("innererror").GetProperty("message").GetString());
        // The rows given are the first ones of the whole result.
        Assert.Equal(exactly.Ids(), capped.Ids());
        Assert.Null(exactly.Error);
        Assert.Null(under.Error);
        Assert.Equal(49, under.Rows.Count);
        // One row over is over.
        Result justOver = await QueryOkAsync(http, token, "AuditLogs | order by TimeGenerated desc, Id desc | project Id | take 51");
        Assert.Equal(exactly.Ids(), justOver.Ids());
        Assert.Equal("PartialError", justOver.Error?.GetProperty("code").GetString());

        // Summarize results are capped too: 180 one-day bins, far more than 50.
        Result bins = await QueryOkAsync(http, token, "AuditLogs | summarize count() by bin(TimeGenerated, 1d)");
        Assert.Equal(cap, bins.Rows.Count);
        Assert.NotNull(bins.Error);
    }

    // ---- workspaces ----

    [Fact]
    public async Task Workspaces_TheBodysWorkspacesAddTheirRows_TheUnion()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        const string kql = "AuditLogs | project Id, AADTenantId, TenantId";

        Result demo = await QueryOkAsync(http, token, kql);
        Result second = await QueryOkAsync(http, token, kql, workspace: Second);
        Result union = await QueryOkAsync(http, token, kql, workspaces: [Second]);
        Result unionTwice = await QueryOkAsync(http, token, kql, workspaces: [Second, Demo, Second.ToUpperInvariant()]);
        Result fromSecond = await QueryOkAsync(http, token, kql, workspace: Second, workspaces: [Demo]);

        Assert.NotEmpty(demo.Rows);
        Assert.NotEmpty(second.Rows);
        Assert.Empty(demo.Ids().Intersect(second.Ids()));
        Assert.Equal(demo.Rows.Count + second.Rows.Count, union.Rows.Count);
        Assert.Equal(demo.Ids().Concat(second.Ids()).Order(), union.Ids().Order());
        Assert.Equal(union.Ids().Order(), unionTwice.Ids().Order());
        Assert.Equal(union.Ids().Order(), fromSecond.Ids().Order());
        // Each row says where it lives (TenantId is the workspace, as in the real table) and whose it is.
        Assert.Equal([Demo, Second], union.Rows.Select(r => union.String(r, "TenantId")).Distinct().Order());
        Assert.Equal(
            new[] { DemoTenant.TenantId, DemoWorkspace.ForeignTenantId }.Order(),
            demo.Rows.Select(r => demo.String(r, "AADTenantId")).Distinct().Order());
        Assert.Equal([DemoWorkspace.SecondWorkspaceTenantId], second.Rows.Select(r => second.String(r, "AADTenantId")).Distinct());
        Assert.Equal((await WorkspaceTruthAsync(http, Second)).RowCount, second.Rows.Count);
        Assert.Equal((await WorkspaceTruthAsync(http, Demo)).RowCount, demo.Rows.Count);
    }

    [Fact]
    public async Task Workspaces_UnknownMalformedAndWithoutTheTable_AreRefusedAsTheServiceDoes()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        const string kql = "AuditLogs | take 1";

        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, token, kql, workspace: "11111111-2222-4333-8444-555555555555");
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, "WorkspaceNotFoundError", "The workspace could not be found");

        (status, body) = await QueryAsync(http, token, kql, workspaces: ["11111111-2222-4333-8444-555555555555"]);
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, "WorkspaceNotFoundError", "The workspace could not be found");

        (status, body) = await QueryAsync(http, token, kql, workspace: "not-a-guid");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "BadArgumentError", "The request had some invalid properties");

        (status, body) = await QueryAsync(http, token, kql, workspace: DemoWorkspace.EmptyWorkspaceId);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "BadArgumentError", "The request had some invalid properties");
        Assert.Equal("SemanticError", body.GetProperty("error").GetProperty("innererror").GetProperty("code").GetString());
        Assert.StartsWith("Failed to resolve table or column expression named 'AuditLogs'",
            body.GetProperty("error").GetProperty("innererror").GetProperty("innererror").GetProperty("message").GetString());

        // With a workspace that has the table, the one without adds nothing.
        Result withEmpty = await QueryOkAsync(http, token, "AuditLogs | project Id", workspace: DemoWorkspace.EmptyWorkspaceId, workspaces: [Second]);
        Assert.Equal((await QueryOkAsync(http, token, "AuditLogs | project Id", workspace: Second)).Ids(), withEmpty.Ids());

        using HttpResponseMessage other = await http.PostAsync($"v1/workspaces/{Demo}/search", Body("AuditLogs"));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("PathNotFoundError", Json(await other.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());
        using HttpResponseMessage get = await http.GetAsync($"v1/workspaces/{Demo}/query");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    // ---- hash partitions ----

    [Fact]
    public async Task Hash_BucketsPartitionTheRowsExactly_AndSummarizeCountsAgree_WithBulkRows()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, LogAnalyticsBulkRows = 20_000 });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        string window = $"where TimeGenerated >= {Dt(Anchor.AddDays(-180))} and TimeGenerated < {Dt(Anchor)}";

        Result whole = await QueryOkAsync(http, token, $"AuditLogs | {window} | where Category == \"{SupportAccess}\" | project Id");
        WorkspaceTruthJson truth = await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-180), Anchor);
        Assert.Equal(truth.SupportAccessCount, whole.Rows.Count);
        Assert.True(whole.Rows.Count > 20_000);
        Assert.Equal(whole.Rows.Count, whole.Ids().Distinct().Count());

        const int buckets = 4;
        var seen = new HashSet<string>();
        long sum = 0;
        for (int k = 0; k < buckets; k++)
        {
            Result bucket = await QueryOkAsync(http, token,
                $"AuditLogs | {window} | where Category == \"{SupportAccess}\" | where hash(Id, {buckets}) == {k} | project Id");
            Assert.NotEmpty(bucket.Rows);
            sum += bucket.Rows.Count;
            foreach (string id in bucket.Ids())
            {
                Assert.True(seen.Add(id), $"{id} is in two buckets");
                Assert.Equal((long)k, GraphEmulator.LogAnalytics.Kql.KqlHash.Bucket(id, buckets)); // FNV-1a 64, as documented
            }
            long counted = await CountAsync(http, token, $"AuditLogs | {window} | where Category == \"{SupportAccess}\" | where hash(Id, {buckets}) == {k}");
            Assert.Equal(bucket.Rows.Count, counted);
        }
        Assert.Equal(whole.Rows.Count, sum);
        Assert.True(seen.SetEquals(whole.Ids()));

        // The same hash twice is the same partition; another modulus another one, still exact.
        Assert.Equal(whole.Rows.Count,
            await CountAsync(http, token, $"AuditLogs | {window} | where Category == \"{SupportAccess}\" | where hash(Id, 3) < 3"));

        // The sizing form: per-day counts that add up to the rows.
        Result days = await QueryOkAsync(http, token, $"AuditLogs | {window} | where Category == \"{SupportAccess}\" | summarize count() by bin(TimeGenerated, 1d)");
        Assert.Equal(truth.SupportAccessCount, days.Rows.Sum(r => r[1].GetInt64()));
    }

    // ---- summarize ----

    [Theory]
    [InlineData("1h", 3600)]
    [InlineData("1d", 86400)]
    [InlineData("30m", 1800)]
    [InlineData("10s", 10)]
    public async Task Summarize_CountPerBin_EqualsTheRowsInEachBin_OnlyNonEmptyBins(string size, int seconds)
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, LogAnalyticsBulkRows = 2_000 });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        string where = $"""
            | where TimeGenerated >= {Dt(Anchor.AddDays(-60))} and TimeGenerated < {Dt(Anchor.AddDays(-3))}
            | where Category == "{SupportAccess}"
            """;

        Result bins = await QueryOkAsync(http, token, $"AuditLogs\n{where}\n| summarize count() by bin(TimeGenerated, {size})");
        Result rows = await QueryOkAsync(http, token, $"AuditLogs\n{where}\n| project TimeGenerated");

        Assert.Equal(["TimeGenerated", "count_"], bins.Names);
        Assert.Equal(["datetime", "long"], bins.Types);
        Assert.All(bins.Rows, r => Assert.Equal(JsonValueKind.Number, r[1].ValueKind));
        Assert.All(bins.Rows, r => Assert.True(r[1].GetInt64() > 0));
        long binTicks = TimeSpan.FromSeconds(seconds).Ticks;
        Dictionary<string, long> expected = rows.Rows
            .Select(r => ParseInstant(r[0].GetString()!).UtcTicks)
            .GroupBy(t => t - t % binTicks)
            .ToDictionary(g => new DateTime(g.Key, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture), g => (long)g.Count());
        Assert.Equal(expected.OrderBy(p => p.Key), bins.Rows.Select(r => KeyValuePair.Create(r[0].GetString()!, r[1].GetInt64())).OrderBy(p => p.Key));
        Assert.Equal(rows.Rows.Count, bins.Rows.Sum(r => r[1].GetInt64()));
        Assert.Equal((await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-60), Anchor.AddDays(-3))).SupportAccessCount, rows.Rows.Count);

        Result total = await QueryOkAsync(http, token, $"AuditLogs\n{where}\n| summarize count()");
        Assert.Equal(["count_"], total.Names);
        Assert.Equal(rows.Rows.Count, Assert.Single(total.Rows)[0].GetInt64());
    }

    // ---- authentication and authorization ----

    [Fact]
    public async Task Auth_EachRefusal_HasTheServicesStatusAndBody()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        const string kql = "AuditLogs | take 1";

        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, null, kql);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        AssertError(body, "AuthorizationRequiredError", "Valid authentication was not provided");

        foreach (string wrong in new[]
                 {
                     await TokenAsync(http, ""),                                            // Graph's audience
                     await TokenAsync(http, "api=loganalytics&minutes=-5"),                  // expired
                     await TokenAsync(http, "api=loganalytics&tid=" + DemoTenant.PartnerTenantId), // another tenant
                     "not-a-jwt",
                 })
        {
            (status, body) = await QueryAsync(http, wrong, kql);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            AssertError(body, "InvalidTokenError", "The provided authentication is not valid for this resource");
        }

        foreach (string denied in new[]
                 {
                     await TokenAsync(http, "api=loganalytics&user=helpdesk"),               // not a reader of the workspace
                     await TokenAsync(http, "api=loganalytics&user=noRoles"),
                     await TokenAsync(http, "api=loganalytics&scp=AuditLog.Read.All"),       // the admin, without Data.Read
                     await TokenAsync(http, "api=loganalytics&roles=AuditLog.Read.All"),     // an app without Data.Read
                 })
        {
            (status, body) = await QueryAsync(http, denied, kql);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            AssertError(body, "InsufficientAccessError", "The provided credentials have insufficient access to perform the requested operation");
        }

        foreach (string allowed in new[]
                 {
                     await TokenAsync(http),                                                  // the admin, scp Data.Read
                     await TokenAsync(http, "api=loganalytics&user=reportsReader"),
                     await TokenAsync(http, "api=loganalytics&user=reportsReader&scp=user_impersonation"),
                     await TokenAsync(http, "api=loganalytics&roles=Data.Read"),
                     await TokenAsync(http, "scp=Data.Read&aud=" + Uri.EscapeDataString(server.BaseAddress.ToString())), // the emulator's own address
                     await TokenAsync(http, "scp=Data.Read&aud=https://api.loganalytics.io/"),
                 })
        {
            (status, _) = await QueryAsync(http, allowed, kql);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        // Access is per workspace: the security reader reads the demo workspace only.
        string securityReader = await TokenAsync(http, "api=loganalytics&user=securityReader");
        Assert.Equal(HttpStatusCode.OK, (await QueryAsync(http, securityReader, kql)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await QueryAsync(http, securityReader, kql, workspaces: [Second])).Status);

        RequestLogEntry[] log = server.Requests.Snapshot().ToArray();
        Assert.All(log, e => Assert.Equal($"/v1/workspaces/{Demo}/query", e.Path));
        Assert.Equal(log.Select(e => e.Status != 401), log.Select(e => e.Authorized));
    }

    [Fact]
    public async Task TokenEndpoint_ApiLogAnalytics_MintsItsAudienceAndScope()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);

        JsonElement delegated = Payload(await TokenAsync(http, "api=loganalytics&user=reportsReader"));
        JsonElement app = Payload(await TokenAsync(http, "api=loganalytics&roles=Data.Read"));

        Assert.Equal("https://api.loganalytics.io", delegated.GetProperty("aud").GetString());
        Assert.Equal("Data.Read", delegated.GetProperty("scp").GetString());
        Assert.Equal(DemoTenant.ReportsReaderObjectId, delegated.GetProperty("oid").GetString());
        Assert.Equal("https://api.loganalytics.io", app.GetProperty("aud").GetString());
        Assert.Equal(["Data.Read"], app.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(app.TryGetProperty("scp", out _));
        using HttpResponseMessage bad = await http.GetAsync("_emulator/token?api=storage");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    // ---- what is refused ----

    [Theory]
    [InlineData("AuditLogs | where Category == \"a\" xor Category == \"b\"", "SyntaxError", "at 'xor' on line [1,35]")]
    [InlineData("AuditLogs\n| join kind=inner (AuditLogs) on Id", "SyntaxError", "at 'join' on line [2,3]")]
    [InlineData("AuditLogs | WHERE Id == \"x\"", "SyntaxError", "unknown operator 'WHERE'")]
    [InlineData("AuditLogs | where Category == \"unterminated", "SyntaxError", "no closing quote")]
    [InlineData("AuditLogs | where Category == \"a\\qb\"", "SyntaxError", "unknown escape sequence '\\q'")]
    [InlineData("AuditLogs | where Category contains \"x\"", "SyntaxError", "'contains' is not supported")]
    [InlineData("AuditLogs | summarize dcount(Id)", "SyntaxError", "'dcount'")]
    [InlineData("AuditLogs | take 5 rows", "SyntaxError", "at 'rows' on line [1,20]")]
    [InlineData("AuditLogs | where hash(Id, 4) * 1 == 2", "SyntaxError", "arithmetic operator '*'")]
    [InlineData("AuditLogs\n| where\n    Nope == \"x\"", "SemanticError", "Failed to resolve scalar expression named 'Nope' (at 'Nope' on line [3,5])")]
    [InlineData("auditlogs | take 1", "SemanticError", "Failed to resolve table or column expression named 'auditlogs'")]
    [InlineData("SigninLogs | take 1", "SemanticError", "Failed to resolve table or column expression named 'SigninLogs'")]
    [InlineData("AuditLogs | where TimeGenerated > \"2026-01-01\"", "SemanticError", "Cannot compare values of types datetime and string")]
    [InlineData("AuditLogs | where Category == 5", "SemanticError", "Cannot compare values of types string and long")]
    [InlineData("AuditLogs | where TimeGenerated > ago(1d)", "SemanticError", "Unknown function: 'ago'")]
    [InlineData("AuditLogs | where hash(Id, 0) == 0", "SemanticError", "modulus must be a positive")]
    [InlineData("AuditLogs | project Id | where Category == \"x\"", "SemanticError", "named 'Category'")]
    [InlineData("AuditLogs | order by InitiatedBy", "SemanticError", "can't be sorted")]
    [InlineData("AuditLogs | where InitiatedBy.user.id == \"x\"", "SemanticError", "tostring(InitiatedBy.user.id)")]
    [InlineData("AuditLogs | summarize count() by bin(Id, 1h)", "SemanticError", "bins datetime columns only")]
    public async Task Kql_OutsideTheSubset_Is400BadArgument_WithWhatAndWhere(string kql, string innerCode, string messagePart)
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);

        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, await TokenAsync(http), kql);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "BadArgumentError", "The request had some invalid properties");
        JsonElement inner = body.GetProperty("error").GetProperty("innererror");
        Assert.Equal(innerCode, inner.GetProperty("code").GetString());
        if (innerCode == "SemanticError")
        {
            // As the service sends it: what was wrong is one level further in.
            Assert.Equal("A semantic error occurred.", inner.GetProperty("message").GetString());
            inner = inner.GetProperty("innererror");
            Assert.Equal("SEM0100", inner.GetProperty("code").GetString());
        }
        Assert.Contains(messagePart, inner.GetProperty("message").GetString());
        Assert.True(inner.GetProperty("line").GetInt32() >= 1);
        Assert.Equal(kql, server.Requests.Snapshot().Single().Kql);
    }

    [Fact]
    public async Task Body_NotJsonOrWithoutAQuery_Is400()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        foreach (string body in new[] { "AuditLogs | take 1", "{}", """{"query":42}""", """{"query":"AuditLogs","workspaces":"x"}""" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{Demo}/query")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            AssertError(Json(await response.Content.ReadAsStringAsync()), "BadArgumentError", "The request had some invalid properties");
        }
    }

    // ---- timespan ----

    [Fact]
    public async Task Timespan_NarrowsTheQuerysOwnWindow()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        string kql = $"AuditLogs | where TimeGenerated >= {Dt(Anchor.AddDays(-30))} | where Category == \"{SupportAccess}\" | order by TimeGenerated desc, Id desc | project Id";
        string[] lastWeek = (await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-7), Anchor)).Ids;
        string iso = Anchor.AddDays(-7).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string isoEnd = Anchor.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        Assert.NotEmpty(lastWeek);
        Assert.Equal(lastWeek, (await QueryOkAsync(http, token, kql, timespan: $"{iso}/{isoEnd}")).Ids());
        Assert.Equal(lastWeek, (await QueryOkAsync(http, token, kql, timespan: $"{iso}/P7D")).Ids());
        Assert.Equal(lastWeek, (await QueryOkAsync(http, token, kql, timespan: "P7D")).Ids()); // ends at the data's anchor
        // Wider than the query's window: the query's where still holds.
        Assert.Equal((await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-30), null)).Ids,
            (await QueryOkAsync(http, token, kql, timespan: "P90D")).Ids());

        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, token, kql, timespan: "last week");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(body, "BadArgumentError", "The request had some invalid properties");
        Assert.Equal("P90D", server.Requests.Snapshot().Single(e => e.Timespan == "P90D").Timespan);
    }

    // ---- faults ----

    [Fact]
    public async Task Faults_ByQueryNumber_ThrottleThenTimeoutThenServed()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        await PostLaFaultsAsync(http, """[{"kind":"throttle429","query":1,"times":2,"retryAfterSeconds":3},{"kind":"timeout504","query":3}]""");
        const string kql = "AuditLogs | take 3";

        // A refused request is no query: the count starts with the first that runs.
        Assert.Equal(HttpStatusCode.Unauthorized, (await QueryAsync(http, null, kql)).Status);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 4; i++)
        {
            using HttpRequestMessage request = QueryRequest(token, kql);
            using HttpResponseMessage response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
            JsonElement body = Json(await response.Content.ReadAsStringAsync());
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
                Assert.Equal("ThrottledError", body.GetProperty("error").GetProperty("code").GetString());
            }
            else if (response.StatusCode == HttpStatusCode.GatewayTimeout)
            {
                Assert.Equal("GatewayTimeout", body.GetProperty("error").GetProperty("code").GetString());
            }
            else
            {
                Assert.Equal(3, body.GetProperty("tables")[0].GetProperty("rows").GetArrayLength());
            }
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.GatewayTimeout, HttpStatusCode.OK], statuses);
        Assert.Equal(new string?[] { null, "throttle429", "throttle429", "timeout504", null }, server.Requests.Snapshot().Select(e => e.Fault));
        using JsonDocument states = JsonDocument.Parse(await http.GetStringAsync("_emulator/la-faults"));
        Assert.Equal([0, 0], states.RootElement.EnumerateArray().Select(s => s.GetProperty("remaining").GetInt32()));

        // Setting the rules again restarts the count.
        await PostLaFaultsAsync(http, """{"kind":"timeout504","query":1}""");
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await QueryAsync(http, token, kql)).Status);
        Assert.Equal(HttpStatusCode.OK, (await QueryAsync(http, token, kql)).Status);
    }

    [Fact]
    public async Task Faults_ByTime_EveryQueryWhoseWindowHoldsIt_PartialErrorUnderTheCap()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        DateTimeOffset at = Anchor.AddDays(-10);
        await PostLaFaultsAsync(http, $$"""[{"kind":"partialError","containsTime":"{{at:O}}","keepRows":3}]""");
        string month = $"AuditLogs | where TimeGenerated >= {Dt(Anchor.AddDays(-30))} and TimeGenerated < {Dt(Anchor)} | where Category == \"{SupportAccess}\" | project Id";
        string week = $"AuditLogs | where TimeGenerated >= {Dt(Anchor.AddDays(-7))} and TimeGenerated < {Dt(Anchor)} | where Category == \"{SupportAccess}\" | project Id";

        Result first = await QueryOkAsync(http, token, month);
        Result outside = await QueryOkAsync(http, token, week);
        Result again = await QueryOkAsync(http, token, month);
        Result narrowedByTimespan = await QueryOkAsync(http, token, month, timespan: "P7D");

        Assert.Equal(3, first.Rows.Count);
        Assert.Equal("PartialError", first.Error?.GetProperty("code").GetString());
        Assert.Equal(3, again.Rows.Count);
        Assert.NotNull(again.Error);
        Assert.Null(outside.Error);
        Assert.Equal((await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-7), Anchor)).SupportAccessCount, outside.Rows.Count);
        Assert.Null(narrowedByTimespan.Error);
        Assert.Equal(outside.Ids().Order(), narrowedByTimespan.Ids().Order());

        using (HttpResponseMessage deleted = await http.DeleteAsync("_emulator/la-faults"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("[]", await http.GetStringAsync("_emulator/la-faults"));
        Assert.Null((await QueryOkAsync(http, token, month)).Error);
        Assert.Equal(new string?[] { "partialError", null, "partialError", null, null }, server.Requests.Snapshot().Select(e => e.Fault));
    }

    [Theory]
    [InlineData("""{"kind":"throttle429"}""", "exactly one of query")]
    [InlineData("""{"kind":"throttle429","query":1,"containsTime":"2026-09-01T00:00:00Z"}""", "exactly one of query")]
    [InlineData("""{"kind":"slow","query":1}""", "partialError, throttle429, timeout504")]
    [InlineData("""{"kind":"timeout504","query":0}""", "at least 1")]
    [InlineData("""{"kind":"timeout504","query":1,"keepRows":2}""", "keepRows applies to partialError only")]
    [InlineData("""{"kind":"partialError","query":1,"retryAfterSeconds":2}""", "retryAfterSeconds applies to throttle429 only")]
    [InlineData("""{"kind":"partialError","query":1,"page":2}""", "unknown property")]
    public async Task Faults_InvalidRules_Are400_AndChangeNothing(string json, string messagePart)
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            LogAnalyticsFaults = [new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Timeout504) { Query = 2 }],
        });
        using HttpClient http = Client(server);

        using HttpResponseMessage response = await http.PostAsync("_emulator/la-faults", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(messagePart, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, Assert.Single(server.LogAnalyticsFaults.Snapshot()).Rule.Query);
    }

    // ---- the request log, delays, shapes ----

    [Fact]
    public async Task RequestLog_HoldsPathStatusAndTheKqlSent()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        string kql = $"AuditLogs\n| where Category == \"{SupportAccess}\"\n| take 2";

        await QueryOkAsync(http, token, kql, timespan: "P30D");
        await QueryAsync(http, token, "AuditLogs | bogus");
        await QueryOkAsync(http, token, "AuditLogs | take 1", workspace: Second);
        using (HttpRequestMessage graph = new(HttpMethod.Get, "v1.0/auditLogs/directoryAudits?$top=1"))
        {
            graph.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http, ""));
            using HttpResponseMessage response = await http.SendAsync(graph);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using JsonDocument log = JsonDocument.Parse(await http.GetStringAsync("_emulator/requests"));
        JsonElement[] entries = [.. log.RootElement.EnumerateArray()];
        Assert.Equal(4, entries.Length);
        Assert.Equal($"/v1/workspaces/{Demo}/query", entries[0].GetProperty("path").GetString());
        Assert.Equal(200, entries[0].GetProperty("status").GetInt32());
        Assert.Equal(kql, entries[0].GetProperty("kql").GetString());
        Assert.Equal("P30D", entries[0].GetProperty("timespan").GetString());
        Assert.Equal(400, entries[1].GetProperty("status").GetInt32());
        Assert.Equal("AuditLogs | bogus", entries[1].GetProperty("kql").GetString());
        Assert.Equal($"/v1/workspaces/{Second}/query", entries[2].GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, entries[3].GetProperty("kql").ValueKind);
        Assert.Equal(2, server.Requests.CountFor($"/v1/workspaces/{Demo}/query"));
    }

    [Fact]
    public async Task Delay_LongerThanPreferWait_Is504_ShorterIsServed()
    {
        // A delay of ten minutes (the longest the emulator takes) with wait=1: a 504 at all shows
        // the server answered at its wait, not after the delay; the lower bound shows it waited.
        await using (EmulatorServer slow = await StartAsync(new EmulatorOptions { Anchor = Anchor, LogAnalyticsDelayMs = 600_000 }))
        {
            using HttpClient http = Client(slow);
            string token = await TokenAsync(http);
            var clock = Stopwatch.StartNew();
            (HttpStatusCode timedOut, JsonElement body) = await QueryAsync(http, token, "AuditLogs | take 1", prefer: "wait=1");
            TimeSpan waited = clock.Elapsed;

            Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut);
            Assert.Equal("GatewayTimeout", body.GetProperty("error").GetProperty("code").GetString());
            Assert.True(waited >= TimeSpan.FromMilliseconds(900), $"answered after {waited}, before the 1 s wait");
            Assert.Equal(504, Assert.Single(slow.Requests.Snapshot()).Status);
        }

        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, LogAnalyticsDelayMs = 3000 });
        using HttpClient client = Client(server);
        string served = await TokenAsync(client);
        var served3s = Stopwatch.StartNew();
        (HttpStatusCode status, _) = await QueryAsync(client, served, "AuditLogs | take 1", prefer: "include-statistics=true, wait=10");
        TimeSpan took = served3s.Elapsed;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(took >= TimeSpan.FromMilliseconds(2900), $"took {took}");
    }

    [Fact]
    public async Task Values_DatetimesDynamicsAndStrings_HaveTheDocumentedShapes()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        using HttpRequestMessage request = QueryRequest(token, "AuditLogs");
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var result = new Result(Json(await response.Content.ReadAsStringAsync()));

        Assert.Equal("PrimaryResult", result.TableName);
        Assert.Equal((await WorkspaceTruthAsync(http, Demo)).RowCount, result.Rows.Count);
        string[] dynamics = ["InitiatedBy", "TargetResources", "AdditionalDetails"];
        foreach (JsonElement[] row in result.Rows)
        {
            for (int c = 0; c < result.Names.Length; c++)
            {
                JsonElement cell = row[c];
                switch (result.Types[c])
                {
                    case "datetime":
                        Assert.Matches(DateTimeValue, cell.GetString());
                        break;
                    case "string":
                        Assert.Equal(JsonValueKind.String, cell.ValueKind); // Kusto strings are never null
                        break;
                    case "dynamic":
                        Assert.Contains(result.Names[c], dynamics);
                        if (cell.ValueKind == JsonValueKind.String && cell.GetString()!.Length > 0)
                            Json(cell.GetString()!); // valid JSON text
                        else
                            Assert.True(cell.ValueKind == JsonValueKind.Null || cell.GetString() == "");
                        break;
                    default:
                        Assert.Fail($"unexpected type {result.Types[c]}");
                        break;
                }
            }
        }

        // camelCase inner shapes, as Graph's: an app initiator and its key/value details.
        JsonElement[] withApp = result.Rows.First(r =>
            r[result.Index("InitiatedBy")].ValueKind == JsonValueKind.String
            && result.String(r, "InitiatedBy").Contains("\"appId\":\"c1a2b3d4", StringComparison.Ordinal));
        JsonElement app = Json(result.String(withApp, "InitiatedBy")).GetProperty("app");
        Assert.Equal(["appId", "displayName", "servicePrincipalId", "servicePrincipalName"], app.EnumerateObject().Select(p => p.Name));
        JsonElement[] withDetails = result.Rows.First(r => result.String(r, "AdditionalDetails").Contains("SupportRequestId", StringComparison.Ordinal));
        Assert.All(Json(result.String(withDetails, "AdditionalDetails")).EnumerateArray(),
            d => Assert.Equal(["key", "value"], d.EnumerateObject().Select(p => p.Name)));
        Assert.Contains(result.Rows, r => result.String(r, "Category") == "ApplicationManagement");
        Assert.Contains(result.Rows, r => result.String(r, "Category") == "Policy");
        Assert.All(result.Rows, r => Assert.True(ParseInstant(result.String(r, "TimeGenerated")) >= Anchor.AddDays(-180)));
        Assert.All(result.Rows, r => Assert.True(ParseInstant(result.String(r, "TimeGenerated")) < Anchor));
    }

    [Fact]
    public async Task Truth_ForATenant_IsWhatTheQueryFinds()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor, LogAnalyticsBulkRows = 500 });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        foreach (string tenant in new[] { DemoTenant.TenantId, DemoWorkspace.ForeignTenantId })
        {
            Result found = await QueryOkAsync(http, token, $"""
                AuditLogs
                | where TimeGenerated >= {Dt(Anchor.AddDays(-120))} and TimeGenerated < {Dt(Anchor.AddDays(-20))}
                | where Category == "{SupportAccess}"
                | where AADTenantId == "{tenant}"
                | order by TimeGenerated desc, Id desc
                | project Id
                """);
            WorkspaceTruthJson truth = await WorkspaceTruthAsync(http, Demo, Anchor.AddDays(-120), Anchor.AddDays(-20), tenant);
            Assert.NotEmpty(found.Rows);
            Assert.Equal(truth.Ids, found.Ids());
        }
        WorkspaceTruth inProcess = server.LogAnalytics.Truth(Demo, Anchor.AddDays(-30), Anchor, DemoWorkspace.ForeignTenantId);
        // The second tenant's support access is older than 30 days, but for its side of story S8
        // (tests/GraphEmulator/README.md, "Stories"): two steps, 7 and 8 days back.
        Assert.Equal(["5e000000-0008-4000-8000-000000000004", "5e000000-0008-4000-8000-000000000003"], inProcess.SupportAccessIds);
        Assert.True(inProcess.RowCount > 2);            // its other categories are there too
    }

    // ---- the corpus workspace (tests/GraphEmulator/README.md, "The corpus workspace") ----

    [Fact]
    public async Task CorpusWorkspace_ServesEachRecordsJsonAsItIs_MissingAndNullCellsAreNull()
    {
        const string Tenant = "11111111-2222-4333-8444-555555555555";
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            LogAnalyticsCorpus =
            [
                new WorkspaceRecord("""
                    {"id":"c-1","category":"MicrosoftSupportAccessManagement","activityDisplayName":" Access removed ",
                     "activityDateTime":"2026-09-01T10:00:00.1234567Z","result":5,"correlationId":null,
                     "initiatedBy":{"user":null,"app":{"appId":"x"}},
                     "targetResources":[null,{"Type":"User","id":"t","modifiedProperties":[null]}],
                     "additionalDetails":[{"key":"k","value":7}],"targetResource":[{"id":"ignored"}]}
                    """, Tenant),
                new WorkspaceRecord("""
                    {"id":"c-2","category":"Other","activityDisplayName":"x","activityDateTime":"2026-09-01T09:00:00Z",
                     "initiatedBy":null,"additionalDetails":"text"}
                    """, "not a guid"),
            ],
        });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);

        Result result = await QueryOkAsync(http, token, $"AuditLogs | {ProjectAll}, TenantId, OperationName", DemoWorkspace.CorpusWorkspaceId);

        Assert.Equal(["c-2", "c-1"], result.Ids()); // storage order: time, then id
        JsonElement[] first = result.Rows[1], second = result.Rows[0];
        Assert.Equal("2026-09-01T10:00:00.1234567Z", result.String(first, "TimeGenerated"));
        Assert.Equal("2026-09-01T10:00:00.1234567Z", result.String(first, "ActivityDateTime"));
        Assert.Equal(" Access removed ", result.String(first, "ActivityDisplayName"));
        Assert.Equal(" Access removed ", result.String(first, "OperationName"));
        Assert.Equal("", result.String(first, "Result"));          // not a string: Kusto strings are never null
        Assert.Equal("", result.String(first, "CorrelationId"));   // null
        Assert.Equal("", result.String(first, "LoggedByService")); // missing
        Assert.Equal(Tenant, result.String(first, "AADTenantId"));
        Assert.Equal(DemoWorkspace.CorpusWorkspaceId, result.String(first, "TenantId"));
        Assert.Equal("""{"user":null,"app":{"appId":"x"}}""", result.String(first, "InitiatedBy"));
        Assert.Equal("""[null,{"Type":"User","id":"t","modifiedProperties":[null]}]""", result.String(first, "TargetResources"));
        Assert.Equal("""[{"key":"k","value":7}]""", result.String(first, "AdditionalDetails"));
        Assert.Equal("not a guid", result.String(second, "AADTenantId"));
        Assert.Equal(JsonValueKind.Null, result.Cell(second, "InitiatedBy").ValueKind);     // JSON null
        Assert.Equal("", result.String(second, "TargetResources"));                          // missing: an empty cell
        Assert.Equal("\"text\"", result.String(second, "AdditionalDetails"));

        // KQL reads the cells as their JSON: a missing member and a null alike are null.
        Result read = await QueryOkAsync(http, token, """
            AuditLogs
            | project Id, a = isnull(InitiatedBy), b = isnull(TargetResources), c = tostring(TargetResources[1].Type), d = tostring(AdditionalDetails[0].value)
            | order by Id asc
            """, DemoWorkspace.CorpusWorkspaceId);
        Assert.Equal(["c-1|false|false|User|7", "c-2|true|true||"],
            read.Rows.Select(r => string.Join("|", r.Select(c => c.ValueKind == JsonValueKind.String ? c.GetString() : c.GetRawText()))));

        WorkspaceTruth truth = server.LogAnalytics.Truth(DemoWorkspace.CorpusWorkspaceId);
        Assert.Equal(2, truth.RowCount);
        Assert.Equal(["c-1"], truth.SupportAccessIds);
    }

    [Fact]
    public async Task CorpusWorkspace_NotServedWithoutRecords_ARecordWithoutItsRequiredMembersIsRefused()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, await TokenAsync(http), "AuditLogs | take 1", DemoWorkspace.CorpusWorkspaceId);
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, "WorkspaceNotFoundError", "The workspace could not be found");

        foreach (string json in new[]
        {
            """{"category":"c","activityDisplayName":"a","activityDateTime":"2026-09-01T00:00:00Z"}""",
            """{"id":"x","category":"c","activityDisplayName":"a","activityDateTime":"yesterday"}""",
            """{"id":"x","category":"c","activityDisplayName":null,"activityDateTime":"2026-09-01T00:00:00Z"}""",
            """[{"id":"x"}]""",
            "not json",
        })
        {
            ArgumentException refused = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
                EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsCorpus = [new WorkspaceRecord(json, DemoTenant.TenantId)] }));
            Assert.Contains("LogAnalyticsCorpus", refused.Message);
        }
    }

    // ---- helpers ----

    private static Task<EmulatorServer> StartAsync(EmulatorOptions options) => EmulatorServer.StartAsync(options);

    private static HttpClient Client(EmulatorServer server) => new() { BaseAddress = server.BaseAddress };

    private static string Dt(DateTimeOffset at) =>
        "datetime(" + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + ")";

    private static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static JsonElement Payload(string jwt) =>
        Json(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(jwt.Split('.')[1].Replace('-', '+').Replace('_', '/')))));

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');

    private static string GraphString(JsonElement record, string name) =>
        record.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <param name="query">The /_emulator/token parameters; default a Log Analytics token of the demo admin.</param>
    private static async Task<string> TokenAsync(HttpClient http, string query = "api=loganalytics")
    {
        using JsonDocument token = JsonDocument.Parse(await http.GetStringAsync($"_emulator/token?{query}"));
        return token.RootElement.GetProperty("accessToken").GetString()!;
    }

    private static StringContent Body(string kql, string? timespan = null, string[]? workspaces = null)
    {
        var body = new Dictionary<string, object> { ["query"] = kql };
        if (timespan is not null)
            body["timespan"] = timespan;
        if (workspaces is not null)
            body["workspaces"] = workspaces;
        return new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
    }

    private static HttpRequestMessage QueryRequest(string? token, string kql, string workspace = Demo, string? timespan = null,
        string[]? workspaces = null, string? prefer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{workspace}/query") { Content = Body(kql, timespan, workspaces) };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (prefer is not null)
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> QueryAsync(HttpClient http, string? token, string kql,
        string workspace = Demo, string? timespan = null, string[]? workspaces = null, string? prefer = null)
    {
        using HttpRequestMessage request = QueryRequest(token, kql, workspace, timespan, workspaces, prefer);
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, Json(text));
    }

    private static async Task<Result> QueryOkAsync(HttpClient http, string token, string kql,
        string workspace = Demo, string? timespan = null, string[]? workspaces = null)
    {
        (HttpStatusCode status, JsonElement body) = await QueryAsync(http, token, kql, workspace, timespan, workspaces);
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body.GetRawText()}\n{kql}");
        return new Result(body);
    }

    private static async Task<long> CountAsync(HttpClient http, string token, string kql)
    {
        Result result = await QueryOkAsync(http, token, kql.TrimEnd() + "\n| summarize count()");
        return Assert.Single(result.Rows)[0].GetInt64();
    }

    private static void AssertError(JsonElement body, string code, string message)
    {
        JsonElement error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    private static async Task PostLaFaultsAsync(HttpClient http, string json)
    {
        using HttpResponseMessage response = await http.PostAsync("_emulator/la-faults", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Graph's directoryAudits, every page, newest first.</summary>
    private static async Task<List<JsonElement>> GraphRecordsAsync(HttpClient http, string filter)
    {
        string token = await TokenAsync(http, "");
        var records = new List<JsonElement>();
        string? url = $"v1.0/auditLogs/directoryAudits?$filter={Uri.EscapeDataString(filter)}";
        while (url is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            JsonElement page = Json(await response.Content.ReadAsStringAsync());
            records.AddRange(page.GetProperty("value").EnumerateArray());
            url = page.TryGetProperty("@odata.nextLink", out JsonElement next) ? next.GetString() : null;
        }
        return records;
    }

    private sealed record WorkspaceTruthJson(long RowCount, long SupportAccessCount, string[] Ids, Dictionary<string, long> ByTenant);

    private static async Task<WorkspaceTruthJson> WorkspaceTruthAsync(HttpClient http, string workspace,
        DateTimeOffset? start = null, DateTimeOffset? end = null, string? tenant = null)
    {
        string url = $"_emulator/workspace-truth?workspace={workspace}";
        if (start is not null)
            url += "&start=" + Uri.EscapeDataString(start.Value.ToString("O", CultureInfo.InvariantCulture));
        if (end is not null)
            url += "&end=" + Uri.EscapeDataString(end.Value.ToString("O", CultureInfo.InvariantCulture));
        if (tenant is not null)
            url += "&tenant=" + tenant;
        JsonElement truth = Json(await http.GetStringAsync(url));
        return new WorkspaceTruthJson(
            truth.GetProperty("rowCount").GetInt64(),
            truth.GetProperty("supportAccessCount").GetInt64(),
            truth.GetProperty("supportAccessIds").EnumerateArray().Select(i => i.GetString()!).ToArray(),
            truth.GetProperty("supportAccessByTenant").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));
    }

    /// <summary>A 200's PrimaryResult: column names and types, rows, and the partial error beside it if any.</summary>
    private sealed class Result
    {
        public Result(JsonElement body)
        {
            JsonElement table = Assert.Single(body.GetProperty("tables").EnumerateArray());
            TableName = table.GetProperty("name").GetString()!;
            Names = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
            Types = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()!).ToArray();
            Rows = table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToList();
            Assert.All(Rows, r => Assert.Equal(Names.Length, r.Length));
            Error = body.TryGetProperty("error", out JsonElement error) ? error : null;
        }

        public string TableName { get; }
        public string[] Names { get; }
        public string[] Types { get; }
        public List<JsonElement[]> Rows { get; }
        public JsonElement? Error { get; }

        public int Index(string column)
        {
            int index = Array.IndexOf(Names, column);
            Assert.True(index >= 0, $"no column {column} in {string.Join(", ", Names)}");
            return index;
        }

        public JsonElement Cell(JsonElement[] row, string column) => row[Index(column)];

        public string String(JsonElement[] row, string column) => Cell(row, column).GetString()!;

        public string[] Ids() => Rows.Select(r => String(r, "Id")).ToArray();
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.KqlRules;
using SupportAccessLogs.Requests;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The generated request function (<see cref="RequestLifecycleKql"/>, Get-SupportAccessKql -Kind
/// Request) equals the module, row for row (issue 24): Get-SupportAccessRequest's production path
/// (the activities read through <see cref="ActivityRead"/>, each one's facts in a
/// <see cref="RequestBook"/>, closed) and the function run in the same workspace over the same
/// window give the same requests, field by field.
/// </summary>
public sealed class RequestKqlEqualityTests
{
    [Fact]
    public async Task TheDemoWorkspace_EveryRequestEqualsTheModulesRequest()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var query = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end, MaxRetries = 3 };

        int compared = await AssertEqualAsync(server, DemoWorkspace.WorkspaceId, query);

        // The stories (tests/GraphEmulator/README.md, "Stories") are among them, each its own request.
        Assert.True(compared > 100, $"only {compared} requests");
    }

    private const string Contoso = DemoTenant.TenantId;
    private const string Fabrikam = DemoTenant.PartnerTenantId;
    private const string Woodgrove = DemoTenant.SecondPartnerTenantId;
    private const string Admin = ActivityKqlCorpusTests.Admin;
    private const string Service = ActivityKqlCorpusTests.Service;
    private const string Placeholder = ActivityKqlCorpusTests.Placeholder;

    // The read's window: story "sr-truncated" began before it.
    internal static readonly DateTime WindowStart = new(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);
    internal static readonly DateTime WindowEnd = new(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Request stories as directoryAudit records, each step a record of its own (hand-written JSON members).</summary>
    internal sealed class Stories
    {
        private int _step;

        public List<WorkspaceRecord> Records { get; } = [];

        /// <param name="day">Days after the window's start (may be negative: before it).</param>
        public void Step(string story, double day, string name, string initiator, string details = "", string targets = "",
            string tenant = Contoso, string? correlation = null, string? id = null)
        {
            DateTime time = WindowStart.AddDays(day);
            string json = "{\"id\":" + Q(id ?? $"{story}-{++_step:000}") + ",\"category\":\"MicrosoftSupportAccessManagement\",\"correlationId\":" + Q(correlation ?? "corr-" + story)
                + ",\"result\":\"success\",\"resultReason\":\"\",\"activityDisplayName\":" + Q(name)
                + ",\"activityDateTime\":" + Q(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture))
                + ",\"loggedByService\":\"Core Directory\",\"operationType\":\"Other\"," + initiator.Trim()
                + (details.Length > 0 ? "," + details : "") + (targets.Length > 0 ? "," + targets : "") + "}";
            Records.Add(new WorkspaceRecord(json, tenant));
        }

        private static string Q(string text) => JsonSerializer.Serialize(text);
    }

    private static string Id(string supportRequestId) => ActivityKqlCorpusTests.Pairs(("SupportRequestId", supportRequestId));

    private static string Target(string displayName, string id) =>
        "\"targetResources\":[{\"id\":" + JsonSerializer.Serialize(id) + ",\"displayName\":" + JsonSerializer.Serialize(displayName) + ",\"type\":\"Other\",\"modifiedProperties\":[]}]";

    internal static Stories BuildStories()
    {
        var s = new Stories();
        // In order, revoked by hand.
        s.Step("sr-revoked", 1, "Request created", Service, Id("2611300000000001"));
        s.Step("sr-revoked", 1.1, "Request approved", Admin, Id("2611300000000001"));
        s.Step("sr-revoked", 1.2, "Access approved", Service, Id("2611300000000001"));
        s.Step("sr-revoked", 2, "Access removed", Admin, Id("2611300000000001"));
        // The same record twice (a workspace may hold a row twice; two workspaces read together do).
        s.Step("sr-revoked", 1.1, "Request approved", Admin, Id("2611300000000001"), id: "sr-revoked-002");
        // Out of order: the records come in any order; the grant before the creation in time.
        s.Step("sr-out-of-order", 3.5, "Access removed", Placeholder, Id("2611300000000002"));
        s.Step("sr-out-of-order", 3.1, "Access approved", Service, Id("2611300000000002"));
        s.Step("sr-out-of-order", 3.2, "Request created", Service, Id("2611300000000002"));
        s.Step("sr-out-of-order", 3.3, "Request approved", Admin, Id("2611300000000002"));
        // One instant, ids against the lifecycle's order.
        s.Step("sr-same-instant", 4, "Access approved", Service, Id("2611300000000003"), id: "sr-same-instant-a");
        s.Step("sr-same-instant", 4, "Request approved", Admin, Id("2611300000000003"), id: "sr-same-instant-b");
        s.Step("sr-same-instant", 4, "Request created", Service, Id("2611300000000003"), id: "sr-same-instant-c");
        s.Step("sr-same-instant", 4, "Access removed", Admin, Id("2611300000000003"), id: "sr-same-instant-d");
        // A removal before any grant, then the grant: access open at the end.
        s.Step("sr-removal-first", 5, "Access removed", Placeholder, Id("2611300000000004"));
        s.Step("sr-removal-first", 5.5, "Access approved", Service, Id("2611300000000004"));
        // Granted again after a removal, then the same approval twice.
        s.Step("sr-regranted", 6, "Request created", Service, Id("2611300000000005"));
        s.Step("sr-regranted", 6.1, "Request approved", Admin, Id("2611300000000005"));
        s.Step("sr-regranted", 6.2, "Approval approved", Service, Id("2611300000000005"));
        s.Step("sr-regranted", 6.3, "Approval removed", Admin, Id("2611300000000005"));
        s.Step("sr-regranted", 6.4, "Access approved", Service, Id("2611300000000005"));
        s.Step("sr-regranted", 6.5, "Request approved", Admin, Id("2611300000000005"));
        // Rejected, then approved: an impossible history.
        s.Step("sr-impossible", 7, "Request created", Service, Id("2611300000000006"));
        s.Step("sr-impossible", 7.1, "Request rejected", Admin, Id("2611300000000006"));
        s.Step("sr-impossible", 7.2, "Request approved", Admin, Id("2611300000000006"));
        s.Step("sr-impossible", 7.3, "Access approved", Service, Id("2611300000000006"));
        // Canceled after the grant; an activity outside the lifecycle in between.
        s.Step("sr-canceled", 8, "Request created", Service, Id("2611300000000007"));
        s.Step("sr-canceled", 8.1, "Request approved", Service, Id("2611300000000007"));
        s.Step("sr-canceled", 8.2, "Access approved", Service, Id("2611300000000007"));
        s.Step("sr-canceled", 8.25, "Request escalated", Admin, Id("2611300000000007"));
        s.Step("sr-canceled", 8.3, "Request cancelled", Service, Id("2611300000000007"));
        s.Step("sr-pending", 9, "Request created", Service, Id("2611300000000008"));
        // Cross-tenant, both sides (each tenant logs its own).
        s.Step("sr-cross", 10, "Request created", Admin, ActivityKqlCorpusTests.Pairs(("ResourceTenantId", Fabrikam), ("SupportRequestId", "2611300000000009")));
        s.Step("sr-cross", 10.1, "Request approved", Admin, ActivityKqlCorpusTests.Pairs(("ResourceTenantId", Fabrikam), ("SupportRequestId", "2611300000000009")));
        s.Step("sr-cross", 10.2, "Access approved", Service, ActivityKqlCorpusTests.Pairs(("SupportRequestTenantId", Contoso), ("SupportRequestId", "2611300000000009")), tenant: Fabrikam);
        s.Step("sr-cross", 11, "Access removed", Placeholder, ActivityKqlCorpusTests.Pairs(("SupportRequestTenantId", Contoso), ("SupportRequestId", "2611300000000009")), tenant: Fabrikam);
        s.Step("sr-cross-resource", 12, "Access approved", Service, ActivityKqlCorpusTests.Pairs(("SupportRequestTenantId", Woodgrove), ("SupportRequestId", "2611300000000010")));
        // One tenant written in two letter cases: one request.
        s.Step("sr-tenant-case", 12.5, "Request created", Service, Id("2611300000000011"));
        s.Step("sr-tenant-case", 12.6, "Request approved", Admin, Id("2611300000000011"), tenant: Contoso.ToUpperInvariant());
        // Grouped by the request target's id (no request id): padded, the name in other case and padded.
        s.Step("sr-target", 13, "Request created", Service, "", Target("Microsoft Support access request", "5a000000-0099-4000-8000-000000000001"), correlation: "corr-target-1");
        s.Step("sr-target", 13.1, "Request approved", Admin, "", Target("  microsoft support ACCESS request (Diagnostic data)", " 5a000000-0099-4000-8000-000000000001 "), correlation: "corr-target-2");
        s.Step("sr-target", 13.2, "Access approved", Service, "", Target("\tMicrosoft Support access request", "5a000000-0099-4000-8000-000000000001"), correlation: "corr-target-3");
        s.Step("sr-not-target", 13.3, "Request created", Service, "", Target("Other Microsoft Support access request", "5a000000-0099-4000-8000-000000000002"));
        // Grouped by correlation id (padded on one step), and by nothing.
        s.Step("sr-correlation", 14, "Request created", Service, correlation: "corr-shared");
        s.Step("sr-correlation", 14.1, "Request approved", Admin, correlation: " corr-shared ");
        s.Step("sr-none", 15, "Request created", Service, correlation: "");
        s.Step("sr-none", 15.1, "Request approved", Admin, correlation: " ");
        // White space .NET trims and RE2's \s does not, around a request id, a target id, a correlation id.
        s.Step("sr-nbsp", 16, "Request created", Service, Id("2611300000000012"));
        s.Step("sr-nbsp", 16.1, "Request approved", Admin, Id("\u00a02611300000000012\u2003"));
        s.Step("sr-nbsp-target", 16.5, "Request created", Service, "", Target("\u00a0Microsoft Support access request", "5a000000-0099-4000-8000-000000000003\u00a0"), correlation: "corr-nbsp-1");
        s.Step("sr-nbsp-target", 16.6, "Request approved", Admin, "", Target("Microsoft Support access request", "5a000000-0099-4000-8000-000000000003"), correlation: "corr-nbsp-2");
        s.Step("sr-nbsp-correlation", 17, "Request created", Service, correlation: "corr-nbsp-c");
        s.Step("sr-nbsp-correlation", 17.1, "Request approved", Admin, correlation: "corr-nbsp-c\u00a0");
        // Only activities outside the lifecycle; decided by no one, then by an app.
        s.Step("sr-only-other", 18, "Request escalated", Admin, Id("2611300000000015"));
        s.Step("sr-only-other", 18.1, "Request reopened", Service, Id("2611300000000015"));
        s.Step("sr-decided-by-nobody", 18.5, "Request created", Service, Id("2611300000000016"));
        s.Step("sr-decided-by-nobody", 18.6, "Request approved", Placeholder, Id("2611300000000016"));
        s.Step("sr-decided-by-nobody", 18.7, "Request rejected", Admin, Id("2611300000000016"));
        s.Step("sr-decided-by-app", 19, "Request canceled", Service, Id("2611300000000017"));
        // Two grants at one instant, removed twice, canceled after the removal.
        s.Step("sr-twice", 20, "Request created", Service, Id("2611300000000018"));
        s.Step("sr-twice", 20.1, "Access approved", Service, Id("2611300000000018"), id: "sr-twice-b");
        s.Step("sr-twice", 20.1, "Approval approved", Service, Id("2611300000000018"), id: "sr-twice-a");
        s.Step("sr-twice", 20.2, "Access removed", Admin, Id("2611300000000018"));
        s.Step("sr-twice", 20.3, "Access removed", Placeholder, Id("2611300000000018"));
        s.Step("sr-twice", 20.4, "Request canceled", Service, Id("2611300000000018"));
        // One request id on a step without the other tenant's key: another side, another request.
        s.Step("sr-sides", 21, "Request created", Admin, ActivityKqlCorpusTests.Pairs(("ResourceTenantId", Fabrikam), ("SupportRequestId", "2611300000000019")));
        s.Step("sr-sides", 21.1, "Request approved", Admin, Id("2611300000000019"));
        // Begun before the window: the read sees it truncated.
        s.Step("sr-truncated", -0.5, "Request created", Service, Id("2611300000000013"));
        s.Step("sr-truncated", -0.4, "Request approved", Admin, Id("2611300000000013"));
        s.Step("sr-truncated", 0.5, "Access approved", Service, Id("2611300000000013"));
        s.Step("sr-truncated-resource", -0.3, "Access approved", Service, ActivityKqlCorpusTests.Pairs(("SupportRequestTenantId", Woodgrove), ("SupportRequestId", "2611300000000014")));
        s.Step("sr-truncated-resource", 0.6, "Access removed", Admin, ActivityKqlCorpusTests.Pairs(("SupportRequestTenantId", Woodgrove), ("SupportRequestId", "2611300000000014")));
        return s;
    }

    [Fact]
    public async Task TheRequestStories_EveryRequestEqualsTheModulesRequest()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsCorpus = BuildStories().Records });

        int compared = await AssertEqualAsync(server, DemoWorkspace.CorpusWorkspaceId, new ActivityQuery { StartUtc = WindowStart, EndUtc = WindowEnd, MaxRetries = 0 });

        Assert.True(compared >= 20, $"only {compared} requests");
    }

    /// <summary>Reads the workspace both ways and compares; returns how many requests were compared.</summary>
    internal static async Task<int> AssertEqualAsync(EmulatorServer server, string workspace, ActivityQuery query)
    {
        List<SupportAccessActivity> activities = await ActivityKqlEqualityTests.ReadAsync(server, workspace, query);
        // The module's window includes its end; the function's is half-open: one tick more.
        Rows rows = await RunAsync(server, workspace,
            $"let starttime = {Literal(query.StartUtc)};\nlet endtime = {Literal(query.EndUtc.AddTicks(1))};\n" + RequestLifecycleKql.Function("SupportAccessRequest").Body);
        Assert.Equal(RequestLifecycleKql.Columns, rows.Names);

        // The function's now(): an active request's grant plus its duration (one instant for the
        // whole query); the module's requests are closed at that instant, so durations compare exactly.
        DateTime now = NowOf(rows) ?? DateTime.UtcNow;
        var book = new RequestBook();
        foreach (SupportAccessActivity activity in activities)
            book.Add(ActivityFacts.Of(activity));
        List<SupportAccessRequest> requests = book.Close(now, new CollectingReporter());

        Assert.Equal(rows.Values.Count, rows.Values.Select(Key).Distinct().Count());
        Dictionary<string, Dictionary<string, string>> byKey = rows.Values.ToDictionary(Key);
        var differences = byKey.Keys.Except(requests.Select(Key)).Select(k => $"{k}: a row, no request of the module").ToList();
        foreach (SupportAccessRequest request in requests)
        {
            string key = Key(request);
            if (!byKey.TryGetValue(key, out Dictionary<string, string>? row))
            {
                differences.Add($"{key}: no row");
                continue;
            }
            foreach (string column in RequestLifecycleKql.Columns)
            {
                string expected = Field(request, column);
                if (!string.Equals(expected, row[column], StringComparison.Ordinal))
                    differences.Add($"{key} {column}: module '{expected}', KQL '{row[column]}'");
            }
        }
        Assert.True(differences.Count == 0, $"{differences.Count} differences:\n" + string.Join("\n", differences.Take(60)));
        Assert.Equal(requests.Count, rows.Values.Count);
        return requests.Count;
    }

    private static string Key(Dictionary<string, string> row) => string.Join("|", row["TenantId"], row["TenantRole"], row["GroupedBy"], row["GroupKey"]);

    private static string Key(SupportAccessRequest request) =>
        string.Join("|", Field(request, "TenantId"), Field(request, "TenantRole"), Field(request, "GroupedBy"), Field(request, "GroupKey"));

    /// <summary>The instant the function's active requests run to; null when none says.</summary>
    private static DateTime? NowOf(Rows rows)
    {
        var instants = rows.Values
            .Where(r => r["IsAccessActive"] == "true" && r["AccessRemovedDateTime"] == "" && r["AccessDuration"] is not ("" or "00:00:00"))
            .Select(r => ParseTime(r["AccessGrantedDateTime"]) + TimeSpan.ParseExact(r["AccessDuration"], "c", CultureInfo.InvariantCulture))
            .Distinct().ToList();
        Assert.True(instants.Count <= 1, "the active requests run to different instants: " + string.Join(", ", instants));
        return instants.Count == 1 ? instants[0] : null;
    }

    /// <summary>A request's property as the function's row writes it: enums by name, "" for none, times as the API writes datetimes.</summary>
    internal static string Field(SupportAccessRequest request, string column) => column switch
    {
        "CreatedDateTime" => Time(request.CreatedTime),
        "DecidedDateTime" => Time(request.DecidedTime),
        "AccessGrantedDateTime" => Time(request.AccessGrantedTime),
        "AccessRemovedDateTime" => Time(request.AccessRemovedTime),
        "FirstActivityDateTime" => Time(request.FirstActivityTime),
        "LastActivityDateTime" => Time(request.LastActivityTime),
        "AccessDuration" => request.AccessDuration?.ToString("c", CultureInfo.InvariantCulture) ?? "",
        "IsAccessActive" => request.IsAccessActive ? "true" : "false",
        "IsTruncated" => request.IsTruncated ? "true" : "false",
        _ => typeof(SupportAccessRequest).GetProperty(column)!.GetValue(request)?.ToString() ?? "",
    };

    private static string Time(DateTime? utc) => utc?.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) ?? "";

    private static DateTime ParseTime(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static string Literal(DateTime utc) => "datetime(" + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + ")";

    /// <summary>An answer's columns and rows, each cell as text: a string as it is, null as "", a number or bool as its JSON.</summary>
    internal sealed record Rows(string[] Names, string[] Types, List<Dictionary<string, string>> Values);

    /// <summary>A query through the documented POST, as the Logs blade would send it.</summary>
    internal static async Task<Rows> RunAsync(EmulatorServer server, string workspace, string kql)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using JsonDocument token = JsonDocument.Parse(await http.GetStringAsync("_emulator/token?api=loganalytics"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{workspace}/query")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query = kql }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");

        using JsonDocument answer = JsonDocument.Parse(text);
        Assert.False(answer.RootElement.TryGetProperty("error", out _), text);
        JsonElement table = answer.RootElement.GetProperty("tables")[0];
        string[] names = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        string[] types = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()!).ToArray();
        List<Dictionary<string, string>> rows = table.GetProperty("rows").EnumerateArray()
            .Select(row => names.Select((name, i) => (name, value: Cell(row[i]))).ToDictionary(p => p.name, p => p.value))
            .ToList();
        return new Rows(names, types, rows);
    }

    private static string Cell(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.String => cell.GetString()!,
        JsonValueKind.Null => "",
        _ => cell.GetRawText(),
    };
}

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
using Xunit;

using static SupportAccessLogs.Tests.EmulatorHttp;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The emulator's stories (tests/GraphEmulator/README.md, "Stories"), seen by a plain HttpClient
/// (no module code): each support request's steps at their fixed offsets from the anchor, with
/// their fixed ids, served by Graph while within retention and held once by the demo workspace
/// (S8's partner side too); the same data for the same seed; and that a workflow's Then() steps
/// of the scenario table name one request. The expectations below are the README's table,
/// written out by hand.
/// </summary>
public class EmulatorStoriesTests
{
    private const string SupportAccess = "MicrosoftSupportAccessManagement";
    private const string Own = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string Fabrikam = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    private const string Woodgrove = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";

    // The cast (tests/GraphEmulator/Data/Scenarios.cs).
    private const string Admin = "user:3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61";
    private const string OBrien = "user:5e2d8f40-1a3b-4c6d-8e9f-a0b1c2d3e4f5";
    private const string Zoe = "user:6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e";
    private const string Lukasz = "user:7a1b2c3d-4e5f-4a6b-9c8d-0e1f2a3b4c5d";
    private const string Service = "app:c1a2b3d4-e5f6-4789-8abc-def012345678";
    private const string Placeholder = "placeholder";

    private static readonly DateTimeOffset Anchor = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private sealed record Step(
        int Story, int Number, TimeSpan Offset, string Activity, string Initiator, string Operation, (string Key, string Value)[] Details,
        string Category, string Classified, string TenantRole = "", string OtherTenant = "", string RequestId = "", string Tenant = Own)
    {
        public string Id => $"5e000000-{Story:D4}-4000-8000-{Number:D12}";
        public string CorrelationId => $"5c000000-{Story:D4}-4000-8000-000000000000";
        public string TargetId => $"5a000000-{Story:D4}-4000-8000-000000000000";
        public bool InGraph(int retentionDays) => Tenant == Own && Offset >= -TimeSpan.FromDays(retentionDays);
    }

    private static TimeSpan D(int days) => TimeSpan.FromDays(days);
    private static TimeSpan H(int hours) => TimeSpan.FromHours(hours);
    private static TimeSpan M(int minutes) => TimeSpan.FromMinutes(minutes);

    private static (string, string)[] Srid(string id) => [("SupportRequestId", id)];

    /// <summary>The README's story table, step by step.</summary>
    private static readonly Step[] Steps =
    [
        new(1, 1, -D(6), "Request created", Service, "Add", Srid("2611200010000001"), "Automated", "RequestCreated", RequestId: "2611200010000001"),
        new(1, 2, -D(6) + H(2), "Request approved", Admin, "Other", Srid("2611200010000001"), "UserInitiated", "RequestApproved", RequestId: "2611200010000001"),
        new(1, 3, -D(6) + H(2) + M(1), "Access approved", Service, "Add", Srid("2611200010000001"), "Automated", "ApprovalCreated", RequestId: "2611200010000001"),

        new(2, 1, -D(12), "Request created", Service, "Add", Srid("2611200010000002"), "Automated", "RequestCreated", RequestId: "2611200010000002"),
        new(2, 2, -D(12) + H(1), "Request approved", OBrien, "Other", Srid("2611200010000002"), "UserInitiated", "RequestApproved", RequestId: "2611200010000002"),
        new(2, 3, -D(12) + H(1) + M(1), "Access approved", Service, "Add", Srid("2611200010000002"), "Automated", "ApprovalCreated", RequestId: "2611200010000002"),
        new(2, 4, -D(11), "Access removed", Admin, "Delete", Srid("2611200010000002"), "UserInitiated", "AccessRemovedManually", RequestId: "2611200010000002"),

        new(3, 1, -D(20), "Request created", Service, "Add", [("SupportTicketId", "2611200010000003")], "Automated", "RequestCreated", RequestId: "2611200010000003"),
        new(3, 2, -D(20) + M(30), "Request approved", Zoe, "Other", [("SupportTicketId", "2611200010000003")], "UserInitiated", "RequestApproved", RequestId: "2611200010000003"),
        new(3, 3, -D(20) + M(31), "Access approved", Service, "Add", [("SupportTicketId", "2611200010000003")], "Automated", "ApprovalCreated", RequestId: "2611200010000003"),
        new(3, 4, -D(18), "Access removed", Placeholder, "Delete", [("SupportTicketId", "2611200010000003"), ("Reason", "Support request closed")],
            "Automated", "AccessRemovedOnClosure", RequestId: "2611200010000003"),

        new(4, 1, -D(9), "Request created", Service, "Add", Srid("2611200010000004"), "Automated", "RequestCreated", RequestId: "2611200010000004"),
        new(4, 2, -D(9) + H(3), "Request rejected", Admin, "Other", Srid("2611200010000004"), "UserInitiated", "RequestRejected", RequestId: "2611200010000004"),

        new(5, 1, -D(15), "Request created", Service, "Add", Srid("2611200010000005"), "Automated", "RequestCreated", RequestId: "2611200010000005"),
        new(5, 2, -D(15) + H(5), "Request canceled", Service, "Other", Srid("2611200010000005"), "Automated", "RequestCanceled", RequestId: "2611200010000005"),

        new(6, 1, -D(1), "Request created", Service, "Add", Srid("2611200010000006"), "Automated", "RequestCreated", RequestId: "2611200010000006"),

        new(7, 1, -D(35), "Request created", Service, "Add", Srid("2611200010000007"), "Automated", "RequestCreated", RequestId: "2611200010000007"),
        new(7, 2, -D(35) + H(1), "Request approved", Admin, "Other", Srid("2611200010000007"), "UserInitiated", "RequestApproved", RequestId: "2611200010000007"),
        new(7, 3, -D(35) + H(1) + M(1), "Access approved", Service, "Add", Srid("2611200010000007"), "Automated", "ApprovalCreated", RequestId: "2611200010000007"),
        new(7, 4, -D(25), "Access removed", Service, "Delete", Srid("2611200010000007"), "Automated", "AccessRemovedOnClosure", RequestId: "2611200010000007"),

        new(8, 1, -D(8), "Request created", Lukasz, "Add", [("ResourceTenantId", Fabrikam), ("SupportRequestId", "2611200010000008")],
            "CrossTenant", "RequestCreated", "SupportRequestTenant", Fabrikam, "2611200010000008"),
        new(8, 2, -D(8) + H(2), "Request approved", Admin, "Other", [("ResourceTenantId", Fabrikam), ("SupportRequestId", "2611200010000008")],
            "CrossTenant", "RequestApproved", "SupportRequestTenant", Fabrikam, "2611200010000008"),
        new(8, 3, -D(8) + H(2) + M(2), "Access approved", Service, "Add", [("SupportRequestTenantId", Own), ("SupportRequestId", "2611200010000008")],
            "CrossTenant", "ApprovalCreated", "ResourceTenant", Own, "2611200010000008", Tenant: Fabrikam),
        new(8, 4, -D(7), "Access removed", Service, "Delete", [("SupportRequestTenantId", Own), ("SupportRequestId", "2611200010000008")],
            "CrossTenant", "AccessRemovedOnClosure", "ResourceTenant", Own, "2611200010000008", Tenant: Fabrikam),

        new(9, 1, -D(5), "Access approved", Service, "Add", [("SupportRequestTenantId", Woodgrove), ("SupportRequestId", "2611200010000009")],
            "CrossTenant", "ApprovalCreated", "ResourceTenant", Woodgrove, "2611200010000009"),
        new(9, 2, -D(4), "Access removed", Admin, "Delete", [("SupportRequestTenantId", Woodgrove), ("SupportRequestId", "2611200010000009")],
            "CrossTenant", "AccessRemovedManually", "ResourceTenant", Woodgrove, "2611200010000009"),

        new(10, 1, -D(2), "Access approved", Service, "Add", [("SupportRequestTenantId", Woodgrove), ("SupportRequestId", "2611200010000010")],
            "CrossTenant", "ApprovalCreated", "ResourceTenant", Woodgrove, "2611200010000010"),

        new(11, 1, -D(3), "Request created", Service, "Add", [("RequestedAccess", "Diagnostic data")], "Automated", "RequestCreated"),
        new(11, 2, -D(3) + H(1), "Request approved", Admin, "Other", [("RequestedAccess", "Diagnostic data")], "UserInitiated", "RequestApproved"),
        new(11, 3, -D(3) + H(1) + M(1), "Access approved", Service, "Add", [("RequestedAccess", "Diagnostic data")], "Automated", "ApprovalCreated"),
    ];

    // ---- Graph ----

    [Fact]
    public async Task Graph_ServesEveryStoryStepWithinRetention_AtItsOffset_WithItsIdsDetailsAndInitiator()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);

        List<JsonElement> all = await GraphRecordsAsync(http, filter: null);
        Dictionary<string, JsonElement> stories = all.Where(r => IsStoryId(r.GetProperty("id").GetString()!)).ToDictionary(r => r.GetProperty("id").GetString()!);

        Step[] served = Steps.Where(s => s.InGraph(30)).ToArray();
        Assert.Equal(25, served.Length);
        Assert.Equal(served.Select(s => s.Id).Order(StringComparer.Ordinal), stories.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(all.Count, all.Select(r => r.GetProperty("id").GetString()).Distinct().Count());
        foreach (Step step in served)
            AssertGraphRecord(step, stories[step.Id]);

        // Spot checks of the README's wording: S2 created at anchor − 12 days, its access removed at − 11 days.
        Assert.Equal("2026-11-08T12:00:00Z", stories["5e000000-0002-4000-8000-000000000001"].GetProperty("activityDateTime").GetString());
        Assert.Equal("2026-11-09T12:00:00Z", stories["5e000000-0002-4000-8000-000000000004"].GetProperty("activityDateTime").GetString());
        // S7 began before the 30 days: Graph serves its removal only, S8 only our tenant's two steps.
        Assert.Equal(["5e000000-0007-4000-8000-000000000004"], stories.Keys.Where(id => id.StartsWith("5e000000-0007-", StringComparison.Ordinal)));
        Assert.Equal(2, stories.Keys.Count(id => id.StartsWith("5e000000-0008-", StringComparison.Ordinal)));

        // The data set keeps S7's older steps (stored, never served), and no partner-side step.
        Assert.Equal(Steps.Where(s => s.Tenant == Own).Select(s => s.Id), server.DataSet.StoryRecords.Select(r => r.Id));
        Assert.True(server.DataSet.HasStories);
    }

    [Fact]
    public async Task Truth_OfEachServedStoryStep_IsTheTablesClassification()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);

        JsonElement truth = Json(await http.GetStringAsync("_emulator/truth"));
        Assert.Equal("2026-11-20T12:00:00Z", truth.GetProperty("anchor").GetString());
        Dictionary<string, JsonElement> records = truth.GetProperty("records").EnumerateArray()
            .Where(r => IsStoryId(r.GetProperty("id").GetString()!))
            .ToDictionary(r => r.GetProperty("id").GetString()!);

        Step[] served = Steps.Where(s => s.InGraph(30)).ToArray();
        Assert.Equal(served.Select(s => s.Id).Order(StringComparer.Ordinal), records.Keys.Order(StringComparer.Ordinal));
        foreach (Step step in served)
        {
            JsonElement record = records[step.Id];
            Assert.Equal(step.Category, record.GetProperty("expectedCategory").GetString());
            Assert.Equal(step.Classified, record.GetProperty("expectedActivity").GetString());
            Assert.Equal(step.TenantRole, record.GetProperty("expectedTenantRole").GetString());
            Assert.Equal(step.OtherTenant, record.GetProperty("expectedOtherTenantId").GetString());
            Assert.Equal(step.RequestId, record.GetProperty("expectedSupportRequestId").GetString());
            Assert.Equal(step.Activity, record.GetProperty("activityDisplayName").GetString());
            Assert.Equal(Graph(Anchor + step.Offset), record.GetProperty("activityDateTime").GetString());
        }

        // The scenario table's 85 and the 25 served story steps.
        Assert.Equal(85 + 25, truth.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Graph_FiltersFindAStoryByItsCorrelationIdOrItsRequest()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);

        List<JsonElement> s2 = await GraphRecordsAsync(http, "correlationId eq '5c000000-0002-4000-8000-000000000000'");
        List<JsonElement> s11 = await GraphRecordsAsync(http, "targetResources/any(t: t/id eq '5a000000-0011-4000-8000-000000000000')");

        Assert.Equal(Steps.Where(s => s.Story == 2).Select(s => s.Id).Reverse(), s2.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(Steps.Where(s => s.Story == 11).Select(s => s.Id).Reverse(), s11.Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Graph_WithSevenDaysRetention_ServesOnlyTheStepsOfTheLastSevenDays()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor, RetentionDays = 7 });
        using HttpClient http = Client(server);

        string[] served = (await GraphRecordsAsync(http, filter: null)).Select(r => r.GetProperty("id").GetString()!).Where(IsStoryId).ToArray();

        string[] expected = Steps.Where(s => s.InGraph(7)).Select(s => s.Id).ToArray();
        Assert.Equal(10, expected.Length); // S1, S6, S9, S10, S11
        Assert.Equal(expected.Order(StringComparer.Ordinal), served.Order(StringComparer.Ordinal));
        // The workspace still holds every story whole.
        Assert.Equal(30, StoryIds(server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds).Length);
    }

    // ---- the demo workspace ----

    [Fact]
    public async Task Workspace_HoldsEveryStoryStepOnce_S7Whole_S8sPartnerSideUnderFabrikam()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor });
        using HttpClient http = Client(server);
        string token = await TokenAsync(http, "api=loganalytics");
        string correlations = string.Join(", ", Enumerable.Range(1, 11).Select(n => $"\"5c000000-{n:D4}-4000-8000-000000000000\""));

        JsonElement table = await QueryAsync(http, token, $"""
            AuditLogs
            | where CorrelationId in ({correlations})
            | project Id, TimeGenerated, Category, ActivityDisplayName, AADOperationType, CorrelationId, AADTenantId, InitiatedBy, TargetResources, AdditionalDetails
            | order by TimeGenerated desc, Id desc
            """);
        string[] columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        Dictionary<string, Dictionary<string, JsonElement>> rows = table.GetProperty("rows").EnumerateArray()
            .Select(r => r.EnumerateArray().Select((cell, i) => (columns[i], cell)).ToDictionary(c => c.Item1, c => c.cell))
            .ToDictionary(r => r["Id"].GetString()!);

        Assert.Equal(30, table.GetProperty("rows").GetArrayLength());
        Assert.Equal(Steps.Select(s => s.Id).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        foreach (Step step in Steps)
        {
            Dictionary<string, JsonElement> row = rows[step.Id];
            Assert.Equal((Anchor + step.Offset).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.0000000Z'", CultureInfo.InvariantCulture), row["TimeGenerated"].GetString());
            Assert.Equal(SupportAccess, row["Category"].GetString());
            Assert.Equal(step.Activity, row["ActivityDisplayName"].GetString());
            Assert.Equal(step.Operation, row["AADOperationType"].GetString());
            Assert.Equal(step.CorrelationId, row["CorrelationId"].GetString());
            Assert.Equal(step.Tenant, row["AADTenantId"].GetString());
            AssertInitiator(step, Json(row["InitiatedBy"].GetString()!));
            AssertTarget(step, Json(row["TargetResources"].GetString()!));
            AssertDetails(step, Json(row["AdditionalDetails"].GetString()!));
        }

        // Once in the whole 180 days (no monthly re-run repeats a story), and in no other workspace.
        string[] everyId = StoryIds(server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds);
        Assert.Equal(Steps.Select(s => s.Id).Order(StringComparer.Ordinal), everyId.Order(StringComparer.Ordinal));
        Assert.Empty(StoryIds(server.LogAnalytics.Truth(DemoWorkspace.SecondWorkspaceId).SupportAccessIds));

        // The workspace truth endpoint says the same: Fabrikam's two rows are its only support access of the last 30 days.
        JsonElement last30 = Json(await http.GetStringAsync(
            $"_emulator/workspace-truth?start={Uri.EscapeDataString(Anchor.AddDays(-30).ToString("O", CultureInfo.InvariantCulture))}&tenant={Fabrikam}"));
        Assert.Equal(["5e000000-0008-4000-8000-000000000004", "5e000000-0008-4000-8000-000000000003"],
            last30.GetProperty("supportAccessIds").EnumerateArray().Select(i => i.GetString()!));
    }

    // ---- the same seed, the same data; stories whatever the seed ----

    [Fact]
    public async Task SameSeed_SameData_AndTheStoriesAreTheSameForAnotherSeed()
    {
        await using EmulatorServer first = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor, Seed = 5 });
        await using EmulatorServer again = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor, Seed = 5 });
        await using EmulatorServer other = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor, Seed = 6 });
        using HttpClient h1 = Client(first), h2 = Client(again), h3 = Client(other);

        List<JsonElement> a = await GraphRecordsAsync(h1, null), b = await GraphRecordsAsync(h2, null), c = await GraphRecordsAsync(h3, null);

        Assert.Equal(a.Select(r => r.GetRawText()), b.Select(r => r.GetRawText()));
        Assert.Equal(first.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds, again.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds);
        Assert.Equal(first.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).RowCount, again.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).RowCount);

        // Another seed moves the scenario table, never a story.
        Assert.Equal(StoryRecords(a), StoryRecords(c));
        Assert.NotEqual(a.Select(r => r.GetProperty("id").GetString()), c.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(StoryIds(first.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds),
            StoryIds(other.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds));
    }

    [Fact]
    public async Task AnotherServedTenant_HasNoStories()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor, TenantId = Fabrikam });

        Assert.False(server.DataSet.HasStories);
        Assert.Empty(server.DataSet.StoryRecords);
        Assert.Equal(85, server.DataSet.Truth.Total);
        Assert.Empty(StoryIds(server.DataSet.TruthRecords.Select(t => t.Id)));
        Assert.Empty(StoryIds(server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds));
    }

    [Fact]
    public async Task BulkRecordsAndRows_NeverCloneAStory()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Anchor = Anchor, BulkRecordCount = 300, LogAnalyticsBulkRows = 600,
        });
        using HttpClient http = Client(server);

        List<JsonElement> graph = await GraphRecordsAsync(http, filter: null);
        Assert.Equal(server.DataSet.ServedCount, graph.Count);
        // A story's request (target id or request id) is named by its own steps only.
        string[] naming = graph.Where(NamesAStory).Select(r => r.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(Steps.Where(s => s.InGraph(30)).Select(s => s.Id).Order(StringComparer.Ordinal), naming.Order(StringComparer.Ordinal));

        string token = await TokenAsync(http, "api=loganalytics");
        JsonElement table = await QueryAsync(http, token, $"""
            AuditLogs
            | where Category == "{SupportAccess}"
            | project Id, TargetResources, AdditionalDetails
            """);
        Assert.True(table.GetProperty("rows").GetArrayLength() > 600);
        string[] rowsNaming = table.GetProperty("rows").EnumerateArray()
            .Where(r => Text(r[1]).Contains("5a000000-", StringComparison.Ordinal) || Text(r[2]).Contains("26112000100000", StringComparison.Ordinal))
            .Select(r => r[0].GetString()!).ToArray();
        Assert.Equal(Steps.Select(s => s.Id).Order(StringComparer.Ordinal), rowsNaming.Order(StringComparer.Ordinal));
    }

    // ---- the scenario table's workflows ----

    [Fact]
    public async Task ScenarioWorkflows_ThenSteps_ShareOneDefaultTargetId_IndependentRowsHaveTheirOwn()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor, Seed = 11 });
        using HttpClient http = Client(server);

        List<JsonElement> graph = await GraphRecordsAsync(http, $"category eq '{SupportAccess}'");
        var defaultTargets = graph
            .Where(r => !IsStoryId(r.GetProperty("id").GetString()!))
            .Select(r => (Correlation: r.GetProperty("correlationId").GetString()!, Target: RequestTargetId(r)))
            .Where(r => r.Target is not null)
            .ToArray();
        var workflows = defaultTargets.GroupBy(r => r.Correlation).Where(g => g.Count() > 1).ToArray();

        // The table's four workflows: 4 steps (one of them names its ticket instead), 4, 2 and 2.
        Assert.Equal([2, 2, 3, 4], workflows.Select(g => g.Count()).Order());
        Assert.All(workflows, g => Assert.Single(g.Select(r => r.Target).Distinct()));
        // Every request id is its workflow's or its own row's: no two requests share one.
        Assert.Equal(defaultTargets.GroupBy(r => r.Correlation).Count(), defaultTargets.Select(r => r.Target).Distinct().Count());
        Assert.Equal(defaultTargets.Length - (2 + 2 + 3 + 4) + 4, defaultTargets.Select(r => r.Target).Distinct().Count());
    }

    // ---- helpers ----

    private static bool IsStoryId(string id) => id.StartsWith("5e000000-", StringComparison.Ordinal);

    /// <summary>A dynamic cell's JSON text ("" for a JSON null).</summary>
    private static string Text(JsonElement cell) => cell.ValueKind == JsonValueKind.String ? cell.GetString()! : "";

    private static string[] StoryIds(IEnumerable<string> ids) => ids.Where(IsStoryId).ToArray();

    private static string[] StoryRecords(IEnumerable<JsonElement> records) =>
        records.Where(r => IsStoryId(r.GetProperty("id").GetString()!)).Select(r => r.GetRawText()).ToArray();

    private static bool NamesAStory(JsonElement record)
    {
        string targets = record.TryGetProperty("targetResources", out JsonElement t) ? t.GetRawText() : "";
        string details = record.TryGetProperty("additionalDetails", out JsonElement d) ? d.GetRawText() : "";
        return targets.Contains("5a000000-", StringComparison.Ordinal) || details.Contains("26112000100000", StringComparison.Ordinal);
    }

    /// <summary>The id of the record's "Microsoft Support access request" target, when it has one.</summary>
    private static string? RequestTargetId(JsonElement record) =>
        record.TryGetProperty("targetResources", out JsonElement targets) && targets.ValueKind == JsonValueKind.Array
            ? targets.EnumerateArray()
                .Where(t => t.TryGetProperty("displayName", out JsonElement name) && name.GetString() == "Microsoft Support access request")
                .Select(t => t.GetProperty("id").GetString())
                .SingleOrDefault()
            : null;

    private static string Graph(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void AssertGraphRecord(Step step, JsonElement record)
    {
        Assert.Equal(SupportAccess, record.GetProperty("category").GetString());
        Assert.Equal(step.CorrelationId, record.GetProperty("correlationId").GetString());
        Assert.Equal("success", record.GetProperty("result").GetString());
        Assert.Equal(step.Activity, record.GetProperty("activityDisplayName").GetString());
        Assert.Equal(Graph(Anchor + step.Offset), record.GetProperty("activityDateTime").GetString());
        Assert.Equal("Core Directory", record.GetProperty("loggedByService").GetString());
        Assert.Equal(step.Operation, record.GetProperty("operationType").GetString());
        AssertInitiator(step, record.GetProperty("initiatedBy"));
        AssertTarget(step, record.GetProperty("targetResources"));
        AssertDetails(step, record.GetProperty("additionalDetails"));
    }

    private static void AssertInitiator(Step step, JsonElement initiatedBy)
    {
        JsonElement user = initiatedBy.GetProperty("user"), app = initiatedBy.GetProperty("app");
        string because = $"{step.Id} initiatedBy {initiatedBy.GetRawText()}";
        switch (step.Initiator.Split(':'))
        {
            case ["user", string id]:
                Assert.True(app.ValueKind == JsonValueKind.Null, because);
                Assert.Equal(id, user.GetProperty("id").GetString());
                Assert.False(string.IsNullOrEmpty(user.GetProperty("userPrincipalName").GetString()), because);
                break;
            case ["app", string appId]:
                Assert.True(user.ValueKind == JsonValueKind.Null, because);
                Assert.Equal(appId, app.GetProperty("appId").GetString());
                Assert.Equal("Microsoft Support Access Management", app.GetProperty("displayName").GetString());
                break;
            default:
                Assert.Equal(Placeholder, step.Initiator);
                Assert.True(app.ValueKind == JsonValueKind.Null, because);
                Assert.Equal("00000000-0000-0000-0000-000000000000", user.GetProperty("id").GetString());
                Assert.True(user.GetProperty("userPrincipalName").ValueKind == JsonValueKind.Null, because);
                Assert.True(user.GetProperty("displayName").ValueKind == JsonValueKind.Null, because);
                break;
        }
    }

    private static void AssertTarget(Step step, JsonElement targets)
    {
        JsonElement target = Assert.Single(targets.EnumerateArray());
        Assert.Equal(step.TargetId, target.GetProperty("id").GetString());
        Assert.Equal("Microsoft Support access request", target.GetProperty("displayName").GetString());
        Assert.Equal("Other", target.GetProperty("type").GetString());
        JsonElement change = Assert.Single(target.GetProperty("modifiedProperties").EnumerateArray());
        Assert.Equal("Activity", change.GetProperty("displayName").GetString());
        Assert.Equal("\"" + step.Activity + "\"", change.GetProperty("newValue").GetString());
    }

    private static void AssertDetails(Step step, JsonElement details) =>
        Assert.Equal(
            step.Details.Select(d => $"{d.Key}={d.Value}"),
            details.EnumerateArray().Select(d => $"{d.GetProperty("key").GetString()}={d.GetProperty("value").GetString()}"));

    private static HttpClient Client(EmulatorServer server) => new() { BaseAddress = server.BaseAddress };

    private static async Task<string> TokenAsync(HttpClient http, string query = "")
    {
        JsonElement token = Json(await http.GetStringAsync($"_emulator/token?{query}"));
        return token.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Graph's directoryAudits, every page, newest first.</summary>
    private static async Task<List<JsonElement>> GraphRecordsAsync(HttpClient http, string? filter)
    {
        string token = await TokenAsync(http);
        var records = new List<JsonElement>();
        string? url = filter is null ? "v1.0/auditLogs/directoryAudits" : $"v1.0/auditLogs/directoryAudits?$filter={Uri.EscapeDataString(filter)}";
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

    /// <summary>The demo workspace's PrimaryResult table for <paramref name="kql"/>.</summary>
    private static async Task<JsonElement> QueryAsync(HttpClient http, string token, string kql)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{DemoWorkspace.WorkspaceId}/query")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query = kql }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        JsonElement body = Json(text);
        Assert.False(body.TryGetProperty("error", out _), text);
        return Assert.Single(body.GetProperty("tables").EnumerateArray());
    }
}

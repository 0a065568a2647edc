using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.LogAnalytics;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The Log Analytics source against the emulator's query API: slicing, splitting,
/// faults, several workspaces, refusals, each record exactly once and classified as from Graph.</summary>
public class LogAnalyticsSourceTests
{
    [Fact]
    public async Task NinetyDaysAcrossForcedSlices_EveryRecordExactlyOnce_NewestFirst()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsRowCap = 1_000, LogAnalyticsBulkRows = 20_000 });
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 90);
        var reporter = new CollectingReporter();

        List<SupportAccessActivity> activities = await ReadAsync(connection, query, reporter, DemoWorkspace.WorkspaceId);

        WorkspaceTruth truth = Truth(server, DemoWorkspace.WorkspaceId, query);
        Assert.True(truth.SupportAccessCount > 5_000, $"the window holds {truth.SupportAccessCount} rows, enough to need many slices of at most 1,000");
        Assert.Equal(truth.SupportAccessIds, activities.Select(a => a.Id).ToArray());
        Assert.Contains(reporter.Verbose, m => m.Contains("came back incomplete"));
        Assert.True(IsNewestFirst(activities));
    }

    [Fact]
    public async Task LastThirtyDays_SameActivitiesAndClassificationAsFromGraph()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 29);

        List<SupportAccessActivity> fromWorkspace = await ReadAsync(connection, query, new CollectingReporter(), DemoWorkspace.WorkspaceId);
        var fromGraph = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in new CommandRead(connection).QueryAsync(query, new CollectingReporter(), CancellationToken.None))
        {
            fromGraph.Add(activity);
        }

        Assert.NotEmpty(fromGraph);
        Assert.Equal(Flat(fromGraph), Flat(fromWorkspace.Where(a => a.TenantId == DemoTenant.TenantId)));

        // The workspace also holds Fabrikam's side of story S8 (tests/GraphEmulator/README.md,
        // "Stories"): its two steps, the only rows of another tenant in these days, classified
        // from Fabrikam's side (its AADTenantId): the resource tenant, the other tenant ours.
        SupportAccessActivity[] partner = fromWorkspace.Where(a => a.TenantId != DemoTenant.TenantId).ToArray();
        Assert.Equal(["5e000000-0008-4000-8000-000000000004", "5e000000-0008-4000-8000-000000000003"], partner.Select(a => a.Id));
        Assert.All(partner, a =>
        {
            Assert.Equal(DemoTenant.PartnerTenantId, a.TenantId);
            Assert.Equal(Category.CrossTenant, a.Category);
            Assert.Equal(TenantRole.ResourceTenant, a.TenantRole);
            Assert.Equal(DemoTenant.TenantId, a.OtherTenantId);
            Assert.Equal("2611200010000008", a.SupportRequestId);
        });
        Assert.Equal([Activity.AccessRemovedOnClosure, Activity.ApprovalCreated], partner.Select(a => a.Activity));
    }

    [Fact]
    public async Task PartialError429And504InTheMiddle_EveryRecordExactlyOnce()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            LogAnalyticsBulkRows = 60_000,
            LogAnalyticsFaults =
            [
                new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Throttle429) { Query = 2, RetryAfterSeconds = 1 },
                new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Timeout504) { Query = 4 },
                new LogAnalyticsFaultRule(LogAnalyticsFaultKind.PartialError) { Query = 6, KeepRows = 10 },
            ],
        });
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 170);
        var reporter = new CollectingReporter();

        List<SupportAccessActivity> activities = await ReadAsync(connection, query, reporter, DemoWorkspace.WorkspaceId);

        Assert.Equal(Truth(server, DemoWorkspace.WorkspaceId, query).SupportAccessIds, activities.Select(a => a.Id).ToArray());
        Assert.True(reporter.Verbose.Any(m => m.Contains("trying it again")), string.Join("\n", reporter.Verbose));
        Assert.Equal(2, reporter.Verbose.Count(m => m.Contains("came back incomplete")));
        Assert.All(server.LogAnalyticsFaults.Snapshot(), rule => Assert.Equal(0, rule.Remaining));
    }

    [Fact]
    public async Task AnInstantWithMoreRowsThanTheAnswerHolds_IsSplitByIdHash_AndEveryRowComesOut()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 29);
        WorkspaceTruth truth = Truth(server, DemoWorkspace.WorkspaceId, query);
        // Every query whose window holds this row's instant is answered incompletely 60 times:
        // time halving runs out at one tick, and the rest must be split by id.
        DateTimeOffset busy = server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessIds.Count > 0
            ? ActivityTimeOf(server, truth.SupportAccessIds[truth.SupportAccessIds.Count / 2])
            : throw new InvalidOperationException("no rows");
        server.LogAnalyticsFaults.Replace([new LogAnalyticsFaultRule(LogAnalyticsFaultKind.PartialError) { ContainsTime = busy, Times = 60, KeepRows = 0 }]);
        var reporter = new CollectingReporter();

        List<SupportAccessActivity> activities = await ReadAsync(connection, query, reporter, DemoWorkspace.WorkspaceId);

        Assert.Equal(truth.SupportAccessIds, activities.Select(a => a.Id).ToArray());
        Assert.Contains(reporter.Verbose, m => m.Contains("id bucket"));
        Assert.Contains(server.Requests.Snapshot(), r => (r.Kql ?? "").Contains("hash(Id, "));
    }

    [Fact]
    public async Task TwoWorkspacesInOneQuery_BothTenantsRows_EachSaysWhose()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 170);

        List<SupportAccessActivity> activities = await ReadAsync(connection, query, new CollectingReporter(), DemoWorkspace.WorkspaceId, DemoWorkspace.SecondWorkspaceId);

        WorkspaceTruth first = Truth(server, DemoWorkspace.WorkspaceId, query);
        WorkspaceTruth second = Truth(server, DemoWorkspace.SecondWorkspaceId, query);
        Assert.Equal(first.SupportAccessCount + second.SupportAccessCount, activities.Count);
        Assert.Equal(activities.Count, activities.Select(a => a.Id).Distinct().Count());
        Assert.Contains(activities, a => a.TenantId == DemoTenant.TenantId);
        Assert.Contains(activities, a => a.TenantId == DemoWorkspace.SecondWorkspaceTenantId);
        Assert.True(IsNewestFirst(activities));
        Assert.Single(server.Requests.Snapshot().Where(r => (r.Kql ?? "").Contains("| project")).Select(r => r.Path).Distinct());
    }

    [Fact]
    public async Task InjectionInTheInitiator_IsData_AndTheQueryIsAccepted()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 29, initiatedBy: "x\" or 1==1 //@contoso.com");

        List<SupportAccessActivity> activities = await ReadAsync(connection, query, new CollectingReporter(), DemoWorkspace.WorkspaceId);

        Assert.Empty(activities);
        RequestLogEntry sent = server.Requests.Snapshot().Last(r => r.Kql is not null);
        Assert.Equal(200, sent.Status);
        Assert.Contains("=~ \"x\\\" or 1==1 //@contoso.com\"", sent.Kql);
    }

    [Theory]
    [InlineData("helpdesk", DemoWorkspace.WorkspaceId, "LogAnalyticsForbidden", "Log Analytics Reader")]
    [InlineData("admin", "11111111-2222-4333-8444-555555555555", "WorkspaceNotFound", "workspace id")]
    [InlineData("admin", DemoWorkspace.EmptyWorkspaceId, "AuditLogsTableMissing", "diagnostic setting")]
    public async Task Refusals_SayWhatWorks(string user, string workspace, string errorId, string advice)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server, TestTokens.LogAnalyticsUser(user));

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => ReadAsync(connection, Window(server, days: 10), new CollectingReporter(), workspace));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(advice, error.Message);
    }

    [Fact]
    public async Task First_StopsFurtherQueries()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsRowCap = 1_000, LogAnalyticsBulkRows = 20_000 });
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery query = Window(server, days: 170, first: 5);

        List<SupportAccessActivity> activities = await ReadAsync(connection, query, new CollectingReporter(), DemoWorkspace.WorkspaceId);
        int queries = server.Requests.Snapshot().Count(r => r.Kql is not null);
        await Task.Delay(500);
        int afterStop = server.Requests.Snapshot().Count(r => r.Kql is not null);
        await ReadAsync(connection, Window(server, days: 170), new CollectingReporter(), DemoWorkspace.WorkspaceId);
        int whole = server.Requests.Snapshot().Count(r => r.Kql is not null) - afterStop;

        Assert.Equal(5, activities.Count);
        Assert.Equal(queries, afterStop);
        Assert.True(queries < whole / 2, $"-First 5 sent {queries} queries, the whole read {whole}");
    }

    private static SupportAccessConnection Connect(EmulatorServer server, string? logAnalyticsToken = null) =>
        TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress,
            logAnalyticsToken ?? TestTokens.LogAnalyticsUser(), server.BaseAddress);

    private static ActivityQuery Window(EmulatorServer server, int days, string? initiatedBy = null, ulong? first = null)
    {
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        return new ActivityQuery { StartUtc = end.AddDays(-days), EndUtc = end, InitiatedBy = initiatedBy, First = first, MaxRetries = 3 };
    }

    /// <summary>What the workspace holds for the query's window (its end included, as the source reads it).</summary>
    private static WorkspaceTruth Truth(EmulatorServer server, string workspace, ActivityQuery query) =>
        server.LogAnalytics.Truth(workspace, new DateTimeOffset(query.StartUtc), new DateTimeOffset(query.EndUtc.AddTicks(1)));

    private static DateTimeOffset ActivityTimeOf(EmulatorServer server, string id)
    {
        WorkspaceTruth all = server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId);
        int index = all.SupportAccessIds.ToList().IndexOf(id);
        // Binary search over time windows: the truth's windows are [start, end).
        DateTimeOffset low = server.LogAnalytics.TableStart;
        DateTimeOffset high = server.LogAnalytics.Anchor.AddTicks(1);
        while ((high - low).Ticks > 1)
        {
            DateTimeOffset middle = low.AddTicks((high - low).Ticks / 2);
            bool inNewer = server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId, middle, high).SupportAccessIds.Contains(id);
            (low, high) = inNewer ? (middle, high) : (low, middle);
        }

        return index >= 0 ? low : throw new InvalidOperationException($"{id} is not in the workspace");
    }

    private static async Task<List<SupportAccessActivity>> ReadAsync(SupportAccessConnection connection, ActivityQuery query, CollectingReporter reporter, params string[] workspaces)
    {
        var reader = new ActivityReader(connection.TenantId);
        var activities = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in reader.ReadAsync(new LogAnalyticsSource(TenantClients.Of(connection).LogAnalyticsClient, workspaces, connection.TenantId), query, reporter, CancellationToken.None))
        {
            activities.Add(activity);
        }

        return activities;
    }

    private static bool IsNewestFirst(List<SupportAccessActivity> activities) =>
        activities.Zip(activities.Skip(1), (a, b) => a.ActivityTime >= b.ActivityTime).All(ok => ok);

    private static string[] Flat(IEnumerable<SupportAccessActivity> activities) =>
        activities.Select(a => string.Join("|", a.GetType().Name, a.Id, a.TenantId, a.ActivityTime.Ticks, a.Activity, a.TenantRole, a.InitiatedBy,
            a.InitiatorId, a.SupportRequestId, a.OtherTenantId, a.Result, a.TargetResources, a.AdditionalDetails, a.ClassificationReason)).ToArray();
}

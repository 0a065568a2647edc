using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Commands;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.LogAnalytics;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The Log Analytics source against a hostile workspace (issue 22): answers without their columns,
/// in another table, with rows outside the window or without ActivityDateTime, a workspace that
/// never answers, unknown workspaces among many, a semantic error's innermost detail, a gateway's
/// HTML 502. Each read runs against the emulator's query API with the defaults a user gets, and
/// each failure is looked at as the user sees it: the error record the cmdlet would write.
/// </summary>
public class LogAnalyticsHostileTests
{
    // ---- answers without their columns, or in another table ----

    [Fact]
    public async Task AnAnswerWithoutIdAndActivityDisplayName_IsAnErrorNamingThem_AndNothingOfItIsWritten()
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.DropColumns) { Query = 2, Columns = ["Id", "ActivityDisplayName"] });
        using SupportAccessConnection connection = Connect(server);

        Outcome outcome = await ReadAsync(connection, Window(server, days: 10));

        Assert.Empty(outcome.Activities);
        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("LogAnalyticsResponseMalformed", error.FullyQualifiedErrorId);
        Assert.Contains("without the columns Id, ActivityDisplayName", Message(error));
        Assert.Contains("-LogAnalyticsEndpoint", Message(error));
    }

    [Fact]
    public async Task ACountAnswerWithoutItsCount_IsAnError_NotAnEmptyWorkspace()
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.DropColumns) { Query = 1, Columns = ["count_"] });
        using SupportAccessConnection connection = Connect(server);

        Outcome outcome = await ReadAsync(connection, Window(server, days: 10));

        Assert.Equal("LogAnalyticsResponseMalformed", outcome.Error(connection).FullyQualifiedErrorId);
        Assert.Contains("without the column count_", Message(outcome.Error(connection)));
        Assert.DoesNotContain(outcome.Reporter.Warnings, w => w.Contains("hold no support access activity"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AnAnswerInAnotherTableThanPrimaryResult_IsAnErrorNamingIt(int query)
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.RenameTable) { Query = query, TableName = "Table_0" });
        using SupportAccessConnection connection = Connect(server);

        Outcome outcome = await ReadAsync(connection, Window(server, days: 10));

        Assert.Empty(outcome.Activities);
        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("LogAnalyticsResponseMalformed", error.FullyQualifiedErrorId);
        Assert.Contains("no PrimaryResult table (it sent Table_0)", Message(error));
    }

    // ---- rows: outside the window, without ActivityDateTime ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ARowOutsideTheQuerysWindow_StopsTheReadWithAnErrorNamingIt(int query)
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.OutsideWindow) { Query = query });
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery window = Window(server, days: 10);

        Outcome outcome = await ReadAsync(connection, window);

        Assert.Empty(outcome.Activities);
        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("LogAnalyticsRowOutsideWindow", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        Assert.Contains("did not apply the query", Message(error));
        if (query == 1)
        {
            // The count of an hour a day before the window.
            Assert.Contains($"TimeGenerated {Kql.Time(window.StartUtc.AddDays(-1)).Substring(0, 19)}", Message(error));
        }
        else
        {
            // The row is named by its id and time (a day before its slice's start).
            string oldest = server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId, window.StartUtc, window.EndUtc.AddTicks(1)).SupportAccessIds[^1];
            Assert.Contains($"a row (Id {oldest}, TimeGenerated ", Message(error));
        }
    }

    [Fact]
    public async Task ARowWithoutActivityDateTime_TakesItsTimeGenerated_AndTheWarningNamesTheWorkspace()
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.NullCells) { Query = 2, Columns = ["ActivityDateTime"] });
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery window = Window(server, days: 10);

        Outcome outcome = await ReadAsync(connection, window);

        Assert.Null(outcome.Failure);
        WorkspaceTruth truth = server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId, window.StartUtc, window.EndUtc.AddTicks(1));
        Assert.Equal(truth.SupportAccessIds, outcome.Activities.Select(a => a.Id));
        SupportAccessActivity first = outcome.Activities[0];
        Assert.NotEqual(default, first.ActivityTime);
        Assert.Equal(first.SourceTime, first.ActivityTime);
        string warning = Assert.Single(outcome.Reporter.Warnings, w => w.Contains("without ActivityDateTime"));
        Assert.StartsWith($"Log Analytics workspace {DemoWorkspace.WorkspaceId} sent 1 record without ActivityDateTime", warning);
        Assert.Contains("TimeGenerated", warning);
        Assert.DoesNotContain("Microsoft Graph", warning);
        Assert.DoesNotContain("0001-01-01", warning);
        Assert.Contains(outcome.Reporter.Verbose, v => v.Contains(first.Id!) && v.Contains("TimeGenerated"));
    }

    // ---- a workspace that never answers ----

    [Theory]
    [InlineData(1, 1)]      // the count query of an hour (issue 22: 65 queries, 130 s)
    [InlineData(2, 240)]    // counted, then its one slice
    public async Task AWorkspaceThatNeverAnswers_EndsAfterOneSplit_WithLogAnalyticsTimeout(int fromQuery, int hours)
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.NoAnswer) { Query = fromQuery, Times = 1000 });
        using SupportAccessConnection connection = Connect(server);
        // A short page timeout only to keep the test short: the bound is in splits, not seconds.
        ActivityQuery window = Window(server, days: 0) with { StartUtc = server.LogAnalytics.Anchor.UtcDateTime.AddHours(-hours), PageTimeout = TimeSpan.FromSeconds(2) };
        // Only against a hang: the read must end by itself, long before this.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        Outcome outcome = await ReadAsync(connection, window, guard.Token);

        Assert.False(guard.IsCancellationRequested, "the read ended only when the test gave up on it");
        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("LogAnalyticsTimeout", error.FullyQualifiedErrorId);
        Assert.Contains("nor for its half", Message(error));
        Assert.Contains("-PageTimeoutSeconds", Message(error));
        // The bound is in queries: the one that timed out, its half, and (from the second query)
        // the count before them; each of the held ones waited one page timeout, none more.
        // A held request is logged when the server sees the client hang up, a moment after the
        // read ended: wait for the log to settle (a guard, not a bound), then count.
        RequestLogEntry[] queries = Array.Empty<RequestLogEntry>();
        for (var settle = Stopwatch.StartNew(); settle.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            queries = server.Requests.Snapshot().Where(r => r.Kql is not null).ToArray();
            if (queries.Length >= fromQuery + 1)
            {
                break;
            }
        }

        Assert.Equal(fromQuery + 1, queries.Length);
        Assert.Equal(2, queries.Count(r => r.Fault == "noAnswer"));
    }

    [Fact]
    public async Task AGatewayThatAnswers504Always_EndsAfterOneSplit_NotSixtyFourHalvings()
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Timeout504) { Query = 1, Times = 1000 });
        using SupportAccessConnection connection = Connect(server);

        Outcome outcome = await ReadAsync(connection, Window(server, days: 30));

        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("LogAnalyticsTimeout", error.FullyQualifiedErrorId);
        Assert.Contains("504", Message(error));
        Assert.Equal(2, server.Requests.Snapshot().Count(r => r.Kql is not null));
    }

    // ---- unclear workspace answers ----

    [Fact]
    public async Task OneKnownWorkspaceAmongAHundred_TheErrorListsOnlyTheUnknownOnes()
    {
        await using EmulatorServer server = await StartAsync();
        using SupportAccessConnection connection = Connect(server);
        string[] unknown = Enumerable.Range(1, 99).Select(i => $"00000000-0000-4000-8000-{i:D12}").ToArray();
        string[] workspaces = [unknown[0], DemoWorkspace.WorkspaceId, .. unknown.Skip(1)];

        Outcome outcome = await ReadAsync(connection, Window(server, days: 10), default, workspaces);

        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("WorkspaceNotFound", error.FullyQualifiedErrorId);
        Assert.DoesNotContain(DemoWorkspace.WorkspaceId, Message(error));
        Assert.All(unknown, id => Assert.Contains(id, Message(error)));
        Assert.Contains("99 of the 100", Message(error));
    }

    [Fact]
    public async Task TwoKnownWorkspacesAndOneUnknown_TheErrorNamesTheUnknownOne()
    {
        await using EmulatorServer server = await StartAsync();
        using SupportAccessConnection connection = Connect(server);
        const string Unknown = "11111111-2222-4333-8444-555555555555";

        Outcome outcome = await ReadAsync(connection, Window(server, days: 10), default, DemoWorkspace.WorkspaceId, DemoWorkspace.SecondWorkspaceId, Unknown);

        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("WorkspaceNotFound", error.FullyQualifiedErrorId);
        Assert.Contains($"knows no workspace {Unknown} (1 of the 3", Message(error));
        Assert.DoesNotContain(DemoWorkspace.WorkspaceId, Message(error));
        Assert.DoesNotContain(DemoWorkspace.SecondWorkspaceId, Message(error));
    }

    [Fact]
    public async Task ASemanticError_KeepsTheInnermostErrorsMessage()
    {
        await using EmulatorServer server = await StartAsync();
        using SupportAccessConnection connection = Connect(server);

        Outcome outcome = await ReadAsync(connection, Window(server, days: 10), default, DemoWorkspace.EmptyWorkspaceId);

        ErrorRecord error = outcome.Error(connection);
        Assert.Equal("AuditLogsTableMissing", error.FullyQualifiedErrorId);
        Assert.Contains("Failed to resolve table or column expression named 'AuditLogs'", Message(error));
    }

    [Fact]
    public async Task AGatewaysHtml502_IsCalledWhatItIs_AndTheReadGoesOnAfterTheRetry()
    {
        await using EmulatorServer server = await StartAsync(new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Html502) { Query = 2 });
        using SupportAccessConnection connection = Connect(server);
        ActivityQuery window = Window(server, days: 10);

        Outcome outcome = await ReadAsync(connection, window);

        Assert.Null(outcome.Failure);
        Assert.Equal(server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId, window.StartUtc, window.EndUtc.AddTicks(1)).SupportAccessIds, outcome.Activities.Select(a => a.Id));
        string retry = Assert.Single(outcome.Reporter.Verbose, v => v.Contains("trying it again"));
        Assert.Contains("returned 502 with an HTML page", retry);
        Assert.Contains("a proxy or gateway", retry);
        Assert.DoesNotContain(": :", retry);
        Assert.DoesNotContain("no Log Analytics error", retry);
    }

    // ---- helpers ----

    private static Task<EmulatorServer> StartAsync(params LogAnalyticsFaultRule[] faults) =>
        EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsFaults = faults });

    private static SupportAccessConnection Connect(EmulatorServer server) =>
        TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress,
            TestTokens.LogAnalyticsUser(), server.BaseAddress);

    /// <summary>The last <paramref name="days"/> days, with every other parameter at its default.</summary>
    private static ActivityQuery Window(EmulatorServer server, int days)
    {
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        return new ActivityQuery { StartUtc = end.AddDays(-days), EndUtc = end };
    }

    private static string Message(ErrorRecord error) => error.ErrorDetails?.Message ?? error.Exception.Message;

    private static async Task<Outcome> ReadAsync(SupportAccessConnection connection, ActivityQuery query, CancellationToken cancellationToken = default, params string[] workspaces)
    {
        var outcome = new Outcome();
        var reader = new ActivityReader(connection.TenantId);
        try
        {
            var source = new LogAnalyticsSource(TenantClients.Of(connection).LogAnalyticsClient, workspaces.Length > 0 ? workspaces : [DemoWorkspace.WorkspaceId], connection.TenantId);
            await foreach (SupportAccessActivity activity in reader.ReadAsync(source, query, outcome.Reporter, cancellationToken))
            {
                outcome.Activities.Add(activity);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            outcome.Failure = ex;
        }

        return outcome;
    }

    private sealed class Outcome
    {
        public List<SupportAccessActivity> Activities { get; } = new();
        public CollectingReporter Reporter { get; } = new();
        public Exception? Failure { get; set; }

        /// <summary>The error record the cmdlet writes for the failure (its endpoint as the fallback URL).</summary>
        public ErrorRecord Error(SupportAccessConnection connection) =>
            ErrorRecords.ToErrorRecord(Failure ?? throw new Xunit.Sdk.XunitException("the read did not fail"), connection.LogAnalyticsEndpoint);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// One try at a Graph page (<see cref="GraphPageAttempt"/>) against the emulator, what it says of
/// how it ended, and what <see cref="PageRetryPolicy.Decide"/> makes of that; and
/// <see cref="GraphPage"/>'s hand-over of each record once across a page's tries.
/// </summary>
public class GraphPageAttemptTests
{
    private const int PageSize = 7;
    private static readonly TimeSpan Patient = TimeSpan.FromMinutes(2);

    // ---- one try ----

    [Fact]
    public async Task AWholePage_HandsOverEveryRecord_AndItsNextLink_WithNoFailure()
    {
        await using EmulatorServer server = await StartAsync();
        using SupportAccessConnection connection = Connect(server);
        var page = new GraphPage(1, FirstPage(connection));

        GraphPageAttempt attempt = page.NextAttempt();
        List<ParsedAuditRecord> records = await ReadAsync(attempt, connection);

        Assert.Equal(1, attempt.Number);
        Assert.Null(attempt.Failure);
        Assert.False(attempt.TimedOut);
        Assert.Equal(PageSize, records.Count);
        Assert.Equal(PageSize, attempt.Records);
        Assert.NotNull(attempt.NextLink);
        Assert.Equal(attempt.NextLink, page.NextLink);
        Assert.Equal(PageSize, page.Records);
    }

    [Fact]
    public async Task ATruncatedPage_KeepsItsFailure_AndTheNextTryHandsOverOnlyTheRest()
    {
        await using EmulatorServer server = await StartAsync(new FaultRule(FaultKind.Truncate, 1) { AfterRecords = 3 });
        using SupportAccessConnection connection = Connect(server);
        var page = new GraphPage(1, FirstPage(connection));

        GraphPageAttempt first = page.NextAttempt();
        List<ParsedAuditRecord> before = await ReadAsync(first, connection);
        GraphPageAttempt second = page.NextAttempt();
        List<ParsedAuditRecord> after = await ReadAsync(second, connection);

        Assert.Equal(3, before.Count);
        Assert.NotNull(first.Failure);
        Assert.False(first.TimedOut);
        Assert.Null(first.NextLink);
        Assert.Equal(FailureAction.Retry, new PageRetryPolicy(3).Decide(first.Failure!, first.TimedOut, first.Number, canFallBack: false, canRenewToken: true).Action);

        // The second try read the whole page again and handed over only what the first had not.
        Assert.Equal(2, second.Number);
        Assert.Null(second.Failure);
        Assert.Equal(PageSize, second.Records);
        Assert.Equal(PageSize - 3, after.Count);
        Assert.Empty(before.Select(Id).Intersect(after.Select(Id)));
        Assert.Equal(await CleanFirstPageIdsAsync(connection), before.Concat(after).Select(Id).ToArray());
        Assert.Same(second, page.Last);
        Assert.NotNull(page.NextLink);
    }

    [Fact]
    public async Task AThrottledPage_IsKeptAsA429_NothingHandedOver_AndDecideWaitsItsRetryAfter()
    {
        await using EmulatorServer server = await StartAsync(new FaultRule(FaultKind.Throttle429, 1) { RetryAfterSeconds = 2 });
        using SupportAccessConnection connection = Connect(server);
        var page = new GraphPage(1, FirstPage(connection));

        GraphPageAttempt attempt = page.NextAttempt();
        List<ParsedAuditRecord> records = await ReadAsync(attempt, connection);

        Assert.Empty(records);
        Assert.Equal(0, attempt.Records);
        Assert.Equal(429, Assert.IsAssignableFrom<ApiException>(attempt.Failure).ResponseStatusCode);
        Assert.False(attempt.TimedOut);
        FailureStep step = new PageRetryPolicy(3).Decide(attempt.Failure!, attempt.TimedOut, attempt.Number, canFallBack: false, canRenewToken: true);
        Assert.Equal(FailureAction.Retry, step.Action);
        Assert.Equal(TimeSpan.FromSeconds(2), step.Delay);
    }

    [Fact]
    public async Task AnExpiredToken_IsKeptAsA401_ThatDecideAnswersBySigningInAgainOnce()
    {
        await using EmulatorServer server = await StartAsync(new FaultRule(FaultKind.Expired401, 1));
        using SupportAccessConnection connection = Connect(server);
        var page = new GraphPage(1, FirstPage(connection));

        GraphPageAttempt attempt = page.NextAttempt();
        await ReadAsync(attempt, connection);

        Assert.Equal(401, Assert.IsAssignableFrom<ApiException>(attempt.Failure).ResponseStatusCode);
        var retry = new PageRetryPolicy(3);
        Assert.Equal(FailureAction.RenewToken, retry.Decide(attempt.Failure!, attempt.TimedOut, attempt.Number, canFallBack: false, canRenewToken: true).Action);
        Assert.Equal(FailureAction.Fail, retry.Decide(attempt.Failure!, attempt.TimedOut, attempt.Number, canFallBack: false, canRenewToken: false).Action);
    }

    [Fact]
    public async Task APageThatDoesNotAnswerInTime_IsATimeout_ThatDecideRetries()
    {
        await using EmulatorServer server = await StartAsync(new FaultRule(FaultKind.Slow, 1) { DelayMs = 10_000 });
        using SupportAccessConnection connection = Connect(server);
        var page = new GraphPage(1, FirstPage(connection));

        GraphPageAttempt attempt = page.NextAttempt();
        List<ParsedAuditRecord> records = await ReadAsync(attempt, connection, TimeSpan.FromMilliseconds(300));

        Assert.Empty(records);
        Assert.IsAssignableFrom<OperationCanceledException>(attempt.Failure);
        Assert.True(attempt.TimedOut);
        Assert.Equal(FailureAction.Retry, new PageRetryPolicy(3).Decide(attempt.Failure!, attempt.TimedOut, attempt.Number, canFallBack: false, canRenewToken: true).Action);
    }

    [Fact]
    public async Task TheCallersCancellation_IsThrown_NotKeptAsAFailure()
    {
        await using EmulatorServer server = await StartAsync();
        using SupportAccessConnection connection = Connect(server);
        var page = new GraphPage(1, FirstPage(connection));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        GraphPageAttempt attempt = page.NextAttempt();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync(attempt, connection, cancellationToken: cancelled.Token));

        Assert.Null(attempt.Failure);
        Assert.False(attempt.TimedOut);
    }

    [Fact]
    public async Task ThePacersTurns_AreAnsweredWhenTheResponseIsIn_AFailedOneToo()
    {
        await using EmulatorServer server = await StartAsync(new FaultRule(FaultKind.Unavailable503, 1));
        using SupportAccessConnection connection = Connect(server);
        var time = new FakeTimeProvider();
        var tenant = new ReportingPacer(ReportingPacer.Window, time);
        var app = new ReportingPacer(ReportingPacer.Window, time);
        ReportingPacer.Turn tenantTurn = await tenant.WaitTurnAsync(5, CancellationToken.None);
        ReportingPacer.Turn appTurn = await app.WaitTurnAsync(5, CancellationToken.None);
        DateTimeOffset asked = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(4));

        GraphPageAttempt attempt = new GraphPage(1, FirstPage(connection)).NextAttempt();
        await ReadAsync(attempt, connection, turns: (tenantTurn, appTurn));

        Assert.Equal(503, Assert.IsAssignableFrom<ApiException>(attempt.Failure).ResponseStatusCode);
        Assert.Equal(asked.AddSeconds(4), tenantTurn.At);
        Assert.Equal(asked.AddSeconds(4), appTurn.At);
    }

    // ---- the page across its tries ----

    [Fact]
    public void AnEarlierTrysRecords_AreNotHandedOverAgain_TheCurrentTrysRepeatsAre()
    {
        var page = new GraphPage(2, new Uri("https://graph.example/v1.0/auditLogs/directoryAudits"));
        ParsedAuditRecord a = Record("a");
        ParsedAuditRecord b = Record("b");

        page.NextAttempt();
        Assert.True(page.HandsOver(a, 0));
        // The server sent it twice on one page: that is the repeated-record filter's to judge.
        Assert.True(page.HandsOver(a, 1));

        page.NextAttempt();
        Assert.False(page.HandsOver(a, 0));
        Assert.False(page.HandsOver(a, 1));
        Assert.True(page.HandsOver(b, 2));

        page.NextAttempt();
        Assert.False(page.HandsOver(b, 2));
        Assert.Equal(3, page.Tries);
    }

    [Fact]
    public void ARecordWithoutAnId_IsKnownByItsPlaceOnThePage()
    {
        var page = new GraphPage(1, new Uri("https://graph.example/v1.0/auditLogs/directoryAudits"));
        ParsedAuditRecord noId = Record("");

        page.NextAttempt();
        Assert.True(page.HandsOver(noId, 4));

        page.NextAttempt();
        Assert.False(page.HandsOver(noId, 4));
        Assert.True(page.HandsOver(noId, 5));
    }

    [Fact]
    public void StartingOver_CountsTriesAfresh_AndKeepsWhatWasHandedOver()
    {
        var first = new Uri("https://graph.example/v1.0/auditLogs/directoryAudits?$filter=category");
        var fallback = new Uri("https://graph.example/v1.0/auditLogs/directoryAudits?$filter=loggedByService");
        var page = new GraphPage(1, first);
        page.NextAttempt();
        Assert.True(page.HandsOver(Record("a"), 0));

        page.StartOver(fallback);
        GraphPageAttempt attempt = page.NextAttempt();

        Assert.Equal(fallback, page.Url);
        Assert.Equal(1, attempt.Number);
        Assert.Equal(1, page.Tries);
        Assert.False(page.HandsOver(Record("a"), 0));
    }

    private static Task<EmulatorServer> StartAsync(params FaultRule[] faults) =>
        EmulatorServer.StartAsync(new EmulatorOptions { PageSize = PageSize, Faults = faults });

    private static SupportAccessConnection Connect(EmulatorServer server) =>
        TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress);

    private static Uri FirstPage(SupportAccessConnection connection) =>
        new(connection.GraphEndpoint, "auditLogs/directoryAudits");

    private static async Task<List<ParsedAuditRecord>> ReadAsync(
        GraphPageAttempt attempt,
        SupportAccessConnection connection,
        TimeSpan? pageTimeout = null,
        (ReportingPacer.Turn Tenant, ReportingPacer.Turn App)? turns = null,
        CancellationToken cancellationToken = default)
    {
        var records = new List<ParsedAuditRecord>();
        await foreach (ParsedAuditRecord record in attempt.ReadAsync(TenantClients.Of(connection).Graph.RequestAdapter, pageTimeout ?? Patient, turns ?? (ReportingPacer.Turn.Unpaced, ReportingPacer.Turn.Unpaced), cancellationToken))
        {
            records.Add(record);
        }

        return records;
    }

    /// <summary>The first page's ids as a try without faults reads them.</summary>
    private static async Task<string[]> CleanFirstPageIdsAsync(SupportAccessConnection connection)
    {
        GraphPageAttempt clean = new GraphPage(1, FirstPage(connection)).NextAttempt();
        List<ParsedAuditRecord> records = await ReadAsync(clean, connection);
        Assert.Null(clean.Failure);
        return records.Select(Id).ToArray();
    }

    private static string Id(ParsedAuditRecord parsed) => parsed.Record.Id!;

    private static ParsedAuditRecord Record(string id) => SupportAccessLogs.Tests.Records.ParseOne(SupportAccessLogs.Tests.Records.Json(id: id));
}

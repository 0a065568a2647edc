using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Http;
using SupportAccessLogs.LogAnalytics;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// One try of a Log Analytics query (<see cref="SliceAttempt"/>) against the emulator: what it
/// says of how it ended, and what <see cref="PageRetryPolicy.Decide"/> makes of that.
/// </summary>
public class LogAnalyticsSliceAttemptTests
{
    private static readonly string[] Demo = [DemoWorkspace.WorkspaceId];
    private static readonly TimeSpan Patient = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AnAnswer_IsHandedOverWhole_WithNoFailure()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);
        Slice slice = Days(server, 29);

        SliceAttempt tried = await RunAsync(connection, Demo, slice);

        Assert.Null(tried.Failure);
        Assert.False(tried.TimedOut);
        using AnswerBytes answer = Assert.IsType<AnswerBytes>(tried.Answer);
        AnswerRows rows = QueryAnswer.Rows(answer.Bytes, slice);
        WorkspaceTruth truth = server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId, new DateTimeOffset(slice.Start), new DateTimeOffset(slice.End));
        Assert.True(truth.SupportAccessCount > 0);
        Assert.Equal(truth.SupportAccessIds, rows.Records().Select(r => r.Record.Id!).ToArray());
    }

    [Fact]
    public async Task AThrottle_IsKeptWithItsRetryAfter_AndDecideWaitsThatLong()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            LogAnalyticsFaults = [new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Throttle429) { Query = 1, RetryAfterSeconds = 2 }],
        });
        using SupportAccessConnection connection = Connect(server);

        SliceAttempt tried = await RunAsync(connection, Demo, Days(server, 29));

        Assert.Null(tried.Answer);
        Assert.False(tried.TimedOut);
        Assert.Equal(429, PageRetryPolicy.StatusOf(tried.Failure!));
        FailureStep step = new PageRetryPolicy(3).Decide(tried.Failure!, tried.TimedOut, 1, canFallBack: false, canRenewToken: false);
        Assert.Equal(FailureAction.Retry, step.Action);
        Assert.Equal(TimeSpan.FromSeconds(2), step.Delay);
    }

    [Fact]
    public async Task NoAnswerInTime_IsATimeoutThatNamesTheRequest_NotACancellation()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            LogAnalyticsFaults = [new LogAnalyticsFaultRule(LogAnalyticsFaultKind.NoAnswer) { Query = 1 }],
        });
        using SupportAccessConnection connection = Connect(server);

        SliceAttempt tried = await RunAsync(connection, Demo, Days(server, 29), TimeSpan.FromMilliseconds(500));

        Assert.Null(tried.Answer);
        Assert.True(tried.TimedOut);
        TimeoutException timeout = Assert.IsType<TimeoutException>(tried.Failure);
        Assert.StartsWith("Log Analytics did not answer within", timeout.Message);
        Assert.Equal(TenantClients.Of(connection).LogAnalyticsClient.QueryUrl(Demo), FailedRequest.UrlOf(timeout));
        Assert.Equal(FailureAction.Retry, new PageRetryPolicy(3).Decide(tried.Failure!, tried.TimedOut, 1, canFallBack: false, canRenewToken: false).Action);
    }

    [Fact]
    public async Task AGatewaysTimeout_IsA504_NotATimeoutOfOurs()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            LogAnalyticsFaults = [new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Timeout504) { Query = 1 }],
        });
        using SupportAccessConnection connection = Connect(server);

        SliceAttempt tried = await RunAsync(connection, Demo, Days(server, 29));

        Assert.False(tried.TimedOut);
        Assert.Equal(504, PageRetryPolicy.StatusOf(tried.Failure!));
    }

    [Fact]
    public async Task AnUnknownWorkspace_IsKept_AndDecideGivesUp()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);

        SliceAttempt tried = await RunAsync(connection, ["0badc0de-0000-4000-8000-000000000000"], Days(server, 29));

        Assert.Null(tried.Answer);
        Assert.Equal(LogAnalyticsClient.WorkspaceNotFoundId, Assert.IsType<ModuleException>(tried.Failure).ErrorId);
        Assert.Equal(FailureAction.Fail, new PageRetryPolicy(3).Decide(tried.Failure!, tried.TimedOut, 1, canFallBack: false, canRenewToken: false).Action);
    }

    [Fact]
    public async Task TheCallersCancellation_IsThrown_NotKeptAsAFailure()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = Connect(server);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(connection, Demo, Days(server, 29), cancellationToken: cancelled.Token));
    }

    private static SupportAccessConnection Connect(EmulatorServer server) =>
        TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress,
            TestTokens.LogAnalyticsUser(), server.BaseAddress);

    /// <summary>The last days before the workspace's anchor, as a slice.</summary>
    private static Slice Days(EmulatorServer server, int days)
    {
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        return new Slice(end.AddDays(-days), end);
    }

    private static Task<SliceAttempt> RunAsync(SupportAccessConnection connection, string[] workspaces, Slice slice, TimeSpan? pageTimeout = null, CancellationToken cancellationToken = default)
    {
        var query = new ActivityQuery { StartUtc = slice.Start, EndUtc = slice.End };
        return SliceAttempt.RunAsync(TenantClients.Of(connection).LogAnalyticsClient, workspaces, Kql.Rows(query, slice, Kql.FilterOf(query, Guid.Empty)), slice, pageTimeout ?? Patient, AnswerBytes.NewPool(), verbose: null, cancellationToken);
    }
}

using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using SupportAccessLogs.Graph;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The pacer on a <see cref="FakeTimeProvider"/>: the tests move its clock, so they neither sleep
/// nor depend on how fast the machine is. The window is Graph's own 10 seconds.
/// </summary>
public class ReportingPacerTests
{
    private static readonly TimeSpan Window = ReportingPacer.Window;

    [Fact]
    public async Task WaitTurn_UnderTheLimit_DoesNotWait()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReportingPacer(Window, time);

        for (int i = 0; i < 3; i++)
        {
            // Each turn completes with the clock standing still.
            ReportingPacer.Turn turn = await pacer.WaitTurnAsync(3, CancellationToken.None);
            Assert.Equal(TimeSpan.Zero, turn.Waited);
        }
    }

    [Fact]
    public async Task WaitTurn_PastTheLimit_WaitsAWholeWindowAfterTheOldestAnswer()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReportingPacer(Window, time);
        ReportingPacer.Turn first = await pacer.WaitTurnAsync(1, CancellationToken.None);

        // The first response comes in late, as from a cold connection: the service counted the
        // request no earlier than that, so the window runs from here.
        time.Advance(TimeSpan.FromSeconds(4));
        first.Answered();
        DateTimeOffset answered = time.GetUtcNow();

        Task<ReportingPacer.Turn> second = pacer.WaitTurnAsync(1, CancellationToken.None);
        Assert.False(second.IsCompleted);

        // A window after the request was sent, but not after its answer: still held.
        time.Advance(Window - TimeSpan.FromSeconds(4));
        Assert.False(second.IsCompleted);

        // Just short of a window after the answer: still held.
        time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
        Assert.False(second.IsCompleted);

        // Past it (and the pacer's slack): the turn comes, having waited the window from the answer.
        time.Advance(TimeSpan.FromMilliseconds(100));
        ReportingPacer.Turn turn = await second;
        Assert.True(time.GetUtcNow() - answered >= Window);
        Assert.True(turn.Waited >= Window, $"waited {turn.Waited}");
    }

    [Fact]
    public async Task WaitTurn_SixthOfFive_WaitsForTheFirstToLeaveTheWindow()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReportingPacer(Window, time);
        for (int i = 0; i < ReportingPacer.DefaultRequestsPerWindow; i++)
        {
            (await pacer.WaitTurnAsync(ReportingPacer.DefaultRequestsPerWindow, CancellationToken.None)).Answered();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Task<ReportingPacer.Turn> sixth = pacer.WaitTurnAsync(ReportingPacer.DefaultRequestsPerWindow, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(sixth.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(100));
        ReportingPacer.Turn turn = await sixth;
        Assert.True(turn.Waited > TimeSpan.Zero);
    }

    [Fact]
    public async Task WaitTurn_LimitZero_TurnsPacingOff()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReportingPacer(TimeSpan.FromHours(1), time);

        for (int i = 0; i < 50; i++)
        {
            ReportingPacer.Turn turn = await pacer.WaitTurnAsync(0, CancellationToken.None);
            Assert.Equal(TimeSpan.Zero, turn.Waited);
        }
    }

    [Fact]
    public async Task WaitTurn_Cancelled_StopsWaiting()
    {
        var time = new FakeTimeProvider();
        var pacer = new ReportingPacer(TimeSpan.FromHours(1), time);
        DateTimeOffset start = time.GetUtcNow();
        await pacer.WaitTurnAsync(1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        Task<ReportingPacer.Turn> held = pacer.WaitTurnAsync(1, cancel.Token);
        Assert.False(held.IsCompleted);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        // The clock never moved: the wait ended because of the cancellation, not the window.
        Assert.Equal(start, time.GetUtcNow());
    }
}

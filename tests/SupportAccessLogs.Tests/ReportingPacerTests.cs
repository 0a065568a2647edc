using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The pacer's window, shrunk from 10 s to keep the tests short. These assert lower bounds (the
/// pacer held a request back at least this long), which a slow machine can't break.
/// </summary>
public class ReportingPacerTests
{
    private static readonly TimeSpan ShortWindow = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task WaitTurn_UnderTheLimit_DoesNotWait()
    {
        var pacer = new ReportingPacer(ShortWindow);

        for (int i = 0; i < 3; i++)
        {
            ReportingPacer.Turn turn = await pacer.WaitTurnAsync(3, CancellationToken.None);
            Assert.Equal(TimeSpan.Zero, turn.Waited);
        }
    }

    [Fact]
    public async Task WaitTurn_PastTheLimit_WaitsAWholeWindowAfterTheOldestAnswer()
    {
        var pacer = new ReportingPacer(ShortWindow);
        ReportingPacer.Turn first = await pacer.WaitTurnAsync(1, CancellationToken.None);

        // The first response comes in late, as from a cold connection: the service counted the
        // request no earlier than that, so the window runs from here.
        await Task.Delay(400);
        first.Answered();
        var sinceAnswer = Stopwatch.StartNew();

        ReportingPacer.Turn second = await pacer.WaitTurnAsync(1, CancellationToken.None);

        Assert.True(sinceAnswer.Elapsed >= ShortWindow, $"the second request went {sinceAnswer.Elapsed.TotalMilliseconds:0} ms after the first answer; the window is {ShortWindow.TotalMilliseconds:0} ms");
        Assert.True(second.Waited > TimeSpan.Zero);
    }

    [Fact]
    public async Task WaitTurn_LimitZero_TurnsPacingOff()
    {
        var pacer = new ReportingPacer(TimeSpan.FromHours(1));

        for (int i = 0; i < 50; i++)
        {
            ReportingPacer.Turn turn = await pacer.WaitTurnAsync(0, CancellationToken.None);
            Assert.Equal(TimeSpan.Zero, turn.Waited);
        }
    }

    [Fact]
    public async Task WaitTurn_Cancelled_StopsWaiting()
    {
        var pacer = new ReportingPacer(TimeSpan.FromHours(1));
        await pacer.WaitTurnAsync(1, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pacer.WaitTurnAsync(1, cancel.Token));
    }
}

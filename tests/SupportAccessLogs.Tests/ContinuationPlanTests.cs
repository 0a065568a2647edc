using System;
using System.Linq;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Export;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// What a run of an evidence file reads for each tenant (issue 21): the checkpoint's unfinished
/// windows and on from its end, never a silent gap, and only what can be known.
/// </summary>
public class ContinuationPlanTests
{
    private static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(30);
    private static readonly TimeWindow Default = new(Now - QueryWindow.GraphRetention, Now);

    [Fact]
    public void ANewTenant_ReadsTheWindowAskedFor_AndADefaultWindowFollowsGraphsEdge()
    {
        ContinuationPlan plan = ContinuationPlan.For(null, null, Default, startGiven: false, Overlap, fromWorkspace: false, Now);

        Assert.Equal(TenantStart.New, plan.Start);
        Assert.Equal(new[] { Default }, plan.Windows);
        Assert.True(plan.FollowsRetention);
        Assert.Empty(plan.Beyond);

        Assert.False(ContinuationPlan.For(null, null, Default, startGiven: true, Overlap, false, Now).FollowsRetention);
    }

    [Fact]
    public void ACheckpointedTenant_ReadsOnFromItsEndLessTheOverlap()
    {
        var ledger = new TenantLedger { ReadTo = Now.AddHours(-6) };

        ContinuationPlan plan = ContinuationPlan.For(ledger, null, Default, false, Overlap, false, Now);

        Assert.Equal(TenantStart.Checkpointed, plan.Start);
        Assert.Equal(new[] { new TimeWindow(Now.AddHours(-6) - Overlap, Now) }, plan.Windows);
        Assert.Empty(plan.Resumed);
    }

    [Fact]
    public void WhatARunThatStoppedEarlyLeftUnread_IsReadAfterTheNewWindow_NewestFirst()
    {
        // The last run set out to read day -10 to -5 and stopped after writing down to day -8.
        var ledger = new TenantLedger { ReadTo = Now.AddDays(-5) };
        ledger.Begin(new[] { new TimeWindow(Now.AddDays(-10), Now.AddDays(-5)) }, followsRetention: false);
        ledger.ReadDownTo(Now.AddDays(-8));

        ContinuationPlan plan = ContinuationPlan.For(ledger, null, Default, false, Overlap, false, Now);

        Assert.Equal(new[] { new TimeWindow(Now.AddDays(-10), Now.AddDays(-8).AddTicks(1)) }, plan.Resumed);
        Assert.Equal(new[] { new TimeWindow(Now.AddDays(-5) - Overlap, Now), new TimeWindow(Now.AddDays(-10), Now.AddDays(-8).AddTicks(1)) }, plan.Windows);
    }

    [Fact]
    public void AnUnfinishedWindowThatTouchesTheNewOne_IsReadAsOne()
    {
        var ledger = new TenantLedger();
        ledger.Begin(new[] { new TimeWindow(Now.AddDays(-2), Now.AddHours(-1)) }, false);
        ledger.ReadDownTo(Now.AddHours(-1).AddMinutes(-10));

        ContinuationPlan plan = ContinuationPlan.For(ledger, null, Default, false, Overlap, false, Now);

        Assert.Equal(new[] { new TimeWindow(Now.AddDays(-2), Now) }, plan.Windows);
    }

    [Fact]
    public void TheLedger_ReadDownTo_FinishesNewerWindows_CutsTheCurrentOne_AndKeepsOlderOnes()
    {
        var ledger = new TenantLedger();
        TimeWindow newest = new(Now.AddHours(-2), Now);
        TimeWindow older = new(Now.AddDays(-3), Now.AddDays(-2));
        ledger.Begin(new[] { newest, older }, followsRetention: true);
        Assert.Equal(Now, ledger.ReadTo);

        ledger.ReadDownTo(Now.AddHours(-1));
        Assert.Equal(new[] { new TimeWindow(Now.AddHours(-2), Now.AddHours(-1).AddTicks(1)), older }, ledger.Pending);

        ledger.ReadDownTo(Now.AddDays(-2).AddHours(-3));
        Assert.Equal(new[] { new TimeWindow(older.Start, Now.AddDays(-2).AddHours(-3).AddTicks(1)) }, ledger.Pending);
        Assert.True(ledger.PendingFollowsRetention);

        ledger.Finish();
        Assert.Empty(ledger.Pending);
        Assert.False(ledger.PendingFollowsRetention);
    }

    [Fact]
    public void ADefaultWindowResumedDaysLater_MovesWithGraphsEdge_WithoutAGap()
    {
        var ledger = new TenantLedger();
        DateTime then = Now.AddDays(-2);
        ledger.Begin(new[] { new TimeWindow(then - QueryWindow.GraphRetention, then) }, followsRetention: true);
        ledger.ReadDownTo(then.AddDays(-10));

        ContinuationPlan plan = ContinuationPlan.For(ledger, null, Default, false, Overlap, false, Now);

        Assert.Empty(plan.Beyond);
        Assert.NotNull(plan.Trimmed);
        Assert.Equal(Now - QueryWindow.GraphRetention + TimeSpan.FromMinutes(1), plan.Windows.Last().Start);
    }

    [Fact]
    public void WhatWasToBeReadAndIsPastGraphsRetention_IsAGap()
    {
        // Read to 40 days ago, nothing since: the schedule stopped for longer than Graph keeps.
        var ledger = new TenantLedger { ReadTo = Now.AddDays(-40) };

        ContinuationPlan plan = ContinuationPlan.For(ledger, null, Default, false, Overlap, false, Now);

        TimeWindow gap = Assert.Single(plan.Beyond);
        Assert.Equal(Now.AddDays(-40) - Overlap, gap.Start);
        Assert.Equal(Now - QueryWindow.GraphRetention + TimeSpan.FromMinutes(1), gap.End);
        Assert.Equal(gap.End, plan.Windows.Single().Start);
    }

    [Fact]
    public void AWorkspace_HasNoRetentionOfGraphs()
    {
        var ledger = new TenantLedger { ReadTo = Now.AddDays(-40) };

        ContinuationPlan plan = ContinuationPlan.For(ledger, null, Default, false, Overlap, fromWorkspace: true, Now);

        Assert.Empty(plan.Beyond);
        Assert.Equal(Now.AddDays(-40) - Overlap, plan.Windows.Single().Start);
    }

    [Fact]
    public void AFileWithoutACheckpoint_IsReadAgainAsFarAsTheSourceServes()
    {
        ContinuationPlan graph = ContinuationPlan.For(null, new TimeWindow(Now.AddDays(-20), Now.AddDays(-1)), Default, false, Overlap, false, Now);
        Assert.Equal(TenantStart.Unverified, graph.Start);
        Assert.Equal(Now - QueryWindow.GraphRetention + TimeSpan.FromMinutes(1), graph.Windows.Single().Start);
        Assert.Empty(graph.Beyond);

        ContinuationPlan workspace = ContinuationPlan.For(null, new TimeWindow(Now.AddDays(-200), Now.AddDays(-100)), Default, false, Overlap, fromWorkspace: true, Now);
        Assert.Equal(Now.AddDays(-200) - Overlap, workspace.Windows.Single().Start);
    }

    [Fact]
    public void AFileWithoutACheckpointWhoseNewestActivityIsPastGraphsRetention_HasAGap()
    {
        // An earlier version's file whose schedule stopped for 40 days: what followed its newest row was never read.
        ContinuationPlan plan = ContinuationPlan.For(null, new TimeWindow(Now.AddDays(-60), Now.AddDays(-40)), Default, false, Overlap, false, Now);

        TimeWindow gap = Assert.Single(plan.Beyond);
        Assert.Equal(Now.AddDays(-40) - Overlap, gap.Start);
        Assert.Equal(Now - QueryWindow.GraphRetention + TimeSpan.FromMinutes(1), plan.Windows.Single().Start);
    }

    [Fact]
    public void Merge_JoinsTouchingAndOverlappingWindows_NewestFirst()
    {
        var merged = ContinuationPlan.Merge(new[]
        {
            new TimeWindow(Now.AddHours(-1), Now),
            new TimeWindow(Now.AddHours(-5), Now.AddHours(-4)),
            new TimeWindow(Now.AddHours(-4), Now.AddHours(-3)),
            new TimeWindow(Now.AddHours(-2), Now.AddHours(-2)),
        });

        Assert.Equal(new[] { new TimeWindow(Now.AddHours(-1), Now), new TimeWindow(Now.AddHours(-5), Now.AddHours(-3)) }, merged);
    }

    [Fact]
    public void TheFilters_AreNamedAsTheParametersThatGiveThem_InOneOrder()
    {
        var query = new ActivityQuery { Activities = new[] { Activity.RequestRejected, Activity.RequestCreated }, InitiatedBy = "o'brien@contoso.com" };

        Assert.Equal("-Activity RequestCreated,RequestRejected -InitiatedBy 'o''brien@contoso.com'", EvidenceFilters.Describe(query));
        Assert.Equal("", EvidenceFilters.Describe(new ActivityQuery()));
    }
}

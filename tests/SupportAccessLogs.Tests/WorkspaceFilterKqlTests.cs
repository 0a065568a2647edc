using System;
using System.Linq;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Classification;
using SupportAccessLogs.KqlRules;
using SupportAccessLogs.LogAnalytics;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The queries a filtered read sends (issue 26) are clean for Microsoft's analyzer (Kusto.Language,
/// <see cref="KqlAnalyzer"/>) and give the columns the module reads; the filters are the generated
/// rules' columns, never a rule of their own.
/// </summary>
public sealed class WorkspaceFilterKqlTests : IClassFixture<WorkspaceFilterKqlTests.Analysis>
{
    private static readonly DateTime Start = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly ActivityQuery Everything = new()
    {
        StartUtc = Start,
        EndUtc = End,
        Categories = [Category.CrossTenant, Category.UserInitiated],
        Activities = [Activity.RequestApproved],
        TenantRoles = [TenantRole.ResourceTenant],
        Results = ["success", "FAILURE"],
        InitiatedBy = "*@contoso.com",
        RequestStates = [RequestState.Approved],
        ActiveRequestsOnly = true,
    };

    // Digits first, as many tenant ids are.
    private static readonly Guid Tenant = Guid.Parse("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f");

    private readonly KqlReport report;

    public WorkspaceFilterKqlTests(Analysis analysis) => report = analysis.Report;

    [Theory]
    [InlineData("rows, every filter")]
    [InlineData("rows, activity filters")]
    [InlineData("rows, request filters")]
    [InlineData("rows, a bucket of an instant")]
    public void TheRowsQuery_IsClean_AndGivesTheColumnsRead(string name)
    {
        KqlAnalysis query = report[name];

        Assert.True(query.IsClean, query.ToString());
        Assert.Equal(Kql.Columns.Split(", "), query.Schema.Split(", ").Select(c => c.Split(':')[0]));
    }

    [Theory]
    [InlineData("counts, every filter")]
    [InlineData("counts, request filters")]
    public void TheCountQuery_IsClean_AndCountsAllRowsAndTheMatchingOnes(string name)
    {
        KqlAnalysis query = report[name];

        Assert.True(query.IsClean, query.ToString());
        Assert.Equal("TimeGenerated:datetime, count_:long, Matching:long", query.Schema);
    }

    [Fact]
    public void NoFilter_IsTheQueryOfBefore()
    {
        var plain = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = "admin@contoso.com" };
        WorkspaceFilterKql filter = Kql.FilterOf(plain, Tenant);

        Assert.Empty(filter.Applied);
        Assert.StartsWith("AuditLogs\n| where TimeGenerated >= ", Kql.Rows(plain, Kql.ReadWindow(plain), filter), StringComparison.Ordinal);
        Assert.EndsWith("| summarize count() by bin(TimeGenerated, 1h)", Kql.CountsByHour(plain, Kql.ReadWindow(plain), filter), StringComparison.Ordinal);
    }

    [Fact]
    public void TheFilters_CompareTheGeneratedColumns_AndTheActivitiesAreClassifiedOverTheSlice()
    {
        WorkspaceFilterKql filter = Kql.FilterOf(Everything, Tenant);
        var slice = new Slice(Start.AddDays(3), Start.AddDays(4));
        string rows = Kql.Rows(Everything, slice, filter);

        Assert.Equal(["-Category", "-Activity", "-TenantRole", "-Result", "-InitiatedBy", "-State", "-Active"], filter.Applied);
        Assert.Contains("| where Category in (\"CrossTenant\", \"UserInitiated\") and Activity in (\"RequestApproved\") and TenantRole in (\"ResourceTenant\")", rows, StringComparison.Ordinal);
        Assert.Contains("| where State in (\"Approved\") and IsAccessActive", rows, StringComparison.Ordinal);
        Assert.Contains("(InitiatedBy matches regex @\"(?s)^.*\\@", rows, StringComparison.Ordinal);
        // The activities of the slice; the requests over the whole window, whatever the slice.
        Assert.Contains("let _MatchingActivities = AuditLogs\n| where TimeGenerated >= datetime(2026-11-04T00:00:00.0000000Z) and TimeGenerated < datetime(2026-11-05T00:00:00.0000000Z)", rows, StringComparison.Ordinal);
        Assert.Contains("let _RequestSteps = AuditLogs\n| where TimeGenerated >= datetime(2026-11-01T00:00:00.0000000Z) and TimeGenerated < datetime(2026-12-01T00:00:00.0000001Z)", rows, StringComparison.Ordinal);
        Assert.Contains($"toguid(\"{Tenant:D}\")", rows, StringComparison.Ordinal);
        Assert.Contains("| where ((Id in (_MatchingActivities) and Id in (_MatchingRequestActivities)) or Id == \"\")", rows, StringComparison.Ordinal);
    }

    /// <summary>The raw-row conditions that spare classifying rows come from the rule tables: every name
    /// that can give an activity (by a user or not), every prefix of a tenant role.</summary>
    [Fact]
    public void TheRowConditions_HoldEveryNameAndPrefixOfTheRules()
    {
        // Other also lists every known name (in its not(...)), so only the named activities are walked.
        foreach (Activity activity in Enum.GetValues<Activity>().Where(a => a != Activity.Other))
        {
            string condition = ActivityKql.NameCondition([activity]);
            foreach ((string name, ActivityNameRule rule) in ClassificationRules.ActivityNames)
            {
                bool gives = rule.Resolve(userInitiated: true) == activity || rule.Resolve(userInitiated: false) == activity;
                Assert.True(gives == condition.Contains(KqlLiteral.String(name), StringComparison.Ordinal), $"{activity}: '{name}' {(gives ? "missing" : "wrongly there")}");
            }
        }

        Assert.Contains("not(trim(", ActivityKql.NameCondition([Activity.Other]), StringComparison.Ordinal);
        foreach ((string prefix, TenantRole role) in ClassificationRules.TenantRolePrefixes)
            Assert.Contains("startswith " + KqlLiteral.String(prefix), ActivityKql.TenantRoleNameCondition([role]), StringComparison.Ordinal);

        string rows = Kql.Rows(Everything, Kql.ReadWindow(Everything), Kql.FilterOf(Everything, Tenant));
        Assert.Contains("| where Category =~ \"MicrosoftSupportAccessManagement\"\n| where (trim(", rows, StringComparison.Ordinal);
        Assert.Contains(" and Result matches regex @\"^(?:", rows, StringComparison.Ordinal);
    }

    public sealed class Analysis : IAsyncLifetime
    {
        internal KqlReport Report { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ActivityQuery activities = Everything with { RequestStates = null, ActiveRequestsOnly = false };
            ActivityQuery requests = new() { StartUtc = Start, EndUtc = End, RequestStates = [RequestState.Pending, RequestState.Unknown] };
            Slice window = Kql.ReadWindow(Everything);
            Report = await KqlAnalyzer.AnalyzeAsync(
                [
                    ("rows, every filter", Kql.Rows(Everything, window, Kql.FilterOf(Everything, Tenant))),
                    ("rows, activity filters", Kql.Rows(activities, window, Kql.FilterOf(activities, Tenant))),
                    ("rows, request filters", Kql.Rows(requests, window, Kql.FilterOf(requests, Tenant))),
                    ("rows, a bucket of an instant", Kql.Rows(activities, new Slice(Start, Start.AddTicks(1), 4, 3), Kql.FilterOf(activities, Tenant))),
                    ("counts, every filter", Kql.CountsByHour(Everything, window, Kql.FilterOf(Everything, Tenant))),
                    ("counts, request filters", Kql.CountsByHour(requests, window, Kql.FilterOf(requests, Tenant))),
                ]);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

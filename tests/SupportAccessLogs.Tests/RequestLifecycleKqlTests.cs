using System;
using System.Linq;
using System.Threading.Tasks;
using SupportAccessLogs.Classification;
using SupportAccessLogs.KqlRules;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The request lifecycle as KQL (<see cref="RequestLifecycleKql"/>), not yet behind
/// Get-SupportAccessKql: Microsoft's analyzer finds nothing wrong with it over steps of the
/// documented shape, its rows have the request object's columns, and every step of
/// <see cref="LifecycleRules.Steps"/> is in it.
/// </summary>
public sealed class RequestLifecycleKqlTests : IClassFixture<RequestLifecycleKqlTests.Analysis>
{
    private readonly KqlReport report;

    public RequestLifecycleKqlTests(Analysis analysis) => report = analysis.Report;

    [Fact]
    public void TheLifecycle_IsCleanForMicrosoftsAnalyzer_AndGivesTheRequestColumns()
    {
        KqlAnalysis query = report["lifecycle"];

        Assert.True(query.IsClean, query.ToString());
        Assert.Equal(RequestLifecycleKql.Columns, query.Columns!.Select(c => c.Name));
        Assert.Equal(
            typeof(SupportAccessRequest).GetProperties().Where(p => p.GetMethod!.IsPublic).Select(p => p.Name).OrderBy(n => n),
            RequestLifecycleKql.Columns.OrderBy(n => n));
        Assert.Equal("timespan", query.Columns!.Single(c => c.Name == "AccessDuration").Type);
        Assert.Equal("bool", query.Columns!.Single(c => c.Name == "IsAccessActive").Type);
        Assert.Equal("datetime", query.Columns!.Single(c => c.Name == "AccessGrantedDateTime").Type);
    }

    /// <summary>The activity query with request targets gives every column a step needs, of the type it needs.</summary>
    [Fact]
    public void ActivitySteps_GiveTheStepColumns()
    {
        KqlAnalysis steps = report["activity steps"];

        Assert.True(steps.IsClean, steps.ToString());
        string wanted = RequestLifecycleKql.StepColumns.Trim('(', ')');
        foreach (string column in wanted.Split(", "))
        {
            string[] nameAndType = column.Split(':');
            Assert.Contains(steps.Columns!, c => c.Name == nameAndType[0] && c.Type == nameAndType[1]);
        }

        Assert.Equal(ActivityKql.Columns.Append("RequestTargetId"), steps.Columns!.Select(c => c.Name));
    }

    [Fact]
    public void EveryStepOfTheLifecycle_IsInIt()
    {
        string lets = RequestLifecycleKql.Lets();
        foreach ((Activity activity, LifecycleStep step) in LifecycleRules.Steps)
        {
            Assert.Contains($"activity == {KqlLiteral.String(activity.ToString())} and state in (", lets, StringComparison.Ordinal);
            Assert.Contains(KqlLiteral.String(step.To.ToString()), lets, StringComparison.Ordinal);
        }

        foreach (Activity removal in LifecycleRules.Steps.Keys.Where(a => LifecycleRules.RemovalKindOf(a) != RemovalKind.None))
        {
            Assert.Contains($"activity == {KqlLiteral.String(removal.ToString())}, {KqlLiteral.String(LifecycleRules.RemovalKindOf(removal).ToString())}", lets, StringComparison.Ordinal);
        }
    }

    public sealed class Analysis : IAsyncLifetime
    {
        internal KqlReport Report { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            string steps = "datatable" + RequestLifecycleKql.StepColumns + "[\n"
                + "    \"6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f\", \"\", \"2611200010000006\", \"\", \"c1\", \"a1\", datetime(2026-11-20T10:00:00Z), \"RequestCreated\", \"admin@contoso.com\",\n"
                + "    \"6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f\", \"\", \"2611200010000006\", \"\", \"c1\", \"a2\", datetime(2026-11-20T11:00:00Z), \"ApprovalCreated\", \"\"\n"
                + "]";
            Report = await KqlAnalyzer.AnalyzeAsync(
                [
                    ("lifecycle", ActivityKql.HelperLets() + RequestLifecycleKql.Lets() + RequestLifecycleKql.Query(steps)),
                    // The steps as the request function takes them: the activity query with each activity's request target.
                    ("activity steps", ActivityKql.HelperLets() + "let starttime = datetime(null); let endtime = datetime(null);\n" + ActivityKql.Query(withRequestTargetId: true)),
                ]);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

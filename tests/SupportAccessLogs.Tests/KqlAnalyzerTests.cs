using System.Threading.Tasks;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The harness that checks generated KQL with Kusto.Language (<see cref="KqlAnalyzer"/>) can both
/// pass and fail: clean queries come back clean with their result columns, and unknown columns,
/// type mismatches, syntax errors, lint warnings and broken functions come back as diagnostics.
/// Every query here is analyzed in one node run (<see cref="Analysis"/>).
/// </summary>
public sealed class KqlAnalyzerTests : IClassFixture<KqlAnalyzerTests.Analysis>
{
    private readonly KqlReport report;

    public KqlAnalyzerTests(Analysis analysis) => report = analysis.Report;

    [Fact]
    public void CorrectQuery_HasNoDiagnostics_AndItsColumnsTyped()
    {
        KqlAnalysis query = report["support access"];

        Assert.True(query.Diagnostics.Count == 0, query.ToString());
        Assert.Equal("TimeGenerated:datetime, Id:string, x:string", query.Schema);
    }

    [Fact]
    public void UnknownColumn_IsAnError_NamingIt()
    {
        KqlAnalysis query = report["unknown column"];

        KqlDiagnostic error = Assert.Single(query.Diagnostics);
        Assert.Equal(("Error", "KS142", "compiler"), (error.Severity, error.Code, error.Source));
        Assert.Contains("'Categry'", error.Message, System.StringComparison.Ordinal);
        Assert.Equal("Categry", query.Text.Substring(error.Start, error.Length));
        Assert.False(query.IsClean);
    }

    [Fact]
    public void TypeMismatch_IsAnError()
    {
        KqlAnalysis query = report["type mismatch"];

        KqlDiagnostic error = Assert.Single(query.ErrorsAndWarnings);
        Assert.Equal(("Error", "KS106"), (error.Severity, error.Code));
        Assert.Contains("datetime and string", error.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void SyntaxError_IsAnError()
    {
        KqlAnalysis query = report["syntax error"];

        Assert.Contains(query.Diagnostics, d => d.Severity == "Error" && d.Code == "KS005" && d.Message == "Expected: )");
    }

    [Fact]
    public void AnalyzerRules_AreReported_JoinWithoutKindIsAWarning()
    {
        KqlAnalysis query = report["join without kind"];

        KqlDiagnostic warning = Assert.Single(query.Diagnostics);
        Assert.Equal(("Warning", "KS508", "analyzer"), (warning.Severity, warning.Code, warning.Source));
        Assert.False(query.IsClean);
    }

    [Fact]
    public void DynamicAndScanOperators_OverAdditionalDetails_AnalyzeCleanly()
    {
        KqlAnalysis query = report["details and steps"];

        Assert.True(query.Diagnostics.Count == 0, query.ToString());
        Assert.Equal(
            "ActivityDateTime:datetime, Id:string, ActivityDisplayName:string, SupportRequestId:string, Step:long, " +
            "InitiatedByKind:string, DetailKeys:dynamic, Details:dynamic, Roles:dynamic",
            query.Schema);
    }

    [Fact]
    public void ScalarQuery_HasNoColumns()
    {
        KqlAnalysis query = report["scalar"];

        Assert.True(query.Diagnostics.Count == 0, query.ToString());
        Assert.Null(query.Columns);
    }

    [Fact]
    public void StoredFunction_CanBeCalled_AndIsAnalyzedOnItsOwn()
    {
        KqlAnalysis call = report["calls function"];
        KqlAnalysis function = report.Function("SupportAccessEvents");

        Assert.True(call.Diagnostics.Count == 0, call.ToString());
        Assert.Equal("ActivityDisplayName:string, count_:long", call.Schema);
        Assert.True(function.Diagnostics.Count == 0, function.ToString());
    }

    [Fact]
    public void BrokenFunction_IsAnErrorInItsOwnAnalysis_AndAWarningWhereItIsCalled()
    {
        KqlAnalysis function = report.Function("BrokenEvents");
        KqlAnalysis call = report["calls broken function"];

        KqlDiagnostic error = Assert.Single(function.Diagnostics);
        Assert.Equal(("Error", "KS142"), (error.Severity, error.Code));
        Assert.Equal("NoSuchColumn", function.Text.Substring(error.Start, error.Length));
        KqlDiagnostic warning = Assert.Single(call.Diagnostics);
        Assert.Equal(("Warning", "KS512", "analyzer"), (warning.Severity, warning.Code, warning.Source));
    }

    [Fact]
    public async Task InputItCannotRead_ExitsNonZero_WithTheReasonOnStderr()
    {
        (int exitCode, string output, string error) = await KqlAnalyzer.RunAsync("{ not json");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", output);
        Assert.Contains("not one JSON document", error, System.StringComparison.Ordinal);
    }

    /// <summary>All the queries above in one node run (the first analysis alone takes about a second).</summary>
    public sealed class Analysis : IAsyncLifetime
    {
        private static readonly (string Name, string Text)[] Queries =
        [
            ("support access", """
                AuditLogs
                | where Category == "MicrosoftSupportAccessManagement"
                | project TimeGenerated, Id, x = tostring(InitiatedBy.user.userPrincipalName)
                """),
            ("unknown column", """AuditLogs | where Categry == "MicrosoftSupportAccessManagement" """),
            ("type mismatch", """AuditLogs | where ActivityDateTime > "2026-01-01" """),
            ("syntax error", """AuditLogs | where (Category == "MicrosoftSupportAccessManagement" | take 10"""),
            ("join without kind", "AuditLogs | join (AuditLogs | project CorrelationId, Later = TimeGenerated) on CorrelationId"),
            // What a generated query over additionalDetails (an array of {key, value}) looks like:
            // the pairs become one bag, a let-bound lambda reads it, scan numbers the events of
            // each support request.
            ("details and steps", """
                let detail = (details:dynamic, key:string) { tostring(details[key]) };
                AuditLogs
                | where TimeGenerated > ago(90d) and Category == "MicrosoftSupportAccessManagement"
                | mv-apply pair = AdditionalDetails on (
                    summarize Details = make_bag(bag_pack(tostring(pair.key), pair.value))
                  )
                | extend DetailKeys = bag_keys(Details),
                         SupportRequestId = detail(Details, "SupportRequestId"),
                         Roles = parse_json(detail(Details, "Roles")),
                         InitiatedByKind = case(isnotempty(InitiatedBy.user.id), "user",
                                                isnotempty(InitiatedBy.app.appId), "app",
                                                "unknown")
                | order by SupportRequestId asc, ActivityDateTime asc
                | scan declare (Step:long = 0) with (
                    step event: true => Step = iff(SupportRequestId == event.SupportRequestId, event.Step + 1, 1);
                  )
                | project ActivityDateTime, Id, ActivityDisplayName, SupportRequestId, Step, InitiatedByKind, DetailKeys, Details, Roles
                """),
            ("scalar", "1 + 1"),
            ("calls function", "SupportAccessEvents(7d) | summarize count() by ActivityDisplayName"),
            ("calls broken function", "BrokenEvents()"),
        ];

        private static readonly KqlFunction[] Functions =
        [
            new("SupportAccessEvents", "(lookback:timespan = 30d)", """
                {
                    AuditLogs
                    | where TimeGenerated > ago(lookback) and Category == "MicrosoftSupportAccessManagement"
                    | project TimeGenerated, Id, ActivityDisplayName
                }
                """),
            new("BrokenEvents", "()", "AuditLogs | project NoSuchColumn"),
        ];

        internal KqlReport Report { get; private set; } = null!;

        public async Task InitializeAsync() => Report = await KqlAnalyzer.AnalyzeAsync(Queries, Functions);

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

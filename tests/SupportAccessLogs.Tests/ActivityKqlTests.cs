using System;
using System.Linq;
using System.Threading.Tasks;
using SupportAccessLogs.Classification;
using SupportAccessLogs.KqlRules;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The activity function Get-SupportAccessKql generates (<see cref="ActivityKql"/>): Microsoft's
/// analyzer finds nothing wrong with it and gives the activity object's columns with their types,
/// and every rule of the rule tables is in it.
/// </summary>
public sealed class ActivityKqlTests : IClassFixture<ActivityKqlTests.Analysis>
{
    private readonly KqlReport report;

    public ActivityKqlTests(Analysis analysis) => report = analysis.Report;

    [Fact]
    public void TheFunction_IsCleanForMicrosoftsAnalyzer()
    {
        KqlAnalysis function = report.Function(ActivityKql.DefaultName);
        Assert.True(function.IsClean, function.ToString());
    }

    [Fact]
    public void AsAQuery_ItIsClean_AndGivesTheActivityColumnsWithTheirTypes()
    {
        KqlAnalysis query = report["query"];

        Assert.True(query.IsClean, query.ToString());
        string expected = string.Join(", ", ActivityKql.Columns.Select(c => c + (c == "ActivityDateTime" ? ":datetime" : ":string")));
        Assert.Equal(expected, query.Schema);
        // The same names as the objects the module writes, in their order.
        Assert.Equal(
            typeof(SupportAccessActivity).GetProperties().Where(p => p.CanRead && p.GetMethod!.IsPublic).Select(p => p.Name).OrderBy(n => n),
            ActivityKql.Columns.OrderBy(n => n));
    }

    [Fact]
    public void CallingIt_WithAWindow_IsClean()
    {
        KqlAnalysis query = report["call"];
        Assert.True(query.IsClean, query.ToString());
    }

    [Fact]
    public void EveryRuleOfTheRuleTables_IsInTheFunction()
    {
        string body = ActivityKql.Function().Body;

        Assert.Contains(Literal(ClassificationRules.AuditCategory), body, StringComparison.Ordinal);
        foreach ((string name, ActivityNameRule rule) in ClassificationRules.ActivityNames)
        {
            string test = "_Name =~ " + Literal(name) + ", ";
            int at = body.IndexOf(test, StringComparison.Ordinal);
            Assert.True(at >= 0, $"rule 1: the name '{name}' is not in the function");
            string then = body.Substring(at + test.Length, 120);
            Assert.StartsWith(
                rule.Resolve(true) == rule.Resolve(false)
                    ? Literal(rule.Resolve(true).ToString())
                    : $"iff(_UserInitiated, {Literal(rule.Resolve(true).ToString())}, {Literal(rule.Resolve(false).ToString())})",
                then, StringComparison.Ordinal);
        }

        Assert.Contains("_Key endswith " + Literal(ClassificationRules.OtherTenantKeySuffix), body, StringComparison.Ordinal);
        foreach ((string prefix, TenantRole role) in ClassificationRules.TenantRolePrefixes)
        {
            Assert.Contains($"_Name startswith {Literal(prefix)}, {Literal(role.ToString())}", body, StringComparison.Ordinal);
        }

        // Rule 5's keys, in their order of preference.
        int[] positions = ClassificationRules.SupportRequestIdKeys.Select(k => body.IndexOf("_Key =~ " + Literal(k), StringComparison.Ordinal)).ToArray();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.OrderBy(p => p), positions);
        foreach (InitiatorEvidence evidence in Enum.GetValues<InitiatorEvidence>())
        {
            Assert.Contains($"_Evidence == {Literal(evidence.ToString())}, {Literal(ClassificationRules.Describe(evidence))}", body, StringComparison.Ordinal);
        }

        Assert.Contains(Literal("; " + ClassificationRules.UnknownActivityName), body, StringComparison.Ordinal);
        Assert.Contains(Literal(ClassificationRules.DescribeOtherTenant("\u0001").Split('\u0001')[0]), body, StringComparison.Ordinal);
        // TargetText's escaping: every special character of every set is in a character class.
        foreach (char[] specials in new[] { TargetText.ValueSpecials, TargetText.TypeSpecials, TargetText.NoTypeSpecials, TargetText.PropertyNameSpecials, TargetText.PropertyValueSpecials })
        {
            string set = string.Concat(specials.Select(c => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString()));
            Assert.Contains("([" + set + "])", body, StringComparison.Ordinal);
        }
    }

    private static string Literal(string value) => KqlLiteral.String(value);

    /// <summary>The function and two queries over it, in one node run.</summary>
    public sealed class Analysis : IAsyncLifetime
    {
        internal KqlReport Report { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            KqlRules.KqlFunction function = ActivityKql.Function();
            Report = await KqlAnalyzer.AnalyzeAsync(
                [
                    ("query", "let starttime = datetime(null);\nlet endtime = datetime(null);\n" + function.Body),
                    ("call", $"{function.Name}(ago(30d), now()) | summarize count() by Category, Activity"),
                ],
                [new Tests.KqlFunction(function.Name, function.Parameters, function.Body)]);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

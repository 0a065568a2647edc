using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using GraphEmulator;
using GraphEmulator.LogAnalytics.Kql;
using SupportAccessLogs.Activities;
using SupportAccessLogs.KqlRules;
using SupportAccessLogs.Requests;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// Filters that run in the workspace (issue 26): a read with filters, the filters sent in its KQL,
/// gives exactly what the same read without them gives once filtered on the client, for every
/// filter and a set of combinations, over the demo workspace, the corpus of hard records and the
/// request stories of issue 24; and only the matching rows travel.
/// </summary>
public sealed class WorkspaceFilterTests
{
    [Fact]
    public async Task TheDemoWorkspace_EveryActivityFilter_EqualsFilteringOnTheClient()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var window = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end };

        int compared = await AssertActivityFiltersAsync(server, DemoWorkspace.WorkspaceId, window);

        Assert.True(compared > 40, $"only {compared} filters compared");
    }

    [Fact]
    public async Task TheCorpus_EveryActivityFilter_EqualsFilteringOnTheClient()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsCorpus = ActivityKqlCorpusTests.Build().Records });
        var window = new ActivityQuery { StartUtc = ActivityKqlCorpusTests.MainStart, EndUtc = ActivityKqlCorpusTests.MainEnd };

        int compared = await AssertActivityFiltersAsync(server, DemoWorkspace.CorpusWorkspaceId, window);

        Assert.True(compared > 40, $"only {compared} filters compared");
    }

    [Fact]
    public async Task TheRequestStories_EveryActivityAndRequestFilter_EqualsFilteringOnTheClient()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsCorpus = RequestKqlEqualityTests.BuildStories().Records });
        var window = new ActivityQuery { StartUtc = RequestKqlEqualityTests.WindowStart, EndUtc = RequestKqlEqualityTests.WindowEnd };

        await AssertActivityFiltersAsync(server, DemoWorkspace.CorpusWorkspaceId, window);
        int compared = await AssertRequestFiltersAsync(server, DemoWorkspace.CorpusWorkspaceId, window);

        Assert.True(compared >= 8, $"only {compared} filters compared");
    }

    [Fact]
    public async Task TheDemoWorkspace_EveryRequestFilter_EqualsFilteringOnTheClient()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var window = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end };

        int compared = await AssertRequestFiltersAsync(server, DemoWorkspace.WorkspaceId, window);

        Assert.True(compared >= 8, $"only {compared} filters compared");
    }

    [Fact]
    public async Task First_WithAFilter_ReadsOneSliceOfMatchingRows()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsBulkRows = 20_000 });
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var query = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end, Categories = [Category.CrossTenant], First = 5 };

        Read read = await ReadAsync(server, DemoWorkspace.WorkspaceId, query);

        Assert.Equal(5, read.Activities.Count);
        Assert.All(read.Activities, a => Assert.Equal(Category.CrossTenant, a.Category));
        string[] sent = server.Requests.Snapshot().Where(r => r.Kql is not null).Select(r => r.Kql!).ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Contains("countif(", sent[0], StringComparison.Ordinal);
        Assert.Contains("Id in (_MatchingActivities)", sent[1], StringComparison.Ordinal);
    }

    /// <summary>Answers cut short at 40 rows (PartialError): the filtered read splits its counts and slices as an unfiltered one does, and every matching activity still comes out once.</summary>
    [Fact]
    public async Task AFilteredRead_SplitByPartialAnswers_GivesEveryMatchingActivityOnce()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsRowCap = 40 });
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var window = new ActivityQuery { StartUtc = end.AddDays(-60), EndUtc = end };
        ActivityQuery crossTenant = window with { Categories = [Category.CrossTenant], InitiatedBy = "*" };

        Read all = await ReadAsync(server, DemoWorkspace.WorkspaceId, window);
        Read filtered = await ReadAsync(server, DemoWorkspace.WorkspaceId, crossTenant);

        string[] expected = all.Activities.Where(new ClientSideFilter(crossTenant).Matches).Select(Flat).ToArray();
        Assert.True(expected.Length > 40, $"only {expected.Length} cross-tenant activities");
        Assert.Equal(expected, filtered.Activities.Select(Flat).ToArray());
        Assert.Contains(filtered.Verbose, v => v.Contains("came back incomplete", StringComparison.Ordinal) && v.StartsWith("Log Analytics: the slice", StringComparison.Ordinal));
        Assert.Contains(filtered.Verbose, v => v.StartsWith("Log Analytics: counting", StringComparison.Ordinal) && v.Contains("came back incomplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFilter_TheKqlSentIsShownInVerbose_AndNoFilterSendsTheQueryOfBefore()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var window = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end };

        Read filtered = await ReadAsync(server, DemoWorkspace.WorkspaceId, window with { Activities = [Activity.RequestCreated], InitiatedBy = "*" });
        Assert.NotEmpty(filtered.Activities);
        string rowsKql = server.Requests.Snapshot().Last(r => r.Kql is not null).Kql!;
        Assert.Contains(filtered.Verbose, v => v.Contains("-Activity, -InitiatedBy are applied in the workspace", StringComparison.Ordinal));
        Assert.Contains(filtered.Verbose, v => v.EndsWith(rowsKql, StringComparison.Ordinal) && v.Contains("rows query", StringComparison.Ordinal));
        Assert.Contains(filtered.Verbose, v => v.Contains("count query", StringComparison.Ordinal) && v.Contains("countif(", StringComparison.Ordinal));

        int before = server.Requests.Snapshot().Count;
        await ReadAsync(server, DemoWorkspace.WorkspaceId, window);
        string[] plain = server.Requests.Snapshot().Skip(before).Where(r => r.Kql is not null).Select(r => r.Kql!).ToArray();
        Assert.All(plain, kql => Assert.StartsWith("AuditLogs\n", kql, StringComparison.Ordinal));
        Assert.All(plain, kql => Assert.DoesNotContain("_Matching", kql, StringComparison.Ordinal));
    }

    /// <summary>Every wildcard and value the workspace matches as RE2 matches at least what PowerShell matches (the engine runs the pattern).</summary>
    [Theory]
    [InlineData("*@contoso.com", new[] { "admin@contoso.com", "ADMIN@CONTOSO.COM", "a@contoso.com\n", "x@contoso.comm", "\u212Aelvin@contoso.com" })]
    [InlineData("k?n*", new[] { "ken", "KEN", "\u212Aen", "kn", "k\U0001F600n", "k\U0001F600\U0001F600n" })]
    [InlineData("k??n", new[] { "keen", "KEEN", "k\U0001F600n", "ken", "keeen" })]
    [InlineData("[a-c]`*x", new[] { "a*x", "B*X", "d*x", "ax", "\u212A*x" })]
    [InlineData("Microsoft Support *", new[] { "Microsoft Support Access Management", "microsoft support ", "Microsoft  Support x" })]
    [InlineData("3b9e5d21-????-*", new[] { "3b9e5d21-7c4f-4a8e", "3B9E5D21-7C4F-", "3b9e5d21-7c4-x" })]
    [InlineData("we[i]rd.(name)+$^|{}\\", new[] { "weird.(name)+$^|{}\\", "WEIRD.(NAME)+$^|{}\\", "weirdx(name)+$^|{}\\" })]
    [InlineData("`[literal`]", new[] { "[literal]", "[LITERAL]", "l" })]
    public void Wildcard_TheRegexMatchesEverythingPowerShellMatches(string pattern, string[] texts)
    {
        string regex = CaseInsensitiveRegex.Wildcard(pattern)!;
        var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
        foreach (string text in texts)
        {
            bool kql = MatchesInTheEngine(text, regex);
            if (wildcard.IsMatch(text))
                Assert.True(kql, $"'{pattern}' matches '{text}' in PowerShell, not as {regex}");
            // Wider only where it must be: a run of ? may stand for fewer characters beyond the BMP (each is two of PowerShell's), and a letter's class holds every character .NET cases alike.
            else if (!pattern.Contains("??", StringComparison.Ordinal) && text.All(char.IsAscii))
                Assert.False(kql, $"'{pattern}' doesn't match '{text}' in PowerShell, but {regex} does");
        }
    }

    [Fact]
    public void Results_TheRegexMatchesWhatOrdinalIgnoreCaseMatches()
    {
        string regex = CaseInsensitiveRegex.AnyOf(["success", "Failure"])!;
        foreach (string text in new[] { "success", "SUCCESS", "\u017Fuccess", "failure", "FAILURE", "successful", "", "timeout" })
        {
            bool module = text.Equals("success", StringComparison.OrdinalIgnoreCase) || text.Equals("Failure", StringComparison.OrdinalIgnoreCase);
            bool kql = MatchesInTheEngine(text, regex);
            // At least what the module matches; exactly, for ASCII (\u017F uppers to S in the invariant culture, so its class holds it).
            Assert.True(module ? kql : !kql || !text.All(char.IsAscii), $"'{text}': OrdinalIgnoreCase {module}, {regex} {kql}");
        }
    }

    [Fact]
    public void APatternOutsideTheBmp_IsLeftToTheModule()
    {
        Assert.Null(CaseInsensitiveRegex.Wildcard("\U0001F600*"));
        var filter = WorkspaceFilterKql.Of(new WorkspaceFilter { InitiatedBy = "\U0001F600*", Results = ["\U0001F600"] });
        Assert.Empty(filter.Applied);
        Assert.Null(filter.Condition);
        Assert.Equal("", filter.Lets(DateTime.UtcNow.AddDays(-1), DateTime.UtcNow));
    }

    private static bool MatchesInTheEngine(string text, string regex)
    {
        string answer = KqlEngine.Run("print m = " + KqlLiteral.String(text) + " matches regex @\"" + regex.Replace("\"", "\"\"") + "\"");
        return answer.Contains("[[true]]", StringComparison.Ordinal);
    }

    // ---- activity filters ----

    /// <summary>Reads the window once without filters, then once per filter case; each must be the unfiltered read filtered on the client.</summary>
    private static async Task<int> AssertActivityFiltersAsync(EmulatorServer server, string workspace, ActivityQuery window)
    {
        Read all = await ReadAsync(server, workspace, window);
        Assert.NotEmpty(all.Activities);
        int idless = all.Activities.Count(a => a.Id.Length == 0);
        var failures = new List<string>();
        int compared = 0;
        foreach (ActivityQuery filtered in ActivityCases(window, all.Activities))
        {
            int sentBefore = server.Requests.Snapshot().Count;
            Read read = await ReadAsync(server, workspace, filtered);
            var client = new ClientSideFilter(filtered);
            string[] expected = all.Activities.Where(client.Matches).Select(Flat).ToArray();
            string[] actual = read.Activities.Select(Flat).ToArray();
            string name = Describe(filtered);
            if (!expected.SequenceEqual(actual))
                failures.Add($"{name}: {expected.Length} on the client, {actual.Length} from the workspace; first difference: "
                    + (expected.Except(actual).FirstOrDefault() ?? actual.Except(expected).FirstOrDefault() ?? "(order)"));

            // Only the matching rows travelled (and rows without an id, which the workspace can't name).
            if (read.RecordsRead > expected.Length + idless)
                failures.Add($"{name}: {read.RecordsRead} rows read for {expected.Length} matching");
            bool pushed = SupportAccessLogs.LogAnalytics.Kql.FilterOf(filtered, Guid.Empty).Condition is not null;
            bool sentFiltered = server.Requests.Snapshot().Skip(sentBefore).Any(r => (r.Kql ?? "").Contains("_MatchingActivities", StringComparison.Ordinal));
            if (pushed != sentFiltered)
                failures.Add($"{name}: filter expected in the workspace {pushed}, sent {sentFiltered}");
            compared++;
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} filters differ:\n" + string.Join("\n", failures.Take(30)));
        return compared;
    }

    /// <summary>Every value of each filter alone, the values the data holds in initiator patterns, and combinations.</summary>
    private static IEnumerable<ActivityQuery> ActivityCases(ActivityQuery window, List<SupportAccessActivity> all)
    {
        foreach (Category category in Enum.GetValues<Category>())
            yield return window with { Categories = [category] };
        foreach (Activity activity in Enum.GetValues<Activity>())
            yield return window with { Activities = [activity] };
        foreach (TenantRole role in Enum.GetValues<TenantRole>())
            yield return window with { TenantRoles = [role] };
        yield return window with { Results = ["success"] };
        yield return window with { Results = ["FAILURE", "Success"] };
        yield return window with { Results = ["no such result"] };

        foreach (string pattern in InitiatorPatterns(all))
            yield return window with { InitiatedBy = pattern };

        yield return window with { Categories = [Category.CrossTenant], TenantRoles = [TenantRole.ResourceTenant] };
        yield return window with { Categories = [Category.UserInitiated, Category.Automated], Activities = [Activity.RequestApproved, Activity.ApprovalCreated, Activity.Other] };
        yield return window with { Activities = [Activity.AccessRemovedManually, Activity.AccessRemovedOnClosure], Results = ["success"] };
        yield return window with { Categories = [Category.CrossTenant], InitiatedBy = "*" };
        string? someone = all.Select(a => a.InitiatedBy).FirstOrDefault(i => i.Length > 3);
        if (someone is not null)
            yield return window with { Categories = [Category.UserInitiated], InitiatedBy = someone.Substring(0, 3) + "*", Results = ["success"] };
    }

    /// <summary>Initiator patterns from the data: each distinct initiator and id whole, in other case, by prefix, suffix, ? and [ ], escaped; and some that match nothing or everything.</summary>
    private static IEnumerable<string> InitiatorPatterns(List<SupportAccessActivity> all)
    {
        string[] values = all.SelectMany(a => new[] { a.InitiatedBy, a.InitiatorId })
            .Where(v => v.Length >= 4 && !v.Any(char.IsSurrogate)).Distinct(StringComparer.Ordinal).OrderBy(v => v, StringComparer.Ordinal).Take(12).ToArray();
        foreach (string value in values)
        {
            string escaped = WildcardPattern.Escape(value);
            yield return escaped;
            yield return escaped.ToUpperInvariant();
            yield return WildcardPattern.Escape(value.Substring(0, 3)) + "*";
            yield return "*" + WildcardPattern.Escape(value.Substring(value.Length - 3));
            yield return WildcardPattern.Escape(value.Substring(0, 1)) + "?" + WildcardPattern.Escape(value.Substring(2));
            if (char.IsLetter(value[0]))
                yield return "[" + char.ToLowerInvariant(value[0]) + "-" + char.ToLowerInvariant(value[0]) + "]*";
        }

        yield return "*";
        yield return "*@*";
        yield return "nobody*";
        yield return "?";
    }

    // ---- request filters ----

    /// <summary>Get-SupportAccessRequest's -State and -Active: the requests of a filtered read equal the unfiltered read's requests filtered on the client.</summary>
    private static async Task<int> AssertRequestFiltersAsync(EmulatorServer server, string workspace, ActivityQuery window)
    {
        Read all = await ReadAsync(server, workspace, window);
        DateTime now = DateTime.UtcNow;
        List<SupportAccessRequest> allRequests = Requests(all.Activities, now);
        var cases = Enum.GetValues<RequestState>().Select(state => window with { RequestStates = [state] })
            .Append(window with { ActiveRequestsOnly = true })
            .Append(window with { RequestStates = [RequestState.Approved, RequestState.Canceled], ActiveRequestsOnly = true })
            .Append(window with { RequestStates = [RequestState.Completed, RequestState.Revoked, RequestState.Unknown] })
            .ToList();
        var failures = new List<string>();
        foreach (ActivityQuery filtered in cases)
        {
            int sentBefore = server.Requests.Snapshot().Count;
            Read read = await ReadAsync(server, workspace, filtered);
            if (!server.Requests.Snapshot().Skip(sentBefore).Any(r => (r.Kql ?? "").Contains("Id in (_MatchingRequestActivities)", StringComparison.Ordinal)))
                failures.Add($"{Describe(filtered)}: the request filter was not sent to the workspace");
            string[] expected = allRequests.Where(r => Keeps(filtered, r)).Select(FlatRequest).ToArray();
            string[] actual = Requests(read.Activities, now).Where(r => Keeps(filtered, r)).Select(FlatRequest).ToArray();
            if (!expected.SequenceEqual(actual))
                failures.Add($"{Describe(filtered)}: {expected.Length} requests on the client, {actual.Length} from the workspace; first difference: "
                    + (expected.Except(actual).FirstOrDefault() ?? actual.Except(expected).FirstOrDefault() ?? "(order)"));

            // Only the activities of matching requests travel (and those without an id).
            long needed = allRequests.Where(r => Keeps(filtered, r)).Sum(r => (long)r.ActivityCount) + all.Activities.Count(a => a.Id.Length == 0);
            if (read.RecordsRead > needed)
                failures.Add($"{Describe(filtered)}: {read.RecordsRead} rows read for {needed} activities of matching requests");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} filters differ:\n" + string.Join("\n", failures));
        Assert.Contains(allRequests, r => r.IsAccessActive);
        return cases.Count;
    }

    private static bool Keeps(ActivityQuery query, SupportAccessRequest request) =>
        (query.RequestStates is null || query.RequestStates.Contains(request.State)) && (!query.ActiveRequestsOnly || request.IsAccessActive);

    private static List<SupportAccessRequest> Requests(IEnumerable<SupportAccessActivity> activities, DateTime now)
    {
        var book = new RequestBook();
        foreach (SupportAccessActivity activity in activities)
            book.Add(ActivityFacts.Of(activity));
        return book.Close(now, new CollectingReporter());
    }

    // ---- reading ----

    private sealed record Read(List<SupportAccessActivity> Activities, long RecordsRead, List<string> Verbose);

    /// <summary>The module's production read of the workspace (ActivityRead), as the cmdlets run it.</summary>
    private static async Task<Read> ReadAsync(EmulatorServer server, string workspace, ActivityQuery query)
    {
        var reporter = new CollectingReporter();
        List<SupportAccessActivity> activities = await ActivityKqlEqualityTests.ReadAsync(server, workspace, query, reporter);
        return new Read(activities, reporter.RecordsRead, reporter.Verbose);
    }

    private static string Flat(SupportAccessActivity activity) =>
        string.Join("|", ActivityKql.Columns.Select(c => ActivityKqlEqualityTests.Field(activity, c)));

    private static string FlatRequest(SupportAccessRequest request) =>
        string.Join("|", RequestLifecycleKql.Columns.Select(c => RequestKqlEqualityTests.Field(request, c)));

    private static string Describe(ActivityQuery query) =>
        string.Join(" ", new[]
        {
            query.Categories is null ? null : "-Category " + string.Join(",", query.Categories),
            query.Activities is null ? null : "-Activity " + string.Join(",", query.Activities),
            query.TenantRoles is null ? null : "-TenantRole " + string.Join(",", query.TenantRoles),
            query.Results is null ? null : "-Result " + string.Join(",", query.Results),
            query.InitiatedBy is null ? null : "-InitiatedBy '" + query.InitiatedBy + "'",
            query.RequestStates is null ? null : "-State " + string.Join(",", query.RequestStates),
            query.ActiveRequestsOnly ? "-Active" : null,
        }.Where(p => p is not null));
}

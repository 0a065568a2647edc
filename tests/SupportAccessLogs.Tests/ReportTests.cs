using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SupportAccessLogs.Report;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The report's parts without a browser: the encoder, the policy's hash, durations, the time
/// scale, and the page's structure against its input, at the sizes issue 25 names (10,000
/// requests, 100,000 activities). What Chromium makes of the page is in ReportBrowserTests.
/// </summary>
public sealed class ReportTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);
    private const string Contoso = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string Fabrikam = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("\"><svg onload=x>", "&quot;&gt;&lt;svg onload=x&gt;")]
    [InlineData("a & b's", "a &amp; b&#x27;s")]
    [InlineData("\u202Eevil", "&#x202E;evil")]
    [InlineData("Ærø Zoë 日本", "Ærø Zoë 日本")]
    public void HtmlWriter_EncodesWhatHtmlReadsAsMarkup_AndKeepsTheRestReadable(string text, string written)
    {
        var output = new StringWriter();

        new HtmlWriter(output).Text(text).Attribute("title", text);

        Assert.Equal(written + " title=\"" + written + "\"", output.ToString());
    }

    [Fact]
    public void ContentSecurityPolicy_AdmitsExactlyTheStyleSheet_AndNoScript()
    {
        string hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(ReportStyle.Css)));

        Assert.Equal($"default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'", ReportStyle.ContentSecurityPolicy);
        Assert.DoesNotContain("script-src", ReportStyle.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("1.10:13:59.3375469", "1d 10:13")]
    [InlineData("24.07:50:00", "24d 07:50")]
    [InlineData("00:00:59", "0d 00:00")]
    [InlineData("-02:30:00", "-0d 02:30")]
    public void DurationText_IsDaysHoursAndMinutes(string? duration, string shown)
    {
        Assert.Equal(shown, DurationText.Format(duration is null ? null : TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void DurationText_TakesTheLongestDurations()
    {
        Assert.Equal("-10675199d 02:48", DurationText.Format(TimeSpan.MinValue));
        Assert.Equal("10675199d 02:48", DurationText.Format(TimeSpan.MaxValue));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2)]
    [InlineData(30)]
    [InlineData(90)]
    [InlineData(400)]
    [InlineData(3650)]
    public void TimeScale_LabelsAFewRoundTimesInsideTheSpan(double days)
    {
        DateTime start = Now.AddDays(-days);
        var scale = new TimeScale(start, Now, 100, 900);

        IReadOnlyList<(DateTime Time, string Label)> ticks = scale.Ticks();

        Assert.InRange(ticks.Count, 1, 16);
        Assert.All(ticks, t => Assert.InRange(t.Time, start, Now));
        Assert.Equal(ticks.OrderBy(t => t.Time).Select(t => t.Time), ticks.Select(t => t.Time));
        Assert.Equal(100, scale.X(start.AddDays(-1)));
        Assert.Equal(900, scale.X(Now.AddDays(1)));
        Assert.Equal(500, scale.X(start + ((Now - start) / 2)), 3);
    }

    [Fact]
    public void Page_ForOneTenant_HasTheBannerLanesAndRowsOfItsInput()
    {
        List<SupportAccessRequest> requests = Requests(Contoso, 12, activeEvery: 4);

        string html = Render(requests, Activities(Contoso, 40));

        Assert.Equal(12, Count(html, "<g class=\"request\" data-state=\""));
        Assert.Equal(12, Count(html, "<tr data-state=\""));
        Assert.Equal(3, Count(html, "<tr data-state=\"[^\"]+\" data-active=\"true\""));
        Assert.Contains("data-active=\"3\"><h3>Microsoft Support can reach this tenant now</h3>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Summary per tenant", html, StringComparison.Ordinal);
        Assert.Equal(1, Count(html, "<section class=\"tenant\""));
    }

    [Fact]
    public void Page_WithNothingActive_SaysSoPlainly()
    {
        string html = Render(Requests(Contoso, 3, activeEvery: 0), Array.Empty<ReportActivity>());

        Assert.Contains("data-active=\"0\"><h3>No Microsoft Support access is active</h3>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("can reach this tenant now", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_ForManyTenants_HasASummaryThenASectionEach_TheTenantsReadFirst()
    {
        List<SupportAccessRequest> requests = Requests(Fabrikam, 2, activeEvery: 1).Concat(Requests(Contoso, 5, activeEvery: 0)).ToList();

        string html = Render(requests, Activities(Fabrikam, 3), tenants: new[] { Contoso, Fabrikam });

        Assert.Contains("Summary per tenant", html, StringComparison.Ordinal);
        MatchCollection sections = Regex.Matches(html, "<section class=\"tenant\" id=\"t\\d\" data-tenant=\"([^\"]+)\"");
        Assert.Equal(new[] { Contoso, Fabrikam }, sections.Select(m => m.Groups[1].Value));
        Assert.Contains("<tr data-tenant=\"" + Fabrikam + "\"><td><a href=\"#t1\">" + Fabrikam + "</a></td><td class=\"num active\">2</td><td class=\"num\">2</td>", html, StringComparison.Ordinal);
    }

    /// <summary>A tenant whose read failed is said to be not read, never "no access is active".</summary>
    [Fact]
    public void Page_ForATenantThatFailed_SaysItWasNotRead_NeverThatNothingIsActive()
    {
        var output = new StringWriter();
        HtmlReport.Write(output, new ReportData(
            new ReportSource { Origin = "test", Tenants = new[] { Contoso, Fabrikam }, FailedTenants = new[] { Fabrikam }, GeneratedUtc = Now, ModuleVersion = "9.9.9" },
            Requests(Contoso, 2, activeEvery: 0), Array.Empty<ReportActivity>()));
        string html = output.ToString();

        string failed = Regex.Match(html, "<section class=\"tenant\" id=\"t1\" data-tenant=\"" + Fabrikam + "\".*?</section>", RegexOptions.Singleline).Value;
        Assert.Contains("data-failed=\"true\"><h3>This tenant could not be read</h3>", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("No Microsoft Support access is active", failed, StringComparison.Ordinal);
        Assert.Contains("<tr data-tenant=\"" + Fabrikam + "\"><td><a href=\"#t1\">" + Fabrikam + "</a></td><td class=\"flag\" colspan=\"5\">not read: the read failed</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Not read</dt><dd>" + Fabrikam, html, StringComparison.Ordinal);
        Assert.Equal(1, Count(html, "No Microsoft Support access is active"));
    }

    [Fact]
    public void Timeline_PutsTheSidesOfACrossTenantRequestTogether_NewestFirst()
    {
        SupportAccessRequest older = Request(Contoso, "2611200010000001", Now.AddDays(-9), null, active: false);
        SupportAccessRequest resourceSide = Request(Fabrikam, "2611200010000002", Now.AddDays(-2), TenantRole.ResourceTenant, active: true);
        SupportAccessRequest requestSide = Request(Contoso, "2611200010000002", Now.AddDays(-3), TenantRole.SupportRequestTenant, active: false);
        SupportAccessRequest newest = Request(Contoso, "2611200010000003", Now.AddDays(-1), null, active: false);

        List<SupportAccessRequest> lanes = TimelineSvg.Lanes(new[] { older, requestSide, newest, resourceSide });

        Assert.Equal(new[] { newest, resourceSide, requestSide, older }, lanes);
    }

    /// <summary>Issue 25's scale: the page draws the most recent lanes and says how many more,
    /// and limits its tables with a note; every request and activity is still counted.</summary>
    [Fact]
    public void Page_At10000RequestsAnd100000Activities_DrawsAndListsTheMostRecent_AndCountsTheRest()
    {
        List<SupportAccessRequest> requests = Requests(Contoso, 10_000, activeEvery: 50);
        List<ReportActivity> activities = Activities(Contoso, 100_000);

        string html = Render(requests, activities);

        Assert.Equal(TimelineSvg.MaxLanes, Count(html, "<g class=\"request\" data-state=\""));
        Assert.Contains("data-more-lanes=\"" + (10_000 - TimelineSvg.MaxLanes) + "\"", html, StringComparison.Ordinal);
        Assert.Equal(HtmlReport.MaxRequestRows, Count(html, "<tr data-state=\""));
        Assert.Contains("data-more-rows=\"" + (10_000 - HtmlReport.MaxRequestRows) + "\"", html, StringComparison.Ordinal);
        Assert.Contains("data-more-rows=\"" + (100_000 - HtmlReport.MaxActivityRows) + "\"", html, StringComparison.Ordinal);
        Assert.Contains("data-category-count=\"UserInitiated\">" + activities.Count(a => a.Category == "UserInitiated") + "<", html, StringComparison.Ordinal);
        Assert.Contains("data-active=\"200\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-more-active", html, StringComparison.Ordinal);
        // The newest requests are the ones drawn.
        Assert.Contains(">" + requests.OrderByDescending(r => r.LastActivityTime).First().SupportRequestId, html, StringComparison.Ordinal);
    }

    /// <summary>A request of thousands of activities draws one mark per kind and spot, a few dozen at most; access active in thousands of requests lists the longest in the banner and counts the rest.</summary>
    [Fact]
    public void Page_KeepsItsSize_WhenARequestHasThousandsOfActivities_OrThousandsAreActive()
    {
        SupportAccessRequest huge = Request(Contoso, "2611200010000099", Now.AddHours(-1), null, active: true);
        List<ReportActivity> activities = Activities(Contoso, 50_000);
        huge.ActivityIds = string.Join(";", activities.Select(a => a.Id));
        List<SupportAccessRequest> requests = Requests(Contoso, 1_000, activeEvery: 1).Append(huge).ToList();

        string html = Render(requests, activities);

        string lane = Regex.Match(html, "<g class=\"request\" data-state=\"Approved\">(?:(?!</g>).)*2611200010000099(?:(?!</g>).)*</g>", RegexOptions.Singleline).Value;
        Assert.NotEmpty(lane);
        Assert.InRange(Count(lane, "<(circle|polygon|path|line|rect) class=\"(mark|tick|rejected-mark)"), 4, 60);
        Assert.Contains("more like it at about the same time", lane, StringComparison.Ordinal);
        Assert.Equal(HtmlReport.MaxActiveRows, Count(Regex.Match(html, "<table class=\"active-now\">.*?</table>", RegexOptions.Singleline).Value, "<tr><td>"));
        Assert.Contains("data-more-active=\"" + (1_001 - HtmlReport.MaxActiveRows) + "\"", html, StringComparison.Ordinal);
        Assert.InRange(html.Length, 1, 2_000_000);
    }

    [Fact]
    public void Page_GivesEveryShapeATitle()
    {
        string html = Render(Requests(Contoso, 30, activeEvery: 3), Activities(Contoso, 300));

        MatchCollection shapes = Regex.Matches(html, "<(rect|circle|polygon|path|line)\\b[^>]*>(<title>)?");
        Assert.NotEmpty(shapes);
        Assert.All(shapes, m => Assert.True(m.Groups[2].Success, "a shape without a title: " + m.Value));
    }

    [Fact]
    public void Collector_ShowsRequestsAsGiven_WhenActivitiesComeToo()
    {
        var collector = new ReportCollector();
        SupportAccessRequest given = Request(Contoso, "2611200010000009", Now.AddDays(-1), null, active: true);
        collector.Add(given);
        collector.Add(new System.Management.Automation.PSObject(new Dictionary<string, object>
        {
            ["Id"] = "a1", ["ActivityDateTime"] = "2026-12-01T10:00:00Z", ["Activity"] = "RequestCreated", ["TenantId"] = Contoso, ["SupportRequestId"] = "2611200010000010",
        }));

        ReportData data = collector.Close(new ReportSource { GeneratedUtc = Now }, new DiscardMessages());

        Assert.Same(given, Assert.Single(data.Requests));
        Assert.Equal("a1", Assert.Single(data.Activities).Id);
    }

    private static string Render(IReadOnlyList<SupportAccessRequest> requests, IReadOnlyList<ReportActivity> activities, string[]? tenants = null)
    {
        var output = new StringWriter();
        HtmlReport.Write(output, new ReportData(
            new ReportSource { Origin = "test", Tenants = tenants ?? new[] { Contoso }, WindowStartUtc = Now.AddDays(-30), WindowEndUtc = Now, GeneratedUtc = Now, ModuleVersion = "9.9.9" },
            requests, activities));
        return output.ToString();
    }

    private static int Count(string html, string pattern) => Regex.Matches(html, pattern).Count;

    /// <summary>Requests one an hour back from now, every <paramref name="activeEvery"/>th with access still active (0: none).</summary>
    private static List<SupportAccessRequest> Requests(string tenant, int count, int activeEvery) =>
        Enumerable.Range(0, count)
            .Select(i => Request(tenant, (2611200010000000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) + tenant[..4], Now.AddHours(-1 - i), null, active: activeEvery > 0 && i % activeEvery == 0))
            .ToList();

    private static SupportAccessRequest Request(string tenant, string id, DateTime last, TenantRole? side, bool active) => new()
    {
        SupportRequestId = id,
        TenantId = tenant,
        TenantRole = side,
        State = active ? RequestState.Approved : RequestState.Completed,
        CreatedTime = last.AddHours(-3),
        DecidedTime = last.AddHours(-2),
        DecidedBy = "admin@contoso.com",
        AccessGrantedTime = last.AddHours(-2),
        AccessRemovedTime = active ? null : last,
        RemovalKind = active ? RemovalKind.None : RemovalKind.Closure,
        AccessDuration = active ? Now - last.AddHours(-2) : TimeSpan.FromHours(2),
        IsAccessActive = active,
        ActivityCount = 3,
        FirstActivityTime = last.AddHours(-3),
        LastActivityTime = last,
        ActivityIds = id + "-1;" + id + "-2;" + id + "-3",
        GroupedBy = RequestGrouping.SupportRequestId,
        GroupKey = id,
        AccessGrantCount = 1,
    };

    private static readonly string[] CategoryNames = { "UserInitiated", "Automated", "CrossTenant" };

    private static List<ReportActivity> Activities(string tenant, int count) =>
        Enumerable.Range(0, count).Select(i => new ReportActivity
        {
            Id = "act-" + i,
            TimeUtc = Now.AddMinutes(-7 * i),
            TenantId = tenant,
            Category = CategoryNames[i % 3],
            Activity = (Activity)(i % 7),
            InitiatedBy = "user" + i + "@contoso.com",
            ClassificationReason = "initiatedBy.user.id names a user",
        }).ToList();

    private sealed class DiscardMessages : IMessageSink
    {
        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GraphEmulator;
using Microsoft.Playwright;
using SupportAccessLogs.Report;
using Xunit;
using Xunit.Abstractions;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// The report (issue 25) in Chromium: made by the module from the emulator's demo tenant (read by
/// the production query, collected and written as Export-SupportAccessReport does), then opened
/// from disk and checked against its input: the banner of access active now, a lane per request,
/// the counts, a title on every drawn shape; that it runs nothing, fetches nothing and passes axe;
/// that it prints on A4 and Letter and is drawn in light and dark. Hostile text from the audit log
/// runs nothing, fetches nothing, shows as text and leaves the layout whole. The markup as text
/// against the records: tests/pester/Report.Tests.ps1.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ReportBrowserTests
{
    private readonly ReportBrowser _browser;
    private readonly Reports _reports;
    private readonly ITestOutputHelper _output;

    public ReportBrowserTests(ReportBrowser browser, Reports reports, ITestOutputHelper output)
    {
        _browser = browser;
        _reports = reports;
        _output = output;
    }

    public static TheoryData<string> AllReports => new() { "demo", "none-active", "two-tenants", "many", "scale", "hostile" };

    // ---- What the page says against what it was made from ----

    [Theory]
    [MemberData(nameof(AllReports))]
    public async Task Banner_NamesEveryActiveRequest_OrSaysNoneIsActive(string name)
    {
        GeneratedReport report = _reports[name];
        await using BrowserPage page = await OpenAsync(report);

        List<Section> sections = await SectionsAsync(page);
        Assert.Equal(report.Tenants, sections.Select(s => s.Tenant));
        foreach (Section section in sections)
        {
            List<SupportAccessRequest> active = report.RequestsOf(section.Tenant).Where(r => r.IsAccessActive).ToList();
            Assert.Equal(active.Count, section.BannerActive);
            Assert.Equal(active.Count, section.BannerItems.Count);
            if (active.Count == 0)
            {
                Assert.True(section.BannerNone, $"tenant {section.Tenant}: the banner is not the 'none active' one");
                Assert.Contains("No Microsoft Support access is active", section.BannerText, StringComparison.Ordinal);
                continue;
            }

            Assert.False(section.BannerNone);
            Assert.Contains("Microsoft Support can reach this tenant now", section.BannerText, StringComparison.Ordinal);
            // Each active request once, by the name its lane has, with who approved it.
            var expected = active.Select(r => (Name: TimelineSvg.LaneName(r), By: r.DecidedBy.Length > 0 ? r.DecidedBy : "not in the records read"))
                .OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.By, StringComparer.Ordinal).ToList();
            var shown = section.BannerItems.Select(cells => (Name: cells.Count > 0 ? cells[0] : "", By: cells.Count > 1 ? cells[1] : ""))
                .Select(row => (Name: expected.Select(e => e.Name).FirstOrDefault(n => row.Name == n || row.Name.StartsWith(n + " (Unknown", StringComparison.Ordinal)) ?? "(no such request) " + row.Name, row.By))
                .OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.By, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, shown);
        }
    }

    [Fact]
    public void TheInputs_HaveWhatTheBannerTestsNeed()
    {
        // Without these, the banner test could pass on "none" everywhere, or never see "none".
        Assert.Contains(_reports["demo"].Requests, r => r.IsAccessActive);
        Assert.DoesNotContain(_reports["none-active"].Requests, r => r.IsAccessActive);
        Assert.NotEmpty(_reports["none-active"].Requests);
        Assert.True(_reports["two-tenants"].Tenants.Count == 2);
        Assert.True(_reports["many"].Requests.Count > TimelineSvg.MaxLanes, $"{_reports["many"].Requests.Count} requests");
        Assert.True(_reports["scale"].Requests.Count > HtmlReport.MaxRequestRows, $"{_reports["scale"].Requests.Count} requests");
        Assert.True(_reports["scale"].Activities.Count >= 100_000, $"{_reports["scale"].Activities.Count} activities");
    }

    [Theory]
    [MemberData(nameof(AllReports))]
    public async Task Timeline_HasOneLanePerRequest_UpToTheMaximum_AndSaysHowManyMore(string name)
    {
        GeneratedReport report = _reports[name];
        await using BrowserPage page = await OpenAsync(report);

        foreach (Section section in await SectionsAsync(page))
        {
            int requests = report.RequestsOf(section.Tenant).Count;
            Assert.Equal(Math.Min(requests, TimelineSvg.MaxLanes), section.Lanes);
            if (requests > TimelineSvg.MaxLanes)
            {
                Assert.Equal(requests - TimelineSvg.MaxLanes, section.MoreLanes);
                Assert.Contains($"{requests - TimelineSvg.MaxLanes} more", section.MoreLanesText, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(section.MoreLanes);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllReports))]
    public async Task Counts_InThePage_EqualTheInput(string name)
    {
        GeneratedReport report = _reports[name];
        await using BrowserPage page = await OpenAsync(report);

        string records = await page.Page.EvaluateAsync<string>(
            "() => [...document.querySelectorAll('header dl.read dt')].find(dt => dt.textContent === 'Records').nextElementSibling.innerText");
        Match counts = Regex.Match(records, @"^(\d+) support requests?, (\d+) activit(y|ies)$");
        Assert.True(counts.Success, records);
        Assert.Equal(report.Requests.Count, int.Parse(counts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(report.Activities.Count, int.Parse(counts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

        foreach (Section section in await SectionsAsync(page))
        {
            List<SupportAccessRequest> requests = report.RequestsOf(section.Tenant);
            int activities = report.Activities.Count(a => SameTenant(a.TenantId, section.Tenant));
            Assert.Equal(Math.Min(requests.Count, HtmlReport.MaxRequestRows), section.RequestRows.Count);
            Assert.Equal(requests.Count > HtmlReport.MaxRequestRows ? requests.Count - HtmlReport.MaxRequestRows : null, section.MoreRequestRows);
            Assert.Equal(Math.Min(activities, HtmlReport.MaxActivityRows), section.ActivityRows);
            Assert.Equal(activities > HtmlReport.MaxActivityRows ? activities - HtmlReport.MaxActivityRows : null, section.MoreActivityRows);
            if (requests.Count <= HtmlReport.MaxRequestRows)
            {
                // Every request once: its state and whether it is active, row by row.
                Assert.Equal(Tally(requests.Select(r => r.State + (r.IsAccessActive ? " active" : ""))), Tally(section.RequestRows));
            }
        }

        if (report.Tenants.Count > 1)
        {
            foreach (SummaryRow row in await SummaryAsync(page))
            {
                List<SupportAccessRequest> requests = report.RequestsOf(row.Tenant);
                Assert.Equal(
                    new[] { requests.Count(r => r.IsAccessActive), requests.Count, requests.Count(r => r.State == RequestState.Unknown), requests.Count(r => r.IsTruncated), report.Activities.Count(a => SameTenant(a.TenantId, row.Tenant)) },
                    row.Cells);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllReports))]
    public async Task EveryDrawnShape_HasATitle(string name)
    {
        await using BrowserPage page = await OpenAsync(_reports[name]);

        (int shapes, IReadOnlyList<string> untitled) = await page.UntitledShapesAsync();

        Assert.True(shapes > 0, "no shape drawn at all");
        Assert.True(untitled.Count == 0, $"{untitled.Count} without a <title>:\n" + string.Join("\n", untitled.Take(20)));
    }

    // ---- A self-contained, quiet, accessible page ----

    [Theory]
    [MemberData(nameof(AllReports))]
    public async Task Page_LogsNothing_FetchesNothing_AndHoldsNothingThatRuns(string name)
    {
        await using BrowserPage page = await OpenAsync(_reports[name]);

        // A CSP refusal, a script error or a failed load is all on the console: none at all.
        Assert.True(page.Console.Count == 0, page.Describe());
        Assert.True(page.PageErrors.Count == 0, page.Describe());
        Assert.True(page.Requests.Count == 0, page.Describe());
        Assert.True(page.Dialogs.Count == 0, page.Describe());
        IReadOnlyList<string> active = await page.ActiveContentAsync();
        Assert.True(active.Count == 0, string.Join("\n", active));
    }

    [Theory]
    [InlineData("demo", "light")]
    [InlineData("demo", "dark")]
    [InlineData("none-active", "light")]
    [InlineData("two-tenants", "dark")]
    [InlineData("hostile", "light")]
    public async Task Axe_FindsNoSeriousViolation(string name, string scheme)
    {
        IReadOnlyList<AxeViolation> violations = await _browser.AxeAsync(_reports[name].Path, scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light);

        foreach (AxeViolation violation in violations)
        {
            _output.WriteLine(violation.ToString());
        }

        Assert.True(!violations.Any(v => v.IsSeriousOrWorse), string.Join("\n", violations.Where(v => v.IsSeriousOrWorse)));
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("none-active")]
    [InlineData("two-tenants")]
    [InlineData("hostile")]
    public async Task LightAndDark_AreBothDrawn_AndScreenshot(string name)
    {
        GeneratedReport report = _reports[name];
        await using BrowserPage light = await OpenAsync(report, ColorScheme.Light);
        await using BrowserPage dark = await OpenAsync(report, ColorScheme.Dark);

        string lightPng = await light.ScreenshotAsync($"report-{name}-light");
        string darkPng = await dark.ScreenshotAsync($"report-{name}-dark");
        _output.WriteLine($"{lightPng}\n{darkPng}");

        // Dark mode is the page's own: a dark background under light text, not the light page.
        (double Background, double Text) lightLuminance = await LuminanceAsync(light);
        (double Background, double Text) darkLuminance = await LuminanceAsync(dark);
        Assert.True(lightLuminance.Background > lightLuminance.Text, $"light: {lightLuminance}");
        Assert.True(darkLuminance.Background < darkLuminance.Text, $"dark: {darkLuminance}");
        Assert.True(new FileInfo(lightPng).Length > 0 && new FileInfo(darkPng).Length > 0);
    }

    [Theory]
    [InlineData("demo", "A4")]
    [InlineData("demo", "Letter")]
    [InlineData("two-tenants", "A4")]
    [InlineData("many", "Letter")]
    [InlineData("hostile", "A4")]
    [InlineData("hostile", "Letter")]
    public async Task PrintsToPdf_OnThePaper(string name, string paper)
    {
        await using BrowserPage page = await OpenAsync(_reports[name]);

        byte[] pdf = await page.PdfAsync(paper, $"report-{name}-{paper}");
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        int pages = Regex.Matches(System.Text.Encoding.Latin1.GetString(pdf), @"/Type\s*/Page[^s]").Count;
        Assert.True(pages >= 1, "the PDF has no page");
        _output.WriteLine($"{paper}: {pages} pages");
    }

    // ---- Hostile text ----

    [Fact]
    public async Task HostileText_RunsNothing_FetchesNothing_AndIsShownAsText()
    {
        GeneratedReport report = _reports["hostile"];
        await using BrowserPage page = await OpenAsync(report);

        Assert.True(page.Dialogs.Count == 0, page.Describe());
        Assert.False(await page.FlagSetAsync(HostileText.Flag), "a payload ran: window." + HostileText.Flag + " is set");
        Assert.True(page.Requests.Count == 0, page.Describe());
        Assert.True(page.Console.Count == 0 && page.PageErrors.Count == 0, page.Describe());
        IReadOnlyList<string> active = await page.ActiveContentAsync();
        Assert.True(active.Count == 0, string.Join("\n", active));

        // Each text as the reader sees it, character for character, in the page's text; the names
        // of activities, which the page shows in a title attribute, as that attribute's value.
        string text = await page.BodyTextAsync();
        string[] titles = await page.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('[title]')].map(e => e.getAttribute('title'))");
        var notShown = HostileText.All.Where(t => !text.Contains(t, StringComparison.Ordinal)).ToList();
        Assert.True(notShown.Count == 0, "not in the page's text as written: " + string.Join(" | ", notShown.Select(Shorten)));
        var notTitled = HostileText.All.Where(t => !titles.Contains(t)).ToList();
        Assert.True(notTitled.Count == 0, "no title attribute holds: " + string.Join(" | ", notTitled.Select(Shorten)));

        // Nothing the text could have opened: one style sheet, the drawings the report makes.
        Assert.Equal(1, await page.Page.Locator("style").CountAsync());
        Assert.Equal(0, await page.Page.Locator("a[href^='javascript' i], [href*='127.0.0.1']").CountAsync());
    }

    [Fact]
    public async Task HostileText_LeavesTheLayoutWhole()
    {
        // The window the other reports are checked in; narrower windows and paper: ReportLayoutTests.
        await using BrowserPage page = await OpenAsync(_reports["hostile"]);

        PageWidth width = await page.WidthAsync();
        Assert.False(width.Overflows, width.ToString());
        // The bidi overrides stay inside their own text: the heading after them reads left to right.
        Assert.Equal("ltr", await page.Page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('h1')).direction"));
    }

    // ---- Helpers ----

    private async Task<BrowserPage> OpenAsync(GeneratedReport report, ColorScheme scheme = ColorScheme.Light)
    {
        BrowserPage page = await _browser.OpenAsync(report.Path, scheme);
        _browser.RecordLoad(report.Name, page, new FileInfo(report.Path).Length,
            $"{report.Requests.Count} requests, {report.Activities.Count} activities, {report.Tenants.Count} tenant(s); grouped and written in {report.Written.TotalMilliseconds:0} ms");
        return page;
    }

    private static async Task<(double Background, double Text)> LuminanceAsync(BrowserPage page)
    {
        double[] values = await page.Page.EvaluateAsync<double[]>("""
            () => {
              const lum = c => { const [r, g, b] = c.match(/[\d.]+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
              const style = getComputedStyle(document.body);
              return [lum(style.backgroundColor), lum(style.color)];
            }
            """);
        return (values[0], values[1]);
    }

    private static async Task<List<Section>> SectionsAsync(BrowserPage page)
    {
        JsonElement sections = await page.Page.EvaluateAsync<JsonElement>("""
            () => [...document.querySelectorAll('section.tenant')].map(s => {
              const banner = s.querySelector('.banner');
              const more = sel => { const e = s.querySelector(sel); return e ? e : null; };
              return {
                tenant: s.dataset.tenant,
                bannerActive: banner ? Number(banner.dataset.active) : -1,
                bannerNone: banner ? banner.classList.contains('none') : false,
                bannerText: banner ? banner.innerText : '',
                bannerItems: banner ? [...banner.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.innerText)) : [],
                lanes: s.querySelectorAll('svg[id$="-timeline"] g.request').length,
                moreLanes: more('[data-more-lanes]') ? Number(more('[data-more-lanes]').dataset.moreLanes) : null,
                moreLanesText: more('[data-more-lanes]') ? more('[data-more-lanes]').innerText : '',
                requestRows: [...s.querySelectorAll('table.requests tbody tr')].map(tr => tr.dataset.state + (tr.dataset.active === 'true' ? ' active' : '')),
                moreRequestRows: more('table.requests + [data-more-rows]') ? Number(more('table.requests + [data-more-rows]').dataset.moreRows) : null,
                activityRows: s.querySelectorAll('table.activities tbody tr').length,
                moreActivityRows: more('table.activities + [data-more-rows]') ? Number(more('table.activities + [data-more-rows]').dataset.moreRows) : null,
              };
            })
            """);
        return sections.EnumerateArray().Select(s => new Section(
            s.GetProperty("tenant").GetString() ?? "",
            s.GetProperty("bannerActive").GetInt32(),
            s.GetProperty("bannerNone").GetBoolean(),
            s.GetProperty("bannerText").GetString() ?? "",
            s.GetProperty("bannerItems").EnumerateArray().Select(row => (IReadOnlyList<string>)row.EnumerateArray().Select(c => c.GetString() ?? "").ToList()).ToList(),
            s.GetProperty("lanes").GetInt32(),
            NullableInt(s.GetProperty("moreLanes")),
            s.GetProperty("moreLanesText").GetString() ?? "",
            s.GetProperty("requestRows").EnumerateArray().Select(e => e.GetString() ?? "").ToList(),
            NullableInt(s.GetProperty("moreRequestRows")),
            s.GetProperty("activityRows").GetInt32(),
            NullableInt(s.GetProperty("moreActivityRows")))).ToList();
    }

    private static async Task<List<SummaryRow>> SummaryAsync(BrowserPage page)
    {
        JsonElement rows = await page.Page.EvaluateAsync<JsonElement>(
            "() => [...document.querySelectorAll('tr[data-tenant]')].map(tr => ({ tenant: tr.dataset.tenant, cells: [...tr.querySelectorAll('td.num')].map(td => Number(td.textContent)) }))");
        return rows.EnumerateArray().Select(r => new SummaryRow(
            r.GetProperty("tenant").GetString() ?? "",
            r.GetProperty("cells").EnumerateArray().Select(c => c.GetInt32()).ToArray())).ToList();
    }

    private static int? NullableInt(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.GetInt32();

    private static Dictionary<string, int> Tally(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static bool SameTenant(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + $"… ({text.Length} characters)" : text;

    private sealed record Section(
        string Tenant, int BannerActive, bool BannerNone, string BannerText, IReadOnlyList<IReadOnlyList<string>> BannerItems,
        int Lanes, int? MoreLanes, string MoreLanesText, IReadOnlyList<string> RequestRows, int? MoreRequestRows, int ActivityRows, int? MoreActivityRows);

    private sealed record SummaryRow(string Tenant, int[] Cells);
}

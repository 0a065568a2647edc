using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// The fixture's own tests, on small hand-written pages (Browser/Pages): each thing the report's
/// browser tests assert is "none" (a script, a request, an accessibility fault) is shown here to
/// be seen when it is there, so that "none" on the report means none.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ReportBrowserFixtureTests
{
    private readonly ReportBrowser _browser;
    private readonly ITestOutputHelper _output;

    public ReportBrowserFixtureTests(ReportBrowser browser, ITestOutputHelper output)
    {
        _browser = browser;
        _output = output;
    }

    private static string PagePath(string name) => Path.Combine(AppContext.BaseDirectory, "Browser", "Pages", name);

    /// <summary>A variant of a hand-written page, written next to the test's other temporary files.</summary>
    private static string Variant(string name, Func<string, string> change)
    {
        string directory = Path.Combine(Path.GetTempPath(), "SupportAccessLogs.Tests.Browser", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        string original = File.ReadAllText(PagePath(name));
        string changed = change(original);
        Assert.NotEqual(original, changed);
        File.WriteAllText(path, changed);
        return path;
    }

    [Fact]
    public async Task CleanPage_ShowsNothing()
    {
        await using BrowserPage page = await _browser.OpenAsync(PagePath("clean.html"));

        Assert.True(page.Console.Count == 0, page.Describe());
        Assert.True(page.PageErrors.Count == 0, page.Describe());
        Assert.True(page.Requests.Count == 0, page.Describe());
        Assert.True(page.Dialogs.Count == 0, page.Describe());
        Assert.Empty(await _browser.AxeAsync(PagePath("clean.html")));
        _output.WriteLine($"Chromium {_browser.BrowserVersion}: clean.html loaded in {page.LoadTime.TotalMilliseconds:0} ms (navigation timing {page.NavigationLoadMilliseconds:0} ms)");
    }

    [Fact]
    public async Task ScriptUnderCsp_IsRefused_AndTheConsoleSaysSo()
    {
        await using BrowserPage page = await _browser.OpenAsync(PagePath("csp-blocks-script.html"));

        Assert.True(page.CspViolations.Any(c => c.Type == "error" && c.Text.Contains("script", StringComparison.OrdinalIgnoreCase)), page.Describe());
        Assert.True(await page.Page.EvaluateAsync<bool>("() => window.scriptRan === undefined"), page.Describe());
        Assert.Equal("not run", await page.Page.InnerTextAsync("#state"));
        // The style allowed by its hash applies: the policy refused the script, not everything.
        Assert.Equal("rgb(1, 2, 3)", await page.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
    }

    [Fact]
    public async Task ScriptWithoutCsp_Runs()
    {
        // The control for the test above: the same page without its policy runs the script, so
        // "did not run" there is the policy's doing.
        string path = Variant("csp-blocks-script.html", html => string.Join('\n', html.Split('\n').Where(l => !l.Contains("Content-Security-Policy", StringComparison.Ordinal))));
        await using BrowserPage page = await _browser.OpenAsync(path);

        Assert.True(page.CspViolations.Count == 0, page.Describe());
        Assert.True(await page.Page.EvaluateAsync<bool>("() => window.scriptRan === true"), page.Describe());
        Assert.Equal("ran", await page.Page.InnerTextAsync("#state"));
    }

    [Fact]
    public async Task ImageFromAnotherHost_IsRecordedAsARequest()
    {
        await using BrowserPage page = await _browser.OpenAsync(PagePath("fetches-image.html"));

        Assert.True(page.Requests.Contains("GET http://example.invalid/x.png"), page.Describe());
    }

    [Fact]
    public async Task AlertAndThrow_AreRecorded()
    {
        string path = Variant("clean.html", html => html
            .Replace("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">", "", StringComparison.Ordinal)
            .Replace("</main>", "<script>console.error('said in red'); alert('hello'); throw new Error('boom');</script></main>", StringComparison.Ordinal));
        await using BrowserPage page = await _browser.OpenAsync(path);

        Assert.True(page.Dialogs.SequenceEqual(new[] { "alert: hello" }), page.Describe());
        Assert.True(page.PageErrors.Any(e => e.Contains("boom", StringComparison.Ordinal)), page.Describe());
        Assert.True(page.ConsoleErrors.Any(c => c.Text == "said in red"), page.Describe());
    }

    [Fact]
    public async Task ImageWithoutAlt_IsAnAxeViolation()
    {
        var violations = await _browser.AxeAsync(PagePath("image-without-alt.html"));

        AxeViolation imageAlt = Assert.Single(violations, v => v.Id == "image-alt");
        Assert.True(imageAlt.IsSeriousOrWorse, imageAlt.ToString());
        Assert.Contains("<img", imageAlt.Html.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AxeRuns_UnderAPageCspThatForbidsScripts()
    {
        // axe is injected as a script; the second context bypasses the page's policy for it. The
        // locked page's one fault-free result is only believable if axe ran there at all.
        string path = Variant("csp-blocks-script.html", html => html.Replace("<h1>", "<h1><img src=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E\">", StringComparison.Ordinal));

        var violations = await _browser.AxeAsync(path);

        Assert.Contains(violations, v => v.Id == "image-alt");
    }

    [Fact]
    public async Task WideContent_IsSeenOverflowing_OnScreenAndInPrint()
    {
        string path = Variant("clean.html", html => html.Replace("<p id=\"end\">", "<p id=\"wide\">" + new string('W', 2000) + "</p><p id=\"end\">", StringComparison.Ordinal));
        await using BrowserPage page = await _browser.OpenAsync(path);

        PageWidth screen = await page.WidthAsync();
        Assert.True(screen.Overflows, screen.ToString());
        Assert.Contains(screen.WidestElements, e => e.StartsWith("<p#wide>", StringComparison.Ordinal));
        PageWidth print = await page.PrintWidthAsync("A4");
        Assert.True(print.Overflows, print.ToString());

        await using BrowserPage clean = await _browser.OpenAsync(PagePath("clean.html"));
        PageWidth cleanWidth = await clean.PrintWidthAsync("Letter");
        Assert.False(cleanWidth.Overflows, cleanWidth.ToString());
    }

    [Fact]
    public async Task HostileText_Unencoded_RunsFetchesAndBreaksTheLayout()
    {
        // The report's hostile-text test checks exactly these things; here they must all be seen.
        string directory = Path.Combine(Path.GetTempPath(), "SupportAccessLogs.Tests.Browser", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "unencoded.html");
        File.WriteAllText(path, HostileText.UnencodedPage());
        await using BrowserPage page = await _browser.OpenAsync(path);

        Assert.True(page.Dialogs.Count > 0, page.Describe());
        Assert.True(await page.FlagSetAsync(HostileText.Flag), page.Describe());
        Assert.True(page.Requests.Any(r => r.Contains("http://127.0.0.1:9/", StringComparison.Ordinal)), page.Describe());
        Assert.NotEmpty(await page.ActiveContentAsync());
        Assert.DoesNotContain("<script>alert(1)</script>", await page.BodyTextAsync(), StringComparison.Ordinal);
        PageWidth width = await page.WidthAsync();
        Assert.True(width.Overflows, width.ToString());
    }

    [Fact]
    public async Task ShapesWithoutATitle_AreFound()
    {
        await using BrowserPage clean = await _browser.OpenAsync(PagePath("clean.html"));
        (int shapes, IReadOnlyList<string> untitled) = await clean.UntitledShapesAsync();
        Assert.Equal(1, shapes);
        Assert.Empty(untitled);

        string path = Variant("clean.html", html => html.Replace("</svg>", "<circle cx=\"5\" cy=\"5\" r=\"3\"/><line x1=\"0\" x2=\"9\" y1=\"0\" y2=\"0\"><title> </title></line></svg><svg width=\"9\" height=\"9\"></svg>", StringComparison.Ordinal));
        await using BrowserPage page = await _browser.OpenAsync(path);
        (shapes, untitled) = await page.UntitledShapesAsync();

        Assert.Equal(3, shapes);
        Assert.Equal(3, untitled.Count);
        Assert.Contains(untitled, u => u.StartsWith("<circle", StringComparison.Ordinal));
        Assert.Contains(untitled, u => u.StartsWith("<line", StringComparison.Ordinal));
        Assert.Contains(untitled, u => u.StartsWith("<svg", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Screenshot_AndPdf_AreWritten()
    {
        await using BrowserPage page = await _browser.OpenAsync(PagePath("clean.html"), ColorScheme.Dark);

        string png = await page.ScreenshotAsync("fixture-clean-dark");
        byte[] pdf = await page.PdfAsync("A4", "fixture-clean-a4");

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
    }
}

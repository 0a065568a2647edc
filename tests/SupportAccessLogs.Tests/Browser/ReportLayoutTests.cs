using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// The report's layout holds: nothing is wider than the body, in a window and on paper. On paper
/// Chromium shrinks a page that is too wide until it fits, so the PDF looks whole but every letter
/// is smaller: the check is on the page laid out for print (print media, the paper's width less
/// the report's @page margins), before any shrinking.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ReportLayoutTests
{
    private readonly ReportBrowser _browser;
    private readonly Reports _reports;
    private readonly ITestOutputHelper _output;

    public ReportLayoutTests(ReportBrowser browser, Reports reports, ITestOutputHelper output)
    {
        _browser = browser;
        _reports = reports;
        _output = output;
    }

    [Theory]
    [InlineData("demo", 1280)]
    [InlineData("none-active", 1280)]
    [InlineData("two-tenants", 1280)]
    [InlineData("many", 1280)]
    [InlineData("demo", 800)]
    [InlineData("hostile", 800)]
    public async Task InAWindow_NothingIsWiderThanTheBody(string name, int windowWidth)
    {
        await using BrowserPage page = await _browser.OpenAsync(_reports[name].Path, width: windowWidth);

        PageWidth width = await page.WidthAsync();
        _output.WriteLine(width.ToString());
        Assert.False(width.Overflows, width.ToString());
    }

    [Theory]
    [InlineData("demo", "A4")]
    [InlineData("demo", "Letter")]
    [InlineData("two-tenants", "A4")]
    [InlineData("many", "Letter")]
    [InlineData("hostile", "A4")]
    [InlineData("hostile", "Letter")]
    public async Task OnPaper_NothingIsWiderThanThePage(string name, string paper)
    {
        await using BrowserPage page = await _browser.OpenAsync(_reports[name].Path);

        PageWidth width = await page.PrintWidthAsync(paper);
        _output.WriteLine(width.ToString());
        Assert.False(width.Overflows, width.ToString());
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// The browser test classes share one Chromium (starting it costs seconds on 2 busy cores) and
/// one set of reports (each read from an emulator).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<ReportBrowser>, ICollectionFixture<Reports>
{
    public const string Name = "Chromium";
}

/// <summary>
/// Debian's Chromium driven by Playwright, for pages opened from disk as a report's reader opens
/// it. Each page gets a fresh context and everything it does is recorded (console, page errors,
/// requests, dialogs), so a test asserts on what the browser saw rather than on the HTML text.
/// </summary>
public sealed class ReportBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// What this machine needs (machines/dotnet.md): no sandbox as root, and no background
    /// networking, since the closed network refuses Chromium's own connections many at a time.
    /// Playwright itself starts Chromium with a new empty user data directory (and refuses
    /// --user-data-dir here), so every run starts from a fresh profile.
    /// </summary>
    public static readonly IReadOnlyList<string> ChromiumArguments = new[]
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    };

    private readonly List<(string Name, string Contents, long Bytes, double LoadMs, double NavigationMs)> _loads = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>output/report-screenshots at the repository root (git-ignored), for people to look at.</summary>
    public static string ScreenshotDirectory
    {
        get
        {
            string directory = Path.Combine(ArchitectureTests.RepositoryRoot(), "output", "report-screenshots");
            Directory.CreateDirectory(directory);
            return directory;
        }
    }

    public string BrowserVersion => Browser.Version;

    private IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}: the browser tests drive Debian's chromium package " +
                "(Playwright's own browser download cannot work here). dotnet pwsh ./build.ps1 Test installs it " +
                "(as root, with apt-get); or run: apt-get update && apt-get install -y chromium");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
            // No upper bound on time anywhere in these tests: a busy machine is slow, not wrong.
            Timeout = 0,
        });
    }

    /// <summary>
    /// Notes how long a page took to load, for the benchmark's table (tests/perf/README.md); written
    /// to output/report-screenshots/load-times.md when the run ends. Measured, never asserted.
    /// </summary>
    public void RecordLoad(string name, BrowserPage page, long bytes, string contents)
    {
        lock (_loads)
        {
            _loads.Add((name, contents, bytes, page.LoadTime.TotalMilliseconds, page.NavigationLoadMilliseconds));
        }
    }

    public async Task DisposeAsync()
    {
        if (_loads.Count > 0)
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"Chromium {_browser?.Version} (headless, {ChromiumPath}), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, while the other browser tests ran.");
            text.AppendLine("Load: from navigation to the load event as the test saw it; loadEventEnd: the page's own navigation timing. Over every time a test opened the report: the first (cold), the median and the fastest.");
            text.AppendLine();
            text.AppendLine("| Report | Contents | File | Opened | Load first / median / fastest (ms) | loadEventEnd median (ms) |");
            text.AppendLine("|---|---|---:|---:|---:|---:|");
            lock (_loads)
            {
                foreach (var report in _loads.GroupBy(l => l.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var first = report.First();
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"| {report.Key} | {first.Contents} | {first.Bytes / 1024.0:0.0} KiB | {report.Count()} | {first.LoadMs:0} / {Median(report.Select(l => l.LoadMs)):0} / {report.Min(l => l.LoadMs):0} | {Median(report.Select(l => l.NavigationMs)):0} |");
                }
            }

            File.WriteAllText(Path.Combine(ScreenshotDirectory, "load-times.md"), text.ToString());
        }

        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>
    /// Opens <paramref name="htmlFile"/> (file://) in a fresh context with the page's own CSP in
    /// force, and waits for its load event. Requests to anything but the file itself are recorded
    /// and aborted, so that a page that fetches behaves the same here whether the network answers
    /// or not.
    /// </summary>
    public async Task<BrowserPage> OpenAsync(string htmlFile, ColorScheme colorScheme = ColorScheme.Light, int width = 1280, int height = 900)
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ColorScheme = colorScheme,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(0);
        context.SetDefaultNavigationTimeout(0);
        var page = new BrowserPage(context, await context.NewPageAsync(), new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri);
        await page.LoadAsync();
        return page;
    }

    /// <summary>
    /// axe-core over the page, in a second context that bypasses the page's CSP: axe is a script
    /// injected into the page, which a report's CSP rightly refuses. The page's own scripts still
    /// run there, so this context is never used to judge what the page runs.
    /// </summary>
    public async Task<IReadOnlyList<AxeViolation>> AxeAsync(string htmlFile, ColorScheme colorScheme = ColorScheme.Light)
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BypassCSP = true,
            ColorScheme = colorScheme,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        try
        {
            context.SetDefaultTimeout(0);
            context.SetDefaultNavigationTimeout(0);
            string url = new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri;
            await context.RouteAsync("**/*", route => route.Request.Url == url ? route.ContinueAsync() : route.AbortAsync());
            IPage page = await context.NewPageAsync();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            AxeResult result = await page.RunAxe();
            return result.Violations
                .Select(v => new AxeViolation(v.Id, v.Impact ?? "", v.Help, v.Nodes.Select(n => n.Html).ToList()))
                .ToList();
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>One axe-core rule that failed, with the markup of the elements it failed on.</summary>
public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Html)
{
    public bool IsSeriousOrWorse => Impact is "serious" or "critical";

    public override string ToString() =>
        $"{Id} ({Impact}): {Help} on {string.Join(" | ", Html.Take(3).Select(h => h.Length > 160 ? h[..160] + "…" : h))}";
}

/// <summary>A console message as Chromium logged it.</summary>
public sealed record ConsoleEntry(string Type, string Text)
{
    public override string ToString() => $"[{Type}] {Text}";
}

/// <summary>How wide the page's content is against its viewport.</summary>
public sealed record PageWidth(int BodyScrollWidth, int BodyClientWidth, int DocumentScrollWidth, int DocumentClientWidth, IReadOnlyList<string> WidestElements)
{
    public bool Overflows => BodyScrollWidth > BodyClientWidth || DocumentScrollWidth > DocumentClientWidth;

    public override string ToString() =>
        $"body {BodyScrollWidth}/{BodyClientWidth}px, document {DocumentScrollWidth}/{DocumentClientWidth}px (scroll/client)" +
        (WidestElements.Count > 0 ? "; wider than the page: " + string.Join(", ", WidestElements) : "");
}

/// <summary>One page opened by <see cref="ReportBrowser"/>, and everything it did.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly object _gate = new();
    private readonly List<ConsoleEntry> _console = new();
    private readonly List<string> _pageErrors = new();
    private readonly List<string> _requests = new();
    private readonly List<string> _dialogs = new();

    internal BrowserPage(IBrowserContext context, IPage page, string url)
    {
        _context = context;
        Page = page;
        Url = url;
        page.Console += (_, message) => Add(_console, new ConsoleEntry(message.Type, message.Text));
        page.PageError += (_, error) => Add(_pageErrors, error);
        page.Request += (_, request) =>
        {
            if (request.Url != Url)
            {
                Add(_requests, request.Method + " " + request.Url);
            }
        };
        page.WebSocket += (_, socket) => Add(_requests, "WebSocket " + socket.Url);
        page.Dialog += (_, dialog) =>
        {
            Add(_dialogs, dialog.Type + ": " + dialog.Message);
            // An open dialog blocks the page (and every later evaluation); close it and go on.
            _ = dialog.DismissAsync();
        };
    }

    public IPage Page { get; }

    /// <summary>The page's own file:// URL, the one request a self-contained page makes.</summary>
    public string Url { get; }

    public IReadOnlyList<ConsoleEntry> Console => Snapshot(_console);

    public IReadOnlyList<ConsoleEntry> ConsoleErrors => Console.Where(c => c.Type == "error").ToList();

    /// <summary>Chromium logs every Content-Security-Policy refusal to the console.</summary>
    public IReadOnlyList<ConsoleEntry> CspViolations =>
        Console.Where(c => c.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Uncaught exceptions in the page's scripts.</summary>
    public IReadOnlyList<string> PageErrors => Snapshot(_pageErrors);

    /// <summary>Every request but the page's own file, as "METHOD url".</summary>
    public IReadOnlyList<string> Requests => Snapshot(_requests);

    public IReadOnlyList<string> Dialogs => Snapshot(_dialogs);

    /// <summary>From the start of navigation to the end of the load event, as the caller saw it.</summary>
    public TimeSpan LoadTime { get; private set; }

    /// <summary>The page's own navigation timing: load event end, in milliseconds from navigation start.</summary>
    public double NavigationLoadMilliseconds { get; private set; }

    /// <summary>Everything the page did, for a failed assertion's message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("page ").Append(Url).AppendLine();
        Section(text, "console", Console.Select(c => c.ToString()));
        Section(text, "page errors", PageErrors);
        Section(text, "requests", Requests);
        Section(text, "dialogs", Dialogs);
        return text.ToString();
    }

    internal async Task LoadAsync()
    {
        await _context.RouteAsync("**/*", route => route.Request.Url == Url ? route.ContinueAsync() : route.AbortAsync());
        var clock = Stopwatch.StartNew();
        await Page.GotoAsync(Url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        LoadTime = clock.Elapsed;
        NavigationLoadMilliseconds = await Page.EvaluateAsync<double>(
            "() => { const n = performance.getEntriesByType('navigation')[0]; return n ? n.loadEventEnd : -1; }");
        // Two frames after load: what a page does on its first frames (a late handler, an image
        // that is laid out) is then in the record too.
        await Page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))");
    }

    /// <summary>A full-page PNG under output/report-screenshots; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        string path = Path.Combine(ReportBrowser.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Prints the page to PDF on <paramref name="format"/> ("A4", "Letter") and saves it next to the screenshots.</summary>
    public async Task<byte[]> PdfAsync(string format, string name)
    {
        string path = Path.Combine(ReportBrowser.ScreenshotDirectory, name + ".pdf");
        return await Page.PdfAsync(new PagePdfOptions { Format = format, PrintBackground = true, Path = path });
    }

    /// <summary>
    /// Lays the page out as it prints on <paramref name="format"/>: print media, and a viewport as
    /// wide as the paper less the page's own @page margins, which is the width Chromium prints into.
    /// </summary>
    public async Task<PageWidth> PrintWidthAsync(string format)
    {
        double paperInches = format switch
        {
            "A4" => 210 / 25.4,
            "Letter" => 8.5,
            _ => throw new ArgumentException("A4 or Letter", nameof(format)),
        };
        await Page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        double margins = await Page.EvaluateAsync<double>(PageMarginsScript);
        int width = (int)Math.Floor(paperInches * 96 - margins);
        await Page.SetViewportSizeAsync(width, 1100);
        return await WidthAsync();
    }

    /// <summary>The body's and the document's scroll width against their client width.</summary>
    public async Task<PageWidth> WidthAsync()
    {
        JsonElementReader r = new(await Page.EvaluateAsync<System.Text.Json.JsonElement>(WidthScript));
        return new PageWidth(r.Int("bodyScroll"), r.Int("bodyClient"), r.Int("docScroll"), r.Int("docClient"), r.Strings("widest"));
    }

    /// <summary>
    /// What in the document could run or fetch, whether or not it did: script, iframe, object,
    /// embed, img, base, link and refresh elements, event-handler attributes, and javascript: or
    /// remote URLs in attributes. A report made only of text, tables and inline SVG has none.
    /// </summary>
    public async Task<IReadOnlyList<string>> ActiveContentAsync() =>
        (await Page.EvaluateAsync<string[]>(ActiveContentScript)).ToList();

    /// <summary>
    /// The shapes drawn in the page's SVG, and those (and the drawings) that have no &lt;title&gt;
    /// with text as their first-level child: what a pointer or a screen reader would tell of them.
    /// A &lt;text&gt; is its own words and a &lt;g&gt; only groups; a drawing hidden from screen
    /// readers (aria-hidden) needs no title of its own.
    /// </summary>
    public async Task<(int Shapes, IReadOnlyList<string> Untitled)> UntitledShapesAsync()
    {
        System.Text.Json.JsonElement result = await Page.EvaluateAsync<System.Text.Json.JsonElement>("""
            () => {
              const titled = e => { const t = e.querySelector(':scope > title'); return t !== null && t.textContent.trim().length > 0; };
              const untitled = [];
              let shapes = 0;
              for (const svg of document.querySelectorAll('svg')) {
                if (svg.getAttribute('aria-hidden') !== 'true' && !titled(svg)) untitled.push('<svg id="' + svg.id + '">');
                for (const e of svg.querySelectorAll('rect, circle, ellipse, line, polyline, polygon, path')) {
                  shapes++;
                  if (!titled(e)) untitled.push(e.outerHTML.slice(0, 160));
                }
              }
              return { shapes, untitled };
            }
            """);
        return (result.GetProperty("shapes").GetInt32(), result.GetProperty("untitled").EnumerateArray().Select(e => e.GetString() ?? "").ToList());
    }

    /// <summary>The body's text as the reader sees it (innerText: no markup, no hidden text).</summary>
    public Task<string> BodyTextAsync() => Page.EvaluateAsync<string>("() => document.body.innerText");

    /// <summary>Whether the page (any frame of it) set window[<paramref name="name"/>].</summary>
    public async Task<bool> FlagSetAsync(string name)
    {
        foreach (IFrame frame in Page.Frames)
        {
            if (await frame.EvaluateAsync<bool>("name => window[name] !== undefined", name))
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private const string ActiveContentScript = """
        () => {
          const found = [];
          const tags = 'script, iframe, frame, object, embed, img, image, base, link, meta[http-equiv], form, audio, video, source, portal';
          for (const e of document.querySelectorAll(tags)) {
            if (e.tagName.toLowerCase() === 'meta' && e.getAttribute('http-equiv').toLowerCase() === 'content-security-policy') continue;
            found.push('<' + e.tagName.toLowerCase() + '> ' + e.outerHTML.slice(0, 120));
          }
          for (const e of document.querySelectorAll('*')) {
            for (const a of e.attributes) {
              const name = a.name.toLowerCase(), value = a.value.trim().toLowerCase();
              if (name.startsWith('on')) found.push(`<${e.tagName.toLowerCase()} ${name}>`);
              if (['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'srcdoc', 'background', 'poster'].includes(name)
                  && !value.startsWith('#')) found.push(`<${e.tagName.toLowerCase()} ${name}="${a.value.slice(0, 80)}">`);
              if (name === 'style' && /url\s*\(/.test(value)) found.push(`<${e.tagName.toLowerCase()} style with url()>`);
            }
          }
          return found;
        }
        """;

    private const string WidthScript = """
        () => {
          const doc = document.documentElement, body = document.body;
          // The body's own right edge: a centred body with a max-width can overflow itself
          // long before the window scrolls.
          const limit = Math.min(doc.clientWidth, body.getBoundingClientRect().right);
          // Text overflows its box without widening it, so an element's extent is the wider of
          // its box and its scrolled content; the culprits are the innermost such elements.
          // What a clipping ancestor hides (an <svg>'s shapes outside its view box) is not seen.
          const clipped = e => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
              if (a.namespaceURI === 'http://www.w3.org/2000/svg' && a.tagName.toLowerCase() === 'svg') return true;
              if (getComputedStyle(a).overflowX !== 'visible') return true;
            }
            return false;
          };
          const over = [...document.querySelectorAll('body *')].filter(e => {
            if (clipped(e)) return false;
            const r = e.getBoundingClientRect();
            return Math.max(r.right, r.left + (e.clientWidth > 0 ? e.scrollWidth : 0)) > limit + 0.5;
          });
          const widest = over.filter(e => !over.some(o => o !== e && e.contains(o)))
            .slice(0, 5)
            .map(e => {
              const name = x => `<${x.tagName.toLowerCase()}${x.id ? '#' + x.id : ''}${typeof x.className === 'string' && x.className.trim() ? '.' + x.className.trim().split(/\s+/).join('.') : ''}>`;
              const table = e.closest('table');
              return `${name(e)}${table && table !== e ? ' in ' + name(table) : ''} ${Math.round(e.getBoundingClientRect().left + e.scrollWidth)}px`;
            });
          return { bodyScroll: body.scrollWidth, bodyClient: body.clientWidth, docScroll: doc.scrollWidth, docClient: doc.clientWidth, widest };
        }
        """;

    // The left and right margins of the page's @page rules in CSS pixels (96 per inch); none is 0,
    // which is what Playwright's PDF uses when neither the page nor the call sets one.
    private const string PageMarginsScript = """
        () => {
          const px = v => {
            const m = /^(-?[\d.]+)(px|mm|cm|in|pt|pc)?$/.exec((v || '').trim());
            if (!m) return 0;
            const n = parseFloat(m[1]);
            return n * ({ px: 1, mm: 96 / 25.4, cm: 96 / 2.54, in: 96, pt: 96 / 72, pc: 16 }[m[2] || 'px']);
          };
          let left = 0, right = 0;
          for (const sheet of document.styleSheets) {
            let rules;
            try { rules = sheet.cssRules; } catch { continue; }
            for (const rule of rules) {
              if (rule instanceof CSSPageRule && !rule.selectorText) {
                if (rule.style.marginLeft) left = px(rule.style.marginLeft);
                if (rule.style.marginRight) right = px(rule.style.marginRight);
              }
            }
          }
          return left + right;
        }
        """;

    private void Add<T>(List<T> list, T item)
    {
        lock (_gate)
        {
            list.Add(item);
        }
    }

    private IReadOnlyList<T> Snapshot<T>(List<T> list)
    {
        lock (_gate)
        {
            return list.ToList();
        }
    }

    private static void Section(StringBuilder text, string name, IEnumerable<string> lines)
    {
        var all = lines.ToList();
        text.Append(name).Append(": ").Append(all.Count == 0 ? "none" : all.Count.ToString(CultureInfo.InvariantCulture)).AppendLine();
        foreach (string line in all.Take(20))
        {
            text.Append("  ").AppendLine(line.Length > 300 ? line[..300] + "…" : line);
        }
    }

    private readonly struct JsonElementReader
    {
        private readonly System.Text.Json.JsonElement _element;

        public JsonElementReader(System.Text.Json.JsonElement element) => _element = element;

        public int Int(string name) => _element.GetProperty(name).GetInt32();

        public IReadOnlyList<string> Strings(string name) =>
            _element.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? "").ToList();
    }
}

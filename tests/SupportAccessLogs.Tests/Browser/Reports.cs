using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Report;
using Xunit;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>A report written to disk, and what it was made from.</summary>
internal sealed record GeneratedReport(string Name, string Path, ReportData Data)
{
    public IReadOnlyList<SupportAccessRequest> Requests => Data.Requests;

    public IReadOnlyList<ReportActivity> Activities => Data.Activities;

    /// <summary>The tenants in the page's order: those read, then those the records name.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = Array.Empty<string>();

    /// <summary>How long grouping and writing took (measured for the benchmark, never asserted).</summary>
    public TimeSpan Written { get; init; }

    public List<SupportAccessRequest> RequestsOf(string tenant) => Requests.Where(r => string.Equals(r.TenantId, tenant, StringComparison.OrdinalIgnoreCase)).ToList();
}

/// <summary>
/// The reports, written once for the browser tests as Export-SupportAccessReport writes them: the
/// activities through <see cref="ReportCollector"/> (grouped at the report's "now"), or the
/// requests as given, then <see cref="ReportFile"/>. Beside the screenshots, to be looked at.
/// </summary>
public sealed class Reports : IAsyncLifetime
{
    private readonly Dictionary<string, GeneratedReport> _reports = new(StringComparer.Ordinal);

    internal GeneratedReport this[string name] => _reports[name];

    public async Task InitializeAsync()
    {
        await using (EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions()))
        {
            ReportInput demo = await ReportInputs.ReadAsync(server);
            Add("demo", demo, activities: true);
            // Requests as given (no activities), none of them active: the banner's other face.
            Add("none-active", demo with { Requests = demo.Requests.Where(r => !r.IsAccessActive).ToList() }, activities: false);
        }

        await using (EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { OtherTenants = [new OtherTenant(DemoTenant.PartnerTenantId)] }))
        {
            Add("two-tenants", await ReportInputs.ReadAsync(server), activities: true);
        }

        // More requests than lanes and than table rows: the drawing and the tables say how many more.
        await using (EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { BulkRecordCount = 3000 }))
        {
            Add("many", await ReportInputs.ReadAsync(server), activities: true);
        }

        // The scale issue 25 names: about 10,000 requests and over 100,000 activities (every
        // table and the drawing limited, each with its note).
        await using (EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { BulkRecordCount = 120_000 }))
        {
            Add("scale", await ReportInputs.ReadAsync(server), activities: true);
        }

        Add("hostile", HostileText.Input(DateTime.UtcNow), activities: true);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private void Add(string name, ReportInput input, bool activities)
    {
        var collector = new ReportCollector();
        if (activities)
        {
            foreach (SupportAccessActivity activity in input.Activities)
            {
                collector.Add(activity);
            }
        }
        else
        {
            foreach (SupportAccessRequest request in input.Requests)
            {
                collector.Add(request);
            }
        }

        var source = new ReportSource
        {
            Origin = "Microsoft Graph",
            Tenants = input.Tenants,
            WindowStartUtc = input.StartUtc,
            WindowEndUtc = input.EndUtc,
            GeneratedUtc = input.NowUtc,
            ModuleVersion = ModuleBuild.Version,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ReportData data = collector.Close(source, new Quiet());
        string path = System.IO.Path.Combine(ReportBrowser.ScreenshotDirectory, $"report-{name}.html");
        ReportFile.Write(path, data);
        TimeSpan written = clock.Elapsed;
        var tenants = new List<string>(input.Tenants);
        foreach (string tenant in data.Requests.Select(r => r.TenantId).Concat(data.Activities.Select(a => a.TenantId)))
        {
            if (!tenants.Contains(tenant, StringComparer.OrdinalIgnoreCase))
            {
                tenants.Add(tenant);
            }
        }

        _reports.Add(name, new GeneratedReport(name, path, data) { Tenants = tenants, Written = written });
    }

    private sealed class Quiet : IMessageSink
    {
        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }
    }
}

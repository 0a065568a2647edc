using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Records;
using SupportAccessLogs.Report;

namespace SupportAccessLogs.Perf;

/// <summary>
/// Issue 25: what the HTML report costs. Activities of four-step requests, classified as the
/// cmdlet classifies them and gathered as Export-SupportAccessReport gathers them; the page
/// written to a file, timed against writing the same activities as JSON lines to a file in the
/// same process (the baseline: what any export of them costs), alternately, the median of the
/// runs. The page is left on disk for Invoke-Bench.ps1 to load in Chromium.
/// </summary>
internal static class ReportBenchmark
{
    private static readonly string[] Steps = { "Request created", "Request approved", "Access approved", "Access removed" };

    public static void Run(int activities, int runs, string folder)
    {
        var classifier = new ActivityClassifier(Guid.Parse("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"));
        DateTimeOffset start = DateTimeOffset.UtcNow.AddDays(-60);
        byte[] raw = Encoding.UTF8.GetBytes("{}");
        var collector = new ReportCollector();
        var rows = new List<SupportAccessActivity>(activities);
        for (int i = 0; i < activities; i++)
        {
            int request = i / 4;
            var record = new AuditRecord
            {
                Id = $"Directory_{i:x12}",
                Category = ClassificationRules.AuditCategory,
                CorrelationId = Guid.NewGuid().ToString(),
                Result = "success",
                ActivityDisplayName = Steps[i % 4],
                ActivityDateTime = start.AddSeconds(i * (60 * 24 * 3600.0 / activities)),
                LoggedByService = ClassificationRules.LoggedByService,
                InitiatedBy = new AuditInitiator { User = new AuditUser { Id = "5e2d8f40-1a3b-4c6d-8e9f-a0b1c2d3e4f5", UserPrincipalName = $"admin{i % 17}@contoso.com" } },
                TargetResources = new List<AuditTargetResource?> { new() { Id = $"t-{request}", DisplayName = LifecycleRules.RequestTargetName, Type = "Other" } },
                AdditionalDetails = new List<AuditKeyValue?> { new() { Key = "SupportRequestId", Value = (2611000000000000L + request).ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            };
            SupportAccessActivity activity = classifier.Classify(record, raw);
            rows.Add(activity);
            collector.Add(activity);
        }

        var source = new ReportSource { Origin = "benchmark", Tenants = new[] { "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f" }, GeneratedUtc = DateTime.UtcNow, ModuleVersion = "bench" };
        ReportData data = collector.Close(source, new Quiet());
        Directory.CreateDirectory(folder);
        string page = Path.Combine(folder, $"report-{activities}.html");
        string lines = Path.Combine(folder, $"report-{activities}.jsonl");
        var html = new List<double>();
        var json = new List<double>();
        for (int run = 0; run < runs + 1; run++)
        {
            // Alternate which goes first, so the machine's load falls on both alike; run 0 warms up.
            bool htmlFirst = run % 2 == 0;
            double a = htmlFirst ? Time(() => WriteHtml(page, data)) : Time(() => WriteJson(lines, rows));
            double b = htmlFirst ? Time(() => WriteJson(lines, rows)) : Time(() => WriteHtml(page, data));
            if (run > 0)
            {
                html.Add(htmlFirst ? a : b);
                json.Add(htmlFirst ? b : a);
            }
        }

        long bytes = new FileInfo(page).Length;
        double htmlMs = Median(html);
        double jsonMs = Median(json);
        Console.WriteLine(FormattableString.Invariant(
            $"Report of {activities} activities ({data.Requests.Count} requests): {htmlMs:0.0} ms, {bytes / 1024.0:0} KiB; the same activities as JSON lines: {jsonMs:0.0} ms, {new FileInfo(lines).Length / 1024.0:0} KiB."));
        Console.WriteLine(FormattableString.Invariant($"RESULT reportMs{activities}={htmlMs:0.0} reportJsonMs{activities}={jsonMs:0.0} reportBytes{activities}={bytes} reportRequests{activities}={data.Requests.Count}"));
        Console.WriteLine("PAGE " + page);
    }

    private static void WriteHtml(string path, ReportData data)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        HtmlReport.Write(writer, data);
    }

    private static void WriteJson(string path, List<SupportAccessActivity> rows)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var writer = new Utf8JsonWriter(stream);
        foreach (SupportAccessActivity row in rows)
        {
            JsonSerializer.Serialize(writer, new
            {
                row.Id, Time = row.ActivityTime, Category = row.Category.ToString(), Activity = row.Activity.ToString(), row.InitiatedBy,
                row.SupportRequestId, row.ClassificationReason,
            });
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
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

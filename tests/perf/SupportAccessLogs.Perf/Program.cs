using System;
using System.IO;
using System.Threading.Tasks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SupportAccessLogs.Perf;

/// <summary>
/// Usage:
///   SupportAccessLogs.Perf [--base-url URL] [--records N] [--runs R] [--paths abce]   transfer floor (a), Graph SDK (b), query service (c), SDK adapter without parsing (e)
///   SupportAccessLogs.Perf --micro [BenchmarkDotNet arguments]          parse and classify per record
///   SupportAccessLogs.Perf --workspace-rows N [--runs R]                the Log Analytics path (w) against the same answers raw (r)
///   SupportAccessLogs.Perf --workspace-filter N [--runs R]              a filter nearest 5 % run in the workspace, against the same read unfiltered
///   SupportAccessLogs.Perf --request-grouping N S                       memory held grouping N activities into requests of S steps
///   SupportAccessLogs.Perf --report N R FOLDER                          the HTML report of N activities against JSON lines of them, R runs; the page left in FOLDER
///   SupportAccessLogs.Perf --tenants                                    8 tenants x 6 pages side by side against 1 tenant, throttle and pacing on
/// Without --base-url the Graph emulator runs in-process with N bulk records.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "--micro" or "micro")
        {
            IConfig config = DefaultConfig.Instance
                .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
                .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
            BenchmarkSwitcher.FromTypes([typeof(ParseBenchmarks), typeof(ClassifyBenchmarks)])
                .Run(args[1..].Length > 0 ? args[1..] : ["--filter", "*"], config);
            return 0;
        }

        if (args.Length > 1 && args[0] == "--workspace-profile")
        {
            await MacroBenchmarks.ProfileWorkspaceAsync(int.Parse(args[1]));
            return 0;
        }

        if (args.Length > 0 && args[0] == "--tenants")
        {
            await TenantsBenchmark.RunAsync();
            return 0;
        }

        if (args.Length > 3 && args[0] == "--report")
        {
            ReportBenchmark.Run(int.Parse(args[1]), int.Parse(args[2]), args[3]);
            return 0;
        }

        if (args.Length > 2 && args[0] == "--request-grouping")
        {
            RequestGroupingBenchmark.Run(int.Parse(args[1]), int.Parse(args[2]));
            return 0;
        }

        if (args.Length > 1 && args[0] == "--workspace-filter")
        {
            int runsArgument = args.Length > 3 && args[2] == "--runs" ? int.Parse(args[3]) : 3;
            await WorkspaceFilterBenchmark.RunAsync(int.Parse(args[1]), runsArgument);
            return 0;
        }

        if (args.Length > 1 && args[0] == "--workspace-rows")
        {
            int runsArgument = args.Length > 3 && args[2] == "--runs" ? int.Parse(args[3]) : 5;
            await MacroBenchmarks.RunWorkspaceAsync(int.Parse(args[1]), runsArgument);
            return 0;
        }

        Uri? baseUrl = null;
        int records = 20_000;
        int runs = 5;
        string paths = "abce";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--base-url": baseUrl = new Uri(args[i + 1]); break;
                case "--records": records = int.Parse(args[i + 1]); break;
                case "--runs": runs = int.Parse(args[i + 1]); break;
                // A subset, e.g. "c" alone, to profile one path without the others' samples.
                case "--paths": paths = args[i + 1]; break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
                    return 2;
            }
        }

        await MacroBenchmarks.RunAsync(baseUrl, records, runs, paths);
        return 0;
    }
}

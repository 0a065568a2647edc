using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace SupportAccessLogs.Tests;

/// <summary>
/// Microsoft's own KQL analyzer (Kusto.Language) for the tests: parses and binds KQL against the
/// documented AuditLogs schema and tells its diagnostics and result columns. Kusto.Language is
/// not on the NuGet feed here, so this runs its JavaScript build (npm @kusto/language-service-next)
/// with node through tests/kql-analyzer/analyze.js. One call is one node process: 2.5-3 s and
/// about 220 MB for loading and the first query, then 10-40 ms a query (measured on 2 busy cores),
/// so analyze every query of a test class in one call.
/// </summary>
internal static class KqlAnalyzer
{
    /// <summary>
    /// The Log Analytics AuditLogs table, as documented in the Azure Monitor table reference
    /// (https://learn.microsoft.com/azure/azure-monitor/reference/tables/auditlogs), in its
    /// order. Only what is documented: a column that a generated query needs and that is not
    /// here is a question for that page, not a line to add.
    /// </summary>
    public const string AuditLogsSchema =
        "(TenantId:string, SourceSystem:string, TimeGenerated:datetime, ResourceId:string, OperationName:string, " +
        "OperationVersion:string, Category:string, ResultType:string, ResultSignature:string, ResultDescription:string, " +
        "DurationMs:long, CorrelationId:string, Resource:string, ResourceGroup:string, ResourceProvider:string, " +
        "Identity:string, Level:string, Location:string, AdditionalDetails:dynamic, Id:string, InitiatedBy:dynamic, " +
        "LoggedByService:string, Result:string, ResultReason:string, TargetResources:dynamic, AADTenantId:string, " +
        "ActivityDisplayName:string, ActivityDateTime:datetime, AADOperationType:string, Type:string)";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Analyzes each query over the AuditLogs table and the given functions (each also analyzed
    /// on its own, as the .create-or-alter function command that would create it).
    /// </summary>
    public static async Task<KqlReport> AnalyzeAsync(
        IReadOnlyList<(string Name, string Text)> queries, IReadOnlyList<KqlFunction>? functions = null)
    {
        var request = new
        {
            tables = new[] { new { name = "AuditLogs", schema = AuditLogsSchema } },
            functions = (functions ?? Array.Empty<KqlFunction>()).Select(f => new { name = f.Name, parameters = f.Parameters, body = f.Body }),
            queries = queries.Select(q => new { name = q.Name, text = q.Text }),
        };
        (int exitCode, string output, string error) = await RunAsync(JsonSerializer.Serialize(request, Json));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"tests/kql-analyzer/analyze.js failed with exit code {exitCode}: {error.Trim()}");
        }

        Response response = JsonSerializer.Deserialize<Response>(output, Json)
            ?? throw new InvalidOperationException("tests/kql-analyzer/analyze.js wrote no result: " + error.Trim());
        // The answer is matched back to the texts by position: analyze.js keeps the order it is given.
        if (response.Queries.Count != queries.Count || response.Queries.Where((q, i) => q.Name != queries[i].Name).Any())
        {
            throw new InvalidOperationException("tests/kql-analyzer/analyze.js answered for other queries than it was given.");
        }

        return new KqlReport(
            response.Queries.Select((q, i) => new KqlAnalysis(q.Name, queries[i].Text, q.Diagnostics, q.Columns)).ToList(),
            response.Functions.Select(f => new KqlAnalysis(f.Name, f.Text, f.Diagnostics, null)).ToList());
    }

    /// <summary>Runs analyze.js with <paramref name="input"/> on its standard input, as is.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(string input)
    {
        string directory = Path.Combine(ArchitectureTests.RepositoryRoot(), "tests", "kql-analyzer");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@kusto", "language-service-next")))
        {
            throw new InvalidOperationException(
                $"The KQL analyzer's package is not installed in {directory}: run npm ci in tests/kql-analyzer " +
                "(dotnet pwsh ./build.ps1 Test does it).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(directory, "analyze.js"));
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "The KQL analyzer needs Node.js 18 or later on PATH ('node' could not be started: " + e.Message +
                "), then npm ci in tests/kql-analyzer (dotnet pwsh ./build.ps1 Test does it).", e);
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            try
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // analyze.js exits on bad input before it has read it all; its exit code and stderr tell why.
            }

            try
            {
                await process.WaitForExitAsync().WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                process.Kill();
                throw new TimeoutException($"tests/kql-analyzer/analyze.js did not finish within {Timeout.TotalSeconds} s.");
            }

            return (process.ExitCode, await output, await error);
        }
    }

    private sealed record Response(IReadOnlyList<QueryResponse> Queries, IReadOnlyList<FunctionResponse> Functions);

    private sealed record QueryResponse(string Name, IReadOnlyList<KqlDiagnostic> Diagnostics, IReadOnlyList<KqlColumn>? Columns);

    private sealed record FunctionResponse(string Name, string Text, IReadOnlyList<KqlDiagnostic> Diagnostics);
}

/// <summary>A stored function that queries may call: <paramref name="Parameters"/> with its
/// parentheses, e.g. "(lookback:timespan = 30d)"; <paramref name="Body"/> with or without braces.</summary>
internal sealed record KqlFunction(string Name, string Parameters, string Body);

/// <summary>
/// One finding. <see cref="Severity"/> is Kusto's: Error, Warning, Suggestion, Information or
/// Hidden. <see cref="Source"/> is "compiler" (parser and binder) or "analyzer" (the lint rules
/// Kusto's editors show, e.g. KS508 join without kind, KS512 a called function has errors).
/// <see cref="Start"/> and <see cref="Length"/> index the analyzed text.
/// </summary>
internal sealed record KqlDiagnostic(string Severity, string Code, string Message, int Start, int Length, string Source)
{
    public bool IsErrorOrWarning => Severity is "Error" or "Warning";
}

/// <summary>A result column; <see cref="Type"/> as Kusto names it: string, datetime, long, int,
/// real, bool, decimal, dynamic, guid, timespan, or "unknown" where the analyzer could not tell.</summary>
internal sealed record KqlColumn(string Name, string Type);

/// <summary>What the analyzer said about one text. <see cref="Columns"/> is null for a scalar
/// (non-tabular) result and always for a function's own analysis.</summary>
internal sealed record KqlAnalysis(string Name, string Text, IReadOnlyList<KqlDiagnostic> Diagnostics, IReadOnlyList<KqlColumn>? Columns)
{
    public IEnumerable<KqlDiagnostic> ErrorsAndWarnings => Diagnostics.Where(d => d.IsErrorOrWarning);

    /// <summary>True when the analyzer found no error and no warning (suggestions are allowed).</summary>
    public bool IsClean => !ErrorsAndWarnings.Any();

    /// <summary>"name:type, …" for comparing with an expected schema in one assertion.</summary>
    public string? Schema => Columns is null ? null : string.Join(", ", Columns.Select(c => $"{c.Name}:{c.Type}"));

    /// <summary>The diagnostics with the text each one points at, for assertion messages.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(Name).Append(": ").Append(Diagnostics.Count).Append(" diagnostic(s)");
        foreach (KqlDiagnostic d in Diagnostics)
        {
            int start = Math.Clamp(d.Start, 0, Text.Length);
            int length = Math.Clamp(d.Length, 0, Text.Length - start);
            text.Append('\n').Append($"  {d.Severity} {d.Code} ({d.Source}) at {d.Start}: {d.Message} [{Text.Substring(start, length)}]");
        }

        return text.Append('\n').Append("  in: ").Append(Text).ToString();
    }
}

/// <summary>The analysis of every query, in the order given, and of every function.</summary>
internal sealed record KqlReport(IReadOnlyList<KqlAnalysis> Queries, IReadOnlyList<KqlAnalysis> Functions)
{
    /// <summary>The query of that name.</summary>
    public KqlAnalysis this[string name] => Queries.Single(q => q.Name == name);

    public KqlAnalysis Function(string name) => Functions.Single(f => f.Name == name);
}

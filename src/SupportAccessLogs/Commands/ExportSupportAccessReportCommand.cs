using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Report;

namespace SupportAccessLogs.Commands;

/// <summary>
/// One self-contained HTML page of who could reach the tenant, and when: from the activities or
/// requests piped in, or read with Get-SupportAccessRequest's parameters. Writes the file and
/// returns it. The page itself is made in Report/.
/// </summary>
[Cmdlet(VerbsData.Export, "SupportAccessReport", DefaultParameterSetName = ReadSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportSupportAccessReportCommand : SupportAccessQueryCommand
{
    private const string ReadSet = "Read";
    private const string InputSet = "InputObject";
    private readonly ReportCollector _collector = new();
    private bool _fromInput;
    private string _path = "";

    /// <summary>The HTML file to write (replaced when it exists).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Activities (from Get-SupportAccessActivity, or read back from its CSV or JSON) or
    /// requests (from Get-SupportAccessRequest) to report on.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [AllowNull]
    [AllowEmptyCollection]
    public PSObject?[]? InputObject { get; set; } = Array.Empty<PSObject>();

    protected override void BeginProcessing()
    {
        try
        {
            _path = FileSystemPath.Resolve(this, Path, "-Path");
            if (Directory.Exists(_path))
            {
                throw new ModuleException("ReportPathIsDirectory", ErrorCategory.InvalidArgument,
                    $"-Path '{Path}' is a directory. Give the path of the HTML file to write, for example {System.IO.Path.Combine(Path, "support-access-report.html")}.", Path);
            }
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }

        PrepareQuery(WindowQuery);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != InputSet)
        {
            GatherConnections();
            return;
        }

        foreach (PSObject? input in InputObject ?? Array.Empty<PSObject?>())
        {
            if (input?.BaseObject is null)
            {
                continue;
            }

            if (input.BaseObject is SupportAccessConnection connection)
            {
                GatherConnection(connection);
                continue;
            }

            _fromInput = true;
            try
            {
                _collector.Add(input);
            }
            catch (ModuleException ex)
            {
                // One object that is no activity or request is reported; the rest still make the report.
                WriteError(ErrorRecords.ToErrorRecord(ex, null));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_fromInput && GatheredAny)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("Both records and connections came through the pipeline. Pipe activities or requests to report on them, or connections to read them, not both."),
                "RecordsAndConnectionsPiped", ErrorCategory.InvalidArgument, null));
        }

        if (_fromInput || (MyInvocation.ExpectingInput && !GatheredAny))
        {
            // Records from the pipeline (or an empty pipeline: a report of nothing, said plainly).
            ReportSource source = Source(origin: "pipeline input", tenants: Array.Empty<string>(), window: false);
            WriteReport(_collector.Close(source, new CmdletMessageSink(this)));
            return;
        }

        ReadGatheredConnections();
    }

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (SupportAccessActivity activity in ReadActivitiesAsync(messages, cancellationToken).ConfigureAwait(false))
        {
            _collector.Add(activity);
        }

        string origin = WorkspaceId is null
            ? "Microsoft Graph (audit log, directory audits)"
            : $"Log Analytics workspace{(WorkspaceId.Length == 1 ? "" : "s")} {string.Join(", ", WorkspaceId)} (AuditLogs)";
        ReportSource source = Source(origin, Connections.Select(c => c.TenantId.ToString()).ToList(), window: true) with
        {
            FailedTenants = FailedConnections.Select(c => c.TenantId.ToString()).ToList(),
        };
        if (FailedConnections.Count > 0)
        {
            messages.WriteWarning($"The report marks {FailedConnections.Count} tenant{(FailedConnections.Count == 1 ? "" : "s")} whose read failed (reported above) as not read: it says nothing of {(FailedConnections.Count == 1 ? "its" : "their")} access.");
        }

        yield return _collector.Close(source, messages);
    }

    /// <summary>The producer hands the data back to the pipeline thread, which asks ShouldProcess and writes.</summary>
    protected override void WriteProduced(object item) => WriteReport((ReportData)item);

    private ReportSource Source(string origin, IReadOnlyList<string> tenants, bool window) => new()
    {
        Origin = origin,
        Tenants = tenants,
        WindowStartUtc = window ? Query.StartUtc : null,
        WindowEndUtc = window ? Query.EndUtc : null,
        GeneratedUtc = DateTime.UtcNow,
        ModuleVersion = ModuleBuild.Version,
    };

    private void WriteReport(ReportData data)
    {
        if (!ShouldProcess(_path, $"Write a report of {data.Requests.Count} support requests and {data.Activities.Count} activities"))
        {
            return;
        }

        try
        {
            WriteObject(FileSystemPath.Item(this, ReportFile.Write(_path, data)));
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }
    }
}

using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using SupportAccessLogs.KqlRules;

namespace SupportAccessLogs.Commands;

/// <summary>
/// The module's classification rules as KQL, for Log Analytics, Microsoft Sentinel and Azure Data
/// Explorer: a query, a Sentinel parser, an ARM template, a Data Explorer command or an analytics
/// rule, as text or written to a file. Everything it writes is generated in KqlRules.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessKql", SupportsShouldProcess = true)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class GetSupportAccessKqlCommand : PSCmdlet
{
    /// <summary>Support-access activities, or support requests.</summary>
    [Parameter]
    public KqlKind Kind { get; set; } = KqlKind.Activity;

    /// <summary>How the rules are handed over.</summary>
    [Parameter]
    public KqlFormat Format { get; set; } = KqlFormat.Kql;

    /// <summary>The function's name (by default SupportAccessActivity or SupportAccessRequest).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FunctionName { get; set; }

    /// <summary>
    /// With -Kind Request -Format AnalyticsRule: how long Microsoft Support's access may stay
    /// active before the rule alerts (whole minutes, 1 hour to 13 days 23 hours; 1 day by default).
    /// </summary>
    [Parameter]
    public TimeSpan? ActiveLongerThan { get; set; }

    /// <summary>Writes the text to this file instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            CheckActiveLongerThan();
            KqlFunction function = KqlFunctions.Of(Kind, FunctionName ?? KqlFunctions.DefaultName(Kind));
            string text = KqlFormats.Render(function, Format, Kind, ModuleBuild.Version, DateTime.UtcNow, ActiveLongerThan);
            if (Path is null)
            {
                WriteObject(text);
                return;
            }

            string path = FileSystemPath.Resolve(this, Path, "-Path");
            if (Directory.Exists(path))
            {
                throw new ModuleException("KqlPathIsDirectory", ErrorCategory.InvalidArgument,
                    $"-Path '{Path}' is a directory. Give the path of the file to write, for example {System.IO.Path.Combine(Path, function.Name + Extension(Format))}.", Path);
            }

            if (ShouldProcess(path, $"Write the {Format} of {function.Name}"))
            {
                WriteObject(FileSystemPath.Item(this, Write(path, text)));
            }
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }
    }

    /// <summary>-ActiveLongerThan only where it means something, and only what the rule can keep.</summary>
    private void CheckActiveLongerThan()
    {
        if (ActiveLongerThan is not TimeSpan threshold)
        {
            return;
        }

        if (Kind != KqlKind.Request || Format != KqlFormat.AnalyticsRule)
        {
            throw new ModuleException("KqlParameterNotApplicable", ErrorCategory.InvalidArgument,
                "-ActiveLongerThan is the threshold of the request rule: use it with -Kind Request -Format AnalyticsRule, or leave it out.", threshold);
        }

        if (!KqlFormats.IsActiveLongerThanValid(threshold))
        {
            throw new ModuleException("KqlThresholdOutOfRange", ErrorCategory.InvalidArgument,
                string.Format(CultureInfo.InvariantCulture,
                    "-ActiveLongerThan {0} is not a threshold the rule can keep: give whole minutes from {1} (the rule runs every hour) to {2} (it looks back 14 days, and the grant must be inside that), for example -ActiveLongerThan 8:00:00 or (New-TimeSpan -Days 2).",
                    threshold, KqlFormats.MinActiveLongerThan, KqlFormats.MaxActiveLongerThan),
                threshold);
        }
    }

    /// <summary>The text and a final line end, as UTF-8 without a byte-order mark; the folder is made when missing.</summary>
    private static FileInfo Write(string path, string text)
    {
        try
        {
            string? folder = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(path, text + "\n", new UTF8Encoding(false));
            return new FileInfo(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModuleException("KqlFileNotWritten", ErrorCategory.WriteError, $"Could not write '{path}': {ex.Message}", path, ex);
        }
    }

    private static string Extension(KqlFormat format) => format switch
    {
        KqlFormat.SentinelParser or KqlFormat.AnalyticsRule => ".yaml",
        KqlFormat.ArmTemplate => ".json",
        _ => ".kql",
    };
}

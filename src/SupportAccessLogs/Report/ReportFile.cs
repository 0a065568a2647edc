using System;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace SupportAccessLogs.Report;

/// <summary>Writes a report to its file whole, or not at all.</summary>
internal static class ReportFile
{
    /// <summary>
    /// The report written beside <paramref name="path"/> first and then moved over it, so a
    /// failure midway leaves the file that was there (or none), never half a page. UTF-8 without
    /// a byte-order mark; the folder is made when missing.
    /// </summary>
    public static FileInfo Write(string path, ReportData data)
    {
        string? folder = Path.GetDirectoryName(path);
        string partial = path + ".partial";
        try
        {
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            using (var writer = new StreamWriter(partial, append: false, new UTF8Encoding(false)))
            {
                HtmlReport.Write(writer, data);
            }

            if (File.Exists(path))
            {
                File.Replace(partial, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(partial, path);
            }

            return new FileInfo(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(partial);
            throw new ModuleException("ReportNotWritten", ErrorCategory.WriteError, $"Could not write the report to '{path}': {ex.Message}", path, ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The error about the report says what went wrong; a leftover .partial is named by its path.
        }
    }
}

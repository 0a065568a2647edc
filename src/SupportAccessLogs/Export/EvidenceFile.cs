using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Export;

/// <summary>
/// An evidence file, held by one writer for as long as a run lasts (docs/architecture.md,
/// "Evidence files"): opened exclusively, read back (which activities it holds, each tenant's
/// newest), a record torn by a run that stopped mid-write cut off, and new records appended and
/// flushed to disk before the run reports success.
/// </summary>
internal sealed class EvidenceFile : IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly FileStream _stream;
    private readonly EvidenceFormat _format;
    private readonly HashSet<string> _held = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DateTime> _newestByTenant = new(StringComparer.OrdinalIgnoreCase);

    private EvidenceFile(string path, FileStream stream, EvidenceFormat format)
    {
        Path = path;
        _stream = stream;
        _format = format;
    }

    public string Path { get; }

    /// <summary>True when the file held no record (new, or only its header).</summary>
    public bool IsNew => _held.Count == 0;

    /// <summary>The bytes of a torn last record that were cut off when the file was opened.</summary>
    public long RepairedBytes { get; private set; }

    /// <summary>The newest activity the file holds of this tenant; null when none.</summary>
    public DateTime? NewestOf(string tenantId) => _newestByTenant.TryGetValue(tenantId, out DateTime newest) ? newest : null;

    /// <summary>The newest activity the file holds of any tenant; null when none.</summary>
    public DateTime? Newest { get; private set; }

    /// <summary>
    /// Opens the file for this run alone, waiting up to <paramref name="timeout"/> while another
    /// run holds it, and reads what it holds.
    /// </summary>
    public static async Task<EvidenceFile> OpenAsync(string path, EvidenceFileFormat format, TimeSpan timeout, IMessageSink reporter, CancellationToken cancellationToken)
    {
        DateTime giveUpAt = DateTime.UtcNow + timeout;
        bool said = false;
        while (true)
        {
            try
            {
                // FileShare.None: a second run (this process or another) can't open the file
                // until this one is done, so two runs never interleave their records.
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.None);
                var file = new EvidenceFile(path, stream, EvidenceFormat.For(format));
                try
                {
                    file.ReadBack();
                    return file;
                }
                catch
                {
                    file.Dispose();
                    throw;
                }
            }
            catch (IOException ex) when (IsHeldByAnother(ex))
            {
                if (DateTime.UtcNow >= giveUpAt)
                {
                    throw new ModuleException("EvidenceFileBusy", ErrorCategory.ResourceBusy,
                        $"Another run is writing '{path}' and did not finish within {timeout.TotalSeconds:0} s. Two runs never write one file at once: wait for the other to end, or give -Timeout a longer wait.",
                        path);
                }

                if (!said)
                {
                    reporter.Verbose($"Another run is writing '{path}'; waiting for it (up to {timeout.TotalSeconds:0} s).");
                    said = true;
                }

                await Task.Delay(RetryEvery, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Appends an activity the file doesn't hold yet; false when it does.</summary>
    public bool Append(SupportAccessActivity activity)
    {
        if (!_held.Add(Key(activity.TenantId, activity.Id)))
        {
            return false;
        }

        byte[] record = Utf8.GetBytes(_format.Record(activity));
        _stream.Write(record, 0, record.Length);
        return true;
    }

    /// <summary>Everything appended, on disk (not only in the OS's cache) before the run says it succeeded.</summary>
    public void Flush() => _stream.Flush(flushToDisk: true);

    public void Dispose() => _stream.Dispose();

    private static string Key(string tenantId, string id) => tenantId + "|" + id;

    private void ReadBack()
    {
        var bytes = new byte[_stream.Length];
        _stream.Position = 0;
        int read = 0;
        while (read < bytes.Length)
        {
            int n = _stream.Read(bytes, read, bytes.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        string text = Utf8.GetString(bytes, 0, read);
        if (text.Length == 0)
        {
            byte[] preamble = Utf8.GetBytes(_format.Preamble);
            _stream.Write(preamble, 0, preamble.Length);
            _stream.Flush(flushToDisk: true);
            return;
        }

        int start = _format.CheckPreamble(text, header => NotOurs($"it begins with '{header}', not the header this command writes"));
        int end = start;
        try
        {
            foreach (StoredRecord record in _format.Read(text, start, at => NotOurs($"the record at character {at} is not one this command writes")))
            {
                _held.Add(Key(record.TenantId, record.Id));
                if (!_newestByTenant.TryGetValue(record.TenantId, out DateTime newest) || record.Time > newest)
                {
                    _newestByTenant[record.TenantId] = record.Time;
                }

                if (Newest is null || record.Time > Newest)
                {
                    Newest = record.Time;
                }

                end = record.End;
            }
        }
        catch (FormatException ex)
        {
            throw NotOurs(ex.Message);
        }

        // A run stopped mid-write leaves a record without its end: cut it off; this run reads
        // that activity again.
        long keep = Utf8.GetByteCount(text.Substring(0, end));
        RepairedBytes = _stream.Length - keep;
        if (RepairedBytes > 0)
        {
            _stream.SetLength(keep);
            _stream.Flush(flushToDisk: true);
        }

        _stream.Position = keep;
    }

    private ModuleException NotOurs(string why) =>
        new("EvidenceFileNotOurs", ErrorCategory.InvalidData,
            $"'{Path}' is not an evidence file this command wrote ({why}), so nothing is merged into it. Give a new file, or one Export-SupportAccessActivity wrote with the same -Format.",
            Path);

    // A file another process holds: .NET reports a sharing violation (Windows) or a lock it could
    // not take (Unix) as an IOException that is not a missing-file or missing-directory error.
    private static bool IsHeldByAnother(IOException exception) =>
        exception is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException
        && (exception.HResult & 0xFFFF) is 32 or 33 or 11;
}

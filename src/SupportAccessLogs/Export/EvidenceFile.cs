using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Export;

/// <summary>
/// An evidence file, held by one writer for as long as a run lasts (docs/architecture.md,
/// "Evidence files"): opened exclusively; checked against the checkpoint beside it, so that only
/// what was written after the checkpoint is read (a file without a checkpoint that matches is
/// read whole, once); a record torn by a run that stopped mid-write cut off and kept aside; new
/// records appended in the file's own style; data flushed to disk before the checkpoint that
/// describes it is replaced.
/// </summary>
internal sealed class EvidenceFile : IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly byte[] ByteOrderMark = { 0xEF, 0xBB, 0xBF };

    /// <summary>A time this far past the clock is a record no audit log wrote (clocks differ by a few minutes at most).</summary>
    internal static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>No record of ours comes near this; a longer one means the file is not ours.</summary>
    private const int MaxRecordBytes = 16 * 1024 * 1024;

    private readonly FileStream _stream;
    private readonly EvidenceFormat _format;
    private readonly DateTime _nowUtc;
    private long _lines;

    /// <summary>What the last record lacks of its line end ("\n", or all of it), written before the next record.</summary>
    private string _missingLineEnd = "";

    private EvidenceFile(string path, FileStream stream, EvidenceFormat format, DateTime nowUtc)
    {
        Path = path;
        _stream = stream;
        _format = format;
        _nowUtc = nowUtc;
    }

    public string Path { get; }

    public string CheckpointPath => Checkpoint.PathFor(Path);

    public EvidenceFileFormat Format => _format.Kind;

    /// <summary>The file's line end, kept for what this run appends: "\n", or "\r\n" for a file saved on Windows.</summary>
    public string NewLine { get; private set; } = Environment.NewLine;

    /// <summary>The checkpoint beside the file, when it matches the file; else null.</summary>
    public Checkpoint? Checkpoint { get; private set; }

    /// <summary>Why a checkpoint beside the file was not believed; null when there was none or it matched.</summary>
    public string? CheckpointIgnored { get; private set; }

    /// <summary>The file was read whole (no matching checkpoint, or one that remembers less than the overlap).</summary>
    public bool ReadWhole { get; private set; }

    /// <summary>Records the file holds (counted only when it was read whole).</summary>
    public long RecordCount { get; private set; }

    /// <summary>The bytes of a torn last record that were cut off when the file was opened.</summary>
    public long RepairedBytes { get; private set; }

    /// <summary>Where those bytes were kept.</summary>
    public string? TornRecordPath { get; private set; }

    /// <summary>The activities the file is known to hold, by <see cref="Key"/>, with their source time:
    /// all of them when it was read whole; else those the checkpoint remembers and those after it.</summary>
    public Dictionary<string, DateTime> Held { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When read whole: the oldest and newest activity of each tenant the file holds (by lower-case tenant id).</summary>
    public Dictionary<string, TimeWindow> SpanByTenant { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the file holds no activity and no checkpoint says anything was read.</summary>
    public bool IsNew => Held.Count == 0 && SpanByTenant.Count == 0 && (Checkpoint is null || Checkpoint.Tenants.Count == 0);

    /// <summary>The key of an activity in a file: its tenant (as a GUID where it is one) and id.</summary>
    public static string Key(string tenantId, string id) => TenantKey(tenantId) + "|" + id;

    /// <summary>
    /// The key of an activity without an id (the audit log omitted it): its record's own bytes,
    /// hashed, so that reading it again in the overlap finds it in the file as an id would.
    /// </summary>
    private static string KeyOfContent(string tenantId, byte[] record, int length)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
#pragma warning disable CA1850 // netstandard2.0 has no SHA256.HashData; only a record without an id is hashed.
        return TenantKey(tenantId) + "|#" + Convert.ToBase64String(sha.ComputeHash(record, 0, length));
#pragma warning restore CA1850
    }

    public static string TenantKey(string tenantId) => Guid.TryParse(tenantId, out Guid tenant) ? tenant.ToString() : tenantId.Trim().ToLowerInvariant();

    /// <summary>
    /// Opens the file for this run alone, waiting up to <paramref name="timeout"/> while another
    /// run holds it, and reads what it holds: the header, the checkpoint, and the records after it.
    /// Nothing in the file changes unless it is ours (a torn record is cut off only then).
    /// </summary>
    /// <param name="formatGiven">-Format when given; an existing file keeps its own.</param>
    /// <param name="overlap">What the run reads again: the checkpoint must remember the ids that far back, or the file is read whole.</param>
    public static async Task<EvidenceFile> OpenAsync(string path, EvidenceFileFormat? formatGiven, TimeSpan overlap, TimeSpan timeout, IMessageSink reporter, DateTime nowUtc, CancellationToken cancellationToken)
    {
        CheckPath(path, reporter);
        DateTime giveUpAt = DateTime.UtcNow + timeout;
        bool said = false;
        while (true)
        {
            bool existed = File.Exists(path);
            FileStream stream;
            try
            {
                // FileShare.None: a second run (this process or another) can't open the file
                // until this one is done, so two runs never interleave their records.
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.None);
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
                continue;
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new ModuleException("EvidenceFileDenied", ErrorCategory.PermissionDenied,
                    $"'{path}' can't be opened for writing ({ex.Message}). Give a file this account may read and write.", path, ex);
            }

            if (!existed)
            {
                OwnerOnly.Apply(path);
            }

            try
            {
                (EvidenceFormat format, int bom) = DetectFormat(stream, formatGiven, path);
                var file = new EvidenceFile(path, stream, format, nowUtc);
                file.ReadBack(bom, overlap, reporter);
                return file;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
    }

    /// <summary>Appends an activity the file doesn't hold yet; false when it does.</summary>
    public bool Append(SupportAccessActivity activity, DateTime sourceTime)
    {
        string text = _format.Record(activity, NewLine);
        byte[] record = Utf8.GetBytes(text);
        string key = activity.Id.Length > 0 ? Key(activity.TenantId, activity.Id) : KeyOfContent(activity.TenantId, record, record.Length - Utf8.GetByteCount(NewLine));
        if (Held.ContainsKey(key))
        {
            return false;
        }

        Held[key] = sourceTime;
        EndLastRecord();

        _stream.Write(record, 0, record.Length);
        _lines += CountLineFeeds(record, record.Length);
        return true;
    }

    /// <summary>
    /// Everything appended on disk (not only in the OS's cache), then the checkpoint that
    /// describes it written beside the file and put in place in one step (written, flushed,
    /// renamed): a run stopped at any moment leaves the old checkpoint or the new one, each true
    /// of a prefix of the file.
    /// </summary>
    public void Commit(Checkpoint checkpoint)
    {
        // A checkpoint never describes a file whose last record lacks its line end: a later run
        // starts reading after the checkpoint and could not tell.
        EndLastRecord();
        _stream.Flush(flushToDisk: true);
        checkpoint.Format = Format;
        checkpoint.Mark = FileMark.Of(_stream, _stream.Length, _lines);
        checkpoint.RecentIds.Clear();
        Func<DateTime, bool> mayReadAgain = checkpoint.MayReadAgain();
        foreach (KeyValuePair<string, DateTime> held in Held)
        {
            if (mayReadAgain(held.Value))
            {
                checkpoint.RecentIds[held.Key] = held.Value;
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            checkpoint.Write(writer);
        }

        WriteAtomically(CheckpointPath, buffer.ToArray());
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Writes what the file's last record lacks of its line end, if anything.</summary>
    private void EndLastRecord()
    {
        if (_missingLineEnd.Length > 0)
        {
            byte[] lineEnd = Utf8.GetBytes(_missingLineEnd);
            _stream.Position = _stream.Length;
            _stream.Write(lineEnd, 0, lineEnd.Length);
            _lines++;
            _missingLineEnd = "";
        }
    }

    /// <summary>Writes a file whole or not at all: a temporary file, flushed to disk, renamed over the old one.</summary>
    internal static void WriteAtomically(string path, byte[] content)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            OwnerOnly.Apply(temporary);
            stream.Write(content, 0, content.Length);
            stream.Flush(flushToDisk: true);
        }

#if NET
        File.Move(temporary, path, overwrite: true);
#else
        if (File.Exists(path))
        {
            File.Replace(temporary, path, null);
        }
        else
        {
            File.Move(temporary, path);
        }
#endif
    }

    /// <summary>
    /// A path a user may give: a folder that doesn't exist yet is created; a directory, a blank
    /// file name or a symbolic link is refused (a link would put the checkpoint beside the link
    /// and the records beside its target, and lets whoever planted it choose where evidence goes).
    /// </summary>
    private static void CheckPath(string path, IMessageSink reporter)
    {
        string name = System.IO.Path.GetFileName(path);
        if (string.IsNullOrWhiteSpace(name) || name.Trim() != name || name.EndsWith('.'))
        {
            throw new ModuleException("EvidencePathInvalid", ErrorCategory.InvalidArgument,
                $"-Path '{path}' does not end in a file name (it is empty, blank, ends in a separator, or begins or ends with a space or a dot, which Windows drops). Give the path of a file, for example ./evidence/support-access.csv.",
                path);
        }

        if (Directory.Exists(path))
        {
            throw new ModuleException("EvidencePathIsDirectory", ErrorCategory.InvalidArgument,
                $"-Path '{path}' is a directory. Give the path of a file in it, for example '{System.IO.Path.Combine(path, "support-access.csv")}'.",
                path);
        }

        if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0)
        {
            throw new ModuleException("EvidencePathIsLink", ErrorCategory.InvalidArgument,
                $"-Path '{path}' is a symbolic link. An evidence file and its checkpoint must sit side by side, so a link is not followed: give the path of the file it points to.",
                path);
        }

        string? folder = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            if (File.Exists(folder))
            {
                throw new ModuleException("EvidencePathInvalid", ErrorCategory.InvalidArgument,
                    $"-Path '{path}' is inside '{folder}', which is a file, not a folder. Give a path in a folder.", path);
            }

            Directory.CreateDirectory(folder);
            reporter.Verbose($"Created the folder '{folder}' for the evidence file.");
        }
    }

    /// <summary>The format of an existing file from its first byte after any byte-order mark (and
    /// that mark's length); a new file's from -Format (CSV by default).</summary>
    private static (EvidenceFormat Format, int ByteOrderMarkLength) DetectFormat(FileStream stream, EvidenceFileFormat? given, string path)
    {
        var head = new byte[ByteOrderMark.Length + 1];
        stream.Position = 0;
        int read = stream.Read(head, 0, head.Length);
        int first = read >= ByteOrderMark.Length && head.AsSpan(0, ByteOrderMark.Length).SequenceEqual(ByteOrderMark) ? ByteOrderMark.Length : 0;
        EvidenceFileFormat? found = read <= first ? null : head[first] == (byte)'{' ? EvidenceFileFormat.JsonLines : EvidenceFileFormat.Csv;
        if (given is EvidenceFileFormat asked && found is EvidenceFileFormat held && asked != held)
        {
            throw new ModuleException("EvidenceFormatMismatch", ErrorCategory.InvalidArgument,
                $"'{path}' is a {Describe(held)} evidence file, and -Format {asked} was given. A file keeps the format it was begun in: leave out -Format (it is taken from the file), or give a new -Path for {Describe(asked)}.",
                path);
        }

        return (EvidenceFormat.For(found ?? given ?? EvidenceFileFormat.Csv), first);
    }

    private static string Describe(EvidenceFileFormat format) => format == EvidenceFileFormat.Csv ? "CSV" : "JSON Lines";

    private void ReadBack(int bom, TimeSpan overlap, IMessageSink reporter)
    {
        long length = _stream.Length;
        (long recordsFrom, long linesBefore) = ReadHeader(bom, length);
        Checkpoint = TryCheckpoint(length, reporter);

        if (length == bom && Checkpoint is null)
        {
            // New (or empty, or a byte-order mark alone): begin it.
            byte[] preamble = Utf8.GetBytes(_format.Preamble(NewLine));
            _stream.Position = length;
            _stream.Write(preamble, 0, preamble.Length);
            _lines = CountLineFeeds(preamble, preamble.Length);
            _stream.Flush(flushToDisk: true);
            return;
        }

        long scanFrom = recordsFrom;
        _lines = linesBefore;
        if (Checkpoint is not null && Checkpoint.RecentSpan >= overlap)
        {
            foreach (KeyValuePair<string, DateTime> id in Checkpoint.RecentIds)
            {
                Held[id.Key] = id.Value;
            }

            if (Checkpoint.Mark.Length > scanFrom)
            {
                scanFrom = Checkpoint.Mark.Length;
                _lines = Checkpoint.Mark.Lines;
            }
        }
        else
        {
            if (Checkpoint is not null)
            {
                reporter.Verbose($"'{Path}': this run reads {overlap} again, more than the checkpoint remembers ({Checkpoint.RecentSpan}); the file is read whole to learn what it holds there.");
            }

            ReadWhole = true;
        }

        Scan(scanFrom, length, vouched: Checkpoint is not null);
        if (scanFrom >= length && length > recordsFrom && _missingLineEnd.Length == 0)
        {
            // Nothing after the checkpoint was read: the file's last byte says whether its last record ended.
            var last = new byte[1];
            _stream.Position = length - 1;
            if (_stream.Read(last, 0, 1) == 1 && last[0] != (byte)'\n')
            {
                _missingLineEnd = last[0] == (byte)'\r' ? "\n" : NewLine;
            }
        }

        _stream.Position = _stream.Length;
    }

    /// <summary>Checks a CSV file's header and learns the file's line end; returns where records begin and the lines before them.</summary>
    private (long RecordsFrom, long Lines) ReadHeader(int bom, long length)
    {
        if (length == bom)
        {
            return (bom, 0);
        }

        // The first line: a header (CSV, about 300 bytes) or a record (JSON Lines, a few KB),
        // read a piece at a time up to a megabyte, so continuing reads no more of the file than that line.
        int limit = (int)Math.Min(length - bom, 1024 * 1024);
        var buffer = new byte[Math.Min(limit, 4096)];
        _stream.Position = bom;
        int read = 0;
        int lineFeed = -1;
        while (lineFeed < 0 && read < limit)
        {
            if (read == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 4L, limit));
            }

            int n = _stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                break;
            }

            lineFeed = Array.IndexOf(buffer, (byte)'\n', read, n);
            read += n;
        }

        if (lineFeed > 0 && buffer[lineFeed - 1] == (byte)'\r')
        {
            NewLine = "\r\n";
        }
        else if (lineFeed >= 0)
        {
            NewLine = "\n";
        }

        if (!_format.HasHeader)
        {
            return (bom, 0);
        }

        int end = lineFeed < 0 ? read : lineFeed;
        int contentEnd = end > 0 && buffer[end - 1] == (byte)'\r' ? end - 1 : end;
        var header = new ReadOnlySpan<byte>(buffer, 0, contentEnd);
        bool ours;
        try
        {
            ours = _format.IsOurHeader(header);
        }
        catch (DecoderFallbackException)
        {
            ours = false;
        }

        if (!ours)
        {
            string shown = Utf8.GetString(buffer, 0, Math.Min(contentEnd, 200));
            throw NotOurs($"it begins with '{shown}{(contentEnd > 200 ? "…" : "")}', not the header this command writes");
        }

        if (lineFeed < 0)
        {
            // A header without its line end: nothing else can be in the file.
            _missingLineEnd = NewLine;
            return (bom + read, 0);
        }

        return (bom + lineFeed + 1, 1);
    }

    /// <summary>The checkpoint beside the file, when it describes this file (a prefix of it, as
    /// it was when written); else null, with why in <see cref="CheckpointIgnored"/>.</summary>
    private Checkpoint? TryCheckpoint(long length, IMessageSink reporter)
    {
        if (!File.Exists(CheckpointPath))
        {
            return null;
        }

        string? why;
        Checkpoint? checkpoint = null;
        try
        {
            checkpoint = Checkpoint.Read(File.ReadAllBytes(CheckpointPath));
            why = checkpoint.Format != Format ? $"it describes a {Describe(checkpoint.Format)} file"
                : checkpoint.Mark.Length > length ? $"it describes {checkpoint.Mark.Length} bytes and the file has {length}: the file was cut short or replaced"
                : FileMark.Of(_stream, checkpoint.Mark.Length, checkpoint.Mark.Lines) != checkpoint.Mark ? "the file's bytes are not those it describes: the file was changed, or the checkpoint belongs to another file"
                : null;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            why = ex.Message;
        }

        if (why is null)
        {
            return checkpoint;
        }

        CheckpointIgnored = why;
        reporter.Verbose($"The checkpoint '{CheckpointPath}' is not used: {why}.");
        return null;
    }

    /// <summary>
    /// Reads the records from <paramref name="from"/> to the end, a piece at a time: the ids into
    /// <see cref="Held"/>, each checked. A last record without its line end is kept when it is
    /// complete, cut off (and kept aside) when it can only be one of ours torn mid-write, and
    /// anything else means the file is not ours.
    /// </summary>
    /// <param name="vouched">A matching checkpoint says the bytes before <paramref name="from"/> are ours.</param>
    private void Scan(long from, long length, bool vouched)
    {
        var buffer = new byte[64 * 1024];
        var record = new List<byte>(2048);
        long recordStart = from;
        long recordLine = _lines + 1;
        long complete = 0;
        bool quoted = false;
        _stream.Position = from;
        long position = from;
        while (position < length)
        {
            int read = _stream.Read(buffer, 0, (int)Math.Min(buffer.Length, length - position));
            if (read == 0)
            {
                break;
            }

            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'"' && _format.QuotesHoldLineFeeds)
                {
                    quoted = !quoted;
                }

                if (b != (byte)'\n' || quoted)
                {
                    record.Add(b);
                    if (record.Count > MaxRecordBytes)
                    {
                        throw NotOurs($"the record on line {recordLine} is longer than {MaxRecordBytes / (1024 * 1024)} MB");
                    }

                    continue;
                }

                _lines++;
                TakeRecord(record, recordLine);
                complete++;
                record.Clear();
                recordStart = position + i + 1;
                recordLine = _lines + 1;
            }

            position += read;
        }

        if (record.Count == 0)
        {
            return;
        }

        // The bytes after the last line end.
        byte[] tail = record.ToArray();
        int content = tail.Length > 0 && tail[tail.Length - 1] == (byte)'\r' ? tail.Length - 1 : tail.Length;
        var withoutLineEnd = new ReadOnlySpan<byte>(tail, 0, content);
        if (!quoted && _format.EndsLikeRecord(withoutLineEnd) && TryParse(withoutLineEnd, out _))
        {
            // A whole record that only lacks its line end (an editor, or a run stopped between the two): ours, kept.
            TakeRecord(record, recordLine);
            _missingLineEnd = content < tail.Length ? "\n" : NewLine;
            return;
        }

        bool ours = _format.HasHeader || vouched || complete > 0;
        if (!ours || !_format.CouldBeTornRecord(tail))
        {
            string shown = Utf8.GetString(tail, 0, Math.Min(tail.Length, 120));
            throw NotOurs($"it ends in '{shown}{(tail.Length > 120 ? "…" : "")}' on line {recordLine}, which is not a record this command writes, nor the beginning of one");
        }

        CutOffTornRecord(recordStart, tail);
    }

    private void TakeRecord(List<byte> bytes, long line)
    {
        int content = bytes.Count > 0 && bytes[bytes.Count - 1] == (byte)'\r' ? bytes.Count - 1 : bytes.Count;
        if (content == 0)
        {
            // A blank line (a tool that saved the file added one): not a record.
            return;
        }

        byte[] array = bytes.ToArray();
        StoredRecord stored;
        try
        {
            stored = _format.Parse(new ReadOnlySpan<byte>(array, 0, content));
        }
        catch (ImpossibleTimeException ex)
        {
            throw BadRecord(line, ex.Message);
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or InvalidOperationException)
        {
            string why = ex is DecoderFallbackException ? "it is not valid UTF-8" : ex.Message;
            throw NotOurs($"the record on line {line} is not one this command writes: {why}");
        }

        if (stored.Time > _nowUtc + ClockSkew)
        {
            throw BadRecord(line, $"it says activity {stored.Id} happened at {IsoDateTime.Format(stored.Time)}, later than now ({IsoDateTime.Format(_nowUtc)})");
        }

        RecordCount++;
        string key = stored.Id.Length > 0 ? Key(stored.TenantId, stored.Id) : KeyOfContent(stored.TenantId, array, content);
        if (!Held.ContainsKey(key))
        {
            Held[key] = stored.Time;
        }

        string tenant = TenantKey(stored.TenantId);
        if (ReadWhole && stored.Time != default)
        {
            // The end is the newest time itself (the window is only read for its ends).
            SpanByTenant[tenant] = SpanByTenant.TryGetValue(tenant, out TimeWindow span)
                ? new TimeWindow(stored.Time < span.Start ? stored.Time : span.Start, stored.Time > span.End ? stored.Time : span.End)
                : new TimeWindow(stored.Time, stored.Time);
        }
    }

    private bool TryParse(ReadOnlySpan<byte> record, out StoredRecord stored)
    {
        try
        {
            stored = _format.Parse(record);
            return record.Length > 0;
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or InvalidOperationException)
        {
            stored = default;
            return false;
        }
    }

    /// <summary>A run stopped mid-write left a record without its end: the bytes go to a file
    /// beside the evidence (never simply dropped), and the file ends where the last whole record does.</summary>
    private void CutOffTornRecord(long start, byte[] tail)
    {
        string kept = $"{Path}.torn-{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}";
        using (var stream = new FileStream(kept, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            OwnerOnly.Apply(kept);
            stream.Write(tail, 0, tail.Length);
            stream.Flush(flushToDisk: true);
        }

        _stream.SetLength(start);
        _stream.Flush(flushToDisk: true);
        RepairedBytes = tail.Length;
        TornRecordPath = kept;
    }

    private static int CountLineFeeds(byte[] bytes, int count)
    {
        int lines = 0;
        for (int i = 0; i < count; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines++;
            }
        }

        return lines;
    }

    /// <summary>A record of ours whose time no audit log wrote: the line was changed after it was written.</summary>
    private ModuleException BadRecord(long line, string why) =>
        new("EvidenceFileBadRecord", ErrorCategory.InvalidData,
            $"Line {line} of '{Path}' can't be evidence: {why}. No audit log wrote that, so the line was changed after it was written. Nothing was read or written. Correct or remove that line (keep a copy of the file), then run again.",
            Path);

    private ModuleException NotOurs(string why) =>
        new("EvidenceFileNotOurs", ErrorCategory.InvalidData,
            $"'{Path}' is not an evidence file this command wrote ({why}), so it is left as it is and nothing is merged into it. Give a new file, or one Export-SupportAccessActivity wrote.",
            Path);

    // A file another process holds: .NET reports a sharing violation (Windows) or a lock it could
    // not take (Unix) as an IOException that is not a missing-file or missing-directory error.
    private static bool IsHeldByAnother(IOException exception) =>
        exception is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException
        && (exception.HResult & 0xFFFF) is 32 or 33 or 11;
}

/// <summary>
/// Files the module creates that hold user names and IP addresses are readable and writable by
/// their owner only on Linux and macOS (0600). On Windows a new file takes its folder's access
/// control list, as any file does (docs/architecture.md, "Evidence files").
/// </summary>
internal static class OwnerOnly
{
    public static void Apply(string path)
    {
#if NET7_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
#endif
    }
}

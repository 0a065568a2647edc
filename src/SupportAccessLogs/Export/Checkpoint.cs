using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace SupportAccessLogs.Export;

/// <summary>A stretch of time [Start, End) in the source's own time (Graph's activityDateTime, a
/// workspace's TimeGenerated).</summary>
internal readonly record struct TimeWindow(DateTime Start, DateTime End)
{
    public bool IsEmpty => End <= Start;

    public bool Contains(DateTime time) => time >= Start && time < End;

    public override string ToString() => $"{IsoDateTime.Format(Start)} to {IsoDateTime.Format(End)}";
}

/// <summary>
/// What an evidence file's runs have read, kept beside it (docs/architecture.md, "Evidence files").
/// The file's rows say what it holds; only this says what has been read to the end. It is written
/// after the data it describes, atomically, and names the file's length and the hashes of its
/// first and last bytes at that moment, so that a checkpoint that no longer matches its file
/// (edited, truncated, restored, another file's) is noticed rather than believed.
/// </summary>
internal sealed class Checkpoint
{
    public const string Schema = "SupportAccessLogs/EvidenceCheckpoint/1";

    /// <summary>The file beside which a checkpoint is kept: the evidence file's name plus this.</summary>
    public const string Suffix = ".checkpoint";

    public EvidenceFileFormat Format { get; set; }

    /// <summary>The filters the file was made with (<see cref="EvidenceFilters"/>); "" for none.</summary>
    public string Filters { get; set; } = "";

    public FileMark Mark { get; set; }

    /// <summary>What each connection's tenant has read, by tenant id (lower-case GUID).</summary>
    public Dictionary<Guid, TenantLedger> Tenants { get; } = new();

    /// <summary>
    /// Ids of activities the file holds whose time lies where a later run may read again (the
    /// last day before each tenant's end, and unfinished windows), with their source time: so a
    /// run that reads the overlap again knows what the file holds there without reading the file.
    /// </summary>
    public Dictionary<string, DateTime> RecentIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How far back from each tenant's end <see cref="RecentIds"/> is complete.</summary>
    public TimeSpan RecentSpan { get; set; }

    public static string PathFor(string evidencePath) => evidencePath + Suffix;

    /// <summary>
    /// Whether an activity of a source time lies where a later run reads again, so its id is kept
    /// in <see cref="RecentIds"/>: within <see cref="RecentSpan"/> before any tenant's end, or in
    /// any tenant's unfinished window. Worked out once per checkpoint written, not per id.
    /// </summary>
    public Func<DateTime, bool> MayReadAgain()
    {
        DateTime recentFrom = Tenants.Count == 0 ? DateTime.MaxValue : Tenants.Values.Min(ledger => ledger.ReadTo) - RecentSpan;
        TimeWindow[] pending = Tenants.Values.SelectMany(ledger => ledger.Pending).ToArray();
        return time => time >= recentFrom || Array.Exists(pending, window => window.Contains(time));
    }

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("schema", Schema);
        writer.WriteString("format", Format.ToString());
        writer.WriteString("filters", Filters);
        writer.WriteStartObject("file");
        writer.WriteNumber("length", Mark.Length);
        writer.WriteNumber("lines", Mark.Lines);
        writer.WriteString("headSha256", Mark.HeadHash);
        writer.WriteString("tailSha256", Mark.TailHash);
        writer.WriteEndObject();
        writer.WriteString("recentSpan", RecentSpan.ToString("c", CultureInfo.InvariantCulture));
        writer.WriteStartArray("tenants");
        foreach (KeyValuePair<Guid, TenantLedger> tenant in Tenants.OrderBy(t => t.Key))
        {
            writer.WriteStartObject();
            writer.WriteString("tenantId", tenant.Key.ToString());
            writer.WriteString("readTo", IsoDateTime.Format(tenant.Value.ReadTo));
            WriteWindows(writer, "pending", tenant.Value.Pending);
            WriteWindows(writer, "lost", tenant.Value.Lost);
            if (tenant.Value.PendingFollowsRetention)
            {
                writer.WriteBoolean("pendingFollowsRetention", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("recentIds");
        foreach (KeyValuePair<string, DateTime> id in RecentIds)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(id.Key);
            writer.WriteStringValue(IsoDateTime.Format(id.Value));
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The checkpoint in <paramref name="json"/>; a <see cref="FormatException"/> saying
    /// why when it is not one this module writes.</summary>
    public static Checkpoint Read(byte[] json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "schema") != Schema)
            {
                throw new FormatException($"it is not a checkpoint this module writes (its schema is not {Schema})");
            }

            var checkpoint = new Checkpoint
            {
#pragma warning disable CA2263 // netstandard2.0 has no generic Enum.Parse<TEnum>(string).
                Format = (EvidenceFileFormat)Enum.Parse(typeof(EvidenceFileFormat), Text(root, "format")),
#pragma warning restore CA2263
                Filters = Text(root, "filters"),
                RecentSpan = TimeSpan.ParseExact(Text(root, "recentSpan"), "c", CultureInfo.InvariantCulture),
            };
            JsonElement file = root.GetProperty("file");
            checkpoint.Mark = new FileMark(file.GetProperty("length").GetInt64(), file.GetProperty("lines").GetInt64(), Text(file, "headSha256"), Text(file, "tailSha256"));
            foreach (JsonElement tenant in root.GetProperty("tenants").EnumerateArray())
            {
                var ledger = new TenantLedger
                {
                    ReadTo = Time(Text(tenant, "readTo")),
                    PendingFollowsRetention = tenant.TryGetProperty("pendingFollowsRetention", out JsonElement follows) && follows.GetBoolean(),
                };
                ledger.Pending.AddRange(ReadWindows(tenant, "pending"));
                ledger.Lost.AddRange(ReadWindows(tenant, "lost"));
                checkpoint.Tenants[Guid.Parse(Text(tenant, "tenantId"))] = ledger;
            }

            foreach (JsonElement pair in root.GetProperty("recentIds").EnumerateArray())
            {
                checkpoint.RecentIds[pair[0].GetString()!] = Time(pair[1].GetString()!);
            }

            return checkpoint;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new FormatException($"it is not a checkpoint this module writes ({ex.Message})", ex);
        }
    }

    private static void WriteWindows(Utf8JsonWriter writer, string name, List<TimeWindow> windows)
    {
        writer.WriteStartArray(name);
        foreach (TimeWindow window in windows)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(IsoDateTime.Format(window.Start));
            writer.WriteStringValue(IsoDateTime.Format(window.End));
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static TimeWindow[] ReadWindows(JsonElement tenant, string name) =>
        tenant.GetProperty(name).EnumerateArray()
            .Select(w => new TimeWindow(Time(w[0].GetString()!), Time(w[1].GetString()!)))
            .ToArray();

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");

    internal static DateTime Time(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}

/// <summary>What a checkpoint says of its evidence file when it was written: the length, the
/// number of lines, and SHA-256 hashes of the first and last bytes up to that length.</summary>
internal readonly record struct FileMark(long Length, long Lines, string HeadHash, string TailHash)
{
    /// <summary>Bytes hashed at each end: a few records, enough to tell files apart.</summary>
    public const int Span = 4096;

    /// <summary>The mark of the first <paramref name="length"/> bytes of <paramref name="stream"/>
    /// (read at its two ends only, so the cost doesn't grow with the file).</summary>
    public static FileMark Of(Stream stream, long length, long lines)
    {
        long position = stream.Position;
        try
        {
            return new FileMark(length, lines, Hash(stream, 0, Math.Min(length, Span)), Hash(stream, Math.Max(0, length - Span), Math.Min(length, Span)));
        }
        finally
        {
            stream.Position = position;
        }
    }

    private static string Hash(Stream stream, long offset, long count)
    {
        var buffer = new byte[count];
        stream.Position = offset;
        int read = 0;
        while (read < count)
        {
            int n = stream.Read(buffer, read, (int)count - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        using var sha = System.Security.Cryptography.SHA256.Create();
#pragma warning disable CA1850, CA1872 // netstandard2.0 has neither SHA256.HashData nor Convert.ToHexString; two 4 KB hashes per mark.
        return BitConverter.ToString(sha.ComputeHash(buffer, 0, read)).Replace("-", "").ToLowerInvariant();
#pragma warning restore CA1850, CA1872
    }
}

/// <summary>
/// What one connection's tenant has read into an evidence file: the end of the newest window a
/// run set out to read, the parts of windows not read to the end yet (a run that stopped early),
/// and the stretches given up with -AllowGap.
/// </summary>
internal sealed class TenantLedger
{
    /// <summary>The end of the newest window a run set out to read: the next run starts here, less the overlap.</summary>
    public DateTime ReadTo { get; set; }

    /// <summary>What a run set out to read and has not read to the end, disjoint, newest first.</summary>
    public List<TimeWindow> Pending { get; } = new();

    /// <summary>The oldest pending window began where Graph's 30 days began when it was asked for
    /// (a new file's default window): as Graph's retention moves on, its start moves with it
    /// rather than being a gap, since nothing older was ever asked for.</summary>
    public bool PendingFollowsRetention { get; set; }

    /// <summary>Stretches the source could no longer serve, accepted with -AllowGap.</summary>
    public List<TimeWindow> Lost { get; } = new();

    /// <summary>A run sets out to read these windows (newest first): recorded before the first request.</summary>
    public void Begin(IReadOnlyList<TimeWindow> windows, bool followsRetention)
    {
        Pending.Clear();
        Pending.AddRange(windows);
        PendingFollowsRetention = followsRetention && windows.Count > 0;
        foreach (TimeWindow window in windows)
        {
            if (window.End > ReadTo)
            {
                ReadTo = window.End;
            }
        }
    }

    /// <summary>
    /// The run has written every activity of its windows newer than <paramref name="oldest"/>,
    /// and some at <paramref name="oldest"/> itself: windows are read one after another, each
    /// newest first, so what is left is what lies at or before it.
    /// </summary>
    public void ReadDownTo(DateTime oldest)
    {
        for (int i = Pending.Count - 1; i >= 0; i--)
        {
            TimeWindow window = Pending[i];
            if (window.Start > oldest)
            {
                Pending.RemoveAt(i);
            }
            else if (window.Contains(oldest) && oldest.AddTicks(1) < window.End)
            {
                Pending[i] = new TimeWindow(window.Start, oldest.AddTicks(1));
            }
        }

        PendingFollowsRetention &= Pending.Count > 0;
    }

    /// <summary>Every window of the run was read to its end and written.</summary>
    public void Finish()
    {
        Pending.Clear();
        PendingFollowsRetention = false;
    }
}

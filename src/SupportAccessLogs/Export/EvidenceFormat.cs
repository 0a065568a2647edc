using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace SupportAccessLogs.Export;

/// <summary>
/// Writes activities as an evidence file's records and reads those records back (the id, the
/// tenant and the time of each). The CSV is what Export-Csv writes of the same objects (every
/// property in order, values quoted, a null as nothing), so Import-Csv and
/// Get-SupportAccessRequest read the file as they read any export (docs/architecture.md,
/// "Evidence files"). Records are found in the file's bytes: the characters that end a record
/// (a line feed, outside quotes in CSV) are ASCII, and no byte of a multi-byte UTF-8 character is,
/// so a file is read in pieces of any size and never whole.
/// </summary>
internal abstract class EvidenceFormat
{
    /// <summary>The activity's public properties in the order PowerShell lists them.</summary>
    protected static readonly PropertyInfo[] Columns = typeof(SupportAccessActivity)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .OrderBy(p => p.MetadataToken)
        .ToArray();

    /// <summary>Decodes only valid UTF-8: a file that isn't is not ours, never "repaired" with U+FFFD.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static EvidenceFormat For(EvidenceFileFormat format) => format == EvidenceFileFormat.Csv ? new CsvFormat() : new JsonLinesFormat();

    public abstract EvidenceFileFormat Kind { get; }

    /// <summary>CSV: true, the file begins with its header line.</summary>
    public abstract bool HasHeader { get; }

    /// <summary>In CSV, a quote starts a field in which line feeds don't end the record.</summary>
    public abstract bool QuotesHoldLineFeeds { get; }

    /// <summary>What a new file starts with (the CSV header), with its line end; empty when nothing.</summary>
    public abstract string Preamble(string newLine);

    /// <summary>One activity as one record, its line end included.</summary>
    public abstract string Record(SupportAccessActivity activity, string newLine);

    /// <summary>True when a file's first line (without its line end) is the header this format writes.</summary>
    public abstract bool IsOurHeader(ReadOnlySpan<byte> line);

    /// <summary>
    /// A complete record (without its line end): what it says of its activity. A
    /// <see cref="FormatException"/> saying why when it is not a record this format writes.
    /// </summary>
    public abstract StoredRecord Parse(ReadOnlySpan<byte> record);

    /// <summary>True when a record this format writes can end as <paramref name="record"/> does:
    /// CSV's last column is never null, so its closing quote ends every record; a JSON object ends
    /// with its brace. A record cut after a comma would otherwise read as one whose last field is empty.</summary>
    public abstract bool EndsLikeRecord(ReadOnlySpan<byte> record);

    /// <summary>True when <paramref name="tail"/> can be the beginning of a record this format
    /// writes, cut short (a run stopped mid-write): only then may it be cut off.</summary>
    public abstract bool CouldBeTornRecord(ReadOnlySpan<byte> tail);

    protected static string Text(object? value) => value switch
    {
        null => "",
        System.Management.Automation.PSObject wrapped when wrapped.BaseObject is DateTime time => IsoDateTime.Format(time),
        DateTime time => IsoDateTime.Format(time),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static int Index(string name) => Array.FindIndex(Columns, c => c.Name == name);

    private static readonly int IdColumn = Index(nameof(SupportAccessActivity.Id));
    private static readonly int TenantColumn = Index(nameof(SupportAccessActivity.TenantId));
    private static readonly int TimeColumn = Index(nameof(SupportAccessActivity.ActivityDateTime));

    private static StoredRecord Stored(string tenantId, string id, string time) => new(tenantId, id, ParseTime(time));

    internal static DateTime ParseTime(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : throw new ImpossibleTimeException($"its ActivityDateTime '{Shorten(text)}' is not a date and time");

    internal static string Shorten(string text) => text.Length > 80 ? text.Substring(0, 80) + "…" : text;

    private sealed class CsvFormat : EvidenceFormat
    {
        private static readonly string Header = string.Join(",", Columns.Select(c => Quote(c.Name)));

        public override EvidenceFileFormat Kind => EvidenceFileFormat.Csv;

        public override bool HasHeader => true;

        public override bool QuotesHoldLineFeeds => true;

        public override string Preamble(string newLine) => Header + newLine;

        public override string Record(SupportAccessActivity activity, string newLine)
        {
            var line = new StringBuilder(512);
            foreach (PropertyInfo column in Columns)
            {
                if (line.Length > 0)
                {
                    line.Append(',');
                }

                object? value = column.GetValue(activity);
                if (value is not null)
                {
                    line.Append(Quote(Text(value)));
                }
            }

            return line.Append(newLine).ToString();
        }

        public override bool IsOurHeader(ReadOnlySpan<byte> line)
        {
            // Our header is quoted; a spreadsheet that saved the file may have dropped the
            // quotes. Either is the same list of names.
            List<string>? names = Fields(line);
            return names is not null && names.SequenceEqual(Columns.Select(c => c.Name));
        }

        public override StoredRecord Parse(ReadOnlySpan<byte> record)
        {
            List<string>? fields = Fields(record);
            if (fields is null)
            {
                throw new FormatException("a quote in it is not closed or is followed by other characters");
            }

            if (fields.Count != Columns.Length)
            {
                throw new FormatException($"it has {fields.Count} fields, not the {Columns.Length} this command writes");
            }

            return Stored(fields[TenantColumn], fields[IdColumn], fields[TimeColumn]);
        }

        public override bool EndsLikeRecord(ReadOnlySpan<byte> record) => record.Length > 0 && record[record.Length - 1] == (byte)'"';

        public override bool CouldBeTornRecord(ReadOnlySpan<byte> tail)
        {
            // A prefix of a record we write: fields that are empty or quoted ("" inside), each
            // followed by a comma, at most our number of them, the last perhaps cut inside its
            // quotes. A stray quote earlier in the file makes the rest of it read as one long
            // "field"; that is not a torn record, and must not be cut off as one.
            if (tail.Length == 0 || tail[0] != (byte)'"')
            {
                return false;
            }

            int fields = 1;
            int i = 0;
            while (i < tail.Length)
            {
                if (tail[i] == (byte)'"')
                {
                    i++;
                    while (i < tail.Length && !(tail[i] == (byte)'"' && (i + 1 >= tail.Length || tail[i + 1] != (byte)'"')))
                    {
                        i += tail[i] == (byte)'"' ? 2 : 1;
                    }

                    if (i >= tail.Length)
                    {
                        break; // cut inside the quotes
                    }

                    i++; // the closing quote
                    if (i < tail.Length && tail[i] != (byte)',')
                    {
                        return false;
                    }
                }
                else if (tail[i] != (byte)',')
                {
                    return false;
                }

                if (i < tail.Length)
                {
                    i++; // the comma
                    if (++fields > Columns.Length)
                    {
                        return false;
                    }
                }
            }

            return IsUtf8Prefix(tail);
        }

        /// <summary>The fields of one CSV record, quotes removed; null when its quoting is broken.</summary>
        private static List<string>? Fields(ReadOnlySpan<byte> record)
        {
            var fields = new List<string>(Columns.Length);
            var field = new List<byte>(64);
            int i = 0;
            while (true)
            {
                field.Clear();
                if (i < record.Length && record[i] == (byte)'"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= record.Length)
                        {
                            return null;
                        }

                        if (record[i] == (byte)'"')
                        {
                            if (i + 1 < record.Length && record[i + 1] == (byte)'"')
                            {
                                field.Add((byte)'"');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        field.Add(record[i++]);
                    }

                    if (i < record.Length && record[i] != (byte)',')
                    {
                        return null;
                    }
                }
                else
                {
                    while (i < record.Length && record[i] != (byte)',')
                    {
                        if (record[i] == (byte)'"')
                        {
                            return null;
                        }

                        field.Add(record[i++]);
                    }
                }

                fields.Add(StrictUtf8.GetString(field.ToArray()));
                if (i >= record.Length)
                {
                    return fields;
                }

                i++; // the comma
            }
        }

        private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    private sealed class JsonLinesFormat : EvidenceFormat
    {
        private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private static readonly HashSet<string> Names = new(Columns.Select(c => c.Name), StringComparer.Ordinal);
        private static readonly byte[] Opening = Encoding.UTF8.GetBytes("{\"" + Columns[0].Name + "\":");

        public override EvidenceFileFormat Kind => EvidenceFileFormat.JsonLines;

        public override bool HasHeader => false;

        public override bool QuotesHoldLineFeeds => false;

        public override string Preamble(string newLine) => "";

        public override bool IsOurHeader(ReadOnlySpan<byte> line) => false;

        public override string Record(SupportAccessActivity activity, string newLine)
        {
            using var buffer = new MemoryStream(768);
            using (var writer = new Utf8JsonWriter(buffer, Options))
            {
                writer.WriteStartObject();
                foreach (PropertyInfo column in Columns)
                {
                    object? value = column.GetValue(activity);
                    if (value is null)
                    {
                        writer.WriteNull(column.Name);
                    }
                    else
                    {
                        writer.WriteString(column.Name, Text(value));
                    }
                }

                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray()) + newLine;
        }

        public override StoredRecord Parse(ReadOnlySpan<byte> record)
        {
            // The whole line must be valid UTF-8; the JSON reader checks only what it decodes.
            StrictUtf8.GetCharCount(record.ToArray());
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            var reader = new Utf8JsonReader(record);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new FormatException("it is not a JSON object");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string name = reader.GetString()!;
                    reader.Read();
                    if (!Names.Contains(name) || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null) || values.ContainsKey(name))
                    {
                        throw new FormatException($"its member '{Shorten(name)}' is not one this command writes");
                    }

                    values[name] = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    throw new FormatException("it is not one JSON object");
                }
            }
            catch (JsonException ex)
            {
                throw new FormatException($"it is not JSON ({ex.Message})", ex);
            }

            if (values.Count != Columns.Length)
            {
                throw new FormatException($"it has {values.Count} members, not the {Columns.Length} this command writes");
            }

            return Stored(values[nameof(SupportAccessActivity.TenantId)] ?? "", values[nameof(SupportAccessActivity.Id)] ?? "", values[nameof(SupportAccessActivity.ActivityDateTime)] ?? "");
        }

        public override bool EndsLikeRecord(ReadOnlySpan<byte> record) => record.Length > 0 && record[record.Length - 1] == (byte)'}';

        public override bool CouldBeTornRecord(ReadOnlySpan<byte> tail)
        {
            int common = Math.Min(tail.Length, Opening.Length);
            return tail.Length > 0 && tail.Slice(0, common).SequenceEqual(Opening.AsSpan(0, common)) && IsUtf8Prefix(tail);
        }
    }

    /// <summary>True when <paramref name="bytes"/> is valid UTF-8, except perhaps for one character cut off at its end
    /// (a lead byte and fewer continuation bytes than it announces).</summary>
    private static bool IsUtf8Prefix(ReadOnlySpan<byte> bytes)
    {
        int cut = 0;
        for (int back = 1; back <= 3 && back <= bytes.Length; back++)
        {
            byte b = bytes[bytes.Length - back];
            if (b is >= 0x80 and <= 0xBF)
            {
                continue; // a continuation byte: look further back for its lead
            }

            int length = b switch { >= 0xC2 and <= 0xDF => 2, >= 0xE0 and <= 0xEF => 3, >= 0xF0 and <= 0xF4 => 4, _ => 0 };
            cut = length > back ? back : 0;
            break;
        }

        try
        {
            StrictUtf8.GetCharCount(bytes.Slice(0, bytes.Length - cut).ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}

/// <summary>A record of our shape whose time can't be one: the record was changed after it was written.</summary>
internal sealed class ImpossibleTimeException : FormatException
{
    public ImpossibleTimeException(string message)
        : base(message)
    {
    }
}

/// <summary>What a record in the file says of its activity.</summary>
internal readonly record struct StoredRecord(string TenantId, string Id, DateTime Time);

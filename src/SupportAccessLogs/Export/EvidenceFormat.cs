using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace SupportAccessLogs.Export;

/// <summary>How an evidence file holds activities.</summary>
public enum EvidenceFileFormat
{
    /// <summary>What Export-Csv writes of the activities: the same header, columns and quoting.</summary>
    Csv,
    /// <summary>One JSON object per line, the activities' properties in order, enums as names.</summary>
    JsonLines,
}

/// <summary>
/// Writes activities as an evidence file's records and reads those records back (the id, the
/// tenant and the time of each). The CSV is what Export-Csv writes of the same objects (every
/// property in order, values quoted, a null as nothing), so Import-Csv and
/// Get-SupportAccessRequest read the file as they read any export (docs/architecture.md,
/// "Evidence files").
/// </summary>
internal abstract class EvidenceFormat
{
    /// <summary>The activity's public properties in the order PowerShell lists them.</summary>
    protected static readonly PropertyInfo[] Columns = typeof(SupportAccessActivity)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .OrderBy(p => p.MetadataToken)
        .ToArray();

    public static EvidenceFormat For(EvidenceFileFormat format) => format == EvidenceFileFormat.Csv ? new CsvFormat() : new JsonLinesFormat();

    /// <summary>What a new file starts with (the CSV header); empty when nothing.</summary>
    public abstract string Preamble { get; }

    /// <summary>One activity as one record, its line end included.</summary>
    public abstract string Record(SupportAccessActivity activity);

    /// <summary>
    /// The complete records of a file's text after its preamble, and where the last complete one
    /// ends: anything after that is a record torn by a run that stopped mid-write.
    /// </summary>
    public abstract IEnumerable<StoredRecord> Read(string text, int start, Func<int, Exception> notOurs);

    /// <summary>Checks that a file's text begins as ours does; returns where its records begin.</summary>
    public abstract int CheckPreamble(string text, Func<string, Exception> notOurs);

    protected static string Text(object? value) => value switch
    {
        null => "",
        System.Management.Automation.PSObject wrapped when wrapped.BaseObject is DateTime time => IsoDateTime.Format(time),
        DateTime time => IsoDateTime.Format(time),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private sealed class CsvFormat : EvidenceFormat
    {
        public override string Preamble { get; } =
            string.Join(",", Columns.Select(c => Quote(c.Name))) + Environment.NewLine;

        public override string Record(SupportAccessActivity activity)
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

            return line.Append(Environment.NewLine).ToString();
        }

        public override int CheckPreamble(string text, Func<string, Exception> notOurs)
        {
            int end = text.IndexOf('\n');
            string header = (end < 0 ? text : text.Substring(0, end)).TrimEnd('\r');
            if (header != Preamble.TrimEnd('\r', '\n'))
            {
                throw notOurs(header.Length > 200 ? header.Substring(0, 200) + "…" : header);
            }

            return end < 0 ? text.Length : end + 1;
        }

        public override IEnumerable<StoredRecord> Read(string text, int start, Func<int, Exception> notOurs)
        {
            var fields = new List<string>(Columns.Length);
            var field = new StringBuilder();
            bool quoted = false;
            int recordStart = start;
            for (int i = start; i < text.Length; i++)
            {
                char c = text[i];
                if (quoted)
                {
                    if (c != '"')
                    {
                        field.Append(c);
                    }
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }

                    continue;
                }

                switch (c)
                {
                    case '"':
                        quoted = true;
                        break;
                    case ',':
                        fields.Add(field.ToString());
                        field.Clear();
                        break;
                    case '\r':
                        break;
                    case '\n':
                        fields.Add(field.ToString());
                        field.Clear();
                        if (fields.Count != Columns.Length)
                        {
                            throw notOurs(recordStart);
                        }

                        yield return Stored(fields, i + 1);
                        fields.Clear();
                        recordStart = i + 1;
                        break;
                    default:
                        field.Append(c);
                        break;
                }
            }

        }

        private static StoredRecord Stored(List<string> fields, int end) => new(
            fields[Index(nameof(SupportAccessActivity.TenantId))],
            fields[Index(nameof(SupportAccessActivity.Id))],
            ParseTime(fields[Index(nameof(SupportAccessActivity.ActivityDateTime))]),
            end);

        private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    private sealed class JsonLinesFormat : EvidenceFormat
    {
        private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public override string Preamble => "";

        public override int CheckPreamble(string text, Func<string, Exception> notOurs)
        {
            if (text.Length > 0 && text.TrimStart()[0] != '{')
            {
                throw notOurs(text.Substring(0, Math.Min(200, text.Length)));
            }

            return 0;
        }

        public override string Record(SupportAccessActivity activity)
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

            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        public override IEnumerable<StoredRecord> Read(string text, int start, Func<int, Exception> notOurs)
        {
            for (int lineStart = start; lineStart < text.Length;)
            {
                int end = text.IndexOf('\n', lineStart);
                if (end < 0)
                {
                    // No line end: a record torn mid-write.
                    yield break;
                }

                string line = text.Substring(lineStart, end - lineStart).TrimEnd('\r');
                StoredRecord record;
                try
                {
                    using JsonDocument document = JsonDocument.Parse(line);
                    JsonElement root = document.RootElement;
                    record = new StoredRecord(
                        root.TryGetProperty(nameof(SupportAccessActivity.TenantId), out JsonElement tenant) ? tenant.GetString() ?? "" : "",
                        root.GetProperty(nameof(SupportAccessActivity.Id)).GetString() ?? "",
                        ParseTime(root.GetProperty(nameof(SupportAccessActivity.ActivityDateTime)).GetString() ?? ""),
                        end + 1);
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    throw notOurs(lineStart);
                }

                yield return record;
                lineStart = end + 1;
            }
        }
    }

    private static int Index(string name) => Array.FindIndex(Columns, c => c.Name == name);

    private static DateTime ParseTime(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : throw new FormatException($"'{text}' is not a date and time.");
}

/// <summary>What a record in the file says of its activity, and where the record ends in the text.</summary>
internal readonly record struct StoredRecord(string TenantId, string Id, DateTime Time, int End);

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// Reads the query API's answer, {"tables":[{"columns":[…],"rows":[[…]]}], "error"?}: columns by
/// name, never by position, and a top-level error (PartialError) as an incomplete answer.
/// </summary>
internal static class QueryAnswer
{
    /// <summary>
    /// The rows as audit records of the same model as Graph's: scalar columns straight into the
    /// record, the dynamic columns (Graph's own JSON, as text) through the one record reader's
    /// member readers, so nothing downstream knows which source a record came from. Each record
    /// keeps its row's bytes; GetRawRecord() turns them into an object of the row's columns only
    /// when asked.
    /// </summary>
    public static List<ParsedAuditRecord> Records(ArraySegment<byte> body)
    {
        var records = new List<ParsedAuditRecord>();
        byte[] scratch = new byte[4096];
        Read(body, (ref Utf8JsonReader reader, string[] columns) =>
        {
            int rowStart = (int)reader.TokenStartIndex;
            var record = new AuditRecord();
            for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                switch (i < columns.Length ? columns[i] : "")
                {
                    case "Id": record.Id = Text(ref reader); break;
                    case "ActivityDateTime": record.ActivityDateTime = Time(ref reader); break;
                    case "ActivityDisplayName": record.ActivityDisplayName = Repeated(ref reader); break;
                    case "Category": record.Category = Repeated(ref reader); break;
                    case "Result": record.Result = Repeated(ref reader); break;
                    case "ResultReason": record.ResultReason = Repeated(ref reader); break;
                    case "LoggedByService": record.LoggedByService = Repeated(ref reader); break;
                    case "AADOperationType": record.OperationType = Repeated(ref reader); break;
                    case "CorrelationId": record.CorrelationId = Text(ref reader); break;
                    case "AADTenantId": record.TenantId = Repeated(ref reader); break;
                    case "InitiatedBy": Structured(ref reader, "initiatedBy", record, ref scratch); break;
                    case "TargetResources": Structured(ref reader, "targetResources", record, ref scratch); break;
                    case "AdditionalDetails": Structured(ref reader, "additionalDetails", record, ref scratch); break;
                    default: reader.Skip(); break;
                }
            }

            int rowEnd = (int)reader.BytesConsumed;
            var raw = new byte[rowEnd - rowStart];
            Buffer.BlockCopy(body.Array!, body.Offset + rowStart, raw, 0, raw.Length);
            records.Add(new ParsedAuditRecord(record, raw, columns));
        });
        return records;
    }

    private static string? Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw WrongType(ref reader, "a string"),
    };

    /// <summary>A value that repeats across rows (names, categories, tenants): from the per-thread table.</summary>
    private static string? Repeated(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            ? RepeatedStrings.Current.Get(reader.ValueSpan)
            : Text(ref reader);

    private static DateTimeOffset? Time(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out DateTimeOffset time))
        {
            throw new AuditResponseFormatException("Log Analytics returned an ActivityDateTime that is not an ISO 8601 date and time.");
        }

        return time;
    }

    /// <summary>A dynamic column: JSON text (as documented) or, should it come so, JSON itself.</summary>
    private static void Structured(ref Utf8JsonReader reader, string member, AuditRecord record, ref byte[] scratch)
    {
        try
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return;
                case JsonTokenType.String:
                    int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                    if (scratch.Length < length)
                    {
                        scratch = new byte[Math.Max(length, scratch.Length * 2)];
                    }

                    int copied = reader.CopyString(scratch);
                    if (copied > 0)
                    {
                        AuditRecordJson.ReadStructuredMember(new ReadOnlySpan<byte>(scratch, 0, copied), member, record);
                    }

                    return;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    using (JsonDocument value = JsonDocument.ParseValue(ref reader))
                    {
                        AuditRecordJson.ReadStructuredMember(System.Text.Encoding.UTF8.GetBytes(value.RootElement.GetRawText()), member, record);
                    }

                    return;
                default:
                    throw WrongType(ref reader, "JSON text");
            }
        }
        catch (JsonException ex)
        {
            throw new AuditResponseFormatException($"Log Analytics returned a {member} column that is not JSON ({ex.Message}).");
        }
    }

    private static AuditResponseFormatException WrongType(ref Utf8JsonReader reader, string expected) =>
        new($"Log Analytics returned {reader.TokenType} where {expected} belongs, not the documented shape.");

    /// <summary>The rows of `summarize count() by bin(TimeGenerated, …)`: each bin's start and count.</summary>
    public static List<(DateTime Bin, long Count)> Counts(ArraySegment<byte> body)
    {
        var counts = new List<(DateTime, long)>();
        Read(body, (ref Utf8JsonReader reader, string[] columns) =>
        {
            DateTime? bin = null;
            long count = 0;
            for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                string column = i < columns.Length ? columns[i] : "";
                if (column == "TimeGenerated" && reader.TokenType == JsonTokenType.String)
                {
                    bin = DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                }
                else if (column == "count_" && reader.TokenType == JsonTokenType.Number)
                {
                    count = reader.GetInt64();
                }
                else
                {
                    reader.Skip();
                }
            }

            if (bin is DateTime start)
            {
                counts.Add((start, count));
            }
        });
        return counts;
    }

    private delegate void RowReader(ref Utf8JsonReader reader, string[] columns);

    /// <summary>Walks the first table's rows (the reader on each row's StartArray), then throws
    /// if the answer also holds an error.</summary>
    private static void Read(ArraySegment<byte> body, RowReader row)
    {
        var reader = new Utf8JsonReader(body.AsSpan());
        string? partial = null;
        bool sawTable = false;
        try
        {
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "an object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("tables"u8))
                {
                    Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, "\"tables\" as an array");
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (sawTable)
                        {
                            reader.Skip();
                            continue;
                        }

                        sawTable = true;
                        ReadTable(ref reader, row);
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    partial = ErrorText(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw new AuditResponseFormatException($"Log Analytics returned a body that is not the documented JSON ({ex.Message}).");
        }

        if (partial is not null)
        {
            throw new PartialAnswerException(partial);
        }

        Expect(sawTable, "a table");
    }

    private static void ReadTable(ref Utf8JsonReader reader, RowReader row)
    {
        string[]? columns = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("columns"u8))
            {
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, "\"columns\" as an array");
                var names = new List<string>();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    string name = "";
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isName = reader.ValueTextEquals("name"u8);
                        reader.Read();
                        if (isName && reader.TokenType == JsonTokenType.String)
                        {
                            name = reader.GetString() ?? "";
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    names.Add(name);
                }

                columns = names.ToArray();
            }
            else if (reader.ValueTextEquals("rows"u8))
            {
                // Columns come first in every answer the API documents; rows before them can't be mapped.
                Expect(columns is not null, "\"columns\" before \"rows\"");
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, "\"rows\" as an array");
                while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                {
                    row(ref reader, columns!);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static string ErrorText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return "the answer carries an error";
        }

        using JsonDocument error = JsonDocument.ParseValue(ref reader);
        string code = error.RootElement.TryGetProperty("code", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
        string message = error.RootElement.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        string detail = "";
        if (error.RootElement.TryGetProperty("details", out JsonElement details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in details.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("message", out JsonElement dm) && dm.ValueKind == JsonValueKind.String)
                {
                    detail = dm.GetString() ?? "";
                    break;
                }
            }
        }

        return ServerText.Clean($"{code}: {message}{(detail.Length > 0 ? $" ({detail})" : "")}");
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new AuditResponseFormatException($"Log Analytics returned an answer without {what}, not the documented shape.");
        }
    }
}

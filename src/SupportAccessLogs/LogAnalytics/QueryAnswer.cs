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
    /// The rows as audit records of the same model as Graph's: each row is rewritten as a Graph
    /// directoryAudit (the dynamic columns are Graph's own JSON, as text) and read by the one
    /// record reader, so nothing downstream knows which source a record came from. The rewritten
    /// record, with the row's AADTenantId and TimeGenerated, is what GetRawRecord() returns.
    /// </summary>
    public static List<ParsedAuditRecord> Records(ArraySegment<byte> body)
    {
        var records = new List<ParsedAuditRecord>();
        var buffer = new System.IO.MemoryStream(4096);
        // One writer and one scratch buffer for all rows of the answer.
        using var writer = new Utf8JsonWriter(buffer);
        byte[] scratch = new byte[4096];
        Read(body, (ref Utf8JsonReader reader, string[] columns) =>
        {
            buffer.SetLength(0);
            writer.Reset(buffer);
            string? tenant = null;
            writer.WriteStartObject();
            for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                string column = i < columns.Length ? columns[i] : "";
                string? graphName = GraphName(column);
                if (graphName is null)
                {
                    reader.Skip();
                    continue;
                }

                if (column == "AADTenantId" && reader.TokenType == JsonTokenType.String)
                {
                    tenant = reader.GetString();
                }

                writer.WritePropertyName(graphName);
                WriteValue(ref reader, writer, dynamicColumn: IsDynamic(column), ref scratch);
            }

            writer.WriteEndObject();
            writer.Flush();

            byte[] raw = buffer.ToArray();
            AuditRecord record;
            try
            {
                // The dynamic columns' text was copied unchecked; reading the record checks it.
                var recordReader = new Utf8JsonReader(raw);
                if (!recordReader.Read() || !AuditRecordJson.TryReadRecord(ref recordReader, out record))
                {
                    throw new AuditResponseFormatException("Log Analytics returned a row the module could not read as an audit record.");
                }
            }
            catch (JsonException ex)
            {
                throw new AuditResponseFormatException($"Log Analytics returned a dynamic column that is not JSON ({ex.Message}).");
            }

            record.TenantId = tenant;
            records.Add(new ParsedAuditRecord(record, raw));
        });
        return records;
    }

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

    private static void WriteValue(ref Utf8JsonReader reader, Utf8JsonWriter writer, bool dynamicColumn, ref byte[] scratch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                writer.WriteNullValue();
                break;
            case JsonTokenType.String when dynamicColumn:
                // A dynamic column is JSON text: its unescaped UTF-8 is written as JSON as it is,
                // with no string in between; the record reader checks it right after.
                int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                if (scratch.Length < length)
                {
                    scratch = new byte[Math.Max(length, scratch.Length * 2)];
                }

                int copied = reader.CopyString(scratch);
                if (copied == 0)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteRawValue(new ReadOnlySpan<byte>(scratch, 0, copied), skipInputValidation: true);
                }

                break;
            case JsonTokenType.String:
                writer.WriteStringValue(reader.ValueSpan.Length > 0 && !reader.ValueIsEscaped ? reader.ValueSpan : System.Text.Encoding.UTF8.GetBytes(reader.GetString() ?? ""));
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                using (JsonDocument value = JsonDocument.ParseValue(ref reader))
                {
                    value.WriteTo(writer);
                }

                break;
            default:
                using (JsonDocument value = JsonDocument.ParseValue(ref reader))
                {
                    value.WriteTo(writer);
                }

                break;
        }
    }

    /// <summary>The Graph directoryAudit member a column becomes; null for a column not read.</summary>
    private static string? GraphName(string column) => column switch
    {
        "Id" => "id",
        "TimeGenerated" => "timeGenerated",
        "ActivityDateTime" => "activityDateTime",
        "ActivityDisplayName" => "activityDisplayName",
        "Category" => "category",
        "Result" => "result",
        "ResultReason" => "resultReason",
        "LoggedByService" => "loggedByService",
        "AADOperationType" => "operationType",
        "CorrelationId" => "correlationId",
        "AADTenantId" => "aadTenantId",
        "InitiatedBy" => "initiatedBy",
        "TargetResources" => "targetResources",
        "AdditionalDetails" => "additionalDetails",
        _ => null,
    };

    private static bool IsDynamic(string column) => column is "InitiatedBy" or "TargetResources" or "AdditionalDetails";

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new AuditResponseFormatException($"Log Analytics returned an answer without {what}, not the documented shape.");
        }
    }
}

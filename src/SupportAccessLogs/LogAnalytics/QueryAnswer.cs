using System;
using System.Buffers;
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
    /// Checks a whole answer and finds its rows, without reading them into records yet: an
    /// incomplete answer (PartialError) or one that is not the documented JSON fails here, before
    /// any of its rows is handed over. The rows are read one by one as they are written
    /// (<see cref="AnswerRows"/>), so a slice waiting its turn holds its bytes, not thousands of
    /// records for the garbage collector to trace and copy (tests/perf/README.md, "The workspace path").
    /// </summary>
    /// <param name="owner">What holds the bytes (pooled chunks), disposed with the rows.</param>
    public static AnswerRows Rows(ReadOnlySequence<byte> body, IDisposable? owner = null)
    {
        string[] names = Array.Empty<string>();
        var starts = new List<SequencePosition>();
        Read(body, (ref Utf8JsonReader reader, string[] columns, SequencePosition rowStart) =>
        {
            names = columns;
            starts.Add(rowStart);
            reader.Skip();
        });
        return new AnswerRows(body, names, starts, owner);
    }

    /// <summary>
    /// One row as an audit record of the same model as Graph's: scalar columns straight into the
    /// record, the dynamic columns (Graph's own JSON, as text) through the one record reader's
    /// member readers, so nothing downstream knows which source a record came from. The record
    /// keeps its row's bytes; GetRawRecord() turns them into an object of the row's columns only
    /// when asked.
    /// </summary>
    /// <param name="row">The answer's bytes from the row's '[' on (checked by <see cref="Rows"/>).</param>
    internal static ParsedAuditRecord ReadRow(ReadOnlySequence<byte> row, string[] columns, ref byte[] scratch)
    {
        var reader = new Utf8JsonReader(row);
        var record = new AuditRecord();
        reader.Read();
        for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
        {
            switch (i < columns.Length ? columns[i] : "")
            {
                case "Id": record.Id = Text(ref reader); break;
                case "ActivityDateTime": record.ActivityDateTime = Time(ref reader, "ActivityDateTime"); break;
                case "TimeGenerated": record.TimeGenerated = Time(ref reader, "TimeGenerated"); break;
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

        return new ParsedAuditRecord(record, row.Slice(0, reader.BytesConsumed).ToArray(), columns);
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

    private static DateTimeOffset? Time(ref Utf8JsonReader reader, string column)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out DateTimeOffset time))
        {
            throw new AuditResponseFormatException($"Log Analytics returned a{(column[0] == 'A' ? "n" : "")} {column} that is not an ISO 8601 date and time.");
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
    public static List<(DateTime Bin, long Count)> Counts(ReadOnlySequence<byte> body)
    {
        var counts = new List<(DateTime, long)>();
        Read(body, (ref Utf8JsonReader reader, string[] columns, SequencePosition rowStart) =>
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

    private delegate void RowReader(ref Utf8JsonReader reader, string[] columns, SequencePosition rowStart);

    /// <summary>Walks the first table's rows (the reader on each row's StartArray), then throws
    /// if the answer also holds an error.</summary>
    private static void Read(ReadOnlySequence<byte> body, RowReader row)
    {
        var reader = new Utf8JsonReader(body);
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
                        ReadTable(ref reader, body, row);
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

    private static void ReadTable(ref Utf8JsonReader reader, ReadOnlySequence<byte> body, RowReader row)
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
                while (true)
                {
                    // Where the row's '[' lies, found from the position before it (after the
                    // previous row's ']') without walking the chunks from the answer's start.
                    SequencePosition before = reader.Position;
                    long consumedBefore = reader.BytesConsumed;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    {
                        break;
                    }

                    row(ref reader, columns!, body.GetPosition(reader.TokenStartIndex - consumedBefore, before));
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

/// <summary>A checked answer's rows (<see cref="QueryAnswer.Rows"/>), read into records one at a
/// time as they are enumerated. Dispose returns the answer's bytes.</summary>
internal sealed class AnswerRows : IDisposable
{
    private readonly ReadOnlySequence<byte> _body;
    private readonly string[] _columns;
    private readonly List<SequencePosition> _starts;
    private readonly IDisposable? _owner;

    public AnswerRows(ReadOnlySequence<byte> body, string[] columns, List<SequencePosition> starts, IDisposable? owner)
    {
        _body = body;
        _columns = columns;
        _starts = starts;
        _owner = owner;
    }

    private bool _disposed;

    public int Count => _starts.Count;

    public IEnumerable<ParsedAuditRecord> Records()
    {
        byte[] scratch = new byte[4096];
        foreach (SequencePosition start in _starts)
        {
            // Disposed, the chunks may already hold another answer's bytes.
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(AnswerRows));
            }

            yield return QueryAnswer.ReadRow(_body.Slice(start), _columns, ref scratch);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _owner?.Dispose();
    }
}

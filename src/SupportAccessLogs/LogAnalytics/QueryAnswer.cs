using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// Reads the query API's answer, {"tables":[{"name":"PrimaryResult","columns":[…],"rows":[[…]]}], "error"?}:
/// the table named PrimaryResult (the documented shape allows more tables; the result is that one),
/// columns by name, never by position, every column the query projects required, every row inside
/// the query's window, and a top-level error (PartialError) as an incomplete answer.
/// </summary>
internal static class QueryAnswer
{
    /// <summary>The result table's name in every answer (docs/architecture.md, "Log Analytics").</summary>
    public const string ResultTable = "PrimaryResult";

    /// <summary>The columns <see cref="Kql.Rows"/> projects: an answer without one of them is not its answer.</summary>
    private static readonly string[] RowColumns = Kql.Columns.Split(new[] { ", " }, StringSplitOptions.None);

    /// <summary>
    /// Checks a whole answer and finds its rows, without reading them into records yet: an
    /// incomplete answer (PartialError), one that is not the documented JSON, one without a
    /// PrimaryResult table or without a column the query projects, and one with a row outside
    /// <paramref name="window"/> fail here, before any of its rows is handed over. The rows are
    /// read one by one as they are written (<see cref="AnswerRows"/>), so a slice waiting its turn
    /// holds its bytes, not thousands of records for the garbage collector to trace and copy
    /// (tests/perf/README.md, "The workspace path").
    /// </summary>
    /// <param name="window">The slice the query asked for: every row's TimeGenerated lies in it.</param>
    /// <param name="owner">What holds the bytes (pooled chunks), disposed with the rows.</param>
    public static AnswerRows Rows(ReadOnlySequence<byte> body, Slice window, IDisposable? owner = null)
    {
        var table = (RowTable)Read(body, () => new RowTable(window));
        RequireColumns(table.Columns!, RowColumns);
        table.ThrowIfOutside();
        return new AnswerRows(body, table.Columns!, table.Starts, owner);
    }

    /// <summary>The rows of a stored answer of any projection and window (tests, benchmarks): the
    /// answer checked as <see cref="Rows(ReadOnlySequence{byte}, Slice, IDisposable?)"/> does, but
    /// for its columns and its rows' times.</summary>
    public static AnswerRows Rows(ReadOnlySequence<byte> body)
    {
        var table = (RowTable)Read(body, () => new RowTable(null));
        return new AnswerRows(body, table.Columns!, table.Starts, null);
    }

    /// <summary>
    /// One row as an audit record of the same model as Graph's: scalar columns straight into the
    /// record, the dynamic columns (Graph's own JSON, as text) through the one record reader's
    /// member readers, so nothing downstream knows which source a record came from. The record
    /// keeps its row's bytes; GetRawRecord() turns them into an object of the row's columns only
    /// when asked.
    /// </summary>
    /// <param name="row">The answer's bytes from the row's '[' on (checked by <see cref="Rows(ReadOnlySequence{byte}, Slice, IDisposable?)"/>).</param>
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

        // Graph's activityDateTime is the row's ActivityDateTime; without it the time the row
        // reached the workspace is the nearest the row knows (said in Verbose and the warning).
        if (record.ActivityDateTime is null && record.TimeGenerated is not null)
        {
            record.ActivityDateTime = record.TimeGenerated;
            record.ActivityDateTimeFromTimeGenerated = true;
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

    /// <summary>The rows of `summarize count() by bin(TimeGenerated, 1h)`: each bin's start and
    /// count, and with a filter the count of the rows it keeps from <paramref name="matchingColumn"/>
    /// (checked as count_ is; all rows when null); a bin outside <paramref name="window"/> fails as a
    /// row outside it does.</summary>
    public static List<(DateTime Bin, long Count, long Matching)> Counts(ReadOnlySequence<byte> body, Slice window, string? matchingColumn)
    {
        var table = (CountTable)Read(body, () => new CountTable(window, matchingColumn));
        RequireColumns(table.Columns!, matchingColumn is null ? CountTable.Needed : CountTable.Needed.Append(matchingColumn).ToArray());
        table.ThrowIfOutside();
        return table.Counts;
    }

    /// <summary>
    /// Walks the answer: every table's columns and rows (<paramref name="newTable"/> reads each),
    /// then takes the one named PrimaryResult; throws if the answer holds an error (PartialError),
    /// holds no PrimaryResult table, or holds two.
    /// </summary>
    private static TableReader Read(ReadOnlySequence<byte> body, Func<TableReader> newTable)
    {
        var reader = new Utf8JsonReader(body);
        string? partial = null;
        var tables = new List<TableReader>();
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
                        TableReader table = newTable();
                        ReadTable(ref reader, body, table);
                        tables.Add(table);
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

        Expect(tables.Count > 0, "a table");
        TableReader[] results = tables.Where(t => t.Name == ResultTable).ToArray();
        if (results.Length != 1)
        {
            IEnumerable<string> names = tables.Take(5).Select(t => t.Name is null ? "a table without a name" : ServerText.Clean(t.Name));
            string sent = string.Join(", ", names) + (tables.Count > 5 ? $" and {tables.Count - 5} more" : "");
            throw new AuditResponseFormatException(results.Length == 0
                ? $"Log Analytics returned no {ResultTable} table (it sent {sent}), not the documented shape: the result of a query is the table named {ResultTable}."
                : $"Log Analytics returned {results.Length} tables named {ResultTable}, not the documented shape: which holds the result can't be told.");
        }

        Expect(results[0].Columns is not null, "\"columns\"");
        return results[0];
    }

    private static void ReadTable(ref Utf8JsonReader reader, ReadOnlySequence<byte> body, TableReader table)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                table.Name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("columns"u8))
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

                table.SetColumns(names.ToArray());
            }
            else if (reader.ValueTextEquals("rows"u8))
            {
                // Columns come first in every answer the API documents; rows before them can't be mapped.
                Expect(table.Columns is not null, "\"columns\" before \"rows\"");
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

                    table.Row(ref reader, body.GetPosition(reader.TokenStartIndex - consumedBefore, before));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>An answer without a column the query asked for is not the query's answer: its
    /// rows would come out without ids or names (an empty Id, Activity Other), or no count at all.</summary>
    private static void RequireColumns(string[] columns, string[] needed)
    {
        string[] missing = needed.Where(n => Array.IndexOf(columns, n) < 0).ToArray();
        if (missing.Length > 0)
        {
            throw new AuditResponseFormatException(
                $"Log Analytics returned an answer without the column{(missing.Length == 1 ? "" : "s")} {string.Join(", ", missing)}, which the query asks for: it is not the answer to the query sent.");
        }
    }

    /// <summary>A row (or a count's bin) outside the query's window: the server did not apply the query.</summary>
    private static ModuleException OutsideWindow(string what, Slice window) =>
        new("LogAnalyticsRowOutsideWindow", ErrorCategory.InvalidResult,
            $"Log Analytics returned {what} outside the window the query asked for ({window}): the service, or something in between, did not apply the query as sent, so nothing in that answer can be taken as the query's rows. None of them was written; activities written before stand. Check -LogAnalyticsEndpoint of Connect-SupportAccess and any proxy in between, then run the command again.");

    /// <summary>One table of an answer as it is walked: its name, columns, and what its rows hold.</summary>
    private abstract class TableReader
    {
        public string? Name { get; set; }

        public string[]? Columns { get; private set; }

        public void SetColumns(string[] columns)
        {
            Columns = columns;
            OnColumns(columns);
        }

        protected abstract void OnColumns(string[] columns);

        /// <summary>Reads one row, the reader on its StartArray, and leaves it on its EndArray.</summary>
        public abstract void Row(ref Utf8JsonReader reader, SequencePosition start);
    }

    /// <summary>
    /// A table of rows: where each starts, and the first whose TimeGenerated lies outside the
    /// slice (only its Id and TimeGenerated cells are looked at; the rest is skipped).
    /// </summary>
    private sealed class RowTable : TableReader
    {
        private readonly Slice? _window;
        private int _time = -1;
        private int _id = -1;
        private string? _outside;

        /// <param name="window">Null: rows are not checked against one.</param>
        public RowTable(Slice? window) => _window = window;

        public List<SequencePosition> Starts { get; } = new();

        public void ThrowIfOutside()
        {
            if (_outside is not null)
            {
                throw OutsideWindow(_outside, _window!.Value);
            }
        }

        protected override void OnColumns(string[] columns)
        {
            _time = Array.IndexOf(columns, "TimeGenerated");
            _id = Array.IndexOf(columns, "Id");
        }

        public override void Row(ref Utf8JsonReader reader, SequencePosition start)
        {
            Starts.Add(start);
            if (_window is not Slice window || _time < 0 || _outside is not null)
            {
                reader.Skip();
                return;
            }

            DateTimeOffset? time = null;
            string? id = null;
            for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                if (i == _time && reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out DateTimeOffset at))
                {
                    time = at;
                }
                else if (i == _id && reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            if (time is null || time.Value.UtcDateTime < window.Start || time.Value.UtcDateTime >= window.End)
            {
                _outside = $"a row (Id {(string.IsNullOrEmpty(id) ? "none" : ServerText.Clean(id))}, TimeGenerated {(time is null ? "none" : Kql.Time(time.Value.UtcDateTime))})";
            }
        }
    }

    /// <summary>A table of counts per hour: each bin's start and count; a bin that can't hold a
    /// row of the window (it ends before the window starts, or starts at or after its end) is outside.</summary>
    private sealed class CountTable : TableReader
    {
        public static readonly string[] Needed = { "TimeGenerated", "count_" };

        /// <summary>The most rows an hour's count may hold: a billion, far above what a workspace
        /// can take in (its ingestion limit is some gigabytes a minute, an audit row a few KB),
        /// and small enough that no sum of a window's counts can overflow.</summary>
        public const long MaxRowsPerHour = 1_000_000_000;

        private readonly Slice _window;
        private readonly string? _matchingColumn;
        private int _bin = -1;
        private int _count = -1;
        private int _matching = -1;
        private string? _outside;

        public CountTable(Slice window, string? matchingColumn)
        {
            _window = window;
            _matchingColumn = matchingColumn;
        }

        public List<(DateTime Bin, long Count, long Matching)> Counts { get; } = new();

        public void ThrowIfOutside()
        {
            if (_outside is not null)
            {
                throw OutsideWindow(_outside, _window);
            }
        }

        protected override void OnColumns(string[] columns)
        {
            _bin = Array.IndexOf(columns, "TimeGenerated");
            _count = Array.IndexOf(columns, "count_");
            _matching = _matchingColumn is null ? -1 : Array.IndexOf(columns, _matchingColumn);
        }

        public override void Row(ref Utf8JsonReader reader, SequencePosition start)
        {
            DateTime? bin = null;
            (long? Value, string Sent) count = (null, "nothing");
            (long? Value, string Sent) matching = (null, "nothing");
            for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                if (i == _bin && reader.TokenType == JsonTokenType.String)
                {
                    bin = DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                }
                else if (i == _count)
                {
                    count = Number(ref reader);
                }
                else if (i == _matching)
                {
                    matching = Number(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            // A count sizes the slices: a missing one taken as 0 would skip its hour, a negative
            // one would shrink the total, an absurd one would overflow the slice arithmetic.
            // (An answer without the column at all is refused by its name, after its rows.)
            long rows = Checked(_count, count, bin);
            long kept = _matching >= 0 ? Checked(_matching, matching, bin) : rows;
            if (bin is not DateTime binStart)
            {
                _outside ??= "a count without its hour";
                return;
            }

            if (binStart.Add(Kql.CountBin) <= _window.Start || binStart >= _window.End)
            {
                _outside ??= $"the count of an hour (TimeGenerated {Kql.Time(binStart)})";
                return;
            }

            Counts.Add((binStart, rows, kept));
        }

        private static (long? Value, string Sent) Number(ref Utf8JsonReader reader)
        {
            string sent = reader.TokenType == JsonTokenType.Number
                ? Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray())
                : reader.TokenType.ToString();
            long? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long number) ? number : null;
            reader.Skip();
            return (value, sent);
        }

        private static long Checked(int column, (long? Value, string Sent) count, DateTime? bin)
        {
            if (column >= 0 && (count.Value is not long given || given < 0 || given > MaxRowsPerHour))
            {
                string sent = count.Sent;
                string hour = bin is DateTime at ? $" for the hour of {Kql.Time(at)}" : "";
                throw new AuditResponseFormatException(
                    $"Log Analytics returned a row count of {ServerText.Clean(sent.Length > 40 ? sent.Substring(0, 40) + "…" : sent)}{hour}, not a whole number from 0 to {MaxRowsPerHour:N0} (more rows than any workspace takes in an hour): the service, or something in between, did not answer the count query as sent, so the window can't be sliced from it and nothing was read. Check -LogAnalyticsEndpoint of Connect-SupportAccess and any proxy in between, then run the command again.");
            }

            return count.Value ?? 0;
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

/// <summary>A checked answer's rows (<see cref="QueryAnswer.Rows(ReadOnlySequence{byte}, Slice, IDisposable?)"/>), read into records one at a
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
#pragma warning disable CA1513 // netstandard2.0 has no ObjectDisposedException.ThrowIf.
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(AnswerRows));
            }
#pragma warning restore CA1513

            yield return QueryAnswer.ReadRow(_body.Slice(start), _columns, ref scratch);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _owner?.Dispose();
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;

namespace GraphEmulator;

/// <summary>What goes wrong with a Log Analytics query (README.md, "Log Analytics", "Faults").</summary>
public enum LogAnalyticsFaultKind
{
    /// <summary>200 with only the first <see cref="LogAnalyticsFaultRule.KeepRows"/> rows and a PartialError beside the tables, under the row cap too.</summary>
    PartialError,
    /// <summary>429 ThrottledError with Retry-After (seconds).</summary>
    Throttle429,
    /// <summary>504 GatewayTimeout, at once.</summary>
    Timeout504,
    /// <summary>200, the answer as usual without the columns <see cref="LogAnalyticsFaultRule.Columns"/> (their entries and cells): a server that did not apply the query's <c>project</c>.</summary>
    DropColumns,
    /// <summary>200, the answer as usual but the cells of <see cref="LogAnalyticsFaultRule.Columns"/> (datetime or dynamic) are null in its first <see cref="LogAnalyticsFaultRule.Rows"/> rows.</summary>
    NullCells,
    /// <summary>200, the answer as usual in a table named <see cref="LogAnalyticsFaultRule.TableName"/> instead of <c>PrimaryResult</c>.</summary>
    RenameTable,
    /// <summary>502 with a gateway's HTML page (<c>text/html</c>), as a proxy or load balancer sends when the service behind it fails.</summary>
    Html502,
    /// <summary>No answer at all: the request is held open, nothing written, until the client gives up (or the server stops).</summary>
    NoAnswer,
    /// <summary>200, the answer as usual but its last <see cref="LogAnalyticsFaultRule.Rows"/> rows dated a day before the query's window (TimeGenerated, and ActivityDateTime when in the answer).</summary>
    OutsideWindow,
}

/// <summary>
/// A scripted fault on <c>POST /v1/workspaces/{id}/query</c>: by query number (<see cref="Query"/>:
/// 1 = the first query since the rules were set; it fires on that query and the following ones
/// until spent) or by time (<see cref="ContainsTime"/>: every query whose TimeGenerated window
/// contains that instant). Exactly one of the two.
/// </summary>
public sealed record LogAnalyticsFaultRule(LogAnalyticsFaultKind Kind)
{
    /// <summary>Fire from this query number on (1 = the first query since the rules were set).</summary>
    public int? Query { get; init; }

    /// <summary>Fire on each query whose window (its TimeGenerated bounds and the timespan) contains this instant.</summary>
    public DateTimeOffset? ContainsTime { get; init; }

    /// <summary>How many queries get it; default 1 for a <see cref="Query"/> rule, unlimited for a <see cref="ContainsTime"/> one.</summary>
    public int? Times { get; init; }

    /// <summary>Retry-After of <see cref="LogAnalyticsFaultKind.Throttle429"/> in seconds (default 1, 0..86400).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Rows <see cref="LogAnalyticsFaultKind.PartialError"/> keeps (default: half the result, rounded down).</summary>
    public int? KeepRows { get; init; }

    /// <summary>The columns of <see cref="LogAnalyticsFaultKind.DropColumns"/> (AuditLogs columns or <c>count_</c>) and
    /// <see cref="LogAnalyticsFaultKind.NullCells"/> (AuditLogs columns of type datetime or dynamic); required for those two.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>The table name of <see cref="LogAnalyticsFaultKind.RenameTable"/> (required, not <c>PrimaryResult</c>).</summary>
    public string? TableName { get; init; }

    /// <summary>Rows <see cref="LogAnalyticsFaultKind.NullCells"/> (the first ones) and
    /// <see cref="LogAnalyticsFaultKind.OutsideWindow"/> (the last ones) change; default 1.</summary>
    public int? Rows { get; init; }

    public const int DefaultRetryAfterSeconds = 1;

    /// <summary>The table name of every answer without <see cref="LogAnalyticsFaultKind.RenameTable"/>.</summary>
    public const string PrimaryResult = "PrimaryResult";

    /// <summary>Null: unlimited.</summary>
    internal int? EffectiveTimes => Times ?? (Query is not null ? 1 : null);

    internal void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown Log Analytics fault kind.");
        if ((Query is null) == (ContainsTime is null))
            throw new ArgumentException("a Log Analytics fault needs exactly one of query (a query number) and containsTime (an instant).", nameof(Query));
        if (Query < 1)
            throw new ArgumentOutOfRangeException(nameof(Query), Query, "query must be at least 1 (1 = the first query since the rules were set).");
        if (Times < 1)
            throw new ArgumentOutOfRangeException(nameof(Times), Times, "times must be at least 1.");
        if (RetryAfterSeconds is not null && Kind != LogAnalyticsFaultKind.Throttle429)
            throw new ArgumentException($"retryAfterSeconds applies to throttle429 only, not {LogAnalyticsFaultKinds.Name(Kind)}.", nameof(RetryAfterSeconds));
        if (RetryAfterSeconds is < 0 or > 86400)
            throw new ArgumentOutOfRangeException(nameof(RetryAfterSeconds), RetryAfterSeconds, "retryAfterSeconds must be 0..86400.");
        if (KeepRows is not null && Kind != LogAnalyticsFaultKind.PartialError)
            throw new ArgumentException($"keepRows applies to partialError only, not {LogAnalyticsFaultKinds.Name(Kind)}.", nameof(KeepRows));
        if (KeepRows < 0)
            throw new ArgumentOutOfRangeException(nameof(KeepRows), KeepRows, "keepRows must not be negative.");
        bool takesColumns = Kind is LogAnalyticsFaultKind.DropColumns or LogAnalyticsFaultKind.NullCells;
        if (Columns is not null && !takesColumns)
            throw new ArgumentException($"columns applies to dropColumns and nullCells only, not {LogAnalyticsFaultKinds.Name(Kind)}.", nameof(Columns));
        if (takesColumns && (Columns is null || Columns.Count == 0))
            throw new ArgumentException($"{LogAnalyticsFaultKinds.Name(Kind)} needs columns: the names of the columns it {(Kind == LogAnalyticsFaultKind.DropColumns ? "leaves out" : "nulls")}, e.g. [\"Id\"].", nameof(Columns));
        foreach (string column in Columns ?? [])
        {
            LogAnalytics.Kql.KqlColumn? known = LogAnalytics.Kql.AuditLogsTable.Columns.FirstOrDefault(c => c.Name == column);
            if (Kind == LogAnalyticsFaultKind.DropColumns && known is null && column != "count_")
                throw new ArgumentException($"'{column}' is no column of AuditLogs nor count_ (names are case-sensitive).", nameof(Columns));
            if (Kind == LogAnalyticsFaultKind.NullCells && known?.Type is not (LogAnalytics.Kql.KqlType.DateTime or LogAnalytics.Kql.KqlType.Dynamic))
                throw new ArgumentException($"'{column}' is no datetime or dynamic column of AuditLogs: only those can be null in Kusto (a string is \"\" at most).", nameof(Columns));
        }
        if (TableName is not null && Kind != LogAnalyticsFaultKind.RenameTable)
            throw new ArgumentException($"tableName applies to renameTable only, not {LogAnalyticsFaultKinds.Name(Kind)}.", nameof(TableName));
        if (Kind == LogAnalyticsFaultKind.RenameTable && (string.IsNullOrWhiteSpace(TableName) || TableName == PrimaryResult))
            throw new ArgumentException("renameTable needs a tableName other than PrimaryResult, e.g. \"Table_0\".", nameof(TableName));
        if (Rows is not null && Kind is not (LogAnalyticsFaultKind.NullCells or LogAnalyticsFaultKind.OutsideWindow))
            throw new ArgumentException($"rows applies to nullCells and outsideWindow only, not {LogAnalyticsFaultKinds.Name(Kind)}.", nameof(Rows));
        if (Rows < 1)
            throw new ArgumentOutOfRangeException(nameof(Rows), Rows, "rows must be at least 1.");
    }

    /// <summary>The kinds the command line (--la-fault) can't give: those that need columns or a table name.</summary>
    internal static bool NeedsParameters(LogAnalyticsFaultKind kind) =>
        kind is LogAnalyticsFaultKind.DropColumns or LogAnalyticsFaultKind.NullCells or LogAnalyticsFaultKind.RenameTable;
}

/// <summary>The wire names of <see cref="LogAnalyticsFaultKind"/>: <c>partialError</c>, <c>throttle429</c>, <c>timeout504</c>,
/// <c>dropColumns</c>, <c>nullCells</c>, <c>renameTable</c>, <c>html502</c>, <c>noAnswer</c>, <c>outsideWindow</c>.</summary>
public static class LogAnalyticsFaultKinds
{
    private static readonly Dictionary<LogAnalyticsFaultKind, string> Names = new()
    {
        [LogAnalyticsFaultKind.PartialError] = "partialError",
        [LogAnalyticsFaultKind.Throttle429] = "throttle429",
        [LogAnalyticsFaultKind.Timeout504] = "timeout504",
        [LogAnalyticsFaultKind.DropColumns] = "dropColumns",
        [LogAnalyticsFaultKind.NullCells] = "nullCells",
        [LogAnalyticsFaultKind.RenameTable] = "renameTable",
        [LogAnalyticsFaultKind.Html502] = "html502",
        [LogAnalyticsFaultKind.NoAnswer] = "noAnswer",
        [LogAnalyticsFaultKind.OutsideWindow] = "outsideWindow",
    };

    public static string Name(LogAnalyticsFaultKind kind) => Names[kind];

    public static bool TryParse(string? name, out LogAnalyticsFaultKind kind)
    {
        foreach ((LogAnalyticsFaultKind k, string n) in Names)
        {
            if (string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    internal static string AllNames => string.Join(", ", Names.Values);

    internal static LogAnalyticsFaultKind Parse(string name) =>
        TryParse(name, out LogAnalyticsFaultKind kind) ? kind : throw new FormatException($"unknown Log Analytics fault kind '{name}': use one of {AllNames}.");
}

/// <summary>A Log Analytics rule and how many more times it fires (null: unlimited).</summary>
public sealed record LogAnalyticsFaultRuleState(int Id, LogAnalyticsFaultRule Rule, int? Remaining);

/// <summary>
/// The scripted Log Analytics faults, apart from Graph's page faults: <see cref="EmulatorOptions.LogAnalyticsFaults"/>
/// at start; <c>POST /_emulator/la-faults</c> and <see cref="Replace"/> replace them and restart
/// the query count, <see cref="Add"/> appends, <see cref="Clear"/> (DELETE) removes them and
/// restarts the count. The first rule in list order that matches and is not spent fires. Thread-safe.
/// </summary>
public sealed class LogAnalyticsFaultSchedule
{
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private int _nextId;
    private long _queries;

    internal LogAnalyticsFaultSchedule(IEnumerable<LogAnalyticsFaultRule> initial) => Add(initial);

    /// <summary>Queries counted since the rules were last set or cleared (those that got as far as the fault stage).</summary>
    public long QueryCount
    {
        get
        {
            lock (_gate)
                return _queries;
        }
    }

    public IReadOnlyList<LogAnalyticsFaultRuleState> Add(IEnumerable<LogAnalyticsFaultRule> rules) => Store(rules, replace: false);

    public IReadOnlyList<LogAnalyticsFaultRuleState> Replace(IEnumerable<LogAnalyticsFaultRule> rules) => Store(rules, replace: true);

    public void Clear()
    {
        lock (_gate)
        {
            _slots.Clear();
            _queries = 0;
        }
    }

    public IReadOnlyList<LogAnalyticsFaultRuleState> Snapshot()
    {
        lock (_gate)
            return _slots.Select(s => new LogAnalyticsFaultRuleState(s.Id, s.Rule, s.Remaining)).ToArray();
    }

    private IReadOnlyList<LogAnalyticsFaultRuleState> Store(IEnumerable<LogAnalyticsFaultRule> rules, bool replace)
    {
        ArgumentNullException.ThrowIfNull(rules);
        LogAnalyticsFaultRule[] list = rules.ToArray();
        foreach (LogAnalyticsFaultRule rule in list)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            rule.Validate();
        }
        lock (_gate)
        {
            if (replace)
            {
                _slots.Clear();
                _queries = 0;
            }
            foreach (LogAnalyticsFaultRule rule in list)
                _slots.Add(new Slot(++_nextId, rule) { Remaining = rule.EffectiveTimes });
        }
        return Snapshot();
    }

    /// <summary>Counts a query whose TimeGenerated window is [start, end) (ticks) and says which rule fires on it, if any.</summary>
    internal LogAnalyticsFaultRule? Next(long windowStart, long windowEnd, out long queryNumber)
    {
        lock (_gate)
        {
            queryNumber = ++_queries;
            foreach (Slot slot in _slots)
            {
                if (slot.Remaining == 0)
                    continue;
                LogAnalyticsFaultRule rule = slot.Rule;
                bool matches = rule.Query is int from
                    ? queryNumber >= from
                    : rule.ContainsTime!.Value.UtcTicks >= windowStart && rule.ContainsTime.Value.UtcTicks < windowEnd;
                if (!matches)
                    continue;
                if (slot.Remaining is int remaining)
                    slot.Remaining = remaining - 1;
                return rule;
            }
            return null;
        }
    }

    private sealed class Slot(int id, LogAnalyticsFaultRule rule)
    {
        public int Id { get; } = id;
        public LogAnalyticsFaultRule Rule { get; } = rule;
        public int? Remaining { get; set; }
    }
}

/// <summary>The rules of <c>/_emulator/la-faults</c>, in and out.</summary>
internal static class LogAnalyticsFaultJson
{
    /// <summary>
    /// A JSON array of rules (a single object is a list of one):
    /// <c>{"kind","query"|"containsTime","times","retryAfterSeconds","keepRows","columns","tableName","rows"}</c>; names
    /// case-insensitive, unknown ones refused (JsonException), values checked by <see cref="LogAnalyticsFaultRule.Validate"/>.
    /// </summary>
    public static IReadOnlyList<LogAnalyticsFaultRule> ReadRules(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
            return [ReadRule(root, 0)];
        if (root.ValueKind != JsonValueKind.Array)
            throw new JsonException("the body must be a JSON array of Log Analytics fault rules.");
        var rules = new List<LogAnalyticsFaultRule>();
        int index = 0;
        foreach (JsonElement item in root.EnumerateArray())
            rules.Add(ReadRule(item, index++));
        return rules;
    }

    private static LogAnalyticsFaultRule ReadRule(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new JsonException($"rule {index}: each rule must be a JSON object.");
        LogAnalyticsFaultKind? kind = null;
        int? query = null, times = null, retryAfter = null, keepRows = null, rows = null;
        DateTimeOffset? containsTime = null;
        List<string>? columns = null;
        string? tableName = null;
        foreach (JsonProperty property in item.EnumerateObject())
        {
            string where = $"rule {index}, '{property.Name}'";
            switch (property.Name.ToLowerInvariant())
            {
                case "kind":
                    if (property.Value.ValueKind != JsonValueKind.String || !LogAnalyticsFaultKinds.TryParse(property.Value.GetString(), out LogAnalyticsFaultKind parsed))
                        throw new JsonException($"{where}: use one of {LogAnalyticsFaultKinds.AllNames}.");
                    kind = parsed;
                    break;
                case "query": query = NullableInt(property.Value, where); break;
                case "times": times = NullableInt(property.Value, where); break;
                case "retryafterseconds": retryAfter = NullableInt(property.Value, where); break;
                case "keeprows": keepRows = NullableInt(property.Value, where); break;
                case "rows": rows = NullableInt(property.Value, where); break;
                case "columns":
                    if (property.Value.ValueKind == JsonValueKind.Null)
                        break;
                    if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                        throw new JsonException($"{where}: must be an array of column names, e.g. [\"Id\",\"ActivityDisplayName\"].");
                    columns = property.Value.EnumerateArray().Select(c => c.GetString()!).ToList();
                    break;
                case "tablename":
                    if (property.Value.ValueKind == JsonValueKind.Null)
                        break;
                    if (property.Value.ValueKind != JsonValueKind.String)
                        throw new JsonException($"{where}: must be a string.");
                    tableName = property.Value.GetString();
                    break;
                case "containstime":
                    if (property.Value.ValueKind == JsonValueKind.Null)
                        break;
                    if (property.Value.ValueKind != JsonValueKind.String
                        || !DateTimeOffset.TryParse(property.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
                        throw new JsonException($"{where}: must be an ISO 8601 date and time, e.g. \"2026-09-03T12:00:00Z\".");
                    containsTime = at;
                    break;
                default:
                    throw new JsonException($"{where}: unknown property; use kind, query, containsTime, times, retryAfterSeconds, keepRows, columns, tableName, rows.");
            }
        }
        if (kind is null)
            throw new JsonException($"rule {index}: 'kind' is required ({LogAnalyticsFaultKinds.AllNames}).");
        return new LogAnalyticsFaultRule(kind.Value)
        {
            Query = query,
            ContainsTime = containsTime,
            Times = times,
            RetryAfterSeconds = retryAfter,
            KeepRows = keepRows,
            Columns = columns,
            TableName = tableName,
            Rows = rows,
        };
    }

    private static int? NullableInt(JsonElement value, string where) =>
        value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Number when value.TryGetInt32(out int number) => number,
            _ => throw new JsonException($"{where}: must be an integer."),
        };

    /// <summary><c>[{"id","kind","query","containsTime","times","remaining","retryAfterSeconds","keepRows","columns","tableName","rows"}]</c>; null where not given (times and remaining: null = unlimited).</summary>
    public static void WriteStates(Utf8JsonWriter writer, IReadOnlyList<LogAnalyticsFaultRuleState> states)
    {
        writer.WriteStartArray();
        foreach (LogAnalyticsFaultRuleState state in states)
        {
            LogAnalyticsFaultRule rule = state.Rule;
            writer.WriteStartObject();
            writer.WriteNumber("id", state.Id);
            writer.WriteString("kind", LogAnalyticsFaultKinds.Name(rule.Kind));
            WriteNullable(writer, "query", rule.Query);
            if (rule.ContainsTime is DateTimeOffset at)
                writer.WriteString("containsTime", LogAnalytics.LogAnalyticsJson.FormatDateTime(at.UtcTicks));
            else
                writer.WriteNull("containsTime");
            WriteNullable(writer, "times", rule.EffectiveTimes);
            WriteNullable(writer, "remaining", state.Remaining);
            WriteNullable(writer, "retryAfterSeconds", rule.RetryAfterSeconds);
            WriteNullable(writer, "keepRows", rule.KeepRows);
            if (rule.Columns is null)
            {
                writer.WriteNull("columns");
            }
            else
            {
                writer.WriteStartArray("columns");
                foreach (string column in rule.Columns)
                    writer.WriteStringValue(column);
                writer.WriteEndArray();
            }
            if (rule.TableName is null)
                writer.WriteNull("tableName");
            else
                writer.WriteString("tableName", rule.TableName);
            WriteNullable(writer, "rows", rule.Rows);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is int number)
            writer.WriteNumber(name, number);
        else
            writer.WriteNull(name);
    }
}

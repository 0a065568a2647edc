using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GraphEmulator.Data;

namespace GraphEmulator.Endpoints;

/// <summary>
/// <c>POST /_emulator/late-records</c>'s body: <c>{"tenant", "count", "minutesAgo"}</c> or
/// <c>{"tenant", "times": [ISO 8601, …]}</c>. <see cref="MinutesAgo"/> is null with <see cref="Times"/>.
/// </summary>
internal sealed record LateRecordsRequest(string? Tenant, int Count, double? MinutesAgo, IReadOnlyList<DateTimeOffset>? Times);

/// <summary>The late records of <c>/_emulator/late-records</c>, in and out (README.md, "Late records").</summary>
internal static partial class LateRecordsJson
{
    /// <summary>
    /// Reads the body. Names are case-insensitive; unknown ones, a wrong type, both or neither of
    /// <c>count</c> and <c>times</c>, <c>minutesAgo</c> with <c>times</c>, a count outside
    /// 1..100,000, a negative or non-finite <c>minutesAgo</c>, and a time without its offset are refused.
    /// </summary>
    /// <exception cref="JsonException">What is wrong, for the 400.</exception>
    public static LateRecordsRequest ReadRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new JsonException("the body must be a JSON object: {\"count\": n, \"minutesAgo\": m} or {\"times\": [\"2026-…Z\", …]}, with an optional \"tenant\".");

        string? tenant = null;
        int? count = null;
        double? minutesAgo = null;
        List<DateTimeOffset>? times = null;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string where = $"'{property.Name}'";
            JsonElement value = property.Value;
            switch (property.Name.ToLowerInvariant())
            {
                case "tenant":
                    tenant = value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new JsonException($"{where}: must be a served tenant's id, as a string."),
                    };
                    break;
                case "count":
                    count = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
                        ? number
                        : throw new JsonException($"{where}: must be an integer.");
                    break;
                case "minutesago":
                    minutesAgo = value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double minutes) && double.IsFinite(minutes)
                        ? minutes
                        : throw new JsonException($"{where}: must be a number of minutes.");
                    break;
                case "times":
                    if (value.ValueKind != JsonValueKind.Array)
                        throw new JsonException($"{where}: must be an array of ISO 8601 date-times with an offset, e.g. [\"2026-11-20T11:50:00Z\"].");
                    times = [];
                    foreach (JsonElement item in value.EnumerateArray())
                        times.Add(Time(item, $"{where}[{times.Count}]"));
                    break;
                default:
                    throw new JsonException($"{where}: unknown property; use tenant, count, minutesAgo, times.");
            }
        }

        if (times is not null)
        {
            if (count is not null || minutesAgo is not null)
                throw new JsonException("give either 'times' or 'count' (with 'minutesAgo'), not both.");
            if (times.Count is 0 or > LateRecordStore.MaxPerAdd)
                throw new JsonException($"'times': give between 1 and {LateRecordStore.MaxPerAdd} times (got {times.Count}).");
            return new LateRecordsRequest(tenant, times.Count, null, times);
        }
        if (count is null)
            throw new JsonException("'count' (with 'minutesAgo', default 0) or 'times' is required.");
        if (count is < 1 or > LateRecordStore.MaxPerAdd)
            throw new JsonException($"'count': must be between 1 and {LateRecordStore.MaxPerAdd} (got {count}).");
        if (minutesAgo < 0)
            throw new JsonException($"'minutesAgo': must be 0 or more (got {minutesAgo}): a late record happened before it arrived. Give 'times' for a time ahead of the clock.");
        return new LateRecordsRequest(tenant, count.Value, minutesAgo ?? 0, null);
    }

    private static DateTimeOffset Time(JsonElement item, string where)
    {
        string? text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
        // An offset is required (Z or ±hh:mm), as in Graph's $filter: a bare local time is ambiguous.
        if (text is null || !WithOffset().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset time))
            throw new JsonException($"{where}: must be an ISO 8601 date-time with an offset, e.g. \"2026-11-20T11:50:00Z\" (got {item.GetRawText()}).");
        return time;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithOffset();

    /// <summary>
    /// <c>{"tenantId","lateRecordCount","total","records":[…]}</c>: <paramref name="records"/> in the
    /// shape of the truth's records; the counts those of <paramref name="late"/> (the tenant's late
    /// records after the add, or now).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, ServedTenant tenant, LateRecordSet late, IEnumerable<TruthRecord> records)
    {
        writer.WriteStartObject();
        writer.WriteString("tenantId", tenant.TenantId);
        writer.WriteNumber("lateRecordCount", late.Count);
        writer.WriteNumber("total", late.Truth.Total);
        writer.WriteStartArray("records");
        foreach (TruthRecord record in records)
            TruthJson.WriteRecord(writer, record);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

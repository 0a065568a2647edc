using System;
using System.Collections.Generic;
using System.Text.Json;

namespace GraphEmulator.Faults;

/// <summary>The fault rules of <c>/_emulator/faults</c>, in and out.</summary>
internal static class FaultJson
{
    /// <summary>
    /// A JSON array of rules (a single object is taken as a list of one):
    /// <c>{"kind","page","times","retryAfterSeconds","retryAfterDate","delayMs","afterRecords","location","tenantId"}</c>;
    /// <c>kind</c> and <c>page</c> are required, names are case-insensitive, unknown ones refused.
    /// Whether <c>tenantId</c> names a served tenant is the schedule's to say, which knows them.
    /// </summary>
    public static IReadOnlyList<FaultRule> ReadRules(JsonElement root)
    {
        var rules = new List<FaultRule>();
        if (root.ValueKind == JsonValueKind.Object)
        {
            rules.Add(ReadRule(root, 0));
            return rules;
        }
        if (root.ValueKind != JsonValueKind.Array)
            throw new JsonException("the body must be a JSON array of fault rules.");
        int index = 0;
        foreach (JsonElement item in root.EnumerateArray())
            rules.Add(ReadRule(item, index++));
        return rules;
    }

    private static FaultRule ReadRule(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new JsonException($"rule {index}: each rule must be a JSON object.");

        FaultKind? kind = null;
        int? page = null, times = null, retryAfterSeconds = null, delayMs = null, afterRecords = null;
        bool retryAfterDate = false;
        string? location = null, tenantId = null;
        foreach (JsonProperty property in item.EnumerateObject())
        {
            string where = $"rule {index}, '{property.Name}'";
            switch (property.Name.ToLowerInvariant())
            {
                case "kind":
                    if (property.Value.ValueKind != JsonValueKind.String || !FaultKinds.TryParse(property.Value.GetString(), out FaultKind parsed))
                        throw new JsonException($"{where}: use one of {FaultKinds.AllNames}.");
                    kind = parsed;
                    break;
                case "page": page = Int(property.Value, where); break;
                case "times": times = Int(property.Value, where); break;
                case "retryafterseconds": retryAfterSeconds = NullableInt(property.Value, where); break;
                case "delayms": delayMs = NullableInt(property.Value, where); break;
                case "afterrecords": afterRecords = NullableInt(property.Value, where); break;
                case "location":
                    location = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new JsonException($"{where}: must be a string (an absolute http or https URL)."),
                    };
                    break;
                case "tenantid":
                    tenantId = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new JsonException($"{where}: must be a string (a served tenant's id) or null (every tenant)."),
                    };
                    break;
                case "retryafterdate":
                    retryAfterDate = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False or JsonValueKind.Null => false,
                        _ => throw new JsonException($"{where}: must be true or false."),
                    };
                    break;
                default:
                    throw new JsonException($"{where}: unknown property; use kind, page, times, retryAfterSeconds, retryAfterDate, delayMs, afterRecords, location, tenantId.");
            }
        }
        if (kind is null)
            throw new JsonException($"rule {index}: 'kind' is required ({FaultKinds.AllNames}).");
        if (page is null)
            throw new JsonException($"rule {index}: 'page' is required (1 = the first page of a query).");

        return new FaultRule(kind.Value, page.Value)
        {
            Times = times ?? 1,
            RetryAfterSeconds = retryAfterSeconds,
            RetryAfterDate = retryAfterDate,
            DelayMs = delayMs,
            AfterRecords = afterRecords,
            Location = location,
            TenantId = tenantId,
        };
    }

    private static int Int(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw new JsonException($"{where}: must be an integer.");

    private static int? NullableInt(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Null ? null : Int(value, where);

    /// <summary><c>[{"id","kind","page","times","remaining","retryAfterSeconds","retryAfterDate","delayMs","afterRecords","location","tenantId"}]</c>.</summary>
    public static void WriteStates(Utf8JsonWriter writer, IReadOnlyList<FaultRuleState> states)
    {
        writer.WriteStartArray();
        foreach (FaultRuleState state in states)
        {
            FaultRule rule = state.Rule;
            writer.WriteStartObject();
            writer.WriteNumber("id", state.Id);
            writer.WriteString("kind", FaultKinds.Name(rule.Kind));
            writer.WriteNumber("page", rule.Page);
            writer.WriteNumber("times", rule.Times);
            writer.WriteNumber("remaining", state.Remaining);
            WriteNullable(writer, "retryAfterSeconds", rule.RetryAfterSeconds);
            writer.WriteBoolean("retryAfterDate", rule.RetryAfterDate);
            WriteNullable(writer, "delayMs", rule.DelayMs);
            WriteNullable(writer, "afterRecords", rule.AfterRecords);
            WriteNullable(writer, "location", rule.Location);
            WriteNullable(writer, "tenantId", rule.TenantId);
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

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
            writer.WriteNull(name);
        else
            writer.WriteString(name, value);
    }
}

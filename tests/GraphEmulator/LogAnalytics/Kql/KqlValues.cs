using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// Scalar values as <see cref="KqlType"/> describes them: Kusto's text of a value, its order, and
/// dynamic values made from others (arrays the engine builds).
/// </summary>
internal static class KqlValues
{
    /// <summary>
    /// <c>tostring()</c>: a string as it is; a dynamic string's text, another dynamic value its
    /// compact JSON; a number, bool, guid, datetime or timespan its invariant text; "" for null.
    /// </summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        DynamicValue d => d.Element is { } e ? (e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()) : "",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Guid g => g.ToString("D"),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Not a KQL value: {value.GetType().Name}."),
    };

    /// <summary>Two non-null values of one orderable type (or two numbers), compared.</summary>
    public static int Compare(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (long x, long y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (DateTime x, DateTime y) => x.CompareTo(y),
        (TimeSpan x, TimeSpan y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        (Guid x, Guid y) => x.CompareTo(y),
        _ => throw new InvalidOperationException($"Values of {a.GetType().Name} and {b.GetType().Name} were not refused."),
    };

    /// <summary>Two non-null values of one type (or two numbers), equal as == says: strings case-sensitively.</summary>
    public static bool AreEqual(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        _ => a.Equals(b),
    };

    /// <summary>A value inside a dynamic array or bag: strings, guids, datetimes and timespans as JSON strings.</summary>
    public static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case DynamicValue d:
                if (d.Element is { } element)
                    element.WriteTo(writer);
                else
                    writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(ToText(value));
                break;
        }
    }

    /// <summary>The empty dynamic array (a value is never changed, so one serves every empty list).</summary>
    private static readonly DynamicValue EmptyArray = DynamicValue.OfElement(JsonDocument.Parse("[]").RootElement.Clone())!;

    // One buffer and writer per thread, reset for each array (make_list builds one per group).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>A dynamic array of <paramref name="values"/>.</summary>
    public static DynamicValue Array(IEnumerable<object?> values)
    {
        // Computed before anything is written: a value may be an array made the same way (pack_array in make_list).
        IReadOnlyList<object?> list = values as IReadOnlyList<object?> ?? [.. values];
        if (list.Count == 0)
            return EmptyArray;
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartArray();
        foreach (object? value in list)
            WriteJson(writer, value);
        writer.WriteEndArray();
        writer.Flush();
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return DynamicValue.OfElement(document.RootElement.Clone())!;
    }

    /// <summary>
    /// A dynamic element as a value of <paramref name="type"/> (mv-apply's <c>to typeof()</c>):
    /// cast only, no parsing, so an element of another JSON kind is null ("" for string).
    /// </summary>
    public static object? CastElement(DynamicValue? value, KqlType type)
    {
        if (type == KqlType.Dynamic)
            return value;
        JsonElement? element = value?.Element;
        return type switch
        {
            KqlType.String => element is { ValueKind: JsonValueKind.String } s ? s.GetString()! : "",
            KqlType.Long or KqlType.Int => element is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out long l) ? l : null,
            KqlType.Real => element is { ValueKind: JsonValueKind.Number } n ? n.GetDouble() : null,
            KqlType.Bool => element is { ValueKind: JsonValueKind.True or JsonValueKind.False } b ? b.GetBoolean() : null,
            _ => null,
        };
    }
}

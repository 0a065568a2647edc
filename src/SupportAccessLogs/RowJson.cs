using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace SupportAccessLogs;

/// <summary>A Log Analytics row (an array of values) as the object of its columns, for GetRawRecord().</summary>
internal static class RowJson
{
    public static string ToObject(byte[] row, string[] columns)
    {
        using var buffer = new MemoryStream(row.Length + (columns.Length * 24));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var reader = new Utf8JsonReader(row);
            reader.Read();
            writer.WriteStartObject();
            for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                writer.WritePropertyName(i < columns.Length ? columns[i] : $"Column{i}");
                if (reader.TokenType == JsonTokenType.String && IsDynamic(i < columns.Length ? columns[i] : "") && TryWriteJsonText(writer, reader.GetString()!))
                {
                    continue;
                }

                using JsonDocument value = JsonDocument.ParseValue(ref reader);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool IsDynamic(string column) => column is "InitiatedBy" or "TargetResources" or "AdditionalDetails";

    /// <summary>A dynamic column's JSON text written as the JSON it holds; false (and nothing
    /// written) when it is no JSON, so it is kept as the text it is.</summary>
    private static bool TryWriteJsonText(Utf8JsonWriter writer, string text)
    {
        try
        {
            using JsonDocument value = JsonDocument.Parse(text);
            value.WriteTo(writer);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

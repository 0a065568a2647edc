using System.Collections.Generic;
using System.Text.Json;
using GraphEmulator.Data;

namespace GraphEmulator.Endpoints;

/// <summary><c>GET /_emulator/truth</c>: what the data set holds and how each record should classify.</summary>
internal static class TruthJson
{
    public static void Write(Utf8JsonWriter writer, AuditDataSet dataSet, bool includeRecords)
    {
        // One version of the late records for the whole answer: total and records agree.
        LateRecordSet late = dataSet.Late;
        TruthSummary truth = late.Truth;
        writer.WriteStartObject();
        writer.WriteString("tenantId", dataSet.TenantId);
        writer.WriteString("tenantName", dataSet.TenantName);
        writer.WriteString("anchor", AuditRecordJson.FormatTime(dataSet.Anchor));
        writer.WriteString("retentionStart", AuditRecordJson.FormatTime(dataSet.RetentionStart));
        writer.WriteNumber("bulkRecordCount", dataSet.BulkRecordCount);
        writer.WriteNumber("lateRecordCount", late.Count);
        writer.WriteNumber("total", truth.Total);
        WriteCounts(writer, "byCategory", truth.ByCategory);
        WriteCounts(writer, "byActivity", truth.ByActivity);

        writer.WriteStartArray("otherCategoryIds");
        foreach (string id in truth.OtherCategoryIds)
            writer.WriteStringValue(id);
        writer.WriteEndArray();

        if (includeRecords)
        {
            writer.WriteStartArray("records");
            foreach (TruthRecord record in late.TruthRecords)
                WriteRecord(writer, record);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts)
            writer.WriteNumber(key, count);
        writer.WriteEndObject();
    }

    internal static void WriteRecord(Utf8JsonWriter writer, TruthRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("id", record.Id);
        writer.WriteString("expectedCategory", record.Expected.Category);
        writer.WriteString("expectedActivity", record.Expected.Activity);
        writer.WriteString("expectedTenantRole", record.Expected.TenantRole);
        writer.WriteString("expectedOtherTenantId", record.Expected.OtherTenantId);
        writer.WriteString("expectedSupportRequestId", record.Expected.SupportRequestId);
        writer.WriteString("activityDisplayName", record.ActivityDisplayName);
        writer.WriteString("activityDateTime", AuditRecordJson.FormatTime(record.ActivityDateTime));
        writer.WriteEndObject();
    }
}

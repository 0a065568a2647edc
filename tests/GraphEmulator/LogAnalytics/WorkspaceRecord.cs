using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using GraphEmulator.LogAnalytics;

namespace GraphEmulator;

/// <summary>
/// A row of the corpus workspace (<see cref="EmulatorOptions.LogAnalyticsCorpus"/>): a Graph
/// directoryAudit record as JSON, whatever its shape, and the tenant whose log holds it.
/// </summary>
/// <remarks>
/// The row is the record as Entra's diagnostic setting writes it to AuditLogs: <c>id</c> is
/// <c>Id</c>, <c>activityDateTime</c> is <c>TimeGenerated</c> and <c>ActivityDateTime</c>, the
/// other top-level strings (<c>category</c>, <c>activityDisplayName</c> also as
/// <c>OperationName</c>, <c>result</c>, <c>resultReason</c>, <c>loggedByService</c>,
/// <c>operationType</c> as <c>AADOperationType</c>, <c>correlationId</c>) their columns ("" when
/// missing or null: Kusto strings are never null), and <c>initiatedBy</c>, <c>targetResources</c>,
/// <c>additionalDetails</c> the dynamic columns holding that member's JSON value whatever its
/// shape, written compact as Kusto stores a dynamic value (null for a JSON null, an empty cell
/// when the member is missing). Member names are read as Graph writes them (camelCase); other
/// members are not columns.
/// </remarks>
/// <param name="Json">One record: a JSON object with at least a string <c>id</c>, <c>category</c> and <c>activityDisplayName</c> and a date <c>activityDateTime</c>.</param>
/// <param name="AadTenantId">The row's <c>AADTenantId</c>: the tenant whose audit log the record is from.</param>
public sealed record WorkspaceRecord(string Json, string AadTenantId)
{
    internal void Validate()
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(Json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("a corpus record must be a JSON object");
            foreach (string name in new[] { AuditJsonNames.Id, AuditJsonNames.Category, AuditJsonNames.ActivityDisplayName, AuditJsonNames.ActivityDateTime })
            {
                if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
                    throw new ArgumentException($"a corpus record needs a string '{name}'");
            }
            Time(root);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            throw new ArgumentException($"LogAnalyticsCorpus: {ex.Message}: {Json}", nameof(Json), ex);
        }
    }

    private static DateTimeOffset Time(JsonElement root) =>
        DateTimeOffset.Parse(root.GetProperty(AuditJsonNames.ActivityDateTime).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    internal LogRow ToRow(string workspaceId)
    {
        using JsonDocument document = JsonDocument.Parse(Json);
        JsonElement root = document.RootElement;
        var omitted = new HashSet<string>(StringComparer.Ordinal);
        string? Text(string name)
        {
            if (root.TryGetProperty(name, out JsonElement value))
                return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            omitted.Add(name);
            return null;
        }
        DynamicValue Cell(string name) =>
            root.TryGetProperty(name, out JsonElement value) ? DynamicValue.Of(value.WriteTo) : DynamicValue.Empty;

        DateTimeOffset time = Time(root);
        var record = new AuditRecord
        {
            Id = Text(AuditJsonNames.Id)!,
            Category = Text(AuditJsonNames.Category)!,
            ActivityDisplayName = Text(AuditJsonNames.ActivityDisplayName)!,
            ActivityDateTime = time,
            CorrelationId = Text(AuditJsonNames.CorrelationId),
            Result = Text(AuditJsonNames.Result),
            ResultReason = Text(AuditJsonNames.ResultReason),
            LoggedByService = Text(AuditJsonNames.LoggedByService),
            OperationType = Text(AuditJsonNames.OperationType),
            OmittedProperties = omitted,
        };
        var source = new LogSource(record, Cell(AuditJsonNames.InitiatedBy), Cell(AuditJsonNames.TargetResources), Cell(AuditJsonNames.AdditionalDetails));
        return new LogRow(time.UtcTicks, record.Id, record.CorrelationId ?? "", AadTenantId, workspaceId, source);
    }
}

using System.Text.Json;
using GraphEmulator.Data;

namespace GraphEmulator.Endpoints;

/// <summary><c>GET /_emulator/tenants</c>: every served tenant, home first, with what a test needs to know of it.</summary>
internal static class TenantsJson
{
    public static void Write(Utf8JsonWriter writer, ServedTenants tenants)
    {
        writer.WriteStartArray();
        foreach (ServedTenant tenant in tenants.All)
        {
            AuditDataSet data = tenant.DataSet;
            LateRecordSet late = data.Late;
            writer.WriteStartObject();
            writer.WriteString("tenantId", tenant.TenantId);
            writer.WriteString("displayName", tenant.DisplayName);
            writer.WriteBoolean("home", tenant.IsHome);
            writer.WriteBoolean("pipelineAppConsented", tenant.PipelineAppConsented);
            writer.WriteBoolean("adminHasAccess", tenant.AdminHasAccess);
            writer.WriteStartArray("adminRoleTemplateIds");
            foreach (string role in tenant.Admin?.RoleTemplateIds ?? [])
                writer.WriteStringValue(role);
            writer.WriteEndArray();
            writer.WriteNumber("seed", data.Seed);
            writer.WriteBoolean("hasStories", data.HasStories);
            writer.WriteNumber("bulkRecordCount", data.BulkRecordCount);
            writer.WriteNumber("lateRecordCount", late.Count);
            writer.WriteNumber("servedCount", late.ServedCount);
            writer.WriteNumber("total", late.Truth.Total);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}

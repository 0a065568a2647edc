using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace GraphEmulator;

/// <summary>
/// Writes a directoryAudit record in Graph v1.0's shape (docs/architecture.md, and the directoryAudit
/// resource page): documented properties in Graph's order, null where a value is absent, left out
/// where the scenario says the payload lacks them, then any extra properties verbatim.
/// </summary>
internal static class AuditRecordJson
{
    /// <param name="alsoOmit">A top-level string property (<see cref="AuditJsonNames"/>) to leave out of
    /// this one write as well, for the <c>missingIdentity</c> fault; null (default) leaves out only the record's own.</param>
    public static void Write(Utf8JsonWriter writer, AuditRecord record, string? alsoOmit = null)
    {
        writer.WriteStartObject();
        WriteString(writer, record, AuditJsonNames.Id, record.Id, alsoOmit);
        WriteString(writer, record, AuditJsonNames.Category, record.Category, alsoOmit);
        WriteString(writer, record, AuditJsonNames.CorrelationId, record.CorrelationId, alsoOmit);
        WriteString(writer, record, AuditJsonNames.Result, record.Result, alsoOmit);
        WriteString(writer, record, AuditJsonNames.ResultReason, record.ResultReason, alsoOmit);
        WriteString(writer, record, AuditJsonNames.ActivityDisplayName, record.ActivityDisplayName, alsoOmit);
        WriteString(writer, record, AuditJsonNames.ActivityDateTime, FormatTime(record.ActivityDateTime), alsoOmit);
        WriteString(writer, record, AuditJsonNames.LoggedByService, record.LoggedByService, alsoOmit);
        WriteString(writer, record, AuditJsonNames.OperationType, record.OperationType, alsoOmit);

        if (!record.IsOmitted(AuditJsonNames.InitiatedBy))
        {
            writer.WritePropertyName(AuditJsonNames.InitiatedBy);
            WriteInitiator(writer, record.InitiatedBy);
        }
        if (!record.IsOmitted(AuditJsonNames.TargetResources))
        {
            writer.WritePropertyName(AuditJsonNames.TargetResources);
            WriteTargets(writer, record.TargetResources);
        }
        if (!record.IsOmitted(AuditJsonNames.AdditionalDetails))
        {
            writer.WritePropertyName(AuditJsonNames.AdditionalDetails);
            WriteDetails(writer, record.AdditionalDetails);
        }

        WriteExtras(writer, record.ExtraProperties);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Graph's timestamps: UTC with a Z, and 0, 3 or 7 fractional digits depending on the
    /// source, so clients meet every form they must parse.
    /// </summary>
    public static string FormatTime(DateTimeOffset time)
    {
        DateTime utc = time.UtcDateTime;
        string format = (utc.Ticks % TimeSpan.TicksPerSecond, utc.Ticks % TimeSpan.TicksPerMillisecond) switch
        {
            (0, _) => "yyyy-MM-dd'T'HH:mm:ss'Z'",
            (_, 0) => "yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
            _ => "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'",
        };
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }

    private static void WriteString(Utf8JsonWriter writer, AuditRecord record, string name, string? value, string? alsoOmit)
    {
        if (!record.IsOmitted(name) && !string.Equals(name, alsoOmit, StringComparison.Ordinal))
            WriteStringOrNull(writer, name, value);
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
            writer.WriteNull(name);
        else
            writer.WriteString(name, value);
    }

    internal static void WriteInitiator(Utf8JsonWriter writer, AuditInitiator? initiator)
    {
        if (initiator is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WritePropertyName("user");
        if (initiator.User is { } user)
        {
            writer.WriteStartObject();
            WriteStringOrNull(writer, "id", user.Id);
            WriteStringOrNull(writer, "displayName", user.DisplayName);
            WriteStringOrNull(writer, "userPrincipalName", user.UserPrincipalName);
            WriteStringOrNull(writer, "ipAddress", user.IpAddress);
            WriteStringOrNull(writer, "userType", user.UserType);
            WriteStringOrNull(writer, "homeTenantId", user.HomeTenantId);
            WriteStringOrNull(writer, "homeTenantName", user.HomeTenantName);
            WriteExtras(writer, user.ExtraProperties);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("app");
        if (initiator.App is { } app)
        {
            writer.WriteStartObject();
            WriteStringOrNull(writer, "appId", app.AppId);
            WriteStringOrNull(writer, "displayName", app.DisplayName);
            WriteStringOrNull(writer, "servicePrincipalId", app.ServicePrincipalId);
            WriteStringOrNull(writer, "servicePrincipalName", app.ServicePrincipalName);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }
        writer.WriteEndObject();
    }

    internal static void WriteTargets(Utf8JsonWriter writer, IReadOnlyList<AuditTargetResource>? targets)
    {
        if (targets is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (AuditTargetResource target in targets)
        {
            writer.WriteStartObject();
            WriteStringOrNull(writer, "id", target.Id);
            WriteStringOrNull(writer, "displayName", target.DisplayName);
            WriteStringOrNull(writer, "type", target.Type);
            WriteStringOrNull(writer, "userPrincipalName", target.UserPrincipalName);
            WriteStringOrNull(writer, "groupType", target.GroupType);
            writer.WritePropertyName("modifiedProperties");
            if (target.ModifiedProperties is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStartArray();
                foreach (AuditModifiedProperty change in target.ModifiedProperties)
                {
                    writer.WriteStartObject();
                    WriteStringOrNull(writer, "displayName", change.DisplayName);
                    WriteStringOrNull(writer, "oldValue", change.OldValue);
                    WriteStringOrNull(writer, "newValue", change.NewValue);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    internal static void WriteDetails(Utf8JsonWriter writer, IReadOnlyList<AuditKeyValue>? details)
    {
        if (details is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (AuditKeyValue detail in details)
        {
            writer.WriteStartObject();
            WriteStringOrNull(writer, "key", detail.Key);
            WriteStringOrNull(writer, "value", detail.Value);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteExtras(Utf8JsonWriter writer, IReadOnlyList<RawJsonProperty> extras)
    {
        foreach (RawJsonProperty extra in extras)
        {
            writer.WritePropertyName(extra.Name);
            writer.WriteRawValue(extra.RawJson);
        }
    }
}

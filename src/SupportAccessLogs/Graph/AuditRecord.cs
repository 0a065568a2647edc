using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace SupportAccessLogs.Graph;

// The v1.0 directoryAudit resource as documented (DESIGN §2). Every member is nullable because
// the service omits or nulls them freely; unknown members are ignored here and survive in the
// raw record bytes kept beside each activity.

internal sealed class AuditRecord
{
    public string? Id { get; set; }
    public string? Category { get; set; }
    public string? CorrelationId { get; set; }
    public string? Result { get; set; }
    public string? ResultReason { get; set; }
    public string? ActivityDisplayName { get; set; }
    public DateTimeOffset? ActivityDateTime { get; set; }
    public string? LoggedByService { get; set; }
    public string? OperationType { get; set; }
    public AuditInitiator? InitiatedBy { get; set; }
    public List<AuditTargetResource?>? TargetResources { get; set; }
    public List<AuditKeyValue?>? AdditionalDetails { get; set; }
}

internal sealed class AuditInitiator
{
    public AuditUser? User { get; set; }
    public AuditApp? App { get; set; }
}

internal sealed class AuditUser
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? IpAddress { get; set; }
}

internal sealed class AuditApp
{
    public string? AppId { get; set; }
    public string? DisplayName { get; set; }
    public string? ServicePrincipalId { get; set; }
    public string? ServicePrincipalName { get; set; }
}

internal sealed class AuditTargetResource
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public string? Type { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? GroupType { get; set; }
    public List<AuditModifiedProperty?>? ModifiedProperties { get; set; }
}

internal sealed class AuditModifiedProperty
{
    public string? DisplayName { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
}

internal sealed class AuditKeyValue
{
    public string? Key { get; set; }
    public string? Value { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext
{
}

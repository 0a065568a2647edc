using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Records;

// The v1.0 directoryAudit resource as documented (docs/architecture.md, "Facts from Microsoft's documentation"). Every member is nullable because
// the service omits or nulls them freely; unknown members are ignored here and survive in the
// raw record bytes kept beside each activity. Plain fields, so that AuditRecordJson can read
// straight into them (out arguments).

internal sealed class AuditRecord
{
    public string? Id;
    /// <summary>The tenant whose audit log holds the record: not in Graph's record (the connection
    /// says it there), Log Analytics' AADTenantId column.</summary>
    public string? TenantId;
    public string? Category;
    public string? CorrelationId;
    public string? Result;
    public string? ResultReason;
    public string? ActivityDisplayName;
    public DateTimeOffset? ActivityDateTime;
    /// <summary>The time the source orders and windows records by, when it isn't activityDateTime:
    /// a workspace's TimeGenerated (when the row arrived there). Null on Graph.</summary>
    public DateTimeOffset? TimeGenerated;
    /// <summary>True when the source had no activityDateTime and <see cref="ActivityDateTime"/> is
    /// its <see cref="TimeGenerated"/> instead (a workspace row whose ActivityDateTime is null).</summary>
    public bool ActivityDateTimeFromTimeGenerated;
    public string? LoggedByService;
    public string? OperationType;
    public AuditInitiator? InitiatedBy;
    public List<AuditTargetResource?>? TargetResources;
    public List<AuditKeyValue?>? AdditionalDetails;
}

internal sealed class AuditInitiator
{
    public AuditUser? User;
    public AuditApp? App;
}

internal sealed class AuditUser
{
    public string? Id;
    public string? DisplayName;
    public string? UserPrincipalName;
    public string? IpAddress;
}

internal sealed class AuditApp
{
    public string? AppId;
    public string? DisplayName;
    public string? ServicePrincipalId;
    public string? ServicePrincipalName;
}

internal sealed class AuditTargetResource
{
    public string? Id;
    public string? DisplayName;
    public string? Type;
    public string? UserPrincipalName;
    public string? GroupType;
    public List<AuditModifiedProperty?>? ModifiedProperties;
}

internal sealed class AuditModifiedProperty
{
    public string? DisplayName;
    public string? OldValue;
    public string? NewValue;
}

internal sealed class AuditKeyValue
{
    public string? Key;
    public string? Value;
}

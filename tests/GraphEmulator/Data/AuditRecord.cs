using System;
using System.Collections.Generic;

namespace GraphEmulator;

/// <summary>
/// One directoryAudit record as the emulator serves it. A null property is written as JSON
/// null; a property named in <see cref="OmittedProperties"/> is left out of the JSON entirely,
/// so scenarios can tell "null" and "missing" apart as real payloads do.
/// </summary>
public sealed record AuditRecord
{
    public required string Id { get; init; }
    public required string Category { get; init; }
    public string? CorrelationId { get; init; }
    public string? Result { get; init; }
    public string? ResultReason { get; init; }
    public required string ActivityDisplayName { get; init; }
    public DateTimeOffset ActivityDateTime { get; init; }
    public string? LoggedByService { get; init; }
    public string? OperationType { get; init; }
    public AuditInitiator? InitiatedBy { get; init; }
    public IReadOnlyList<AuditTargetResource>? TargetResources { get; init; }
    public IReadOnlyList<AuditKeyValue>? AdditionalDetails { get; init; }

    /// <summary>Top-level JSON property names (camelCase) left out of this record's JSON.</summary>
    public IReadOnlySet<string> OmittedProperties { get; init; } = NoNames;

    /// <summary>Properties beyond the documented shape, written after the documented ones.</summary>
    public IReadOnlyList<RawJsonProperty> ExtraProperties { get; init; } = [];

    internal static readonly IReadOnlySet<string> NoNames = new HashSet<string>();

    internal bool IsOmitted(string jsonName) => OmittedProperties.Contains(jsonName);
}

public sealed record AuditInitiator(AuditUserIdentity? User, AuditAppIdentity? App);

public sealed record AuditUserIdentity
{
    public string? Id { get; init; }
    public string? DisplayName { get; init; }
    public string? UserPrincipalName { get; init; }
    public string? IpAddress { get; init; }
    public string? UserType { get; init; }
    public string? HomeTenantId { get; init; }
    public string? HomeTenantName { get; init; }
    public IReadOnlyList<RawJsonProperty> ExtraProperties { get; init; } = [];
}

public sealed record AuditAppIdentity(string? AppId, string? DisplayName, string? ServicePrincipalId, string? ServicePrincipalName);

public sealed record AuditTargetResource
{
    public string? Id { get; init; }
    public string? DisplayName { get; init; }
    public string? Type { get; init; }
    public string? UserPrincipalName { get; init; }
    public string? GroupType { get; init; }
    public IReadOnlyList<AuditModifiedProperty>? ModifiedProperties { get; init; } = [];
}

public sealed record AuditModifiedProperty(string? DisplayName, string? OldValue, string? NewValue);

public sealed record AuditKeyValue(string? Key, string? Value);

/// <summary>A property the documented shape doesn't have; <paramref name="RawJson"/> is written verbatim.</summary>
public sealed record RawJsonProperty(string Name, string RawJson);

namespace GraphEmulator;

/// <summary>Graph's camelCase property names of a directoryAudit record.</summary>
internal static class AuditJsonNames
{
    public const string Id = "id";
    public const string Category = "category";
    public const string CorrelationId = "correlationId";
    public const string Result = "result";
    public const string ResultReason = "resultReason";
    public const string ActivityDisplayName = "activityDisplayName";
    public const string ActivityDateTime = "activityDateTime";
    public const string LoggedByService = "loggedByService";
    public const string OperationType = "operationType";
    public const string InitiatedBy = "initiatedBy";
    public const string TargetResources = "targetResources";
    public const string AdditionalDetails = "additionalDetails";
}

namespace SupportAccessLogs;

/// <summary>Who set a support-access activity in motion (docs/architecture.md, "Classification rules", rule 3).</summary>
public enum Category
{
    UserInitiated,
    Automated,
    CrossTenant,
}

/// <summary>What happened, normalised across both spellings of the audit activity names.</summary>
public enum Activity
{
    RequestCreated,
    RequestApproved,
    RequestRejected,
    RequestCanceled,
    ApprovalCreated,
    AccessRemovedManually,
    AccessRemovedOnClosure,
    Other,
}

/// <summary>The side of a cross-tenant support request this tenant was on.</summary>
public enum TenantRole
{
    SupportRequestTenant,
    ResourceTenant,
}

/// <summary>Whether a user, an application or nobody is named as the initiator.</summary>
public enum InitiatorType
{
    User,
    App,
    None,
}

/// <summary>Where a support request stands, from the activities seen (docs/architecture.md, "Support request lifecycle").</summary>
public enum RequestState
{
    /// <summary>Created; no decision seen.</summary>
    Pending,
    /// <summary>Approved, or access granted, and access not removed.</summary>
    Approved,
    Rejected,
    Canceled,
    /// <summary>Access removed by hand before the ticket closed.</summary>
    Revoked,
    /// <summary>Access removed when the ticket closed.</summary>
    Completed,
    /// <summary>The activities seen don't fit the lifecycle (-Verbose says why).</summary>
    Unknown,
}

/// <summary>How a support request's access ended.</summary>
public enum RemovalKind
{
    None,
    Manual,
    Closure,
}

/// <summary>Which evidence grouped a support request's activities.</summary>
public enum RequestGrouping
{
    /// <summary>The activities' support request id (additionalDetails).</summary>
    SupportRequestId,
    /// <summary>No request id: the id of the request's own target resource.</summary>
    TargetResourceId,
    /// <summary>Neither: the activities' correlation id.</summary>
    CorrelationId,
    /// <summary>Nothing to group by: one activity, a request of its own.</summary>
    None,
}

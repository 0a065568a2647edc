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

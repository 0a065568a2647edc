namespace SupportAccessLogs;

/// <summary>A directory role, and what it allows here (README.md, "Which role do I need?").</summary>
public sealed class SupportAccessRole
{
    internal SupportAccessRole(string displayName, string templateId, bool isBuiltIn, bool canReadActivityLogs, bool canManageSupportAccess, bool assignedToCaller)
    {
        DisplayName = displayName;
        TemplateId = templateId;
        IsBuiltIn = isBuiltIn;
        CanReadActivityLogs = canReadActivityLogs;
        CanManageSupportAccess = canManageSupportAccess;
        AssignedToCaller = assignedToCaller;
    }

    public string DisplayName { get; }
    public string TemplateId { get; }
    public bool IsBuiltIn { get; }
    /// <summary>Lets a signed-in user read the support-access audit trail.</summary>
    public bool CanReadActivityLogs { get; }
    /// <summary>Holds microsoft.azure.supportTickets/allEntities/allTasks (approve, reject, remove support access).</summary>
    public bool CanManageSupportAccess { get; }
    public bool AssignedToCaller { get; }
    /// <summary>The tenant whose directory holds the role (several connections give several tenants' roles).</summary>
    public string TenantId { get; internal set; } = "";

    public override string ToString() => DisplayName;
}

/// <summary>For the caller: can they read the logs, can they manage support access, and through which roles.</summary>
public sealed class SupportAccessRoleSummary
{
    internal SupportAccessRoleSummary(string caller, bool canRead, string[] readGrantedBy, bool canManage, string[] manageGrantedBy,
        string[] rolesThatCanRead, string source, string readDecision, string[] readRolesNotInToken)
    {
        ReadDecision = readDecision;
        ReadRolesNotInToken = readRolesNotInToken;
        Caller = caller;
        CanReadActivityLogs = canRead;
        ReadGrantedBy = readGrantedBy;
        CanManageSupportAccess = canManage;
        ManageGrantedBy = manageGrantedBy;
        RolesThatCanRead = rolesThatCanRead;
        Source = source;
    }

    public string Caller { get; }

    /// <summary>
    /// Whether Get-SupportAccessActivity will let this connection read: the same rule as its
    /// pre-flight check. For a user, the roles Microsoft Graph checks are those in the token;
    /// a role assigned after sign-in counts only after Connect-SupportAccess runs again.
    /// </summary>
    public bool CanReadActivityLogs { get; }
    public string[] ReadGrantedBy { get; }
    public bool CanManageSupportAccess { get; }
    public string[] ManageGrantedBy { get; }
    /// <summary>Every role that would let the caller read the logs.</summary>
    public string[] RolesThatCanRead { get; }
    /// <summary>Where the role list came from: the tenant's live definitions, or the module's snapshot.</summary>
    public string Source { get; }

    /// <summary>Why CanReadActivityLogs is what it is: what was found where, and for a "no" what to do.</summary>
    public string ReadDecision { get; }

    /// <summary>Reader roles the directory shows for the caller that the current token does not
    /// carry yet (assigned or activated after sign-in): connect again to use them.</summary>
    public string[] ReadRolesNotInToken { get; }

    /// <summary>The tenant the answer is for.</summary>
    public string TenantId { get; internal set; } = "";
}

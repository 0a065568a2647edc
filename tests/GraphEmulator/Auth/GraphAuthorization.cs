using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator.Auth;

/// <summary>A refusal after authentication: status, Graph error code and message.</summary>
internal sealed record Denial(int Status, string Code, string Message);

/// <summary>
/// What each served Graph request needs beyond a valid token, as Microsoft's documentation lists
/// it (permissions tables of each API page, and the audit log's directory role requirement).
/// See README.md, "Authorization".
/// </summary>
internal static class GraphAuthorization
{
    public const string AuditLogReadAll = "AuditLog.Read.All";

    // The wording Graph uses for directory reads it refuses.
    public const string RequestDenied = "Authorization_RequestDenied";
    public const string InsufficientPrivileges = "Insufficient privileges to complete the operation.";

    // The reporting API's own refusals (auditLogs/*): a missing permission, a user without a reader role.
    public const string PermissionMissing = "Authentication_MSGraphPermissionMissing";
    public const string AuditLogPermissionMissingMessage = "Calling principal does not have required MSGraph permissions AuditLog.Read.All";
    public const string UnsupportedUserRole = "Authentication_RequestFromUnsupportedUserRole";
    public const string UnsupportedUserRoleMessage = "User is not in the allowed roles";

    public const string MeNeedsDelegatedMessage = "/me request is only valid with delegated authentication flow.";

    /// <summary>GET /me (user-get, delegated work or school account).</summary>
    public static readonly IReadOnlyList<string> MeScopes =
    [
        "User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All",
        "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All",
    ];

    /// <summary>GET /me/transitiveMemberOf (user-list-transitivememberof, the signed-in user's memberships).</summary>
    public static readonly IReadOnlyList<string> TransitiveMemberOfScopes =
    [
        "User.Read", "User.Read.All", "GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All",
    ];

    /// <summary>
    /// Reading directoryRole objects (directoryrole-list). Without one of these, transitiveMemberOf
    /// still answers but returns each role with limited information: @odata.type and id only.
    /// </summary>
    public static readonly IReadOnlyList<string> DirectoryRoleReadScopes =
    [
        "RoleManagement.Read.Directory", "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "Directory.ReadWrite.All",
    ];

    /// <summary>GET /roleManagement/directory/roleDefinitions (rbacapplication-list-roledefinitions), delegated or application.</summary>
    public static readonly IReadOnlyList<string> RoleDefinitionPermissions =
    [
        "RoleManagement.Read.Directory", "Directory.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.ReadWrite.All",
    ];

    /// <summary>GET /roleManagement/directory/roleAssignments (rbacapplication-list-roleassignments), delegated or application.</summary>
    public static readonly IReadOnlyList<string> RoleAssignmentPermissions =
    [
        "RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.ReadWrite.All",
    ];

    /// <summary>
    /// GET /auditLogs/directoryAudits. Delegated: <c>AuditLog.Read.All</c> in scp, and the user holds a
    /// documented reader role (<see cref="DemoDirectory.ReaderRoleTemplateIds"/>), read from the
    /// token's <c>wids</c> when it has one, else from the assignments of <paramref name="tenant"/>'s
    /// directory for its oid (or upn). App-only: <c>AuditLog.Read.All</c> in roles.
    /// </summary>
    public static Denial? DirectoryAudits(CallerClaims caller, ServedTenant tenant)
    {
        if (caller.IsDelegated ? !caller.HasAnyScope([AuditLogReadAll]) : !caller.HasAnyRole([AuditLogReadAll]))
            return new Denial(StatusCodes.Status403Forbidden, PermissionMissing, AuditLogPermissionMissingMessage);

        if (caller.IsDelegated)
        {
            IEnumerable<string> held = caller.Wids ?? caller.UserIn(tenant)?.RoleTemplateIds ?? [];
            if (!held.Any(id => DemoDirectory.ReaderRoleTemplateIds.Contains(id, StringComparer.OrdinalIgnoreCase)))
                return new Denial(StatusCodes.Status403Forbidden, UnsupportedUserRole, UnsupportedUserRoleMessage);
        }
        return null;
    }

    /// <summary>GET /me and what is under it: delegated only, then the scopes the API lists.</summary>
    public static Denial? Me(CallerClaims caller, IReadOnlyList<string> scopes)
    {
        if (!caller.IsDelegated)
            return new Denial(StatusCodes.Status400BadRequest, GraphErrors.BadRequest, MeNeedsDelegatedMessage);
        return caller.HasAnyScope(scopes) ? null : Forbidden();
    }

    /// <summary>A request that needs one of these delegated scopes or application permissions.</summary>
    public static Denial? AnyPermission(CallerClaims caller, IReadOnlyList<string> permissions) =>
        caller.HasAnyPermission(permissions) ? null : Forbidden();

    private static Denial Forbidden() => new(StatusCodes.Status403Forbidden, RequestDenied, InsufficientPrivileges);
}

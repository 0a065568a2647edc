using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Roles;

/// <summary>What the one rule decided about reading the audit trail.</summary>
internal enum ReadVerdict
{
    Allowed,
    Denied,
    /// <summary>The roles could not be learnt; the query goes ahead and Graph decides.</summary>
    Unverified,
}

/// <summary>
/// Can this connection read the support-access audit trail, and through what? The one rule
/// behind both Get-SupportAccessActivity's pre-flight check and Get-SupportAccessRole -Summary,
/// so the two never disagree.
/// </summary>
/// <remarks>
/// An app needs the application permission AuditLog.Read.All. A user needs the delegated
/// AuditLog.Read.All and one of the reader roles. Which roles count is what Microsoft Graph
/// checks: the token's wids claim when the token has one, since Graph authorises the request
/// from the token; a role assigned (or activated in PIM) after the token was issued is in the
/// directory but not in the token, and only a new token brings it. Without wids, the roles Graph
/// lists for the caller decide.
/// </remarks>
internal sealed class ReaderAccess
{
    private ReaderAccess(ReadVerdict verdict, string? errorId, string reason, IReadOnlyList<string> grantedBy, IReadOnlyList<string> assignedNotInToken)
    {
        Verdict = verdict;
        ErrorId = errorId;
        Reason = reason;
        GrantedBy = grantedBy;
        AssignedNotInToken = assignedNotInToken;
    }

    public ReadVerdict Verdict { get; }

    /// <summary>For a denial: the stable error id a refusal carries.</summary>
    public string? ErrorId { get; }

    /// <summary>The decision in words: what was found, where, and for a denial what to do.</summary>
    public string Reason { get; }

    /// <summary>What grants reading: reader role names, or the application permission.</summary>
    public IReadOnlyList<string> GrantedBy { get; }

    /// <summary>Reader roles the directory shows for the caller that the token does not carry.</summary>
    public IReadOnlyList<string> AssignedNotInToken { get; }

    /// <param name="roles">The caller's roles from the token's wids or from Graph; null when they could not be learnt.</param>
    /// <param name="unavailable">Why <paramref name="roles"/> is null.</param>
    /// <param name="directoryRoleIds">Role template or definition ids the directory shows for the
    /// caller (transitive memberships and direct assignments), when looked up; null when not.</param>
    public static ReaderAccess Decide(GraphTenant tenant, CallerRoles? roles, string? unavailable, IReadOnlyCollection<string>? directoryRoleIds)
    {
        AccessTokenClaims claims = tenant.Claims;
        string caller = tenant.Account;
        string permission = DirectoryRoleRules.AuditReadPermission;
        var none = Array.Empty<string>();
        if (!claims.IsJwt)
        {
            return new ReaderAccess(ReadVerdict.Unverified, null,
                "the access token is not a JWT the module can read, so its permissions and roles could not be verified.", none, none);
        }

        if (claims.IsAppOnly)
        {
            if (claims.AppRoles.Contains(permission, StringComparer.OrdinalIgnoreCase))
            {
                return new ReaderAccess(ReadVerdict.Allowed, null, $"the application {caller} holds {permission}.", new[] { $"{permission} (application permission)" }, none);
            }

            return new ReaderAccess(ReadVerdict.Denied, "ApplicationPermissionMissing",
                $"The application {caller} does not hold the Microsoft Graph application permission {permission} (it has: {Describe(claims.AppRoles)}). Add it under API permissions of the app registration (or assign it to the managed identity) and grant admin consent, then connect again.",
                none, none);
        }

        if (!claims.Scopes.Contains(permission, StringComparer.OrdinalIgnoreCase))
        {
            return new ReaderAccess(ReadVerdict.Denied, "DelegatedPermissionMissing",
                $"The token of {caller} does not carry the delegated permission {permission} (it has: {Describe(claims.Scopes)}). Connect again and consent to {permission}; if your tenant requires it, an administrator must grant that consent.",
                none, none);
        }

        if (roles is null)
        {
            return new ReaderAccess(ReadVerdict.Unverified, null,
                $"{permission} present; the directory roles of {caller} could not be verified ({unavailable}). If the query is refused, assign one of: {DirectoryRoleRules.ReaderRoleNames}.",
                none, none);
        }

        string[] readers = roles.TemplateIds.Keys.Where(DirectoryRoleRules.CanReadActivityLogs).Select(roles.NameOf).ToArray();
        if (readers.Length > 0)
        {
            return new ReaderAccess(ReadVerdict.Allowed, null,
                $"{caller} has {permission} and holds {string.Join(", ", readers)} (from {roles.Source}).", readers, none);
        }

        string held = roles.TemplateIds.Count == 0 ? "none" : string.Join(", ", roles.TemplateIds.Keys.Select(roles.NameOf));
        string[] notInToken = roles.FromToken && directoryRoleIds is not null
            ? directoryRoleIds.Where(DirectoryRoleRules.CanReadActivityLogs).Select(RoleNames.Of).Distinct(StringComparer.OrdinalIgnoreCase).ToArray()
            : none;
        if (notInToken.Length > 0)
        {
            return new ReaderAccess(ReadVerdict.Denied, ReaderRoleMissing,
                $"{caller}'s token carries no directory role that can read audit logs (roles in the token: {held}), and Microsoft Graph checks the token. The directory shows {string.Join(", ", notInToken)} for {caller}: assigned or activated after this token was issued. Run Connect-SupportAccess again so the new token carries it.",
                none, notInToken);
        }

        return new ReaderAccess(ReadVerdict.Denied, ReaderRoleMissing,
            $"{caller} holds no directory role that can read audit logs (roles held: {held}; from {roles.Source}). Any one of these works: {DirectoryRoleRules.ReaderRoleNames}. Ask an administrator to assign one, or activate an eligible one in Privileged Identity Management, then run Connect-SupportAccess again so the new token carries it.",
            none, none);
    }

    /// <summary>
    /// Gathers what <see cref="Decide"/> needs with as few requests as it can, and decides: the
    /// token's wids alone when they grant reading; the directory's own view as well when they
    /// don't, to tell a role missing from the directory from one missing only from a stale token.
    /// Also returns the caller's roles as learnt (null, with the reason, when they couldn't be).
    /// </summary>
    public static async Task<(ReaderAccess Access, CallerRoles? Roles, string? Unavailable)> EvaluateAsync(
        GraphTenant tenant, RoleDirectory directory, IMessageSink reporter, CancellationToken cancellationToken)
    {
        AccessTokenClaims claims = tenant.Claims;
        if (!claims.IsJwt || claims.IsAppOnly)
        {
            return (Decide(tenant, null, null, null), null, null);
        }

        (CallerRoles? roles, string? unavailable) = await CallerRoles.ResolveAsync(tenant, directory, cancellationToken).ConfigureAwait(false);
        ReaderAccess access = Decide(tenant, roles, unavailable, null);
        if (access.Verdict == ReadVerdict.Denied && access.ErrorId == ReaderRoleMissing && roles is { FromToken: true })
        {
            HashSet<string>? inDirectory = await CallerRoles.InDirectoryAsync(tenant, directory, reporter, cancellationToken).ConfigureAwait(false);
            access = Decide(tenant, roles, unavailable, inDirectory);
        }

        return (access, roles, unavailable);
    }

    private const string ReaderRoleMissing = "ReaderRoleMissing";

    private static string Describe(IReadOnlyList<string> values) =>
        values.Count == 0 ? "none" : string.Join(" ", values);
}

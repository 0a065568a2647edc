using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Roles;

/// <summary>What the pre-flight check found, kept on the connection so it runs once.</summary>
internal sealed class RoleCheckResult
{
    public RoleCheckResult(string finding) => Finding = finding;

    public string Finding { get; }
}

/// <summary>
/// The pre-flight check of Get-SupportAccessActivity: before any audit request, does this
/// caller hold what reading the logs needs? A clear refusal here beats a bare 403 later.
/// </summary>
internal static class RoleCheck
{
    public static async Task EnsureCanReadAsync(SupportAccessConnection connection, IMessageSink reporter, CancellationToken cancellationToken)
    {
        if (connection.RoleCheck is RoleCheckResult cached)
        {
            reporter.Verbose($"Role check (done earlier on this connection): {cached.Finding}");
            return;
        }

        RoleCheckResult result = await RunAsync(connection, reporter, cancellationToken).ConfigureAwait(false);
        reporter.Verbose($"Role check: {result.Finding}");
        // Only a pass is kept: after a refusal the admin may activate a role in PIM and retry.
        connection.RoleCheck = result;
    }

    private static async Task<RoleCheckResult> RunAsync(SupportAccessConnection connection, IMessageSink reporter, CancellationToken cancellationToken)
    {
        AccessTokenClaims claims = connection.Claims;
        if (!claims.IsJwt)
        {
            reporter.Warning("The access token is not a JWT the module can read, so its permissions and roles could not be verified; the query goes ahead. Use -SkipRoleCheck to skip this check.");
            return new RoleCheckResult("not verified: the token is opaque.");
        }

        if (claims.IsAppOnly)
        {
            return CheckApplication(connection, claims);
        }

        string caller = connection.Account;
        if (!claims.Scopes.Contains(DirectoryRoleRules.AuditReadPermission, StringComparer.OrdinalIgnoreCase))
        {
            throw new ModuleException("DelegatedPermissionMissing", ErrorCategory.PermissionDenied,
                $"The token of {caller} does not carry the delegated permission {DirectoryRoleRules.AuditReadPermission} (it has: {Describe(claims.Scopes)}). Connect again and consent to {DirectoryRoleRules.AuditReadPermission}; if your tenant requires it, an administrator must grant that consent.",
                caller);
        }

        if (!claims.Scopes.Contains(DirectoryRoleRules.DirectoryReadPermission, StringComparer.OrdinalIgnoreCase))
        {
            reporter.Warning($"The token of {caller} lacks {DirectoryRoleRules.DirectoryReadPermission}, which Microsoft documents for reading directory audits; the query goes ahead, but names in the records may be missing.");
        }

        var directory = new RoleDirectory(connection);
        (CallerRoles? roles, string? unavailable) = await CallerRoles.ResolveAsync(connection, directory, cancellationToken).ConfigureAwait(false);
        if (roles is null)
        {
            reporter.Warning($"The directory roles of {caller} could not be verified ({unavailable}); the query goes ahead. If it is refused, assign one of: {DirectoryRoleRules.ReaderRoleNames}.");
            return new RoleCheckResult($"{DirectoryRoleRules.AuditReadPermission} present; roles not verified ({unavailable}).");
        }

        string[] readerRoles = roles.TemplateIds.Keys.Where(DirectoryRoleRules.CanReadActivityLogs).Select(roles.NameOf).ToArray();
        if (readerRoles.Length == 0)
        {
            string held = roles.TemplateIds.Count == 0 ? "none" : string.Join(", ", roles.TemplateIds.Keys.Select(roles.NameOf));
            throw new ModuleException("ReaderRoleMissing", ErrorCategory.PermissionDenied,
                $"{caller} holds no directory role that can read audit logs (roles held: {held}; from {roles.Source}). Any one of these works: {DirectoryRoleRules.ReaderRoleNames}. Ask an administrator to assign one, or activate an eligible one in Privileged Identity Management, then run Connect-SupportAccess again so the new token carries it.",
                caller);
        }

        return new RoleCheckResult($"{caller} has {DirectoryRoleRules.AuditReadPermission} and holds {string.Join(", ", readerRoles)} (from {roles.Source}).");
    }

    private static RoleCheckResult CheckApplication(SupportAccessConnection connection, AccessTokenClaims claims)
    {
        string app = connection.Account;
        if (!claims.AppRoles.Contains(DirectoryRoleRules.AuditReadPermission, StringComparer.OrdinalIgnoreCase))
        {
            throw new ModuleException("ApplicationPermissionMissing", ErrorCategory.PermissionDenied,
                $"The application {app} does not hold the Microsoft Graph application permission {DirectoryRoleRules.AuditReadPermission} (it has: {Describe(claims.AppRoles)}). Add it under API permissions of the app registration (or assign it to the managed identity) and grant admin consent, then connect again.",
                app);
        }

        return new RoleCheckResult($"the application {app} holds {DirectoryRoleRules.AuditReadPermission}.");
    }

    private static string Describe(System.Collections.Generic.IReadOnlyList<string> values) =>
        values.Count == 0 ? "none" : string.Join(" ", values);
}

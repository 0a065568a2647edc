using System;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Roles;

/// <summary>What the pre-flight check found, kept with the tenant's Graph client so it runs once.</summary>
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
    /// <summary>The passes found, per Graph client: they go with the client (a new connection
    /// checks again, as a role may have been taken away in between).</summary>
    private static readonly ConditionalWeakTable<GraphTenant, RoleCheckResult> Passes = new();

    public static async Task EnsureCanReadAsync(GraphTenant tenant, IMessageSink reporter, CancellationToken cancellationToken)
    {
        if (Passes.TryGetValue(tenant, out RoleCheckResult? cached))
        {
            reporter.Verbose($"Role check (done earlier on this tenant): {cached.Finding}");
            return;
        }

        RoleCheckResult result = await RunAsync(tenant, reporter, cancellationToken).ConfigureAwait(false);
        reporter.Verbose($"Role check: {result.Finding}");
        // Only a pass is kept: after a refusal the admin may activate a role in PIM and retry.
        _ = Passes.GetValue(tenant, _ => result);
    }

    private static async Task<RoleCheckResult> RunAsync(GraphTenant tenant, IMessageSink reporter, CancellationToken cancellationToken)
    {
        (ReaderAccess access, _, _) = await ReaderAccess.EvaluateAsync(tenant, new RoleDirectory(tenant), reporter, cancellationToken).ConfigureAwait(false);
        if (access.Verdict == ReadVerdict.Denied)
        {
            throw new ModuleException(access.ErrorId!, ErrorCategory.PermissionDenied, access.Reason, tenant.Account);
        }

        AccessTokenClaims claims = tenant.Claims;
        if (claims.IsJwt && !claims.IsAppOnly && !claims.Scopes.Contains(DirectoryRoleRules.DirectoryReadPermission, StringComparer.OrdinalIgnoreCase))
        {
            reporter.Warning($"The token of {tenant.Account} lacks {DirectoryRoleRules.DirectoryReadPermission}, which Microsoft documents for reading directory audits; the query goes ahead, but names in the records may be missing.");
        }

        if (access.Verdict == ReadVerdict.Unverified)
        {
            reporter.Warning($"Could not verify that {tenant.Account} may read the audit logs: {access.Reason} The query goes ahead; use -SkipRoleCheck to skip this check.");
            return new RoleCheckResult($"not verified: {access.Reason}");
        }

        return new RoleCheckResult(access.Reason);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Roles;

/// <summary>
/// Every directory role with what it allows here, and which of them the caller holds: from the
/// tenant's live role definitions (custom roles included), else from the module's snapshot.
/// </summary>
internal sealed class RoleCatalog
{
    private RoleCatalog(IReadOnlyList<SupportAccessRole> roles, string source, string caller, ReaderAccess access)
    {
        Roles = roles;
        Source = source;
        Caller = caller;
        Access = access;
    }

    public IReadOnlyList<SupportAccessRole> Roles { get; }
    public string Source { get; }
    public string Caller { get; }

    /// <summary>Whether the caller may read the logs: the same decision as Get-SupportAccessActivity's pre-flight check.</summary>
    public ReaderAccess Access { get; }

    public static async Task<RoleCatalog> LoadAsync(GraphTenant tenant, IMessageSink reporter, CancellationToken cancellationToken)
    {
        var directory = new RoleDirectory(tenant);
        (ReaderAccess access, CallerRoles? callerRoles, string? unavailable) =
            await ReaderAccess.EvaluateAsync(tenant, directory, reporter, cancellationToken).ConfigureAwait(false);
        HashSet<string> held = await CallerRoleIdsAsync(tenant, directory, callerRoles, unavailable, reporter, cancellationToken).ConfigureAwait(false);

        List<RoleDefinitionJson> definitions;
        try
        {
            definitions = await directory.GetRoleDefinitionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            reporter.Warning($"The tenant's role definitions could not be read (Microsoft Graph answered {ex.ResponseStatusCode}; reading them needs RoleManagement.Read.Directory or Directory.Read.All). Showing the module's snapshot of built-in roles instead, taken from {BuiltInRoleSnapshot.Source} as published on {BuiltInRoleSnapshot.PublishedOn}; custom roles and later changes are not in it.");
            return new RoleCatalog(FromSnapshot(held), $"module snapshot of {BuiltInRoleSnapshot.PublishedOn}", tenant.Account, access);
        }

        reporter.Verbose($"Read {definitions.Count} role definitions from the tenant.");
        var roles = new List<SupportAccessRole>(definitions.Count);
        foreach (RoleDefinitionJson definition in definitions)
        {
            string templateId = definition.TemplateId ?? definition.Id ?? "";
            IEnumerable<string> actions = (definition.RolePermissions ?? new List<RolePermissionJson>())
                .SelectMany(permission => permission.AllowedResourceActions ?? new List<string>());
            roles.Add(new SupportAccessRole(
                definition.DisplayName ?? templateId,
                templateId,
                definition.IsBuiltIn ?? false,
                DirectoryRoleRules.CanReadActivityLogs(templateId),
                DirectoryRoleRules.CanManageSupportAccess(actions),
                held.Contains(templateId) || (definition.Id is string id && held.Contains(id))));
        }

        return new RoleCatalog(Sorted(roles), "tenant role definitions", tenant.Account, access);
    }

    /// <summary>Reading is decided by <see cref="Access"/> (the token, as Graph checks it), not by
    /// the directory's assignments; managing by the caller's roles here.</summary>
    public SupportAccessRoleSummary Summarize()
    {
        string[] readers = Roles.Where(r => r.CanReadActivityLogs).Select(r => r.DisplayName).ToArray();
        string[] manageVia = Roles.Where(r => r.AssignedToCaller && r.CanManageSupportAccess).Select(r => r.DisplayName).ToArray();
        return new SupportAccessRoleSummary(Caller, Access.Verdict == ReadVerdict.Allowed, Access.GrantedBy.ToArray(), manageVia.Length > 0, manageVia,
            readers, Source, Access.Reason, Access.AssignedNotInToken.ToArray());
    }

    /// <summary>The caller's role ids: built-in ones from the token or Graph, plus direct
    /// assignments (the only place custom roles show).</summary>
    private static async Task<HashSet<string>> CallerRoleIdsAsync(
        GraphTenant tenant, RoleDirectory directory, CallerRoles? roles, string? unavailable, IMessageSink reporter, CancellationToken cancellationToken)
    {
        var held = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        AccessTokenClaims claims = tenant.Claims;
        if (!claims.IsAppOnly)
        {
            if (roles is null)
            {
                reporter.Warning($"The caller's directory roles could not be read ({unavailable}); AssignedToCaller may be incomplete.");
            }
            else
            {
                held.UnionWith(roles.TemplateIds.Keys);
            }
        }

        if (claims.ObjectId is string principalId)
        {
            try
            {
                held.UnionWith(await directory.GetAssignedRoleDefinitionIdsAsync(principalId, cancellationToken).ConfigureAwait(false));
            }
            catch (ApiException ex)
            {
                reporter.Verbose($"Role assignments of {principalId} could not be read (Microsoft Graph answered {ex.ResponseStatusCode}); custom role assignments are not shown.");
            }
        }

        reporter.Verbose($"The caller {tenant.Account} holds {held.Count} role(s).");
        return held;
    }

    private static List<SupportAccessRole> FromSnapshot(HashSet<string> held)
    {
        var roles = new Dictionary<string, SupportAccessRole>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> manager in BuiltInRoleSnapshot.SupportTicketManagers)
        {
            roles[manager.Value] = new SupportAccessRole(manager.Key, manager.Value, true,
                DirectoryRoleRules.CanReadActivityLogs(manager.Value), true, held.Contains(manager.Value));
        }

        foreach (KeyValuePair<string, string> reader in DirectoryRoleRules.ReaderRoles)
        {
            if (!roles.ContainsKey(reader.Key))
            {
                roles[reader.Key] = new SupportAccessRole(reader.Value, reader.Key, true, true, false, held.Contains(reader.Key));
            }
        }

        return Sorted(roles.Values);
    }

    private static List<SupportAccessRole> Sorted(IEnumerable<SupportAccessRole> roles) =>
        roles.OrderBy(role => role.DisplayName, StringComparer.OrdinalIgnoreCase).ToList();
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Roles;

/// <summary>The built-in directory roles the signed-in user holds, and where that was learnt.</summary>
internal sealed class CallerRoles
{
    private CallerRoles(IReadOnlyDictionary<string, string?> templateIds, string source, bool fromToken)
    {
        TemplateIds = templateIds;
        Source = source;
        FromToken = fromToken;
    }

    /// <summary>Template id → display name where the source gave one.</summary>
    public IReadOnlyDictionary<string, string?> TemplateIds { get; }
    public string Source { get; }

    /// <summary>True when the roles are the token's wids claim (what Graph checks for this token).</summary>
    public bool FromToken { get; }

    /// <summary>From the token's wids claim when it has one (no request), else from Graph.
    /// Returns null, with the reason, when Graph refuses or fails the lookup.</summary>
    public static async Task<(CallerRoles? Roles, string? Unavailable)> ResolveAsync(
        GraphTenant tenant, RoleDirectory directory, CancellationToken cancellationToken)
    {
        AccessTokenClaims claims = tenant.Claims;
        if (claims.HasDirectoryRoleClaim)
        {
            var wids = claims.DirectoryRoleTemplateIds.ToDictionary(id => id, _ => (string?)null, StringComparer.OrdinalIgnoreCase);
            return (new CallerRoles(wids, "the token's wids claim", fromToken: true), null);
        }

        try
        {
            List<DirectoryRoleJson> roles = await directory.GetCallerDirectoryRolesAsync(cancellationToken).ConfigureAwait(false);
            var fromGraph = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DirectoryRoleJson role in roles)
            {
                if (role.RoleTemplateId is not string id)
                {
                    // Graph withholds role details from tokens that may list memberships but not
                    // read directory roles; a role we can't name must not count as "no role".
                    return (null, "Microsoft Graph listed directory roles without their template ids; the token needs Directory.Read.All to see them");
                }

                fromGraph[id] = role.DisplayName;
            }

            return (new CallerRoles(fromGraph, "GET /me/transitiveMemberOf/microsoft.graph.directoryRole", fromToken: false), null);
        }
        catch (ApiException ex)
        {
            return (null, $"Microsoft Graph answered {ex.ResponseStatusCode} to the role lookup (GET /me/transitiveMemberOf/microsoft.graph.directoryRole)");
        }
    }

    /// <summary>
    /// The role ids the directory itself shows for the caller, whatever the token carries: built-in
    /// roles held directly or through groups, and direct assignments (custom roles too). Null when
    /// Graph refuses or fails either read; the reason goes to Verbose.
    /// </summary>
    public static async Task<HashSet<string>?> InDirectoryAsync(
        GraphTenant tenant, RoleDirectory directory, IMessageSink reporter, CancellationToken cancellationToken)
    {
        var held = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (DirectoryRoleJson role in await directory.GetCallerDirectoryRolesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (role.RoleTemplateId is string id)
                {
                    held.Add(id);
                }
            }

            if (tenant.Claims.ObjectId is string principalId)
            {
                held.UnionWith(await directory.GetAssignedRoleDefinitionIdsAsync(principalId, cancellationToken).ConfigureAwait(false));
            }

            return held;
        }
        catch (ApiException ex)
        {
            reporter.Verbose($"The caller's roles in the directory could not be read (Microsoft Graph answered {ex.ResponseStatusCode}).");
            return null;
        }
    }

    public string NameOf(string templateId) =>
        TemplateIds.TryGetValue(templateId, out string? name) && !string.IsNullOrEmpty(name)
            ? name!
            : RoleNames.Of(templateId);
}

/// <summary>Names of built-in roles the module knows without asking Graph.</summary>
internal static class RoleNames
{
    /// <summary>Templates Entra puts in every token's wids for the user type, not assignable roles.</summary>
    private static readonly Dictionary<string, string> ImplicitRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b79fbf4d-3ef9-4689-8143-76b194e85509"] = "User (every member)",
        ["10dae51f-b6af-4016-8d66-8c2a99b929b3"] = "Guest User",
        ["2af84b1e-32c8-42b7-82bc-daa82404023b"] = "Restricted Guest User",
    };

    public static string Of(string templateId)
    {
        if (ImplicitRoles.TryGetValue(templateId, out string? implicitRole))
        {
            return implicitRole;
        }

        if (DirectoryRoleRules.ReaderRoles.TryGetValue(templateId, out string? reader))
        {
            return reader;
        }

        foreach (KeyValuePair<string, string> manager in BuiltInRoleSnapshot.SupportTicketManagers)
        {
            if (string.Equals(manager.Value, templateId, StringComparison.OrdinalIgnoreCase))
            {
                return manager.Key;
            }
        }

        return templateId;
    }
}

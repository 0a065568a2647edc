using System;
using System.Collections.Generic;
using System.Linq;

namespace SupportAccessLogs.Roles;

/// <summary>
/// Who may read the support-access audit trail and who may manage support access requests: the
/// one place that holds these facts (docs/architecture.md, "Facts from Microsoft's documentation").
/// </summary>
internal static class DirectoryRoleRules
{
    /// <summary>Graph permission that reading directoryAudits requires (delegated and application).</summary>
    public const string AuditReadPermission = "AuditLog.Read.All";

    /// <summary>Also listed by the docs for directoryAudits; its absence is only warned about.</summary>
    public const string DirectoryReadPermission = "Directory.Read.All";

    /// <summary>The Entra action that managing Microsoft Support access requests needs.</summary>
    public const string ManageSupportAccessAction = "microsoft.azure.supportTickets/allEntities/allTasks";

    /// <summary>Directory roles that let a signed-in user read audit logs: the seed's four plus
    /// Global Reader, by template id.</summary>
    public static IReadOnlyDictionary<string, string> ReaderRoles { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["4a5d8f65-41da-4de4-8968-e035b65339cf"] = "Reports Reader",
        ["5d6b6bb7-de71-4623-b4af-96380a352509"] = "Security Reader",
        ["194ae4cb-b126-40b2-bd5b-6091b380977d"] = "Security Administrator",
        ["f2ef992c-3afb-46b9-b7cf-a126ee74c451"] = "Global Reader",
        ["62e90394-69f5-4237-9190-012177145e10"] = "Global Administrator",
    };

    public static string ReaderRoleNames => string.Join(", ", ReaderRoles.Values);

    public static bool CanReadActivityLogs(string templateId) => ReaderRoles.ContainsKey(templateId);

    /// <summary>True when any granted action covers <see cref="ManageSupportAccessAction"/>.</summary>
    public static bool CanManageSupportAccess(IEnumerable<string> allowedResourceActions) =>
        allowedResourceActions.Any(action => ActionCovers(action, ManageSupportAccessAction));

    /// <summary>
    /// Whether a granted resource action covers a required one, as Entra matches them: the
    /// comparison ignores case, and '*' in the granted action stands for any run of characters,
    /// so "microsoft.azure.supportTickets/*" and "microsoft.azure.*/allEntities/allTasks" both
    /// cover the support-ticket action.
    /// </summary>
    /// <remarks>
    /// Matched by hand rather than with a regex built from the server's text: a granted action
    /// such as "**…**" makes a backtracking regex engine (Windows PowerShell's) exponential. This
    /// is the classic one-star-remembered glob match, at most length(granted) × length(required) steps.
    /// </remarks>
    public static bool ActionCovers(string granted, string required)
    {
        if (string.IsNullOrWhiteSpace(granted))
        {
            return false;
        }

        string pattern = granted.Trim();
        int p = 0;
        int r = 0;
        int starAt = -1;
        int resumeAt = 0;
        while (r < required.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                // Let the star match nothing for now; come back here to let it take one more.
                starAt = p++;
                resumeAt = r;
            }
            else if (p < pattern.Length && SameLetter(pattern[p], required[r]))
            {
                p++;
                r++;
            }
            else if (starAt >= 0)
            {
                p = starAt + 1;
                r = ++resumeAt;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool SameLetter(char a, char b) =>
        a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
}

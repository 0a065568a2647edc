using System.Collections.Generic;
using System.Linq;
using SupportAccessLogs.Activities;

namespace SupportAccessLogs.Export;

/// <summary>
/// The filters an evidence file was made with, as the parameters that give them (sorted, so the
/// same selection always reads the same): kept in the checkpoint, so that a run with other filters
/// is refused rather than leaving a file that holds one selection in some windows and another in
/// the rest.
/// </summary>
internal static class EvidenceFilters
{
    public static string Describe(ActivityQuery query)
    {
        var parts = new List<string>();
        Add(parts, "Category", query.Categories?.Select(c => c.ToString()));
        Add(parts, "Activity", query.Activities?.Select(a => a.ToString()));
        Add(parts, "TenantRole", query.TenantRoles?.Select(r => r.ToString()));
        if (query.InitiatedBy is string initiator)
        {
            parts.Add($"-InitiatedBy '{initiator.Replace("'", "''")}'");
        }

        Add(parts, "Result", query.Results?.Select(r => r.ToLowerInvariant()));
        return string.Join(" ", parts);
    }

    /// <summary>How a message names a set of filters.</summary>
    public static string Phrase(string filters) => filters.Length == 0 ? "no filter (every activity)" : $"the filters {filters}";

    private static void Add(List<string> parts, string name, IEnumerable<string>? values)
    {
        string[] distinct = values?.Distinct().OrderBy(v => v, System.StringComparer.Ordinal).ToArray() ?? System.Array.Empty<string>();
        if (distinct.Length > 0)
        {
            parts.Add($"-{name} {string.Join(",", distinct)}");
        }
    }
}

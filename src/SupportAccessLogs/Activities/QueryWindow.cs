using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace SupportAccessLogs.Activities;

/// <summary>
/// What -StartTime, -EndTime and -WorkspaceId may be, checked before any request: the rules of
/// the query itself, whichever command asks.
/// </summary>
internal static class QueryWindow
{
    /// <summary>The window when none is given, and the most Graph serves (Entra P1/P2).</summary>
    public static readonly TimeSpan GraphRetention = TimeSpan.FromDays(30);

    /// <summary>What to do about a start Graph can't serve, whether refused here or by Graph itself.</summary>
    public const string BeyondRetentionAdvice =
        "Use a later -StartTime; for older activity, read a Log Analytics workspace that receives the audit logs (a diagnostic setting) with -WorkspaceId.";

    /// <summary>
    /// The window in UTC: local times converted, unspecified ones taken as UTC; an end after now is
    /// now (said through <paramref name="verbose"/>); a start left out is 30 days before the end.
    /// A start in the future, a reversed window, or (for Graph) a start beyond its retention is refused.
    /// </summary>
    public static (DateTime StartUtc, DateTime EndUtc) Resolve(DateTime? start, DateTime? end, bool fromWorkspace, DateTime nowUtc, Action<string> verbose)
    {
        DateTime endUtc = ToUtc(end) ?? nowUtc;
        if (endUtc > nowUtc)
        {
            // Nothing is logged after now, and a start left out counts back from now rather than
            // from the far future.
            verbose($"-EndTime {endUtc:yyyy-MM-dd HH:mm:ss} UTC is in the future; the window ends now ({nowUtc:yyyy-MM-dd HH:mm:ss} UTC).");
            endUtc = nowUtc;
        }

        DateTime startUtc = ToUtc(start) ?? endUtc - GraphRetention;
        if (startUtc > nowUtc)
        {
            throw new ModuleException("StartTimeInFuture", ErrorCategory.InvalidArgument,
                $"-StartTime ({startUtc:yyyy-MM-dd HH:mm:ss} UTC) is in the future, so no activity can be in the window. Give a StartTime in the past (it is taken as UTC unless it is a local time).", start);
        }

        if (startUtc > endUtc)
        {
            throw new ModuleException("TimeWindowReversed", ErrorCategory.InvalidArgument,
                $"-StartTime ({startUtc:yyyy-MM-dd HH:mm:ss} UTC) is after -EndTime ({endUtc:yyyy-MM-dd HH:mm:ss} UTC). Swap them, or give a StartTime earlier than EndTime.", start);
        }

        // Entra keeps audit logs 30 days at most, so an earlier start is wrong for every tenant;
        // a workspace keeps what its retention says, and answers for itself.
        if (!fromWorkspace && startUtc < nowUtc - GraphRetention - TimeSpan.FromMinutes(5))
        {
            throw new ModuleException("StartTimeBeyondRetention", ErrorCategory.InvalidArgument,
                $"-StartTime ({startUtc:yyyy-MM-dd HH:mm:ss} UTC) is more than 30 days ago. Entra keeps directory audit logs for 30 days (Entra ID P1/P2) or 7 days (Free). {BeyondRetentionAdvice}", start);
        }

        return (startUtc, endUtc);
    }

    /// <summary>The workspace ids, each a GUID, each once; null when none were given.</summary>
    public static string[]? WorkspaceIds(string[]? given)
    {
        if (given is null)
        {
            return null;
        }

        var ids = new List<string>();
        foreach (string id in given)
        {
            if (!Guid.TryParse(id?.Trim(), out Guid workspace))
            {
                throw new ModuleException("WorkspaceIdNotGuid", ErrorCategory.InvalidArgument,
                    $"-WorkspaceId '{id}' is not a workspace id. Give the GUID shown as 'Workspace ID' on the workspace's Overview page in the Azure portal (not its name or resource id).", id);
            }

            string text = workspace.ToString();
            if (!ids.Contains(text))
            {
                ids.Add(text);
            }
        }

        return ids.ToArray();
    }

    private static DateTime? ToUtc(DateTime? value) => value switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        { Kind: DateTimeKind.Unspecified } unspecified => DateTime.SpecifyKind(unspecified, DateTimeKind.Utc),
        DateTime utc => utc,
    };
}

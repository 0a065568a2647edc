using SupportAccessLogs.Activities;

namespace SupportAccessLogs.Graph;

/// <summary>The directoryAudits $filter for a query: what Graph can filter on the server.</summary>
internal static class GraphAuditFilter
{
    /// <summary>The $filter sent to Graph; with <paramref name="byCategory"/> false, the
    /// documented fallback that filters on the logging service instead.</summary>
    public static string For(ActivityQuery query, bool byCategory)
    {
        var filter = new ODataFilter();
        if (byCategory)
        {
            filter.Equal(AuditProperty.Category, Classification.ClassificationRules.AuditCategory);
        }
        else
        {
            filter.Equal(AuditProperty.LoggedByService, Classification.ClassificationRules.LoggedByService);
        }

        filter.AtOrAfter(AuditProperty.ActivityDateTime, query.StartUtc);
        filter.AtOrBefore(AuditProperty.ActivityDateTime, query.EndUtc);
        if (query.InitiatorFilterableOnServer)
        {
            filter.Equal(AuditProperty.UserPrincipalName, query.InitiatedBy!);
        }

        return filter.ToString();
    }
}

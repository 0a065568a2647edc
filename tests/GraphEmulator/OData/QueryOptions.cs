using System;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator.OData;

/// <summary>The OData system query options of a directoryAudits request, checked as Graph checks them.</summary>
internal sealed record QueryOptions(string? Filter, int? Top, string? OrderBy, string? SkipToken)
{
    public const int MaxTop = 999;

    /// <summary>Reads the options; a message for a 400 when they're not acceptable.</summary>
    public static QueryOptions Read(IQueryCollection query, out string? error)
    {
        // ASP.NET has already decoded the names, so %24filter arrives as $filter.
        string? filter = null, top = null, orderBy = null, skipToken = null;
        foreach (var (name, values) in query)
        {
            if (!name.StartsWith('$'))
                continue; // Graph ignores parameters that aren't system query options.
            if (values.Count > 1)
                return Fail($"Query option '{name}' was specified more than once.", out error);

            switch (name.ToLowerInvariant())
            {
                case "$filter": filter = values[0]; break;
                case "$top": top = values[0]; break;
                case "$orderby": orderBy = values[0]; break;
                case "$skiptoken": skipToken = values[0]; break;
                default: return Fail($"Query option '{name}' is not supported for auditLogs/directoryAudits.", out error);
            }
        }

        int? topValue = null;
        if (top is not null)
        {
            if (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) || parsed is < 1 or > MaxTop)
                return Fail($"Invalid value '{top}' for $top: it must be an integer from 1 to {MaxTop}.", out error);
            topValue = parsed;
        }

        if (orderBy is not null && ParseOrderBy(orderBy) is null)
            return Fail($"Invalid $orderby '{orderBy}': only 'activityDateTime' with 'asc' or 'desc' is supported.", out error);

        if (skipToken is not null && skipToken.Length == 0)
            return Fail("Invalid $skiptoken.", out error);

        error = null;
        return new QueryOptions(filter, topValue, orderBy, skipToken);
    }

    /// <summary>True for newest first (Graph's default), false for oldest first.</summary>
    public bool NewestFirst => OrderBy is null || ParseOrderBy(OrderBy) == true;

    /// <returns>True for descending, false for ascending, null when not acceptable.</returns>
    private static bool? ParseOrderBy(string value)
    {
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || !string.Equals(parts[0], "activityDateTime", StringComparison.OrdinalIgnoreCase))
            return null;
        if (parts.Length == 1)
            return false; // OData's default direction is ascending.
        return parts[1].ToLowerInvariant() switch
        {
            "asc" => false,
            "desc" => true,
            _ => null,
        };
    }

    private static QueryOptions Fail(string message, out string? error)
    {
        error = message;
        return new QueryOptions(null, null, null, null);
    }
}

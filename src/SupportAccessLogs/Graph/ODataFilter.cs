using System;
using System.Collections.Generic;
using System.Globalization;

namespace SupportAccessLogs.Graph;

/// <summary>The directoryAudits properties the service can filter on (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
internal static class AuditProperty
{
    public const string Category = "category";
    public const string LoggedByService = "loggedByService";
    public const string ActivityDateTime = "activityDateTime";
    public const string ActivityDisplayName = "activityDisplayName";
    public const string UserPrincipalName = "initiatedBy/user/userPrincipalName";
    public const string UserId = "initiatedBy/user/id";
    public const string AppDisplayName = "initiatedBy/app/displayName";
    public const string AppId = "initiatedBy/app/appId";
}

/// <summary>
/// Builds an OData $filter from typed clauses joined by "and". The only place a value is
/// turned into filter text, so escaping can't be forgotten.
/// </summary>
internal sealed class ODataFilter
{
    private readonly List<string> _clauses = new();

    public ODataFilter Equal(string property, string value)
    {
        _clauses.Add($"{property} eq {Literal(value)}");
        return this;
    }

    public ODataFilter StartsWith(string property, string value)
    {
        _clauses.Add($"startswith({property},{Literal(value)})");
        return this;
    }

    public ODataFilter AtOrAfter(string property, DateTime utc)
    {
        _clauses.Add($"{property} ge {DateLiteral(utc)}");
        return this;
    }

    public ODataFilter AtOrBefore(string property, DateTime utc)
    {
        _clauses.Add($"{property} le {DateLiteral(utc)}");
        return this;
    }

    public override string ToString() => string.Join(" and ", _clauses);

    /// <summary>An OData string literal: quoted, with embedded quotes doubled.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>An OData DateTimeOffset literal (unquoted), in UTC with full precision.</summary>
    public static string DateLiteral(DateTime utc)
    {
        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("filter times must be UTC", nameof(utc));
        }

        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    }
}

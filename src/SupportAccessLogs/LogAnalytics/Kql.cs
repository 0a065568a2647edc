using System;
using System.Globalization;
using System.Text;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Classification;
using SupportAccessLogs.KqlRules;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>A stretch of the window read by one query: [Start, End) in TimeGenerated, and, for
/// a stretch too busy to split in time, one bucket of hash(Id, Buckets).</summary>
internal readonly struct Slice
{
    public Slice(DateTime start, DateTime end, int buckets = 1, int bucket = 0)
    {
        Start = start;
        End = end;
        Buckets = buckets;
        Bucket = bucket;
    }

    public DateTime Start { get; }
    public DateTime End { get; }
    public int Buckets { get; }
    public int Bucket { get; }

    /// <summary>Two slices that together hold exactly this one's rows: the newer half first.</summary>
    public (Slice Newer, Slice Older) Split()
    {
        long ticks = (End - Start).Ticks;
        if (ticks >= 2 && Buckets == 1)
        {
            var middle = new DateTime(Start.Ticks + (ticks / 2), DateTimeKind.Utc);
            return (new Slice(middle, End), new Slice(Start, middle));
        }

        // One instant (or already bucketed): split the rows by a hash of their id instead.
        // Checked: 2^31 buckets would wrap to a negative count (an OverflowException instead).
        int buckets = checked(Buckets * 2);
        return (new Slice(Start, End, buckets, Bucket), new Slice(Start, End, buckets, Bucket + Buckets));
    }

    public override string ToString() =>
        $"{Kql.Time(Start)} to {Kql.Time(End)}" + (Buckets > 1 ? $", id bucket {Bucket} of {Buckets}" : "");
}

/// <summary>
/// The KQL the module sends to a workspace, built in one place from the typed query
/// (docs/architecture.md, "Log Analytics"). Every value is a string literal made by
/// <see cref="String"/>, so a value can never become query text.
/// </summary>
internal static class Kql
{
    /// <summary>The columns read, in the order asked for; rows are mapped by name, not position.</summary>
    public const string Columns = "Id, TimeGenerated, ActivityDateTime, ActivityDisplayName, Category, Result, ResultReason, LoggedByService, AADOperationType, CorrelationId, AADTenantId, InitiatedBy, TargetResources, AdditionalDetails";

    /// <summary>
    /// What of the query the workspace filters, beyond the window, the category and a UPN: the
    /// activity filters (but a UPN, sent as today) and the request filters, for
    /// <see cref="WorkspaceFilterKql"/> (docs/architecture.md, "Filters in the workspace").
    /// </summary>
    /// <param name="thisTenant">The connection's tenant: "this tenant" of a row that names none.</param>
    public static WorkspaceFilterKql FilterOf(ActivityQuery query, Guid thisTenant) => WorkspaceFilterKql.Of(new WorkspaceFilter
    {
        Categories = query.Categories,
        Activities = query.Activities,
        TenantRoles = query.TenantRoles,
        Results = query.Results,
        InitiatedBy = query.InitiatorFilterableOnServer ? null : query.InitiatedBy,
        RequestStates = query.RequestStates,
        ActiveRequestsOnly = query.ActiveRequestsOnly,
        ThisTenant = thisTenant,
        WindowStartUtc = query.StartUtc,
        WindowEndUtc = ReadWindow(query).End,
    });

    /// <summary>The query's window as slices read it: Graph's window includes its end, so the half-open one ends a tick later.</summary>
    public static Slice ReadWindow(ActivityQuery query) => new(query.StartUtc, query.EndUtc.AddTicks(1));

    /// <summary>The rows of one slice, newest first: those the filter keeps.</summary>
    public static string Rows(ActivityQuery query, Slice slice, WorkspaceFilterKql filter)
    {
        var kql = new StringBuilder(filter.Lets(slice.Start, slice.End));
        AppendWhere(kql, query, slice);
        if (filter.Condition is string kept)
        {
            kql.Append("\n| where ").Append(kept);
        }

        return kql.Append("\n| project ").Append(Columns).Append("\n| order by TimeGenerated desc, Id desc").ToString();
    }

    /// <summary>The bin of <see cref="CountsByHour"/>.</summary>
    public static readonly TimeSpan CountBin = TimeSpan.FromHours(1);

    /// <summary>The column of <see cref="CountsByHour"/> that counts the rows the filter keeps.</summary>
    public const string MatchingColumn = "Matching";

    /// <summary>How many rows each hour of the window holds (count_), and with a filter how many of
    /// them it keeps (<see cref="MatchingColumn"/>), to size the slices.</summary>
    public static string CountsByHour(ActivityQuery query, Slice window, WorkspaceFilterKql filter)
    {
        var kql = new StringBuilder(filter.Lets(window.Start, window.End));
        AppendWhere(kql, query, window);
        kql.Append("\n| summarize count()");
        if (filter.Condition is string kept)
        {
            kql.Append(", ").Append(MatchingColumn).Append(" = countif(").Append(kept).Append(')');
        }

        return kql.Append(" by bin(TimeGenerated, 1h)").ToString();
    }

    /// <summary>The cheapest query a workspace answers: whether it is known, nothing more.</summary>
    public const string Probe = "AuditLogs\n| take 0";

    private static void AppendWhere(StringBuilder kql, ActivityQuery query, Slice slice)
    {
        kql.Append("AuditLogs");
        kql.Append("\n| where TimeGenerated >= ").Append(DateTimeLiteral(slice.Start))
           .Append(" and TimeGenerated < ").Append(DateTimeLiteral(slice.End));
        kql.Append("\n| where Category == ").Append(String(ClassificationRules.AuditCategory));
        if (query.InitiatorFilterableOnServer)
        {
            kql.Append("\n| where tostring(InitiatedBy.user.userPrincipalName) =~ ").Append(String(query.InitiatedBy!));
        }

        if (slice.Buckets > 1)
        {
            kql.Append("\n| where hash(Id, ").Append(slice.Buckets.ToString(CultureInfo.InvariantCulture))
               .Append(") == ").Append(slice.Bucket.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// A KQL string literal: double quotes, with backslash, double quote and line breaks escaped,
    /// so the value is data whatever it holds.
    /// </summary>
    public static string String(string value) => KqlLiteral.String(value);

    public static string DateTimeLiteral(DateTime utc) => KqlLiteral.DateTime(utc);

    /// <summary>ISO 8601 UTC with all seven fractional digits, as the API writes datetimes.</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The request body's timespan: the same half-open interval, ISO 8601 start/end.</summary>
    public static string Timespan(Slice slice) => $"{Time(slice.Start)}/{Time(slice.End)}";
}

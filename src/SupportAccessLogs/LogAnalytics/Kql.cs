using System;
using System.Globalization;
using System.Text;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Classification;

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

    /// <summary>The rows of one slice, newest first.</summary>
    public static string Rows(ActivityQuery query, Slice slice) =>
        Where(query, slice) + "\n| project " + Columns + "\n| order by TimeGenerated desc, Id desc";

    /// <summary>The bin of <see cref="CountsByHour"/>.</summary>
    public static readonly TimeSpan CountBin = TimeSpan.FromHours(1);

    /// <summary>How many rows each hour of the window holds, to size the slices.</summary>
    public static string CountsByHour(ActivityQuery query, Slice window) =>
        Where(query, window) + "\n| summarize count() by bin(TimeGenerated, 1h)";

    /// <summary>The cheapest query a workspace answers: whether it is known, nothing more.</summary>
    public const string Probe = "AuditLogs\n| take 0";

    private static string Where(ActivityQuery query, Slice slice)
    {
        var kql = new StringBuilder("AuditLogs");
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

        return kql.ToString();
    }

    /// <summary>
    /// A KQL string literal: double quotes, with backslash, double quote and line breaks escaped,
    /// so the value is data whatever it holds.
    /// </summary>
    public static string String(string value)
    {
        var literal = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': literal.Append("\\\""); break;
                case '\\': literal.Append("\\\\"); break;
                case '\n': literal.Append("\\n"); break;
                case '\r': literal.Append("\\r"); break;
                case '\t': literal.Append("\\t"); break;
                default: literal.Append(c); break;
            }
        }

        return literal.Append('"').ToString();
    }

    public static string DateTimeLiteral(DateTime utc) => $"datetime({Time(utc)})";

    /// <summary>ISO 8601 UTC with all seven fractional digits, as the API writes datetimes.</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The request body's timespan: the same half-open interval, ISO 8601 start/end.</summary>
    public static string Timespan(Slice slice) => $"{Time(slice.Start)}/{Time(slice.End)}";
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.OData;

/// <summary>A parsed $filter: clauses that must all hold (Graph's audit filters join with and only).</summary>
internal sealed class ODataFilter
{
    public static readonly ODataFilter MatchAll = new([]);

    public ODataFilter(IReadOnlyList<FilterClause> clauses) => Clauses = clauses;

    public IReadOnlyList<FilterClause> Clauses { get; }

    public bool Matches(AuditRecord record)
    {
        foreach (FilterClause clause in Clauses)
        {
            if (!clause.Matches(record))
                return false;
        }
        return true;
    }

    /// <summary>The earliest times the filter asks for (ge/eq on activityDateTime), for the retention check.</summary>
    public IEnumerable<DateTimeOffset> LowerBounds =>
        Clauses.OfType<DateTimeClause>().Where(c => c.Operator is "ge" or "eq").Select(c => c.Value);
}

internal abstract class FilterClause
{
    public abstract bool Matches(AuditRecord record);
}

/// <summary><c>prop eq 'value'</c>: ordinal, case-insensitive, as Entra compares.</summary>
internal sealed class StringEqualsClause(Func<AuditRecord, string?> read, string value) : FilterClause
{
    public override bool Matches(AuditRecord record) =>
        read(record) is { } actual && string.Equals(actual, value, StringComparison.OrdinalIgnoreCase);
}

internal sealed class StartsWithClause(Func<AuditRecord, string?> read, string prefix) : FilterClause
{
    public override bool Matches(AuditRecord record) =>
        read(record) is { } actual && actual.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}

internal sealed class DateTimeClause(string op, DateTimeOffset value) : FilterClause
{
    public string Operator { get; } = op;
    public DateTimeOffset Value { get; } = value;

    public override bool Matches(AuditRecord record)
    {
        int order = record.ActivityDateTime.UtcTicks.CompareTo(Value.UtcTicks);
        return Operator switch
        {
            "eq" => order == 0,
            "ge" => order >= 0,
            "le" => order <= 0,
            _ => throw new InvalidOperationException($"Unexpected operator '{Operator}'."),
        };
    }
}

/// <summary><c>targetResources/any(t: t/id eq 'x')</c></summary>
internal sealed class TargetIdClause(string id) : FilterClause
{
    public override bool Matches(AuditRecord record) =>
        record.TargetResources?.Any(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase)) == true;
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// A parsed query bound to the AuditLogs schema: each operator checked (names, types) and turned
/// into a step over a list of rows. Binding refusals are semantic errors (<see cref="KqlException"/>).
/// </summary>
internal sealed class KqlPlan
{
    private readonly List<Func<List<object>, List<object>>> _steps = [];
    private readonly string _text;

    private KqlPlan(string text) => _text = text;

    /// <summary>The result's columns, in order.</summary>
    public IReadOnlyList<KqlColumn> Columns { get; private set; } = AuditLogsTable.Columns;

    /// <summary>
    /// The TimeGenerated range [start, end) in UTC ticks that the query's leading <c>where</c>
    /// operators bound it to (open ends are long.MinValue / long.MaxValue): rows outside can't
    /// match, and fault rules by time look at it.
    /// </summary>
    public long WindowStart { get; private set; } = long.MinValue;

    public long WindowEnd { get; private set; } = long.MaxValue;

    /// <param name="tableExists">Whether some workspace of the request has the table named.</param>
    public static KqlPlan Bind(string text, KqlQuery query, bool tableExists)
    {
        if (query.Table.Name != AuditLogsTable.Name || !tableExists)
            throw KqlException.Semantic(text, query.Table.Offset, query.Table.Name,
                $"Failed to resolve table or column expression named '{query.Table.Name}'");

        var plan = new KqlPlan(text);
        bool leading = true;
        foreach (KqlStage stage in query.Stages)
        {
            switch (stage)
            {
                case WhereStage where:
                    plan.BindWhere(where, leading);
                    break;
                case ProjectStage project:
                    plan.BindProject(project);
                    break;
                case OrderStage order:
                    plan.BindOrder(order);
                    break;
                case SummarizeStage summarize:
                    plan.BindSummarize(summarize);
                    break;
                case TakeStage take:
                    long count = take.Count;
                    plan._steps.Add(rows => count >= rows.Count ? rows : rows.GetRange(0, (int)count));
                    break;
            }
            leading &= stage is WhereStage;
        }
        return plan;
    }

    /// <summary>Runs the steps over the source rows (in storage order).</summary>
    public List<object> Run(List<object> rows)
    {
        foreach (Func<List<object>, List<object>> step in _steps)
            rows = step(rows);
        return rows;
    }

    private KqlColumn Resolve(KqlStage stage, NameRef name) =>
        Columns.FirstOrDefault(c => c.Name == name.Name)
        ?? throw KqlException.Semantic(_text, name.Offset, name.Name,
            $"'{stage.Operator}' operator: Failed to resolve scalar expression named '{name.Name}'");

    private KqlException Semantic(int offset, string token, string message) => KqlException.Semantic(_text, offset, token, message);

    // ---- where ----

    private void BindWhere(WhereStage stage, bool leading)
    {
        var predicates = new List<Func<object, bool>>();
        foreach (KqlCondition condition in stage.Conditions)
        {
            predicates.Add(BindCondition(stage, condition));
            if (leading && condition.Left is ColumnOperand { Column.Name: AuditLogsTable.TimeGenerated } && condition.Right is DateTimeLiteral time)
                NarrowWindow(condition.Op, time.Ticks);
        }
        Func<object, bool>[] all = [.. predicates];
        _steps.Add(rows => rows.FindAll(row => Array.TrueForAll(all, p => p(row))));
    }

    private void NarrowWindow(string op, long ticks)
    {
        (long start, long end) = op switch
        {
            ">=" => (ticks, long.MaxValue),
            ">" => (ticks + 1, long.MaxValue),
            "<" => (long.MinValue, ticks),
            "<=" => (long.MinValue, ticks + 1),
            "==" => (ticks, ticks + 1),
            _ => (long.MinValue, long.MaxValue),
        };
        WindowStart = Math.Max(WindowStart, start);
        WindowEnd = Math.Min(WindowEnd, end);
    }

    private Func<object, bool> BindCondition(KqlStage stage, KqlCondition condition)
    {
        (KqlType type, Func<object, string>? text, Func<object, long>? number, string described) = BindOperand(stage, condition.Left);

        if (condition.InList is { } list)
        {
            if (type != KqlType.String)
                throw Semantic(condition.OpOffset, condition.Op, $"'{condition.Op}' needs a string on its left, not the {KqlColumn.TypeNameOf(type)} {described}");
            var values = list.Select(l => l.Value).ToHashSet(condition.Op == "in~" ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            return row => values.Contains(text!(row));
        }

        KqlLiteral literal = condition.Right!;
        string op = condition.Op;
        switch (type)
        {
            case KqlType.String:
                if (literal is not StringLiteral s)
                    throw Mismatch(condition, type, literal);
                string value = s.Value;
                return op switch
                {
                    "==" => row => string.Equals(text!(row), value, StringComparison.Ordinal),
                    "!=" => row => !string.Equals(text!(row), value, StringComparison.Ordinal),
                    "=~" => row => string.Equals(text!(row), value, StringComparison.OrdinalIgnoreCase),
                    _ => throw Semantic(condition.OpOffset, op,
                        $"The operator '{op}' does not compare strings in this emulator (==, !=, =~, in, in~)"),
                };
            case KqlType.DateTime or KqlType.Long:
                long bound;
                if (type == KqlType.DateTime && literal is DateTimeLiteral d)
                    bound = d.Ticks;
                else if (type == KqlType.Long && literal is LongLiteral l)
                    bound = l.Value;
                else
                    throw Mismatch(condition, type, literal);
                return op switch
                {
                    "==" => row => number!(row) == bound,
                    "!=" => row => number!(row) != bound,
                    "<" => row => number!(row) < bound,
                    "<=" => row => number!(row) <= bound,
                    ">" => row => number!(row) > bound,
                    ">=" => row => number!(row) >= bound,
                    _ => throw Semantic(condition.OpOffset, op,
                        $"The operator '{op}' applies to strings only; compare a {KqlColumn.TypeNameOf(type)} with ==, !=, <, <=, > or >="),
                };
            default:
                throw new InvalidOperationException($"Operand type {type} was not refused.");
        }
    }

    private KqlException Mismatch(KqlCondition condition, KqlType type, KqlLiteral literal)
    {
        string literalType = literal switch
        {
            StringLiteral => "string",
            DateTimeLiteral => "datetime",
            _ => "long",
        };
        return Semantic(literal.Offset, literal.Text,
            $"Cannot compare values of types {KqlColumn.TypeNameOf(type)} and {literalType}. Try adding explicit casts");
    }

    /// <returns>The operand's type (string, datetime or long), its getter, and how to name it in a message.</returns>
    private (KqlType Type, Func<object, string>? Text, Func<object, long>? Number, string Described) BindOperand(KqlStage stage, KqlOperand operand)
    {
        switch (operand)
        {
            case ColumnOperand c:
            {
                KqlColumn column = Resolve(stage, c.Column);
                if (column.Type == KqlType.Dynamic)
                    throw Semantic(c.Offset, c.Column.Name,
                        $"The dynamic column '{column.Name}' can't be compared as it is; this emulator compares tostring({column.Name}.path) with a string");
                return (column.Type, column.Text, column.Number, $"column '{column.Name}'");
            }
            case DynamicPathOperand p:
            {
                KqlColumn column = Resolve(stage, p.Column);
                if (column.Type != KqlType.Dynamic)
                    throw Semantic(p.Offset, p.Column.Name, $"The {column.TypeName} column '{column.Name}' has no properties: only dynamic columns have a path");
                throw Semantic(p.Offset, p.Column.Name,
                    $"This emulator compares a dynamic path as a string only: write tostring({PathText(p.Column.Name, p.Path)})");
            }
            case ToStringOperand t:
            {
                KqlColumn column = Resolve(stage, t.Column);
                if (column.Type == KqlType.Dynamic)
                {
                    Func<object, DynamicValue> get = column.Dynamic!;
                    PathSegment[] path = [.. t.Path];
                    return (KqlType.String, row => ToStringAt(get(row), path), null, $"tostring({PathText(column.Name, t.Path)})");
                }
                if (t.Path.Count > 0)
                    throw Semantic(t.Column.Offset, t.Column.Name, $"The {column.TypeName} column '{column.Name}' has no properties: only dynamic columns have a path");
                if (column.Type != KqlType.String)
                    throw Semantic(t.Offset, "tostring", $"This emulator's tostring() takes a dynamic or string column, not the {column.TypeName} '{column.Name}'");
                return (KqlType.String, column.Text, null, $"tostring({column.Name})");
            }
            case HashOperand h:
            {
                KqlColumn column = Resolve(stage, h.Column);
                if (column.Type != KqlType.String)
                    throw Semantic(h.Column.Offset, h.Column.Name, $"This emulator's hash() takes a string column, not the {column.TypeName} '{column.Name}'");
                if (h.Modulus < 1)
                    throw Semantic(h.ModulusOffset, h.Modulus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        "hash(): the modulus must be a positive number");
                Func<object, string> get = column.Text!;
                ulong modulus = (ulong)h.Modulus;
                return (KqlType.Long, null, row => KqlHash.Bucket(get(row), modulus), $"hash({column.Name}, {h.Modulus})");
            }
            default:
                throw new InvalidOperationException($"Unknown operand {operand.GetType().Name}.");
        }
    }

    private static string PathText(string column, IReadOnlyList<PathSegment> path)
    {
        var text = new StringBuilder(column);
        foreach (PathSegment segment in path)
        {
            if (segment.Name is not null)
                text.Append('.').Append(segment.Name);
            else
                text.Append('[').Append(segment.Index).Append(']');
        }
        return text.ToString();
    }

    /// <summary>
    /// <c>tostring(value.path)</c> as Kusto computes it: a string as it is, a number or boolean as
    /// its JSON text, an object or array as compact JSON, and "" for null, a missing property, an
    /// index out of range or an empty cell. Property names are case-sensitive.
    /// </summary>
    private static string ToStringAt(DynamicValue value, PathSegment[] path)
    {
        if (value.Element is not JsonElement element)
            return "";
        foreach (PathSegment segment in path)
        {
            if (segment.Name is not null)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment.Name, out element))
                    return "";
            }
            else
            {
                int index = segment.Index!.Value;
                if (element.ValueKind != JsonValueKind.Array || index < 0 || index >= element.GetArrayLength())
                    return "";
                element = element[index];
            }
        }
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => element.GetRawText(),
        };
    }

    // ---- project, order, summarize ----

    private void BindProject(ProjectStage stage)
    {
        var columns = new List<KqlColumn>();
        foreach (NameRef name in stage.Columns)
        {
            KqlColumn column = Resolve(stage, name);
            if (columns.Any(c => c.Name == column.Name))
                throw Semantic(name.Offset, name.Name, $"'project' operator: the column '{name.Name}' is named twice");
            columns.Add(column);
        }
        Columns = columns;
    }

    private void BindOrder(OrderStage stage)
    {
        var keys = new List<(KqlColumn Column, bool Descending)>();
        foreach (SortKey key in stage.Keys)
        {
            KqlColumn column = Resolve(stage, key.Column);
            if (column.Type == KqlType.Dynamic)
                throw Semantic(key.Column.Offset, key.Column.Name, $"'order' operator: the dynamic column '{column.Name}' can't be sorted on");
            keys.Add((column, key.Descending));
        }
        var comparer = Comparer<object>.Create((a, b) =>
        {
            foreach ((KqlColumn column, bool descending) in keys)
            {
                int order = column.Type == KqlType.String
                    ? string.CompareOrdinal(column.Text!(a), column.Text!(b))
                    : column.Number!(a).CompareTo(column.Number!(b));
                if (order != 0)
                    return descending ? -order : order;
            }
            return 0;
        });
        // OrderBy is stable: rows equal on every key keep their order.
        _steps.Add(rows => rows.OrderBy(row => row, comparer).ToList());
    }

    private void BindSummarize(SummarizeStage stage)
    {
        if (stage.By is not { } by)
        {
            _steps.Add(rows => [new SummarizeRow(0, rows.Count)]);
            Columns = [KqlColumn.OfLong("count_", r => ((SummarizeRow)r).Count)];
            return;
        }

        KqlColumn column = Resolve(stage, by.Column);
        if (column.Type != KqlType.DateTime)
            throw Semantic(by.Column.Offset, by.Column.Name,
                $"'summarize' operator: this emulator bins datetime columns only, not the {column.TypeName} '{column.Name}'");
        Func<object, long> ticks = column.Number!;
        long size = by.Size.Ticks;
        _steps.Add(rows =>
        {
            // bin(): the start of the size-long interval holding the value, counted from
            // 0001-01-01 (for sizes that divide a day, the same as from 1970-01-01).
            var counts = new SortedDictionary<long, long>();
            foreach (object row in rows)
            {
                long t = ticks(row);
                long bin = t - (((t % size) + size) % size);
                counts[bin] = counts.GetValueOrDefault(bin) + 1;
            }
            return counts.Select(pair => (object)new SummarizeRow(pair.Key, pair.Value)).ToList();
        });
        Columns =
        [
            KqlColumn.OfDateTime(column.Name, r => ((SummarizeRow)r).BinTicks),
            KqlColumn.OfLong("count_", r => ((SummarizeRow)r).Count),
        ];
    }

    /// <summary>One row of <c>summarize count() [by bin(…)]</c>.</summary>
    private sealed record SummarizeRow(long BinTicks, long Count);
}

/// <summary>
/// <c>hash(x, m)</c>: 64-bit FNV-1a over the string's UTF-8 bytes, modulo m (unsigned), so every
/// string falls in exactly one of the buckets 0..m−1, the same one on every run and machine.
/// (Kusto's own hash() is xxhash64; the buckets differ from the service's, the partition doesn't.)
/// </summary>
public static class KqlHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Fnv1a64(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ulong hash = OffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }

    /// <summary>The bucket of <paramref name="value"/> among <paramref name="modulus"/> (≥ 1).</summary>
    public static long Bucket(string value, ulong modulus) => (long)(Fnv1a64(value) % modulus);
}

using System;
using System.Linq;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// The scalar operators, with Kusto's null rules (learn.microsoft.com/kusto/query/scalar-data-types/null-values):
/// == of a null and a non-null is false, != true, of two nulls null; &lt;, &lt;=, &gt;, &gt;= with a
/// null are null; <c>and</c> is false when either side is false, <c>or</c> true when either side
/// is true, else null is "sticky"; <c>in</c> is an or of == and <c>!in</c> an and of !=. String
/// operators: == and != case-sensitive; =~, !~, in~, startswith and endswith ignoring case (ordinal);
/// matches regex case-sensitive, an RE2 regex (<see cref="KqlRegex"/>) matched anywhere in the text.
/// </summary>
internal static class KqlOperators
{
    private static bool IsNumber(KqlType type) => type is KqlType.Long or KqlType.Int or KqlType.Real;

    /// <summary>Types that compare with each other: the same, or two numbers.</summary>
    public static bool SameKind(KqlType a, KqlType b) => a == b || (IsNumber(a) && IsNumber(b));

    public static Bound BindBinary(KqlScope scope, BinaryExpr expr, Bound left, Bound right)
    {
        string op = expr.Operator;
        switch (op)
        {
            case "and" or "or":
                RequireBool(scope, expr.Left, left, op);
                RequireBool(scope, expr.Right, right, op);
                return op == "and"
                    ? new CallNode(KqlType.Bool, op, (row, a) => And(a[0].Eval(row), a[1], row), [left, right])
                    : new CallNode(KqlType.Bool, op, (row, a) => Or(a[0].Eval(row), a[1], row), [left, right]);
            case "==" or "!=":
                RequireComparable(scope, expr, left, right);
                return op == "=="
                    ? new CallNode(KqlType.Bool, op, (row, a) => Equal(a[0].Eval(row), a[1].Eval(row)), [left, right])
                    : new CallNode(KqlType.Bool, op, (row, a) => Not(Equal(a[0].Eval(row), a[1].Eval(row))), [left, right]);
            case "<" or "<=" or ">" or ">=":
                RequireComparable(scope, expr, left, right);
                if (left.Type is KqlType.String or KqlType.Bool or KqlType.Guid)
                    throw scope.Semantic(expr.OperatorOffset, op,
                        $"The operator '{op}' does not compare {KqlColumn.TypeNameOf(left.Type)}s in this emulator (==, !=, =~, in, in~)");
                Func<int, bool> test = op switch
                {
                    "<" => c => c < 0,
                    "<=" => c => c <= 0,
                    ">" => c => c > 0,
                    _ => c => c >= 0,
                };
                return new CallNode(KqlType.Bool, op, (row, a) =>
                    a[0].Eval(row) is { } x && a[1].Eval(row) is { } y ? test(KqlValues.Compare(x, y)) : null, [left, right]);
            case "=~" or "!~" or "startswith" or "!startswith" or "endswith" or "!endswith":
            {
                RequireStrings(scope, expr, left, right);
                Func<string, string, bool> matches = op.TrimStart('!') switch
                {
                    "=~" or "!~" => (x, y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase),
                    "startswith" => (x, y) => x.StartsWith(y, StringComparison.OrdinalIgnoreCase),
                    _ => (x, y) => x.EndsWith(y, StringComparison.OrdinalIgnoreCase),
                };
                bool negated = op.StartsWith('!');
                return new CallNode(KqlType.Bool, op, (row, a) => matches((string)a[0].Eval(row)!, (string)a[1].Eval(row)!) != negated, [left, right]);
            }
            case "matches regex":
                return BindMatchesRegex(scope, expr, left, right);
            case "+" or "-":
                return BindArithmetic(scope, expr, left, right);
            default:
                throw scope.Semantic(expr.OperatorOffset, op, $"The operator '{op}' is not supported by this emulator");
        }
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/matches-regex-operator: whether the case-sensitive
    /// RE2 regex (https://learn.microsoft.com/kusto/query/re2: inline flags such as (?i) and (?s)
    /// included) matches somewhere in the string. The regex is a constant here (a literal or a
    /// scalar let), compiled once and checked when the query is bound.
    /// </summary>
    private static Bound BindMatchesRegex(KqlScope scope, BinaryExpr expr, Bound left, Bound right)
    {
        RequireStrings(scope, expr, left, right);
        if (right is not ConstantNode { Value: string pattern })
            throw scope.Semantic(expr.Right.Offset, expr.Right.Text, "'matches regex': the regex must be a scalar constant (a string literal or a let of one) in this emulator");
        System.Text.RegularExpressions.Regex regex;
        try
        {
            regex = KqlRegex.Get(pattern);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw scope.Semantic(expr.Right.Offset, expr.Right.Text, $"'matches regex': the regular expression is not one this emulator runs: {ex.Message}");
        }
        return new CallNode(KqlType.Bool, expr.Operator, (row, a) => regex.IsMatch((string)a[0].Eval(row)!), [left]);
    }

    /// <summary>
    /// + and - (learn.microsoft.com/kusto/query/numerical-operators, learn.microsoft.com/kusto/query/datetime-timespan-arithmetic):
    /// numbers (long unless one is real), datetime − datetime = timespan, datetime ± timespan,
    /// timespan ± timespan; a null side makes null.
    /// </summary>
    private static Bound BindArithmetic(KqlScope scope, BinaryExpr expr, Bound left, Bound right)
    {
        bool add = expr.Operator == "+";
        KqlType? type = (left.Type, right.Type) switch
        {
            var (a, b) when IsNumber(a) && IsNumber(b) => a == KqlType.Real || b == KqlType.Real ? KqlType.Real : a == KqlType.Int && b == KqlType.Int ? KqlType.Int : KqlType.Long,
            (KqlType.DateTime, KqlType.DateTime) when !add => KqlType.Timespan,
            (KqlType.DateTime, KqlType.Timespan) => KqlType.DateTime,
            (KqlType.Timespan, KqlType.DateTime) when add => KqlType.DateTime,
            (KqlType.Timespan, KqlType.Timespan) => KqlType.Timespan,
            _ => null,
        };
        if (type is not KqlType result)
            throw scope.Semantic(expr.OperatorOffset, expr.Operator,
                $"The operator '{expr.Operator}' can't be applied to a {KqlColumn.TypeNameOf(left.Type)} and a {KqlColumn.TypeNameOf(right.Type)}");
        return new CallNode(result, expr.Operator, (row, a) =>
        {
            object? x = a[0].Eval(row), y = a[1].Eval(row);
            return (x, y) switch
            {
                (null, _) or (_, null) => null,
                (long l, long m) => add ? unchecked(l + m) : unchecked(l - m),
                (double or long, double or long) => add ? Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture) + Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture)
                    : Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture) - Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture),
                (DateTime t, DateTime u) => t - u,
                (DateTime t, TimeSpan d) => DateTime.SpecifyKind(add ? t + d : t - d, DateTimeKind.Utc),
                (TimeSpan d, DateTime t) => DateTime.SpecifyKind(t + d, DateTimeKind.Utc),
                (TimeSpan d, TimeSpan e) => add ? d + e : d - e,
                _ => throw new InvalidOperationException($"{x.GetType().Name} {expr.Operator} {y.GetType().Name} was not refused."),
            };
        }, [left, right]);
    }

    public static Bound BindIn(KqlScope scope, InExpr expr, Bound left, Bound[] values)
    {
        string op = expr.Operator;
        bool ignoreCase = op.EndsWith('~');
        bool negated = op.StartsWith('!');
        if (left.Type == KqlType.Dynamic)
            throw DynamicCompared(scope, expr.Left);
        if (ignoreCase && left.Type != KqlType.String)
            throw scope.Semantic(expr.OperatorOffset, op, $"'{op}' needs a string on its left, not the {KqlColumn.TypeNameOf(left.Type)} '{expr.Left.Text}'");
        for (int i = 0; i < values.Length; i++)
        {
            // Kusto's signatures of in: one tabular expression alone, or scalars (Kusto.Language, Operators.In).
            if (values[i] is TabularValuesNode && values.Length > 1)
                throw scope.Semantic(expr.Values[i].Offset, expr.Values[i].Text,
                    $"'{op}' takes one tabular expression alone or a list of scalar values, not both or several tables");
            if (!SameKind(left.Type, values[i].Type))
                throw scope.Semantic(expr.Values[i].Offset, expr.Values[i].Text,
                    $"Cannot compare values of types {KqlColumn.TypeNameOf(left.Type)} and {KqlColumn.TypeNameOf(values[i].Type)}. Try adding explicit casts");
        }
        // A tabular expression: its first column's values, a set computed once per run of the query.
        if (values is [TabularValuesNode table])
        {
            return new CallNode(KqlType.Bool, op, (row, a) =>
            {
                object? result = table.Values(ignoreCase).Contains(a[0].Eval(row));
                return negated ? Not(result) : result;
            }, [left]);
        }
        // Constant lists (the usual case) are a set.
        if (values.All(v => v is ConstantNode { Value: not null }) && left.Type == KqlType.String)
        {
            var set = values.Select(v => (string)((ConstantNode)v).Value!).ToHashSet(ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            return new CallNode(KqlType.Bool, op, (row, a) => set.Contains((string)a[0].Eval(row)!) != negated, [left]);
        }
        Bound[] all = [left, .. values];
        return new CallNode(KqlType.Bool, op, (row, a) =>
        {
            object? x = a[0].Eval(row);
            object? result = false;
            for (int i = 1; i < a.Length && result is not true; i++)
            {
                object? y = a[i].Eval(row);
                object? equal = ignoreCase
                    ? string.Equals((string)x!, (string)y!, StringComparison.OrdinalIgnoreCase)
                    : Equal(x, y);
                result = equal is true ? true : equal is null ? null : result;
            }
            return negated ? Not(result) : result;
        }, all);
    }

    /// <summary>==: two nulls null, a null and a value false.</summary>
    public static object? Equal(object? x, object? y) => (x, y) switch
    {
        (null, null) => null,
        (null, _) or (_, null) => false,
        _ => KqlValues.AreEqual(x, y),
    };

    public static object? Not(object? x) => x is bool b ? !b : null;

    private static object? And(object? x, Bound right, object row)
    {
        if (x is false)
            return false;
        object? y = right.Eval(row);
        return y is false ? false : x is null || y is null ? null : true;
    }

    private static object? Or(object? x, Bound right, object row)
    {
        if (x is true)
            return true;
        object? y = right.Eval(row);
        return y is true ? true : x is null || y is null ? null : false;
    }

    private static void RequireBool(KqlScope scope, ScalarExpr expr, Bound bound, string op)
    {
        if (bound.Type != KqlType.Bool)
            throw scope.Semantic(expr.Offset, expr.Text, $"'{op}' joins bools, not the {KqlColumn.TypeNameOf(bound.Type)} '{expr.Text}'");
    }

    private static void RequireComparable(KqlScope scope, BinaryExpr expr, Bound left, Bound right)
    {
        if (left.Type == KqlType.Dynamic)
            throw DynamicCompared(scope, expr.Left);
        if (right.Type == KqlType.Dynamic)
            throw DynamicCompared(scope, expr.Right);
        if (!SameKind(left.Type, right.Type))
            throw scope.Semantic(expr.Right.Offset, expr.Right.Text,
                $"Cannot compare values of types {KqlColumn.TypeNameOf(left.Type)} and {KqlColumn.TypeNameOf(right.Type)}. Try adding explicit casts");
    }

    private static void RequireStrings(KqlScope scope, BinaryExpr expr, Bound left, Bound right)
    {
        if (left.Type == KqlType.Dynamic)
            throw DynamicCompared(scope, expr.Left);
        if (left.Type != KqlType.String)
            throw scope.Semantic(expr.OperatorOffset, expr.Operator,
                $"The operator '{expr.Operator}' applies to strings only; compare a {KqlColumn.TypeNameOf(left.Type)} with ==, !=, <, <=, > or >=");
        if (right.Type != KqlType.String)
            throw scope.Semantic(expr.Right.Offset, expr.Right.Text,
                $"Cannot compare values of types string and {KqlColumn.TypeNameOf(right.Type)}. Try adding explicit casts");
    }

    private static KqlException DynamicCompared(KqlScope scope, ScalarExpr expr) =>
        scope.Semantic(expr.Offset, expr.Text,
            $"The dynamic value '{expr.Text}' can't be compared as it is; this emulator compares dynamic values as strings only: write tostring({expr.Text})");
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// A bound scalar expression: its type, known when the query is bound, and its value in a row
/// (<see cref="KqlColumn"/> says what a row is). Nodes are a constant, a column, a step into a
/// dynamic value, or a call of a built-in (<see cref="KqlFunctions"/>; operators are built-ins too).
/// </summary>
internal abstract class Bound(KqlType type)
{
    public KqlType Type { get; } = type;

    public abstract object? Eval(object row);
}

internal sealed class ConstantNode(KqlType type, object? value) : Bound(type)
{
    public object? Value { get; } = value;

    public override object? Eval(object row) => Value;
}

/// <summary>A column's value; a dynamic cell that is a JSON null or empty is null, as Kusto sees it.</summary>
internal sealed class ColumnNode(KqlColumn column) : Bound(column.Type)
{
    public KqlColumn Column { get; } = column;

    public override object? Eval(object row)
    {
        object? value = Column.Get(row);
        return value is DynamicValue { Element: null } ? null : value;
    }
}

/// <summary><c>target.name</c> / <c>target["name"]</c>: the property (case-sensitive) of a bag; null when there is none.</summary>
internal sealed class MemberNode(Bound target, string member) : Bound(KqlType.Dynamic)
{
    public override object? Eval(object row) =>
        target.Eval(row) is DynamicValue { Element: { ValueKind: JsonValueKind.Object } bag } && bag.TryGetProperty(member, out JsonElement value)
            ? DynamicValue.OfElement(value)
            : null;
}

/// <summary><c>target[i]</c>: the element of an array (a negative index counts from the end); null out of range.</summary>
internal sealed class IndexNode(Bound target, Bound index) : Bound(KqlType.Dynamic)
{
    public override object? Eval(object row)
    {
        if (target.Eval(row) is not DynamicValue { Element: { ValueKind: JsonValueKind.Array } array } || index.Eval(row) is not long i)
            return null;
        int length = array.GetArrayLength();
        if (i < 0)
            i += length;
        return i >= 0 && i < length ? DynamicValue.OfElement(array[(int)i]) : null;
    }
}

/// <summary>A built-in function or operator: <see cref="Implementation"/> gets the row and the bound arguments, and evaluates those it needs.</summary>
internal sealed class CallNode(KqlType type, string name, Func<object, Bound[], object?> implementation, Bound[] arguments) : Bound(type)
{
    public string Name { get; } = name;
    public Func<object, Bound[], object?> Implementation { get; } = implementation;
    public Bound[] Arguments { get; } = arguments;

    public override object? Eval(object row) => Implementation(row, Arguments);
}

/// <summary>
/// A tabular expression as the values of <c>in</c> (learn.microsoft.com/kusto/query/in-cs-operator,
/// "If a tabular expression has multiple columns, the first column is used"): its first column's
/// values over the rows the query reads, computed once per run of the query (not once per row),
/// as the set <c>in</c> looks values up in.
/// </summary>
internal sealed class TabularValuesNode(TabularSubquery query, KqlSubqueries subqueries) : Bound(query.Columns[0].Type)
{
    private int _run = -1;
    private KqlValueSet? _set;

    /// <summary>The first column's values, as a set comparing as <c>in</c> (<paramref name="ignoreCase"/>: <c>in~</c>) does.</summary>
    public KqlValueSet Values(bool ignoreCase)
    {
        if (_set is null || _run != subqueries.Run)
        {
            KqlColumn first = query.Columns[0];
            var set = new KqlValueSet(ignoreCase);
            foreach (object row in query.Run(subqueries.Rows))
                set.Add(first.Get(row) is DynamicValue { Element: null } ? null : first.Get(row));
            (_set, _run) = (set, subqueries.Run);
        }
        return _set;
    }

    public override object? Eval(object row) => throw new InvalidOperationException("A tabular expression has no value in a row: 'in' reads its values.");
}

/// <summary>
/// Values to look a value up in as <c>in</c> compares (== for each: strings case-sensitively, or
/// ignoring case for <c>in~</c>; a long and a real by value): null when the value is null and so
/// is one of the set's, as an or of == gives.
/// </summary>
internal sealed class KqlValueSet(bool ignoreCase)
{
    private readonly HashSet<object> _values = new(new KqlValueComparer(ignoreCase));
    private bool _hasNull;

    public void Add(object? value)
    {
        if (value is null)
            _hasNull = true;
        else
            _values.Add(value);
    }

    /// <summary>true, false, or null (a null value and a null in the set).</summary>
    public object? Contains(object? value) => value is null ? (_hasNull ? null : false) : _values.Contains(value);

    private sealed class KqlValueComparer(bool ignoreCase) : IEqualityComparer<object>
    {
        private readonly StringComparer _strings = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        public new bool Equals(object? x, object? y) => (x, y) switch
        {
            (string a, string b) => _strings.Equals(a, b),
            (null, _) or (_, null) => x is null && y is null,
            _ => KqlValues.AreEqual(x, y),
        };

        // A long and a real that are equal (1 and 1.0) hash alike.
        public int GetHashCode(object value) => value switch
        {
            string text => _strings.GetHashCode(text),
            long l => ((double)l).GetHashCode(),
            _ => value.GetHashCode(),
        };
    }
}

/// <summary>A tabular expression bound inside a scalar one: its columns, and its rows from the rows the query reads.</summary>
internal sealed record TabularSubquery(IReadOnlyList<KqlColumn> Columns, Func<List<object>, List<object>> Run);

/// <summary>
/// The tabular expressions inside scalar ones (the right side of <c>in</c>): bound by the plan
/// (<see cref="Bind"/>), run over the rows of the query's current run (<see cref="Start"/>: the
/// AuditLogs rows <c>KqlPlan.Run</c> was given).
/// </summary>
internal sealed class KqlSubqueries(Func<TabularExpr, IReadOnlyDictionary<string, object>, TabularSubquery> bind)
{
    public TabularSubquery Bind(TabularExpr query, IReadOnlyDictionary<string, object> lets) => bind(query, lets);

    /// <summary>The rows of the current run.</summary>
    public List<object> Rows { get; private set; } = [];

    /// <summary>The current run's number: values computed in another run are computed again.</summary>
    public int Run { get; private set; }

    public void Start(List<object> rows)
    {
        Rows = rows;
        Run++;
    }
}

/// <summary>A tabular let: its expression, bound where it is used with the lets written before it.</summary>
internal sealed record TabularLet(LetTabular Let, IReadOnlyDictionary<string, object> Lets);

/// <summary>
/// What a name means where an expression is bound: the row's columns (none in a function's
/// body), the function's parameters, and the lets written before (scalars bound to constants,
/// functions inlined where they are called, tabular ones bound where they are used).
/// </summary>
internal sealed class KqlScope
{
    public KqlScope(string text, string operatorName, IReadOnlyList<KqlColumn> columns, IReadOnlyDictionary<string, object> lets,
        IReadOnlyDictionary<string, Bound>? parameters = null, DateTime now = default, RowCounter? rowCounter = null, ScanStepScope? scanStep = null,
        KqlSubqueries? subqueries = null)
    {
        Text = text;
        OperatorName = operatorName;
        Columns = columns;
        Lets = lets;
        Parameters = parameters;
        Now = now;
        RowCounter = rowCounter;
        ScanStep = scanStep;
        Subqueries = subqueries;
    }

    public string Text { get; }

    /// <summary>The operator whose expression is bound, for error messages ("'where' operator: …").</summary>
    public string OperatorName { get; }

    public IReadOnlyList<KqlColumn> Columns { get; }

    /// <summary>Name → <see cref="ConstantNode"/> (scalar let), <see cref="LetFunction"/> or <see cref="TabularLet"/>.</summary>
    public IReadOnlyDictionary<string, object> Lets { get; }

    public IReadOnlyDictionary<string, Bound>? Parameters { get; }

    /// <summary>now(): one instant for the whole query.</summary>
    public DateTime Now { get; }

    /// <summary>row_number()'s count, where the rows are serialized (extend after order by or scan); else null.</summary>
    public RowCounter? RowCounter { get; }

    /// <summary>In a scan step: its name and the state's columns (StepName.Column).</summary>
    public ScanStepScope? ScanStep { get; }

    /// <summary>Tabular expressions in scalar ones (in), where the expression is evaluated over rows; null where it is a constant (a let, print, datatable).</summary>
    public KqlSubqueries? Subqueries { get; }

    public KqlColumn? FindColumn(string name) => Columns.FirstOrDefault(c => c.Name == name);

    public KqlException Semantic(int offset, string token, string message) => KqlException.Semantic(Text, offset, token, message);

    public KqlScope ForFunction(IReadOnlyDictionary<string, Bound> parameters) => new(Text, OperatorName, [], Lets, parameters, Now, RowCounter, ScanStep, Subqueries);
}

/// <summary>The number of the row being computed, from 1 (row_number()).</summary>
internal sealed class RowCounter
{
    public long Value { get; set; }
}

/// <summary>A scan step's name and its state's columns, read as StepName.Column.</summary>
internal sealed record ScanStepScope(string Name, IReadOnlyList<KqlColumn> State);

/// <summary>Binds a <see cref="ScalarExpr"/> in a <see cref="KqlScope"/>: names resolved, types checked, built-ins chosen.</summary>
internal static class KqlBinder
{
    public static Bound Bind(KqlScope scope, ScalarExpr expr)
    {
        switch (expr)
        {
            case LiteralExpr literal:
                return new ConstantNode(literal.Type, literal.Value);
            case NameExpr name:
                return BindName(scope, name);
            case MemberExpr { Target: NameExpr step } member when scope.ScanStep is { } scan && step.Name.Name == scan.Name && scope.FindColumn(step.Name.Name) is null:
                return new ColumnNode(scan.State.FirstOrDefault(c => c.Name == member.Member)
                    ?? throw scope.Semantic(member.Offset, member.Text, $"'scan' operator: the step '{scan.Name}' has no column '{member.Member}'"));
            case StarExpr star:
                throw scope.Semantic(star.Offset, "*", "'*' stands for every column only in arg_max(expression, *)");
            case MemberExpr member:
            {
                Bound target = Bind(scope, member.Target);
                RequireDynamic(scope, member.Target, target, "has no properties: only dynamic values have a path");
                return new MemberNode(target, member.Member);
            }
            case IndexExpr index:
            {
                Bound target = Bind(scope, index.Target);
                RequireDynamic(scope, index.Target, target, "has no elements: only dynamic values can be indexed");
                Bound position = Bind(scope, index.Index);
                if (position.Type is not (KqlType.Long or KqlType.Int))
                    throw scope.Semantic(index.Index.Offset, index.Index.Text, $"An array index is a whole number, not a {KqlColumn.TypeNameOf(position.Type)}");
                return new IndexNode(target, position);
            }
            case CallExpr call:
                return BindCall(scope, call);
            case BinaryExpr binary:
                return KqlOperators.BindBinary(scope, binary, Bind(scope, binary.Left), Bind(scope, binary.Right));
            case InExpr @in:
                return KqlOperators.BindIn(scope, @in, Bind(scope, @in.Left), @in.Values.Select(v => BindInValue(scope, @in, v)).ToArray());
            case TabularValueExpr tabular:
                throw scope.Semantic(tabular.Offset, tabular.Text, "A tabular expression is no scalar value: this emulator takes one as the values of 'in' only");
            default:
                throw new InvalidOperationException($"Unknown expression {expr.GetType().Name}.");
        }
    }

    /// <summary>
    /// A value of an <c>in</c> list: a scalar, or a tabular expression (written inline, or a
    /// tabular let or table by name, as Kusto resolves a name that is no column) bound as a <see cref="TabularValuesNode"/>.
    /// </summary>
    private static Bound BindInValue(KqlScope scope, InExpr expr, ScalarExpr value)
    {
        TabularExpr? query = value switch
        {
            TabularValueExpr tabular => tabular.Query,
            NameExpr name when scope.FindColumn(name.Name.Name) is null && scope.Parameters?.ContainsKey(name.Name.Name) != true
                && (scope.Lets.TryGetValue(name.Name.Name, out object? let) ? let is TabularLet : name.Name.Name == AuditLogsTable.Name)
                => new TableSource(name.Name),
            _ => null,
        };
        if (query is null)
            return Bind(scope, value);
        if (scope.Subqueries is not { } subqueries)
            throw scope.Semantic(value.Offset, value.Text,
                $"'{expr.Operator}' with a tabular expression is run by this emulator in operators over rows (where, extend, project, summarize, …), not in a constant ({scope.OperatorName})");
        TabularSubquery bound = subqueries.Bind(query, scope.Lets);
        if (bound.Columns.Count == 0)
            throw scope.Semantic(value.Offset, value.Text, $"'{expr.Operator}': the tabular expression has no column to take values from");
        return new TabularValuesNode(bound, subqueries);
    }

    private static void RequireDynamic(KqlScope scope, ScalarExpr expr, Bound bound, string what)
    {
        if (bound.Type != KqlType.Dynamic)
            throw scope.Semantic(expr.Offset, expr.Text, $"The {KqlColumn.TypeNameOf(bound.Type)} '{expr.Text}' {what}");
    }

    private static Bound BindName(KqlScope scope, NameExpr name)
    {
        string text = name.Name.Name;
        if (scope.FindColumn(text) is { } column)
            return new ColumnNode(column);
        if (scope.Parameters is { } parameters && parameters.TryGetValue(text, out Bound? argument))
            return argument;
        if (scope.Lets.TryGetValue(text, out object? let) && let is ConstantNode constant)
            return constant;
        if (let is LetFunction)
            throw scope.Semantic(name.Offset, text, $"'{text}' is a function: call it as {text}(…)");
        throw scope.Semantic(name.Offset, text, $"'{scope.OperatorName}' operator: Failed to resolve scalar expression named '{text}'");
    }

    private static Bound BindCall(KqlScope scope, CallExpr call)
    {
        string name = call.Function.Name;
        if (scope.Lets.TryGetValue(name, out object? let) && let is LetFunction function)
            return BindUserFunction(scope, call, function);
        if (KqlParser.Aggregations.Contains(name))
            throw scope.Semantic(call.Offset, name, $"The aggregation '{name}' belongs in 'summarize', not in '{scope.OperatorName}'");
        Bound[] arguments = call.Arguments.Select(a => Bind(scope, a)).ToArray();
        return KqlFunctions.Bind(scope, call, arguments);
    }

    /// <summary>A let function, inlined: its body bound with each parameter standing for its argument.</summary>
    private static Bound BindUserFunction(KqlScope scope, CallExpr call, LetFunction function)
    {
        if (call.Arguments.Count != function.Parameters.Count)
            throw scope.Semantic(call.Offset, call.Function.Name,
                $"The function '{call.Function.Name}' takes {function.Parameters.Count} argument(s), not {call.Arguments.Count}");
        var parameters = new Dictionary<string, Bound>(StringComparer.Ordinal);
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            Bound argument = Bind(scope, call.Arguments[i]);
            LambdaParameter parameter = function.Parameters[i];
            if (!KqlOperators.SameKind(argument.Type, parameter.Type))
                throw scope.Semantic(call.Arguments[i].Offset, call.Arguments[i].Text,
                    $"The function '{call.Function.Name}' expects a {KqlColumn.TypeNameOf(parameter.Type)} for '{parameter.Name.Name}', not a {KqlColumn.TypeNameOf(argument.Type)}");
            parameters[parameter.Name.Name] = argument;
        }
        return Bind(scope.ForFunction(parameters), function.Body);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// A parsed query bound: its lets resolved, each operator checked (names, types) and turned into
/// a step over a list of rows, the result's columns known. Binding refusals are semantic errors
/// (<see cref="KqlException"/>). <see cref="Run"/> takes the AuditLogs rows the query reads.
/// </summary>
internal sealed class KqlPlan
{
    /// <summary>A bound tabular expression: its columns, and its rows from the AuditLogs rows.</summary>
    /// <param name="Serialized">Whether the rows have an order row_number() may count: after order by; summarize
    /// (and what else the engine runs that makes rows) loses it, the other operators keep it
    /// (learn.microsoft.com/kusto/query/serialize-operator, "Serialization behavior of operators").</param>
    private sealed record Table(IReadOnlyList<KqlColumn> Columns, Func<List<object>, List<object>> Run, bool Serialized = false)
    {
        /// <summary>
        /// When the table ends in row-wise operators (where, extend, project): the rows before the
        /// first of them, and all of them as one step per row (null: the row is dropped). The next
        /// row-wise operator joins the step, so a row goes through them all before the next row
        /// does, and the rows in between are short-lived.
        /// </summary>
        public RowSteps? Steps { get; init; }
    }

    private sealed record RowSteps(Func<List<object>, List<object>> Source, Func<object, object?> Step);

    private readonly Func<List<object>, List<object>> _run;
    private readonly string _text;
    private readonly bool _tableExists;
    private readonly DateTime _now = DateTime.SpecifyKind(DateTime.UtcNow, DateTimeKind.Utc);
    private readonly KqlSubqueries _subqueries;

    /// <summary>While binding: the TimeGenerated window of each read of AuditLogs (the query's and its subqueries').</summary>
    private readonly List<(long Start, long End)> _reads = [];

    private KqlPlan(string text, bool tableExists, Func<List<object>, List<object>>? run = null, KqlSubqueries? subqueries = null)
    {
        _text = text;
        _tableExists = tableExists;
        _run = run ?? (_ => []);
        _subqueries = subqueries ?? new KqlSubqueries(BindSubquery);
    }

    /// <summary>The result's columns, in order.</summary>
    public IReadOnlyList<KqlColumn> Columns { get; private init; } = [];

    /// <summary>
    /// The TimeGenerated range [start, end) in UTC ticks that the query's leading <c>where</c>
    /// operators on AuditLogs bound it to (comparisons with datetime constants joined by
    /// <c>and</c>; open ends are long.MinValue / long.MaxValue): rows outside can't match, and
    /// fault rules by time look at it. When the script reads AuditLogs more than once (a tabular
    /// let it uses, the tabular expression of an <c>in</c>), the span of every read's window.
    /// </summary>
    public long WindowStart { get; private set; } = long.MinValue;

    public long WindowEnd { get; private set; } = long.MaxValue;

    /// <param name="tableExists">Whether some workspace of the request has the AuditLogs table.</param>
    public static KqlPlan Bind(string text, KqlScript script, bool tableExists)
    {
        var binder = new KqlPlan(text, tableExists);
        var lets = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (LetStatement let in script.Lets)
        {
            lets[let.Name.Name] = let switch
            {
                LetScalar scalar => binder.Constant(lets, scalar.Value, "let"),
                // Bound where it is used, with the lets written before it (so it can't name itself).
                LetTabular tabular => new TabularLet(tabular, new Dictionary<string, object>(lets, StringComparer.Ordinal)),
                _ => let,
            };
        }
        Table table = binder.BindTabular(script.Query, lets);
        binder.AddRead(script.Query, lets);
        var plan = new KqlPlan(text, tableExists, table.Run, binder._subqueries) { Columns = table.Columns };
        if (binder._reads.Count > 0)
        {
            plan.WindowStart = binder._reads.Min(r => r.Start);
            plan.WindowEnd = binder._reads.Max(r => r.End);
        }
        return plan;
    }

    /// <summary>Runs the query over the AuditLogs rows (in storage order); the tabular expressions of <c>in</c> read the same rows, each once.</summary>
    public List<object> Run(List<object> rows)
    {
        _subqueries.Start(rows);
        return _run(rows);
    }

    private KqlException Semantic(int offset, string token, string message) => KqlException.Semantic(_text, offset, token, message);

    private KqlScope Scope(string op, IReadOnlyList<KqlColumn> columns, IReadOnlyDictionary<string, object> lets,
        RowCounter? rowCounter = null, ScanStepScope? scanStep = null, bool overRows = true) =>
        new(_text, op, columns, lets, now: _now, rowCounter: rowCounter, scanStep: scanStep, subqueries: overRows ? _subqueries : null);

    /// <summary>A value that needs no row (a let, a datatable cell), computed once.</summary>
    private ConstantNode Constant(IReadOnlyDictionary<string, object> lets, ScalarExpr expr, string op)
    {
        Bound bound = KqlBinder.Bind(Scope(op, [], lets, overRows: false), expr);
        return new ConstantNode(bound.Type, bound.Eval(new object()));
    }

    /// <summary>The tabular expression of an <c>in</c>: bound as any other, its read of AuditLogs counted in the window.</summary>
    private TabularSubquery BindSubquery(TabularExpr query, IReadOnlyDictionary<string, object> lets)
    {
        Table table = BindTabular(query, lets);
        AddRead(query, lets);
        return new TabularSubquery(table.Columns, table.Run);
    }

    // ---- the window ----

    /// <summary>
    /// The window of one tabular expression that reads AuditLogs (through tabular lets too): its
    /// leading <c>where</c> operators' comparisons of TimeGenerated with datetime constants.
    /// An expression that reads no AuditLogs (datatable, print) adds nothing.
    /// </summary>
    private void AddRead(TabularExpr query, IReadOnlyDictionary<string, object> lets)
    {
        // The operators from the source on, each with the lets it was written under.
        var operators = new List<(KqlOperator Operator, IReadOnlyDictionary<string, object> Lets)>();
        while (true)
        {
            var these = new List<(KqlOperator, IReadOnlyDictionary<string, object>)>();
            while (query is PipeExpr pipe)
            {
                these.Insert(0, (pipe.Operator, lets));
                query = pipe.Source;
            }
            operators.InsertRange(0, these);
            if (query is not TableSource source || !lets.TryGetValue(source.Name.Name, out object? let))
                break;
            if (let is not TabularLet tabular)
                return;
            (query, lets) = (tabular.Let.Value, tabular.Lets);
        }
        if (query is not TableSource { Name.Name: AuditLogsTable.Name })
            return;
        long start = long.MinValue, end = long.MaxValue;
        foreach ((KqlOperator op, IReadOnlyDictionary<string, object> opLets) in operators)
        {
            if (op is not WhereOperator where)
                break;
            NarrowWindow(where.Predicate, opLets, ref start, ref end);
        }
        _reads.Add((start, end));
    }

    /// <summary>
    /// Narrows [start, end) by a predicate's conjuncts that compare TimeGenerated with a datetime
    /// constant (a literal, a scalar let); a conjunct <c>a or b</c> whose one side is a constant
    /// false (<c>isnull(starttime)</c> for a starttime given) is the other side.
    /// </summary>
    private void NarrowWindow(ScalarExpr predicate, IReadOnlyDictionary<string, object> lets, ref long start, ref long end)
    {
        foreach (ScalarExpr condition in Conjuncts(predicate))
        {
            switch (condition)
            {
                case BinaryExpr { Operator: "or" } either when ConstantValue(either.Left, lets) is false:
                    NarrowWindow(either.Right, lets, ref start, ref end);
                    break;
                case BinaryExpr { Operator: "or" } either when ConstantValue(either.Right, lets) is false:
                    NarrowWindow(either.Left, lets, ref start, ref end);
                    break;
                case BinaryExpr { Operator: ">=" or ">" or "<" or "<=" or "==", Left: NameExpr { Name.Name: AuditLogsTable.TimeGenerated } } comparison
                    when ConstantValue(comparison.Right, lets) is DateTime time:
                {
                    long ticks = time.Ticks;
                    (long from, long to) = comparison.Operator switch
                    {
                        ">=" => (ticks, long.MaxValue),
                        ">" => (ticks + 1, long.MaxValue),
                        "<" => (long.MinValue, ticks),
                        "<=" => (long.MinValue, ticks + 1),
                        _ => (ticks, ticks + 1),
                    };
                    start = Math.Max(start, from);
                    end = Math.Min(end, to);
                    break;
                }
            }
        }
    }

    /// <summary>The value of an expression that reads no row (a literal, a scalar let, a function of them); null if it reads one, or is null.</summary>
    private object? ConstantValue(ScalarExpr expr, IReadOnlyDictionary<string, object> lets)
    {
        if (expr is LiteralExpr literal)
            return literal.Value;
        try
        {
            return Constant(lets, expr, "where").Value;
        }
        catch (KqlException)
        {
            return null;
        }
    }

    private static IEnumerable<ScalarExpr> Conjuncts(ScalarExpr expr) =>
        expr is BinaryExpr { Operator: "and" } and ? Conjuncts(and.Left).Concat(Conjuncts(and.Right)) : [expr];

    // ---- sources ----

    private Table BindTabular(TabularExpr expr, IReadOnlyDictionary<string, object> lets)
    {
        switch (expr)
        {
            case PipeExpr pipe:
            {
                Table source = BindTabular(pipe.Source, lets);
                return BindOperator(pipe.Operator, source, lets);
            }
            case TableSource table:
                if (lets.TryGetValue(table.Name.Name, out object? let) && let is TabularLet tabular)
                    return BindTabular(tabular.Let.Value, tabular.Lets);
                if (table.Name.Name != AuditLogsTable.Name || !_tableExists)
                    throw Semantic(table.Offset, table.Name.Name, $"Failed to resolve table or column expression named '{table.Name.Name}'");
                return new Table(AuditLogsTable.Columns, rows => rows);
            case DatatableSource datatable:
                return BindDatatable(datatable, lets);
            case PrintSource print:
            {
                var columns = new List<KqlColumn>();
                var row = new object?[print.Items.Count];
                for (int i = 0; i < print.Items.Count; i++)
                {
                    NamedExpr item = print.Items[i];
                    ConstantNode value = Constant(lets, item.Value, "print");
                    columns.Add(KqlColumn.AtIndex(item.Name?.Name ?? $"print_{i}", value.Type, i));
                    row[i] = value.Value;
                }
                return new Table(columns, _ => [row]);
            }
            default:
                throw new InvalidOperationException($"Unknown tabular expression {expr.GetType().Name}.");
        }
    }

    private Table BindDatatable(DatatableSource datatable, IReadOnlyDictionary<string, object> lets)
    {
        int width = datatable.Columns.Count;
        if (datatable.Values.Count % width != 0)
            throw Semantic(datatable.Offset, "datatable", $"datatable: {datatable.Values.Count} values don't make rows of {width} columns");
        var rows = new List<object>();
        for (int start = 0; start < datatable.Values.Count; start += width)
        {
            var row = new object?[width];
            for (int i = 0; i < width; i++)
            {
                ScalarExpr expr = datatable.Values[start + i];
                ConstantNode value = Constant(lets, expr, "datatable");
                KqlType type = datatable.Columns[i].Type;
                if (!KqlOperators.SameKind(value.Type, type))
                    throw Semantic(expr.Offset, expr.Text, $"datatable: the column '{datatable.Columns[i].Name.Name}' is {KqlColumn.TypeNameOf(type)}, not {KqlColumn.TypeNameOf(value.Type)}");
                row[i] = type == KqlType.Real && value.Value is long l ? (double)l : value.Value;
            }
            rows.Add(row);
        }
        var columns = datatable.Columns.Select((c, i) => KqlColumn.AtIndex(c.Name.Name, c.Type, i)).ToList();
        return new Table(columns, _ => [.. rows]);
    }

    // ---- operators ----

    private Table BindOperator(KqlOperator op, Table input, IReadOnlyDictionary<string, object> lets) => op switch
    {
        WhereOperator where => BindWhere(where, input, lets),
        ExtendOperator extend => BindExtend(extend, input, lets),
        ProjectOperator project => BindProject(project, input, lets),
        OrderOperator order => BindOrder(order, input, lets),
        SummarizeOperator summarize => BindSummarize(summarize, input, lets),
        TakeOperator take => new Table(input.Columns, Then(input, rows => take.Count >= rows.Count ? rows : rows.GetRange(0, (int)take.Count)), input.Serialized),
        MvApplyOperator mvApply => BindMvApply(mvApply, input, lets),
        ScanOperator scan => BindScan(scan, input, lets),
        _ => throw new InvalidOperationException($"Unknown operator {op.GetType().Name}."),
    };

    private static Func<List<object>, List<object>> Then(Table input, Func<List<object>, List<object>> step)
    {
        Func<List<object>, List<object>> before = input.Run;
        return rows => step(before(rows));
    }

    /// <summary>A row-wise operator (its <paramref name="step"/> maps a row, null drops it), run in one pass with the row-wise operators before it.</summary>
    private static Table RowWise(Table input, IReadOnlyList<KqlColumn> columns, Func<object, object?> step)
    {
        Func<List<object>, List<object>> source = input.Steps?.Source ?? input.Run;
        Func<object, object?> chain = step;
        if (input.Steps is { } before)
        {
            Func<object, object?> first = before.Step;
            chain = row => first(row) is { } mapped ? step(mapped) : null;
        }
        return new Table(columns, rows =>
        {
            List<object> from = source(rows);
            var result = new List<object>(from.Count);
            foreach (object row in from)
            {
                if (chain(row) is { } mapped)
                    result.Add(mapped);
            }
            return result;
        }, input.Serialized) { Steps = new RowSteps(source, chain) };
    }

    /// <summary>https://learn.microsoft.com/kusto/query/where-operator: rows whose predicate is true (not false, not null).</summary>
    private Table BindWhere(WhereOperator where, Table input, IReadOnlyDictionary<string, object> lets)
    {
        Bound predicate = KqlBinder.Bind(Scope("where", input.Columns, lets), where.Predicate);
        if (predicate.Type != KqlType.Bool)
            throw Semantic(where.Predicate.Offset, where.Predicate.Text, $"'where' operator: the predicate is a {KqlColumn.TypeNameOf(predicate.Type)}, not a bool");
        return RowWise(input, input.Columns, row => predicate.Eval(row) is true ? row : null);
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/extend-operator: each column computed in order (a
    /// later one may use an earlier one); a column of an existing name is removed and appended
    /// with its new value. A row is the input's values, then one slot per extended column.
    /// </summary>
    private Table BindExtend(ExtendOperator extend, Table input, IReadOnlyDictionary<string, object> lets)
    {
        var columns = input.Columns.Select((c, i) => KqlColumn.AtIndex(c.Name, c.Type, i)).ToList();
        var steps = new List<Bound>();
        int slot = input.Columns.Count;
        RowCounter? counter = input.Serialized ? new RowCounter() : null;
        foreach (NamedExpr item in extend.Items)
        {
            Bound value = KqlBinder.Bind(Scope("extend", columns, lets, counter), item.Value);
            string name = ColumnName(item, "extend");
            columns.RemoveAll(c => c.Name == name);
            columns.Add(KqlColumn.AtIndex(name, value.Type, slot++));
            steps.Add(value);
        }
        Func<object, object?>[] copy = input.Columns.Select(c => c.Get).ToArray();
        bool inSlots = KqlColumn.InSlots(input.Columns);
        int width = slot;
        object?[] Extend(object row)
        {
            var values = new object?[width];
            if (inSlots)
            {
                Array.Copy((object?[])row, values, copy.Length);
            }
            else
            {
                for (int i = 0; i < copy.Length; i++)
                    values[i] = copy[i](row);
            }
            for (int i = 0; i < steps.Count; i++)
                values[copy.Length + i] = steps[i].Eval(values);
            return values;
        }

        if (counter is null)
            return RowWise(input, columns, Extend);
        // row_number() counts the rows this extend computes, so it runs over them all at once.
        return new Table(columns, Then(input, rows =>
        {
            var result = new List<object>(rows.Count);
            foreach (object row in rows)
            {
                counter.Value = result.Count + 1;
                result.Add(Extend(row));
            }
            return result;
        }), input.Serialized);
    }

    /// <summary>A column's name: as given, else the column it names.</summary>
    private string ColumnName(NamedExpr item, string op) =>
        item.Name?.Name ?? (item.Value as NameExpr)?.Name.Name
        ?? throw Semantic(item.Value.Offset, item.Value.Text, $"'{op}' operator: name the column (Name = {item.Value.Text}); this emulator makes up no names");

    /// <summary>https://learn.microsoft.com/kusto/query/project-operator: the columns named, computed or renamed, in their order.</summary>
    private Table BindProject(ProjectOperator project, Table input, IReadOnlyDictionary<string, object> lets)
    {
        KqlScope scope = Scope("project", input.Columns, lets);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var values = new List<(string Name, Bound Value)>();
        foreach (NamedExpr item in project.Items)
        {
            string name = ColumnName(item, "project");
            if (!names.Add(name))
                throw Semantic(item.Name?.Offset ?? item.Value.Offset, name, $"'project' operator: the column '{name}' is named twice");
            values.Add((name, KqlBinder.Bind(scope, item.Value)));
        }
        // Whole columns only: the rows stay as they are, read through the same columns.
        if (values.All(v => v.Value is ColumnNode column && column.Column.Name == v.Name))
            return new Table(values.Select(v => ((ColumnNode)v.Value).Column).ToList(), input.Run, input.Serialized) { Steps = input.Steps };

        var columns = values.Select((v, i) => KqlColumn.AtIndex(v.Name, v.Value.Type, i)).ToList();
        Bound[] bound = values.Select(v => v.Value).ToArray();
        return RowWise(input, columns, row =>
        {
            var result = new object?[bound.Length];
            for (int i = 0; i < bound.Length; i++)
                result[i] = bound[i].Eval(row);
            return result;
        });
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/sort-operator: by each key in turn, descending
    /// unless asc, nulls first when ascending and last when descending unless said; stable.
    /// Strings by ordinal.
    /// </summary>
    private Table BindOrder(OrderOperator order, Table input, IReadOnlyDictionary<string, object> lets)
    {
        KqlScope scope = Scope("order", input.Columns, lets);
        var keys = new List<(Bound Key, bool Descending, bool NullsFirst)>();
        foreach (SortKey key in order.Keys)
        {
            Bound bound = KqlBinder.Bind(scope, key.Key);
            if (bound.Type == KqlType.Dynamic)
                throw Semantic(key.Key.Offset, key.Key.Text, $"'order' operator: the dynamic column '{key.Key.Text}' can't be sorted on");
            keys.Add((bound, key.Descending, key.NullsFirst ?? !key.Descending));
        }
        var comparer = Comparer<object>.Create((a, b) =>
        {
            foreach ((Bound key, bool descending, bool nullsFirst) in keys)
            {
                object? x = key.Eval(a), y = key.Eval(b);
                int order = (x, y) switch
                {
                    (null, null) => 0,
                    (null, _) => nullsFirst ? -1 : 1,
                    (_, null) => nullsFirst ? 1 : -1,
                    _ => descending ? -KqlValues.Compare(x, y) : KqlValues.Compare(x, y),
                };
                if (order != 0)
                    return order;
            }
            return 0;
        });
        return new Table(input.Columns, Then(input, rows => rows.OrderBy(row => row, comparer).ToList()), Serialized: true);
    }

    /// <summary>An aggregation of <c>summarize</c>: its output columns (arg_max's are several), and their values over a group's rows (in their order).</summary>
    private sealed record Aggregation(IReadOnlyList<(string Name, KqlType Type)> Outputs, Func<List<object>, object?[]> Compute);

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/summarize-operator: without <c>by</c>, one row
    /// however many rows come in (none too); by bin(column, size), a row per non-empty bin, in
    /// the order of the bins; by columns or expressions, a row per distinct key (nulls are one
    /// key), in the order the keys first come. The by columns first, then the aggregations.
    /// </summary>
    private Table BindSummarize(SummarizeOperator summarize, Table input, IReadOnlyDictionary<string, object> lets)
    {
        KqlScope scope = Scope("summarize", input.Columns, lets);
        if (summarize.ByBin)
            return BindSummarizeByBin(summarize, input, scope);

        var keys = new List<(string Name, Bound Value)>();
        foreach (NamedExpr item in summarize.By)
        {
            Bound key = KqlBinder.Bind(scope, item.Value);
            if (key.Type == KqlType.Dynamic)
                throw Semantic(item.Value.Offset, item.Value.Text, "'summarize' operator: this emulator groups by scalar values, not the dynamic '" + item.Value.Text + "'");
            keys.Add((ColumnName(item, "summarize"), key));
        }
        var aggregations = summarize.Aggregates.Select(a => BindAggregation(scope, a, input.Columns, keys.Select(k => k.Name).ToHashSet(StringComparer.Ordinal))).ToList();
        var names = keys.Select(k => k.Name).Concat(aggregations.SelectMany(a => a.Outputs.Select(o => o.Name))).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw Semantic(summarize.Offset, "summarize", "'summarize' operator: two columns of its result have the same name");
        var columns = keys.Select(k => (k.Name, k.Value.Type)).Concat(aggregations.SelectMany(a => a.Outputs))
            .Select((c, i) => KqlColumn.AtIndex(c.Item1, c.Item2, i)).ToList();

        if (keys.Count == 0)
            return new Table(columns, Then(input, rows => [Aggregate([], aggregations, rows, columns.Count)]));

        Bound[] keyValues = keys.Select(k => k.Value).ToArray();
        return new Table(columns, Then(input, rows =>
        {
            var groups = new Dictionary<GroupKey, List<object>>();
            var order = new List<(object?[] Values, List<object> Rows)>();
            foreach (object row in rows)
            {
                var values = new object?[keyValues.Length];
                for (int i = 0; i < keyValues.Length; i++)
                    values[i] = keyValues[i].Eval(row);
                var key = new GroupKey(values);
                if (!groups.TryGetValue(key, out List<object>? group))
                {
                    groups[key] = group = [];
                    order.Add((values, group));
                }
                group.Add(row);
            }
            return order.ConvertAll(g => (object)Aggregate(g.Values, aggregations, g.Rows, columns.Count));
        }));
    }

    /// <summary>A result row of summarize: the by values, then each aggregation's outputs over the group's rows.</summary>
    private static object?[] Aggregate(object?[] keys, List<Aggregation> aggregations, List<object> rows, int width)
    {
        var result = new object?[width];
        Array.Copy(keys, result, keys.Length);
        int at = keys.Length;
        foreach (Aggregation aggregation in aggregations)
        {
            object?[] values = aggregation.Compute(rows);
            Array.Copy(values, 0, result, at, values.Length);
            at += values.Length;
        }
        return result;
    }

    /// <summary>A group's key: its values, equal when each is (strings by ordinal, nulls alike).</summary>
    private sealed class GroupKey(object?[] values) : IEquatable<GroupKey>
    {
        private readonly object?[] _values = values;

        public bool Equals(GroupKey? other)
        {
            if (other is null || _values.Length != other._values.Length)
                return false;
            for (int i = 0; i < _values.Length; i++)
            {
                object? a = _values[i], b = other._values[i];
                if (a is null ? b is not null : b is null || !KqlValues.AreEqual(a, b))
                    return false;
            }
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as GroupKey);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (object? value in _values)
                hash.Add(value is string text ? StringComparer.Ordinal.GetHashCode(text) : value?.GetHashCode() ?? 0);
            return hash.ToHashCode();
        }
    }

    /// <summary>summarize … by bin(column, size): the module's count query (README.md, "The KQL accepted").</summary>
    private Table BindSummarizeByBin(SummarizeOperator summarize, Table input, KqlScope scope)
    {
        var aggregations = summarize.Aggregates.Select(a => BindAggregation(scope, a, input.Columns, [])).ToList();
        var names = aggregations.SelectMany(a => a.Outputs.Select(o => o.Name)).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw Semantic(summarize.Offset, "summarize", "'summarize' operator: two aggregations have the same name");

        var bin = (CallExpr)summarize.By[0].Value;
        var binned = (NameExpr)bin.Arguments[0];
        KqlColumn column = scope.FindColumn(binned.Name.Name)
            ?? throw Semantic(binned.Offset, binned.Name.Name, $"'summarize' operator: Failed to resolve scalar expression named '{binned.Name.Name}'");
        if (column.Type != KqlType.DateTime)
            throw Semantic(binned.Offset, column.Name,
                $"'summarize' operator: this emulator bins datetime columns only, not the {column.TypeName} '{column.Name}'");
        long size = ((TimeSpan)((LiteralExpr)bin.Arguments[1]).Value!).Ticks;
        var output = new List<KqlColumn> { KqlColumn.AtIndex(column.Name, KqlType.DateTime, 0) };
        output.AddRange(aggregations.SelectMany(a => a.Outputs).Select((a, i) => KqlColumn.AtIndex(a.Name, a.Type, i + 1)));
        return new Table(output, Then(input, rows =>
        {
            // bin(): the start of the size-long interval holding the value, counted from
            // 0001-01-01 (for sizes that divide a day, the same as from 1970-01-01); a null time is in no bin.
            var groups = new SortedDictionary<long, List<object>>();
            foreach (object row in rows)
            {
                if (column.Get(row) is not DateTime time)
                    continue;
                long t = time.Ticks;
                long start = t - (((t % size) + size) % size);
                if (!groups.TryGetValue(start, out List<object>? group))
                    groups[start] = group = [];
                group.Add(row);
            }
            return groups.Select(g => (object)new object?[] { new DateTime(g.Key, DateTimeKind.Utc) }
                .Concat(aggregations.SelectMany(a => a.Compute(g.Value))).ToArray()).ToList();
        }));
    }

    /// <param name="byNames">The by columns: arg_max(…, *) leaves them out, they come first already.</param>
    private Aggregation BindAggregation(KqlScope scope, NamedExpr item, IReadOnlyList<KqlColumn> inputColumns, HashSet<string> byNames)
    {
        var call = (CallExpr)item.Value;
        string function = call.Function.Name;
        if (function == "arg_max")
            return BindArgMax(scope, item, call, inputColumns, byNames);
        Bound[] arguments = call.Arguments.Select(a => KqlBinder.Bind(scope, a)).ToArray();
        int expected = function switch { "count" => 0, "countif" or "make_list" => 1, _ => 2 };
        if (arguments.Length != expected)
            throw Semantic(call.Offset, function, $"The aggregation '{function}' takes {expected} argument(s) in this emulator, not {arguments.Length}");
        string? defaultName = function switch
        {
            "count" => "count_",
            "countif" => "countif_",
            _ => call.Arguments[0] is NameExpr n ? "list_" + n.Name.Name : null,
        };
        string name = item.Name?.Name ?? defaultName
            ?? throw Semantic(call.Offset, function, $"'summarize' operator: name the aggregation (Name = {call.Text})");
        switch (function)
        {
            // https://learn.microsoft.com/kusto/query/count-aggregation-function
            case "count":
                return new Aggregation([(name, KqlType.Long)], rows => [(long)rows.Count]);
            // https://learn.microsoft.com/kusto/query/countif-aggregation-function: the rows whose predicate is true (not false, not null).
            case "countif":
            {
                Bound predicate = arguments[0];
                if (predicate.Type != KqlType.Bool)
                    throw Semantic(call.Arguments[0].Offset, call.Arguments[0].Text, $"countif(): the predicate must be a bool, not a {KqlColumn.TypeNameOf(predicate.Type)}");
                return new Aggregation([(name, KqlType.Long)], rows =>
                {
                    long count = 0;
                    foreach (object row in rows)
                    {
                        if (predicate.Eval(row) is true)
                            count++;
                    }
                    return [count];
                });
            }
            // https://learn.microsoft.com/kusto/query/make-list-aggregation-function: nulls left out, in the input's order.
            case "make_list":
            {
                Bound value = arguments[0];
                return new Aggregation([(name, KqlType.Dynamic)], rows => [KqlValues.Array(rows.Select(value.Eval).Where(v => v is not null))]);
            }
            // https://learn.microsoft.com/kusto/query/make-list-if-aggregation-function
            default:
            {
                Bound value = arguments[0], predicate = arguments[1];
                if (predicate.Type != KqlType.Bool)
                    throw Semantic(call.Arguments[1].Offset, call.Arguments[1].Text, "make_list_if(): the predicate must be a bool");
                return new Aggregation([(name, KqlType.Dynamic)], rows =>
                    [KqlValues.Array(rows.Where(r => predicate.Eval(r) is true).Select(value.Eval).Where(v => v is not null))]);
            }
        }
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/arg-max-aggregation-function: arg_max(expr, *), the
    /// row of the group where expr is greatest (nulls never are; ties: the first such row), as the
    /// expression's column and every input column but the by columns; over no rows, nulls.
    /// </summary>
    private Aggregation BindArgMax(KqlScope scope, NamedExpr item, CallExpr call, IReadOnlyList<KqlColumn> inputColumns, HashSet<string> byNames)
    {
        if (item.Name is not null)
            throw Semantic(item.Name.Offset, item.Name.Name, "'summarize' operator: arg_max(…, *) gives whole rows; this emulator names none of its columns");
        Bound maximized = KqlBinder.Bind(scope, call.Arguments[0]);
        if (maximized.Type is KqlType.Dynamic or KqlType.Bool)
            throw Semantic(call.Arguments[0].Offset, call.Arguments[0].Text, $"arg_max(): a {KqlColumn.TypeNameOf(maximized.Type)} can't be maximized");
        string name = (call.Arguments[0] as NameExpr)?.Name.Name ?? "max_" + call.Arguments[0].Text;
        KqlColumn[] rest = inputColumns.Where(c => c.Name != name && !byNames.Contains(c.Name)).ToArray();
        var outputs = new List<(string, KqlType)> { (name, maximized.Type) };
        outputs.AddRange(rest.Select(c => (c.Name, c.Type)));
        return new Aggregation(outputs, rows =>
        {
            object? best = null;
            object? bestValue = null;
            foreach (object row in rows)
            {
                object? value = maximized.Eval(row);
                if (value is not null && (bestValue is null || KqlValues.Compare(value, bestValue) > 0))
                    (best, bestValue) = (row, value);
            }
            var result = new object?[outputs.Count];
            if (best is not null)
            {
                result[0] = bestValue;
                for (int i = 0; i < rest.Length; i++)
                    result[i + 1] = rest[i].Get(best) is DynamicValue { Element: null } ? null : rest[i].Get(best);
            }
            return result;
        });
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/scan-operator with one step: the declared columns
    /// appended to the input's; each row in order is matched against the step's condition (which,
    /// like the assignments, reads the row, the declared columns at their defaults and StepName.Column
    /// from the step's state: the last matched row, the defaults before any); a matched row is
    /// output with its assignments (a declared column not assigned keeps its default) and becomes
    /// the state; an unmatched row is not output. The rows keep their order.
    /// </summary>
    private Table BindScan(ScanOperator scan, Table input, IReadOnlyDictionary<string, object> lets)
    {
        int inputWidth = input.Columns.Count;
        var columns = input.Columns.Select((c, i) => KqlColumn.AtIndex(c.Name, c.Type, i)).ToList();
        var defaults = new List<object?>();
        foreach (ScanDeclaration declaration in scan.Declarations)
        {
            if (columns.Any(c => c.Name == declaration.Name.Name))
                throw Semantic(declaration.Name.Offset, declaration.Name.Name, $"'scan' operator: the column '{declaration.Name.Name}' exists already");
            object? value = null;
            if (declaration.Default is { } expr)
            {
                ConstantNode constant = Constant(lets, expr, "scan");
                if (!KqlOperators.SameKind(constant.Type, declaration.Type) && constant.Value is not null)
                    throw Semantic(expr.Offset, expr.Text, $"'scan' operator: the default of '{declaration.Name.Name}' is a {KqlColumn.TypeNameOf(constant.Type)}, not a {KqlColumn.TypeNameOf(declaration.Type)}");
                value = declaration.Type == KqlType.Real && constant.Value is long l ? (double)l : constant.Value;
            }
            columns.Add(KqlColumn.AtIndex(declaration.Name.Name, declaration.Type, columns.Count));
            defaults.Add(value);
        }
        int width = columns.Count;
        // The step's scope: the row (input and declared columns) in slots 0..width-1, the state after them.
        var state = columns.Select((c, i) => KqlColumn.AtIndex(c.Name, c.Type, width + i)).ToList();
        KqlScope scope = Scope("scan", columns, lets, scanStep: new ScanStepScope(scan.Step.Name, state));
        Bound condition = KqlBinder.Bind(scope, scan.Condition);
        if (condition.Type != KqlType.Bool)
            throw Semantic(scan.Condition.Offset, scan.Condition.Text, "'scan' operator: a step's condition is a bool");
        var assignments = new List<(int Slot, Bound Value)>();
        foreach (NamedExpr assignment in scan.Assignments)
        {
            NameRef target = assignment.Name!;
            int slot = columns.FindIndex(inputWidth, c => c.Name == target.Name);
            if (slot < 0)
                throw Semantic(target.Offset, target.Name, $"'scan' operator: '{target.Name}' is not a declared column");
            Bound value = KqlBinder.Bind(scope, assignment.Value);
            if (!KqlOperators.SameKind(value.Type, columns[slot].Type))
                throw Semantic(assignment.Value.Offset, assignment.Value.Text, $"'scan' operator: '{target.Name}' is a {columns[slot].TypeName}, not a {KqlColumn.TypeNameOf(value.Type)}");
            assignments.Add((slot, value));
        }
        Func<object, object?>[] copy = input.Columns.Select(c => c.Get).ToArray();
        return new Table(columns, Then(input, rows =>
        {
            var result = new List<object>();
            object?[] previous = [.. Enumerable.Repeat<object?>(null, inputWidth), .. defaults];
            foreach (object row in rows)
            {
                var values = new object?[2 * width];
                for (int i = 0; i < inputWidth; i++)
                    values[i] = copy[i](row);
                for (int i = 0; i < defaults.Count; i++)
                    values[inputWidth + i] = defaults[i];
                Array.Copy(previous, 0, values, width, width);
                if (condition.Eval(values) is not true)
                    continue;
                object?[] assigned = assignments.Select(a => a.Value.Eval(values)).ToArray();
                for (int i = 0; i < assignments.Count; i++)
                    values[assignments[i].Slot] = columns[assignments[i].Slot].Type == KqlType.Real && assigned[i] is long l ? (double)l : assigned[i];
                previous = values[..width];
                result.Add(previous);
            }
            return result;
        }), input.Serialized);
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/mv-apply-operator: each row's arrays expanded into
    /// a subtable (as mv-expand does: a null value one row of null, an empty array no row, a bag
    /// one row per property as a one-property bag, arrays of different lengths padded with null),
    /// with the item index; the subquery run over it (it sees the row's other columns too); each
    /// of its rows joined to the row's columns that the subquery does not give itself. A subquery
    /// that summarizes gives a row even for an empty subtable.
    /// </summary>
    private Table BindMvApply(MvApplyOperator mvApply, Table input, IReadOnlyDictionary<string, object> lets)
    {
        KqlScope scope = Scope("mv-apply", input.Columns, lets);
        // The subtable: the input's columns, each expanded value in its column's place or after
        // them, then the item index.
        var subColumns = input.Columns.Select((c, i) => KqlColumn.AtIndex(c.Name, c.Type, i)).ToList();
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var expansions = new List<(Bound Array, KqlType Type, int Index)>();
        foreach (MvApplyExpansion expansion in mvApply.Expansions)
        {
            Bound array = KqlBinder.Bind(scope, expansion.Array);
            if (array.Type != KqlType.Dynamic)
                throw Semantic(expansion.Array.Offset, expansion.Array.Text, $"'mv-apply' operator: expands a dynamic array, not the {KqlColumn.TypeNameOf(array.Type)} '{expansion.Array.Text}'");
            if (expansion.Type is not (KqlType.Dynamic or KqlType.String or KqlType.Long or KqlType.Int or KqlType.Real or KqlType.Bool))
                throw Semantic(expansion.Array.Offset, expansion.Array.Text, $"'mv-apply' operator: this emulator expands to typeof(dynamic, string, long, int, real or bool) only");
            string name = expansion.Name?.Name ?? (expansion.Array as NameExpr)?.Name.Name
                ?? throw Semantic(expansion.Array.Offset, expansion.Array.Text, $"'mv-apply' operator: name the expanded value (Name = {expansion.Array.Text})");
            expansions.Add((array, expansion.Type, Place(subColumns, name, expansion.Type, replaced)));
        }
        int itemIndex = mvApply.ItemIndex is { } indexName ? Place(subColumns, indexName.Name, KqlType.Long, replaced) : -1;

        Table sub = new(subColumns, rows => rows);
        foreach (KqlOperator op in mvApply.SubQuery)
            sub = BindOperator(op, sub, lets);

        // The result: the input's columns that were not expanded in place and that the subquery
        // does not give, then the subquery's.
        var subNames = sub.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        int[] carried = Enumerable.Range(0, input.Columns.Count)
            .Where(i => !replaced.Contains(input.Columns[i].Name) && !subNames.Contains(input.Columns[i].Name)).ToArray();
        var columns = carried.Select((i, at) => KqlColumn.AtIndex(input.Columns[i].Name, input.Columns[i].Type, at)).ToList();
        columns.AddRange(sub.Columns.Select((c, i) => KqlColumn.AtIndex(c.Name, c.Type, carried.Length + i)));

        Func<object, object?>[] inputGet = input.Columns.Select(c => c.Get).ToArray();
        Func<object, object?>[] subGet = sub.Columns.Select(c => c.Get).ToArray();
        bool inSlots = KqlColumn.InSlots(input.Columns);
        int subWidth = subColumns.Count;
        return new Table(columns, Then(input, rows =>
        {
            var result = new List<object>();
            foreach (object row in rows)
            {
                var elements = expansions.Select(e => Expand(e.Array.Eval(row) as DynamicValue)).ToList();
                int length = elements.Count == 0 ? 0 : elements.Max(e => e.Count);
                var subRows = new List<object>(length);
                for (int n = 0; n < length; n++)
                {
                    var values = new object?[subWidth];
                    if (inSlots)
                    {
                        Array.Copy((object?[])row, values, inputGet.Length);
                    }
                    else
                    {
                        for (int i = 0; i < inputGet.Length; i++)
                            values[i] = inputGet[i](row);
                    }
                    for (int e = 0; e < expansions.Count; e++)
                        values[expansions[e].Index] = KqlValues.CastElement(n < elements[e].Count ? elements[e][n] : null, expansions[e].Type);
                    if (itemIndex >= 0)
                        values[itemIndex] = (long)n;
                    subRows.Add(values);
                }
                foreach (object subRow in sub.Run(subRows))
                {
                    var values = new object?[columns.Count];
                    for (int i = 0; i < carried.Length; i++)
                        values[i] = inputGet[carried[i]](row);
                    for (int i = 0; i < subGet.Length; i++)
                        values[carried.Length + i] = subGet[i](subRow);
                    result.Add(values);
                }
            }
            return result;
        }), input.Serialized);
    }

    /// <summary>Puts a column in the subtable: in the place of one of its name (then that input column is replaced), else after the others.</summary>
    private static int Place(List<KqlColumn> columns, string name, KqlType type, HashSet<string> replaced)
    {
        int index = columns.FindIndex(c => c.Name == name);
        if (index < 0)
        {
            index = columns.Count;
            columns.Add(KqlColumn.AtIndex(name, type, index));
        }
        else
        {
            columns[index] = KqlColumn.AtIndex(name, type, index);
            replaced.Add(name);
        }
        return index;
    }

    /// <summary>
    /// https://learn.microsoft.com/kusto/query/mv-expand-operator ("Returns"): null gives one null,
    /// an empty array or bag nothing, an array its elements, a bag one single-property bag per
    /// property; another value (a string, a number) is taken as itself, once.
    /// </summary>
    private static List<DynamicValue?> Expand(DynamicValue? value)
    {
        if (value?.Element is not { } element)
            return [null];
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Array:
                return element.EnumerateArray().Select(DynamicValue.OfElement).ToList();
            case System.Text.Json.JsonValueKind.Object:
                return element.EnumerateObject().Select(p =>
                {
                    var bag = new StringBuilder("{");
                    bag.Append(System.Text.Json.JsonSerializer.Serialize(p.Name)).Append(':').Append(p.Value.GetRawText()).Append('}');
                    return (DynamicValue?)DynamicValue.OfText(bag.ToString());
                }).ToList();
            default:
                return [value];
        }
    }
}

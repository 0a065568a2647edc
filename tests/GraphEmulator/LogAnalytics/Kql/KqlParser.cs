using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// A recursive-descent parser for the KQL of README.md ("Log Analytics", "The KQL accepted"):
/// let statements and one tabular expression. Names are case-sensitive, as in Kusto. What it
/// doesn't know is a <see cref="KqlException"/> syntax error that names it; names (tables,
/// columns, functions) are resolved later, by <see cref="KqlPlan"/>.
/// </summary>
internal sealed class KqlParser
{
    private static readonly HashSet<string> ComparisonOperators = ["==", "!=", "=~", "!~", "<", "<=", ">", ">="];

    /// <summary>Word operators between two scalars that this emulator runs (case-insensitive, as Kusto's are; <c>matches regex</c> case-sensitive).</summary>
    private static readonly HashSet<string> WordOperators = ["startswith", "endswith", "!startswith", "!endswith", "matches regex"];

    private const string BinaryOperatorList = "==, !=, =~, !~, <, <=, >, >=, startswith, endswith, in, in~ and their negations, matches regex";

    // Real Kusto operators the emulator does not run: named in the refusal.
    private static readonly HashSet<string> KnownUnsupportedOperators =
    [
        "distinct", "count", "top", "union", "join", "lookup", "parse", "render", "serialize",
        "sample", "search", "as", "invoke", "getschema", "evaluate", "mv-expand", "make-series", "top-nested",
        "project-away", "project-rename", "project-keep", "project-reorder", "find", "facet", "fork", "partition",
        "sample-distinct", "scan", "range", "print", "datatable", "externaldata", "let", "extend-if",
    ];

    // Real Kusto string and other binary operators the emulator does not run.
    private static readonly HashSet<string> KnownUnsupportedWordOperators =
    [
        "contains", "contains_cs", "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
        "has_any", "has_all", "startswith_cs", "endswith_cs", "like", "between", "notcontains", "notlike",
    ];

    /// <summary>The aggregations <c>summarize</c> runs.</summary>
    internal static readonly HashSet<string> Aggregations = ["count", "countif", "make_list", "make_list_if", "arg_max"];

    private const string OperatorList = "where, extend, project, order by, sort by, summarize, take, limit, mv-apply, scan";

    private readonly string _text;
    private readonly List<KqlToken> _tokens;
    private int _next;

    private KqlParser(string text)
    {
        _text = text;
        _tokens = KqlLexer.Tokenize(text);
    }

    public static KqlScript Parse(string text) => new KqlParser(text).ParseScript();

    private KqlToken Peek(int ahead = 0) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private KqlToken Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    private KqlException Error(KqlToken at, string detail) => KqlException.Syntax(_text, at.Offset, at.Display, detail);

    private KqlToken ExpectSymbol(string symbol, string what)
    {
        KqlToken token = Take();
        if (!token.IsSymbol(symbol))
            throw Error(token, $"expected '{symbol}' {what}");
        return token;
    }

    private KqlToken ExpectIdentifier(string what)
    {
        KqlToken token = Take();
        if (token.Kind != KqlTokenKind.Identifier)
            throw Error(token, $"expected {what}");
        return token;
    }

    private void ExpectKeyword(string keyword, string what)
    {
        KqlToken token = Take();
        if (!token.IsIdentifier(keyword))
            throw Error(token, $"expected '{keyword}' {what}");
    }

    /// <summary>Whether <paramref name="b"/> follows <paramref name="a"/> with nothing between (mv-apply, in~, !in).</summary>
    private static bool Adjacent(KqlToken a, KqlToken b) => b.Offset == a.Offset + a.Text.Length;

    private static NameRef Name(KqlToken token) => new(token.Text, token.Offset);

    private string TextFrom(int offset) => _text[offset..Math.Min(_text.Length, Peek(-1).Offset + Peek(-1).Text.Length)].Trim();

    // ---- statements ----

    private KqlScript ParseScript()
    {
        var lets = new List<LetStatement>();
        var tabularNames = new HashSet<string>(StringComparer.Ordinal);
        var scalarNames = new HashSet<string>(StringComparer.Ordinal);
        while (Peek().IsIdentifier("let"))
        {
            Take();
            KqlToken name = ExpectIdentifier("a name after 'let'");
            ExpectSymbol("=", $"after 'let {name.Text}'");
            LetStatement let = ParseLetValue(Name(name), tabularNames, scalarNames);
            (let is LetTabular ? tabularNames : scalarNames).Add(name.Text);
            scalarNames.Remove(let is LetTabular ? name.Text : "");
            tabularNames.Remove(let is LetTabular ? "" : name.Text);
            lets.Add(let);
            ExpectSymbol(";", "after a let statement");
        }

        TabularExpr query = ParseTabular();
        if (Peek().IsSymbol(";"))
            Take();
        KqlToken end = Take();
        if (end.Kind != KqlTokenKind.End)
            throw Error(end, end.IsIdentifier("or")
                ? "'or' joins conditions inside one operator's expression, not operators"
                : "expected '|' and an operator, or the end of the query");
        return new KqlScript(lets, query);
    }

    private LetStatement ParseLetValue(NameRef name, HashSet<string> tabularNames, HashSet<string> scalarNames)
    {
        // A function: (p:type, …) { body }
        if (Peek().IsSymbol("(") && (Peek(1).IsSymbol(")") || (Peek(1).Kind == KqlTokenKind.Identifier && Peek(2).IsSymbol(":"))))
        {
            Take();
            var parameters = new List<LambdaParameter>();
            while (!Peek().IsSymbol(")"))
            {
                KqlToken parameter = ExpectIdentifier("a parameter name");
                ExpectSymbol(":", "and the parameter's type (name:type)");
                KqlToken type = ExpectIdentifier("a type name");
                KqlType parameterType = KqlColumn.TypeNamed(type.Text) ?? throw Error(type, $"'{type.Text}' is not a scalar type");
                if (Peek().IsSymbol("="))
                    throw Error(Peek(), "this emulator's functions take no default values");
                parameters.Add(new LambdaParameter(Name(parameter), parameterType));
                if (!Peek().IsSymbol(","))
                    break;
                Take();
            }
            ExpectSymbol(")", "to close the parameter list");
            ExpectSymbol("{", "before the function's body");
            if (Peek().IsIdentifier("let"))
                throw Error(Peek(), "this emulator's functions are one expression (no let inside)");
            ScalarExpr body = ParseExpression();
            ExpectSymbol("}", "after the function's body");
            return new LetFunction(name, parameters, body);
        }

        KqlToken first = Peek();
        bool tabular = first.IsIdentifier("datatable") || first.IsIdentifier("print")
            || (first.Kind == KqlTokenKind.Identifier && !scalarNames.Contains(first.Text) && !Peek(1).IsSymbol("(")
                && (tabularNames.Contains(first.Text) || first.Text == AuditLogsTable.Name || Peek(1).IsSymbol("|")));
        return tabular ? new LetTabular(name, ParseTabular()) : new LetScalar(name, ParseExpression());
    }

    // ---- tabular expressions ----

    private TabularExpr ParseTabular()
    {
        return ParsePipes(ParseSource());
    }

    /// <summary>The <c>| operator</c>s after a source.</summary>
    private TabularExpr ParsePipes(TabularExpr source)
    {
        while (Peek().IsSymbol("|"))
        {
            Take();
            source = new PipeExpr(source, ParseOperator());
        }
        return source;
    }

    /// <summary>Whether a tabular expression starts here, after a '(' in a scalar expression: <c>T | …</c> or <c>datatable(…)</c>.</summary>
    private bool StartsTabular() =>
        (Peek().Kind == KqlTokenKind.Identifier && Peek(1).IsSymbol("|")) || (Peek().IsIdentifier("datatable") && Peek(1).IsSymbol("("));

    private TabularExpr ParseSource()
    {
        KqlToken token = Take();
        if (token.IsIdentifier("datatable"))
            return ParseDatatable(token);
        if (token.IsIdentifier("print"))
            return new PrintSource(token.Offset, ParseNamedList("print"));
        if (token.Kind != KqlTokenKind.Identifier)
            throw Error(token, "a query starts with a table name (AuditLogs)");
        if (Peek().IsSymbol("("))
            throw KqlException.Semantic(_text, token.Offset, token.Text, $"Unknown function: '{token.Text}'");
        return new TableSource(Name(token));
    }

    private DatatableSource ParseDatatable(KqlToken keyword)
    {
        ExpectSymbol("(", "after datatable");
        var columns = new List<(NameRef, KqlType)>();
        while (true)
        {
            KqlToken column = ExpectIdentifier("a column name in datatable(name:type, …)");
            ExpectSymbol(":", "and the column's type (name:type)");
            KqlToken type = ExpectIdentifier("a type name");
            columns.Add((Name(column), KqlColumn.TypeNamed(type.Text) ?? throw Error(type, $"'{type.Text}' is not a scalar type")));
            if (!Peek().IsSymbol(","))
                break;
            Take();
        }
        ExpectSymbol(")", "to close datatable's columns");
        ExpectSymbol("[", "before datatable's values");
        var values = new List<ScalarExpr>();
        while (!Peek().IsSymbol("]"))
        {
            values.Add(ParseExpression());
            if (!Peek().IsSymbol(","))
                break;
            Take();
        }
        ExpectSymbol("]", "after datatable's values");
        return new DatatableSource(keyword.Offset, columns, values);
    }

    private KqlOperator ParseOperator()
    {
        KqlToken op = Take();
        if (op.Kind != KqlTokenKind.Identifier)
            throw Error(op, $"expected an operator after '|' ({OperatorList})");
        string name = op.Text;
        if (Peek().IsSymbol("-") && Adjacent(op, Peek()) && Peek(1).Kind == KqlTokenKind.Identifier && Adjacent(Peek(), Peek(1)))
        {
            Take();
            name = name + "-" + Take().Text;
        }
        switch (name)
        {
            case "where" or "filter":
                return new WhereOperator(op.Offset, ParseExpression());
            case "extend":
                return new ExtendOperator(op.Offset, ParseNamedList("extend"));
            case "project":
                return new ProjectOperator(op.Offset, ParseNamedList("project"));
            case "order" or "sort":
                ExpectKeyword("by", $"after '{op.Text}'");
                return ParseOrder(op);
            case "summarize":
                return ParseSummarize(op);
            case "take" or "limit":
                KqlToken count = Take();
                if (count.Kind != KqlTokenKind.Integer)
                    throw Error(count, $"expected a whole number of rows after '{op.Text}'");
                return new TakeOperator(op.Offset, (long)count.Value!);
            case "mv-apply":
                return ParseMvApply(op);
            case "scan":
                return ParseScan(op);
            default:
                throw Error(op, KnownUnsupportedOperators.Contains(name)
                    ? $"the operator '{name}' is not supported by this emulator ({OperatorList})"
                    : $"unknown operator '{name}'");
        }
    }

    /// <summary><c>[name =] expr, …</c> (extend, project, print).</summary>
    private List<NamedExpr> ParseNamedList(string op)
    {
        var items = new List<NamedExpr>();
        while (true)
        {
            NameRef? name = null;
            if (Peek().Kind == KqlTokenKind.Identifier && Peek(1).IsSymbol("="))
            {
                name = Name(Take());
                Take();
            }
            items.Add(new NamedExpr(name, ParseExpression()));
            if (!Peek().IsSymbol(","))
                return items;
            Take();
        }
    }

    private OrderOperator ParseOrder(KqlToken op)
    {
        var keys = new List<SortKey>();
        while (true)
        {
            ScalarExpr key = ParseExpression();
            bool descending = true; // Kusto's default
            if (Peek().IsIdentifier("asc") || Peek().IsIdentifier("desc"))
                descending = Take().Text == "desc";
            bool? nullsFirst = null;
            if (Peek().IsIdentifier("nulls"))
            {
                Take();
                KqlToken where = Take();
                if (!where.IsIdentifier("first") && !where.IsIdentifier("last"))
                    throw Error(where, "expected 'first' or 'last' after 'nulls'");
                nullsFirst = where.Text == "first";
            }
            keys.Add(new SortKey(key, descending, nullsFirst));
            if (!Peek().IsSymbol(","))
                return new OrderOperator(op.Offset, keys);
            Take();
        }
    }

    private SummarizeOperator ParseSummarize(KqlToken op)
    {
        var aggregates = new List<NamedExpr>();
        while (true)
        {
            NameRef? name = null;
            if (Peek().Kind == KqlTokenKind.Identifier && Peek(1).IsSymbol("="))
            {
                name = Name(Take());
                Take();
            }
            KqlToken aggregate = Peek();
            if (aggregate.Kind != KqlTokenKind.Identifier || !Peek(1).IsSymbol("("))
                throw Error(aggregate, "expected an aggregation: count(), countif(…), make_list(…), make_list_if(…) or arg_max(…, *)");
            if (!Aggregations.Contains(aggregate.Text))
                throw Error(aggregate, $"the aggregation '{aggregate.Text}' is not supported by this emulator (count(), countif(), make_list(), make_list_if(), arg_max())");
            aggregates.Add(new NamedExpr(name, aggregate.Text == "arg_max" ? ParseArgMax() : ParsePostfix()));
            if (!Peek().IsSymbol(","))
                break;
            Take();
        }
        if (!Peek().IsIdentifier("by"))
            return new SummarizeOperator(op.Offset, aggregates, []);
        Take();

        KqlToken bin = Peek();
        if (bin.IsIdentifier("bin") && Peek(1).IsSymbol("("))
        {
            var by = (CallExpr)ParsePostfix();
            if (by.Arguments.Count != 2 || by.Arguments[0] is not NameExpr || by.Arguments[1] is not LiteralExpr { Type: KqlType.Timespan })
                throw Error(bin, "expected bin(column, timespan) with a timespan bin size such as 1h, 1d, 30m or 10s");
            if ((TimeSpan)((LiteralExpr)by.Arguments[1]).Value! <= TimeSpan.Zero)
                throw KqlException.Syntax(_text, by.Arguments[1].Offset, by.Arguments[1].Text, "the bin size must be positive");
            if (Peek().IsSymbol(","))
                throw Error(Peek(), "this emulator summarizes by one bin(TimeGenerated, <timespan>), or by columns and expressions without bin()");
            return new SummarizeOperator(op.Offset, aggregates, [new NamedExpr(null, by)], ByBin: true);
        }
        return new SummarizeOperator(op.Offset, aggregates, ParseNamedList("summarize"));
    }

    /// <summary><c>arg_max(expr, *)</c>: this emulator returns the whole row only.</summary>
    private CallExpr ParseArgMax()
    {
        KqlToken name = Take();
        ExpectSymbol("(", "after arg_max");
        ScalarExpr maximized = ParseExpression();
        ExpectSymbol(",", "after arg_max's expression");
        KqlToken star = Take();
        if (!star.IsSymbol("*"))
            throw Error(star, "this emulator runs arg_max(expression, *) only (the whole row)");
        ExpectSymbol(")", "to close arg_max(");
        return new CallExpr(name.Offset, TextFrom(name.Offset), Name(name), [maximized, new StarExpr(star.Offset)]);
    }

    /// <summary>
    /// <c>scan declare (name:type [= default], …) with (step name [output = all]: condition [=> name = expr, …];)</c>:
    /// one step, no with_match_id.
    /// </summary>
    private ScanOperator ParseScan(KqlToken op)
    {
        if (Peek().IsIdentifier("with_match_id"))
            throw Error(Peek(), "scan's with_match_id is not supported by this emulator");
        var declarations = new List<ScanDeclaration>();
        if (Peek().IsIdentifier("declare"))
        {
            Take();
            ExpectSymbol("(", "after declare");
            while (true)
            {
                KqlToken column = ExpectIdentifier("a column name in declare(name:type, …)");
                ExpectSymbol(":", "and the column's type (name:type)");
                KqlToken type = ExpectIdentifier("a type name");
                KqlType columnType = KqlColumn.TypeNamed(type.Text) ?? throw Error(type, $"'{type.Text}' is not a scalar type");
                ScalarExpr? value = null;
                if (Peek().IsSymbol("="))
                {
                    Take();
                    value = ParseExpression();
                }
                declarations.Add(new ScanDeclaration(Name(column), columnType, value));
                if (!Peek().IsSymbol(","))
                    break;
                Take();
            }
            ExpectSymbol(")", "to close declare(");
        }
        ExpectKeyword("with", "before scan's steps");
        ExpectSymbol("(", "before scan's steps");
        ExpectKeyword("step", "to begin a scan step");
        KqlToken step = ExpectIdentifier("the step's name");
        if (Peek().IsIdentifier("output"))
        {
            Take();
            ExpectSymbol("=", "after output");
            KqlToken output = Take();
            if (!output.IsIdentifier("all"))
                throw Error(output, "this emulator's scan outputs every matched row (output = all) only");
        }
        ExpectSymbol(":", "after the step's name");
        ScalarExpr condition = ParseExpression();
        var assignments = new List<NamedExpr>();
        if (Peek().IsSymbol("=>"))
        {
            Take();
            while (true)
            {
                KqlToken column = ExpectIdentifier("a declared column to assign");
                ExpectSymbol("=", $"after '{column.Text}'");
                assignments.Add(new NamedExpr(Name(column), ParseExpression()));
                if (!Peek().IsSymbol(","))
                    break;
                Take();
            }
        }
        ExpectSymbol(";", "after the step");
        if (Peek().IsIdentifier("step"))
            throw Error(Peek(), "this emulator's scan runs one step only");
        ExpectSymbol(")", "after scan's steps");
        return new ScanOperator(op.Offset, declarations, Name(step), condition, assignments);
    }

    private MvApplyOperator ParseMvApply(KqlToken op)
    {
        NameRef? itemIndex = null;
        if (Peek().IsIdentifier("with_itemindex"))
        {
            Take();
            ExpectSymbol("=", "after with_itemindex");
            itemIndex = Name(ExpectIdentifier("the item index column's name"));
        }
        var expansions = new List<MvApplyExpansion>();
        while (true)
        {
            NameRef? name = null;
            if (Peek().Kind == KqlTokenKind.Identifier && Peek(1).IsSymbol("="))
            {
                name = Name(Take());
                Take();
            }
            ScalarExpr array = ParseExpression();
            KqlType type = KqlType.Dynamic;
            if (Peek().IsIdentifier("to"))
            {
                Take();
                ExpectKeyword("typeof", "after 'to'");
                ExpectSymbol("(", "after typeof");
                KqlToken typeName = ExpectIdentifier("a type name");
                type = KqlColumn.TypeNamed(typeName.Text) ?? throw Error(typeName, $"'{typeName.Text}' is not a scalar type");
                ExpectSymbol(")", "to close typeof(");
            }
            expansions.Add(new MvApplyExpansion(name, array, type));
            if (!Peek().IsSymbol(","))
                break;
            Take();
        }
        if (Peek().IsIdentifier("limit"))
            throw Error(Peek(), "mv-apply's row limit is not supported by this emulator");
        ExpectKeyword("on", "after mv-apply's arrays");
        ExpectSymbol("(", "before mv-apply's subquery");
        var subQuery = new List<KqlOperator> { ParseOperator() };
        while (Peek().IsSymbol("|"))
        {
            Take();
            subQuery.Add(ParseOperator());
        }
        ExpectSymbol(")", "after mv-apply's subquery");
        return new MvApplyOperator(op.Offset, itemIndex, expansions, subQuery);
    }

    // ---- scalar expressions: or < and < comparison < postfix (member, index) < primary ----

    private ScalarExpr ParseExpression() => ParseOr();

    private ScalarExpr ParseOr()
    {
        ScalarExpr left = ParseAnd();
        while (Peek().IsIdentifier("or"))
        {
            KqlToken op = Take();
            ScalarExpr right = ParseAnd();
            left = new BinaryExpr(left.Offset, TextFrom(left.Offset), "or", op.Offset, left, right);
        }
        return left;
    }

    private ScalarExpr ParseAnd()
    {
        ScalarExpr left = ParseComparison();
        while (Peek().IsIdentifier("and"))
        {
            KqlToken op = Take();
            ScalarExpr right = ParseComparison();
            left = new BinaryExpr(left.Offset, TextFrom(left.Offset), "and", op.Offset, left, right);
        }
        return left;
    }

    private ScalarExpr ParseComparison()
    {
        ScalarExpr left = ParseAdditive();
        KqlToken op = Peek();
        string? name = null;
        int consumed = 1;
        if (op.Kind == KqlTokenKind.Symbol && ComparisonOperators.Contains(op.Text))
            name = op.Text;
        else if (op.Kind == KqlTokenKind.Identifier && (WordOperators.Contains(op.Text) || op.Text == "in"))
            name = op.Text;
        else if (op.IsIdentifier("matches"))
        {
            if (!Peek(1).IsIdentifier("regex"))
                throw Error(Peek(1), "expected 'regex' after 'matches' (matches regex)");
            name = "matches regex";
            consumed = 2;
        }
        else if (op.IsSymbol("!") && Peek(1).Kind == KqlTokenKind.Identifier && Adjacent(op, Peek(1)))
        {
            name = "!" + Peek(1).Text;
            consumed = 2;
        }
        else if (op.Kind == KqlTokenKind.Identifier && KnownUnsupportedWordOperators.Contains(op.Text))
            throw Error(op, $"the operator '{op.Text}' is not supported by this emulator ({BinaryOperatorList})");
        else if (op.Kind == KqlTokenKind.Symbol && op.Text is "+" or "-" or "*" or "/" or "%")
            throw Error(op, $"the arithmetic operator '{op.Text}' is not supported by this emulator");

        if (name is null)
            return left;
        if (name is "in" or "!in")
        {
            for (int i = 0; i < consumed; i++)
                Take();
            KqlToken last = Peek(-1);
            if (Peek().IsSymbol("~") && Adjacent(last, Peek()))
            {
                Take();
                name += "~";
            }
            ExpectSymbol("(", $"after '{name}'");
            var values = new List<ScalarExpr>();
            while (true)
            {
                ScalarExpr value = ParseExpression();
                if (Peek().IsSymbol("|") && values.Count == 0 && value is NameExpr or TabularValueExpr)
                {
                    // (T | …): a whole tabular expression as the list's only item, as Kusto's parser takes it.
                    TabularExpr query = ParsePipes(value is NameExpr table ? new TableSource(table.Name) : ((TabularValueExpr)value).Query);
                    values.Add(new TabularValueExpr(value.Offset, TextFrom(value.Offset), query));
                    ExpectSymbol(")", $"after the tabular expression: it is the only item of the '{name}' list");
                    break;
                }
                values.Add(value);
                KqlToken separator = Take();
                if (separator.IsSymbol(")"))
                    break;
                if (!separator.IsSymbol(","))
                    throw Error(separator, $"expected ',' or ')' in the '{name}' list");
            }
            return new InExpr(left.Offset, TextFrom(left.Offset), name, op.Offset, left, values);
        }
        if (consumed == 2 && !WordOperators.Contains(name))
            throw Error(op, $"the operator '{name}' is not supported by this emulator ({BinaryOperatorList})");
        for (int i = 0; i < consumed; i++)
            Take();
        ScalarExpr right = ParseAdditive();
        KqlToken after = Peek();
        if ((after.Kind == KqlTokenKind.Symbol && ComparisonOperators.Contains(after.Text)) || after.IsIdentifier("in"))
            throw Error(after, "comparisons don't chain: put parentheses around one, or join them with 'and'");
        return new BinaryExpr(left.Offset, TextFrom(left.Offset), name, op.Offset, left, right);
    }

    /// <summary><c>+</c> and <c>-</c>, left to right; <c>*</c>, <c>/</c> and <c>%</c> are refused.</summary>
    private ScalarExpr ParseAdditive()
    {
        ScalarExpr left = ParseUnary();
        while (Peek().IsSymbol("+") || Peek().IsSymbol("-"))
        {
            KqlToken op = Take();
            ScalarExpr right = ParseUnary();
            left = new BinaryExpr(left.Offset, TextFrom(left.Offset), op.Text, op.Offset, left, right);
        }
        if (Peek().Kind == KqlTokenKind.Symbol && Peek().Text is "*" or "/" or "%")
            throw Error(Peek(), $"the arithmetic operator '{Peek().Text}' is not supported by this emulator (+ and - are)");
        return left;
    }

    private ScalarExpr ParseUnary()
    {
        KqlToken token = Peek();
        if (token.IsSymbol("-") && Peek(1).Kind is KqlTokenKind.Integer or KqlTokenKind.Real or KqlTokenKind.Timespan && Adjacent(token, Peek(1)))
        {
            Take();
            KqlToken number = Take();
            object value = number.Value switch
            {
                long l => -l,
                double d => -d,
                TimeSpan t => -t,
                _ => throw new InvalidOperationException(),
            };
            return new LiteralExpr(token.Offset, "-" + number.Text, KindType(number), value);
        }
        if (token.IsSymbol("-") || token.IsSymbol("!"))
            throw Error(token, $"the operator '{token.Text}' is not supported by this emulator (write not(…) to negate)");
        return ParsePostfix();
    }

    private static KqlType KindType(KqlToken token) => token.Kind switch
    {
        KqlTokenKind.Integer => KqlType.Long,
        KqlTokenKind.Real => KqlType.Real,
        _ => KqlType.Timespan,
    };

    private ScalarExpr ParsePostfix()
    {
        ScalarExpr expr = ParsePrimary();
        while (true)
        {
            if (Peek().IsSymbol("."))
            {
                Take();
                KqlToken member = ExpectIdentifier("a property name after '.'");
                expr = new MemberExpr(expr.Offset, TextFrom(expr.Offset), expr, member.Text);
            }
            else if (Peek().IsSymbol("["))
            {
                Take();
                if (Peek().Kind == KqlTokenKind.String && Peek(1).IsSymbol("]"))
                {
                    string key = (string)Take().Value!;
                    Take();
                    expr = new MemberExpr(expr.Offset, TextFrom(expr.Offset), expr, key);
                    continue;
                }
                ScalarExpr index = ParseExpression();
                ExpectSymbol("]", "to close '['");
                expr = new IndexExpr(expr.Offset, TextFrom(expr.Offset), expr, index);
            }
            else
            {
                return expr;
            }
        }
    }

    private ScalarExpr ParsePrimary()
    {
        KqlToken token = Take();
        switch (token.Kind)
        {
            case KqlTokenKind.String:
                return new LiteralExpr(token.Offset, token.Text, KqlType.String, (string)token.Value!);
            case KqlTokenKind.Integer:
                return new LiteralExpr(token.Offset, token.Text, KqlType.Long, (long)token.Value!);
            case KqlTokenKind.Real:
                return new LiteralExpr(token.Offset, token.Text, KqlType.Real, (double)token.Value!);
            case KqlTokenKind.Timespan:
                return new LiteralExpr(token.Offset, token.Text, KqlType.Timespan, (TimeSpan)token.Value!);
            case KqlTokenKind.DateTime:
                return new LiteralExpr(token.Offset, token.Text, KqlType.DateTime, ParseDateTime(token));
            case KqlTokenKind.Guid:
                return new LiteralExpr(token.Offset, token.Text, KqlType.Guid, ParseGuid(token));
            case KqlTokenKind.Symbol when token.Text == "(" && StartsTabular():
            {
                // ((T | …)) in an 'in' list: a tabular expression in parentheses.
                TabularExpr query = ParseTabular();
                ExpectSymbol(")", "to close '('");
                return new TabularValueExpr(token.Offset, TextFrom(token.Offset), query);
            }
            case KqlTokenKind.Identifier when token.Text == "datatable" && Peek().IsSymbol("("):
                return new TabularValueExpr(token.Offset, TextFrom(token.Offset), ParseDatatable(token));
            case KqlTokenKind.Symbol when token.Text == "(":
            {
                ScalarExpr inner = ParseExpression();
                ExpectSymbol(")", "to close '('");
                return inner;
            }
            case KqlTokenKind.Identifier when token.Text is "true" or "false":
                return new LiteralExpr(token.Offset, token.Text, KqlType.Bool, token.Text == "true");
            case KqlTokenKind.Identifier when token.Text == "dynamic" && Peek().IsSymbol("("):
            {
                Take();
                DynamicValue? value = ParseDynamicLiteral();
                ExpectSymbol(")", "to close dynamic(");
                return new LiteralExpr(token.Offset, TextFrom(token.Offset), KqlType.Dynamic, value);
            }
            case KqlTokenKind.Identifier when Peek().IsSymbol("(") && Peek(1).IsIdentifier("null") && Peek(2).IsSymbol(")")
                                              && KqlColumn.TypeNamed(token.Text) is { } type && type != KqlType.String:
                Take();
                Take();
                Take();
                return new LiteralExpr(token.Offset, TextFrom(token.Offset), type, null);
            case KqlTokenKind.Identifier when Peek().IsSymbol("("):
            {
                Take();
                var arguments = new List<ScalarExpr>();
                if (!Peek().IsSymbol(")"))
                {
                    while (true)
                    {
                        arguments.Add(ParseExpression());
                        if (!Peek().IsSymbol(","))
                            break;
                        Take();
                    }
                }
                ExpectSymbol(")", $"to close {token.Text}(");
                return new CallExpr(token.Offset, TextFrom(token.Offset), Name(token), arguments);
            }
            case KqlTokenKind.Identifier when token.Text is "and" or "or" or "by" or "on":
                throw Error(token, $"expected an expression, not '{token.Text}'");
            case KqlTokenKind.Identifier:
                return new NameExpr(Name(token));
            default:
                throw Error(token, "expected an expression (a name, a literal, a function call or '(')");
        }
    }

    private object? ParseDateTime(KqlToken token)
    {
        string raw = (string)token.Value!;
        if (raw == "null")
            return null;
        if (raw.Length >= 2 && (raw[0] is '"' or '\'') && raw[^1] == raw[0])
            raw = raw[1..^1];
        if (!DateTime.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime value))
            throw Error(token, $"'{raw}' is not a datetime (write e.g. datetime(2026-09-01T00:00:00.0000000Z))");
        return DateTime.SpecifyKind(value, DateTimeKind.Utc);
    }

    private object? ParseGuid(KqlToken token)
    {
        string raw = (string)token.Value!;
        if (raw == "null")
            return null;
        if (!Guid.TryParseExact(raw, "D", out Guid value))
            throw Error(token, $"'{raw}' is not a guid (write e.g. guid(74be27de-1e4e-49d9-b579-fe0b331d3642))");
        return value;
    }

    /// <summary>
    /// A <c>dynamic(…)</c> literal: JSON, with Kusto's freedoms (single-quoted strings,
    /// <c>null</c>, <c>true</c>, <c>false</c>), read from the tokens and written back as JSON.
    /// </summary>
    private DynamicValue? ParseDynamicLiteral()
    {
        if (Peek().IsIdentifier("null"))
        {
            Take();
            return null;
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            WriteJson(writer);
        using var document = JsonDocument.Parse(buffer.ToArray());
        return DynamicValue.OfElement(document.RootElement.Clone());
    }

    private void WriteJson(Utf8JsonWriter writer)
    {
        KqlToken token = Take();
        switch (token.Kind)
        {
            case KqlTokenKind.String:
                writer.WriteStringValue((string)token.Value!);
                return;
            case KqlTokenKind.Integer:
                writer.WriteNumberValue((long)token.Value!);
                return;
            case KqlTokenKind.Real:
                writer.WriteNumberValue((double)token.Value!);
                return;
            case KqlTokenKind.Symbol when token.Text == "-" && Peek().Kind is KqlTokenKind.Integer or KqlTokenKind.Real:
                KqlToken number = Take();
                if (number.Value is long l)
                    writer.WriteNumberValue(-l);
                else
                    writer.WriteNumberValue(-(double)number.Value!);
                return;
            case KqlTokenKind.Identifier when token.Text is "true" or "false":
                writer.WriteBooleanValue(token.Text == "true");
                return;
            case KqlTokenKind.Identifier when token.Text == "null":
                writer.WriteNullValue();
                return;
            case KqlTokenKind.Symbol when token.Text == "[":
                writer.WriteStartArray();
                while (!Peek().IsSymbol("]"))
                {
                    WriteJson(writer);
                    if (!Peek().IsSymbol(","))
                        break;
                    Take();
                }
                ExpectSymbol("]", "to close the array");
                writer.WriteEndArray();
                return;
            case KqlTokenKind.Symbol when token.Text == "{":
                writer.WriteStartObject();
                while (!Peek().IsSymbol("}"))
                {
                    KqlToken key = Take();
                    if (key.Kind != KqlTokenKind.String)
                        throw Error(key, "expected a property name (a string) in dynamic({…})");
                    writer.WritePropertyName((string)key.Value!);
                    ExpectSymbol(":", "after the property name");
                    WriteJson(writer);
                    if (!Peek().IsSymbol(","))
                        break;
                    Take();
                }
                ExpectSymbol("}", "to close the property bag");
                writer.WriteEndObject();
                return;
            default:
                throw Error(token, "expected a JSON value in dynamic(…)");
        }
    }
}

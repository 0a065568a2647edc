using System;
using System.Collections.Generic;
using System.Globalization;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// A recursive-descent parser for the KQL subset of README.md ("Log Analytics", "The KQL
/// accepted"). Names are case-sensitive, as in Kusto. What it doesn't know is a
/// <see cref="KqlException"/>: a syntax error, or a semantic one for an unknown function.
/// </summary>
internal sealed class KqlParser
{
    private static readonly HashSet<string> ComparisonOperators = ["==", "!=", "=~", "<", "<=", ">", ">="];

    // Real Kusto operators and functions the emulator does not run: named in the refusal.
    private static readonly HashSet<string> KnownUnsupportedOperators =
    [
        "extend", "distinct", "count", "top", "union", "join", "lookup", "parse", "render", "serialize",
        "sample", "search", "as", "invoke", "getschema", "evaluate", "mv-expand", "make-series", "top-nested",
        "project-away", "project-rename", "project-keep", "project-reorder", "find", "facet", "fork", "partition",
        "sample-distinct", "scan", "range", "print", "datatable", "externaldata", "let",
    ];

    private readonly string _text;
    private readonly List<KqlToken> _tokens;
    private int _next;

    private KqlParser(string text)
    {
        _text = text;
        _tokens = KqlLexer.Tokenize(text);
    }

    public static KqlQuery Parse(string text) => new KqlParser(text).ParseQuery();

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

    private KqlQuery ParseQuery()
    {
        KqlToken table = Take();
        if (table.Kind != KqlTokenKind.Identifier)
            throw Error(table, "a query starts with a table name (AuditLogs)");
        if (Peek().IsSymbol("("))
            throw KqlException.Semantic(_text, table.Offset, table.Text, $"Unknown function: '{table.Text}'");

        var stages = new List<KqlStage>();
        while (true)
        {
            KqlToken token = Take();
            if (token.Kind == KqlTokenKind.End)
                return new KqlQuery(new NameRef(table.Text, table.Offset), stages);
            if (!token.IsSymbol("|"))
                throw Error(token, token.IsIdentifier("or")
                    ? "this emulator joins conditions with 'and' only (no 'or')"
                    : "expected '|' and an operator, or the end of the query");
            stages.Add(ParseStage());
        }
    }

    private KqlStage ParseStage()
    {
        KqlToken op = Take();
        if (op.Kind != KqlTokenKind.Identifier)
            throw Error(op, "expected an operator after '|' (where, project, order by, summarize, take)");
        switch (op.Text)
        {
            case "where" or "filter":
                return ParseWhere(op);
            case "project":
                if (Peek().IsSymbol("-") && Peek().Offset == op.Offset + op.Text.Length)
                    throw Error(op, $"the operator 'project-{Peek(1).Display}' is not supported by this emulator");
                return ParseProject(op);
            case "order" or "sort":
                ExpectKeyword("by", $"after '{op.Text}'");
                return ParseOrder(op);
            case "summarize":
                return ParseSummarize(op);
            case "take" or "limit":
                KqlToken count = Take();
                if (count.Kind != KqlTokenKind.Integer)
                    throw Error(count, $"expected a whole number of rows after '{op.Text}'");
                return new TakeStage(op.Offset, (long)count.Value!);
            default:
                throw Error(op, KnownUnsupportedOperators.Contains(op.Text)
                    ? $"the operator '{op.Text}' is not supported by this emulator (where, project, order by, sort by, summarize count(), take, limit)"
                    : $"unknown operator '{op.Text}'");
        }
    }

    private WhereStage ParseWhere(KqlToken op)
    {
        var conditions = new List<KqlCondition> { ParseCondition() };
        while (Peek().IsIdentifier("and"))
        {
            Take();
            conditions.Add(ParseCondition());
        }
        return new WhereStage(op.Offset, conditions);
    }

    private KqlCondition ParseCondition()
    {
        if (Peek().IsSymbol("("))
            throw Error(Peek(), "this emulator takes no parentheses around conditions");
        if (Peek().IsIdentifier("not"))
            throw Error(Peek(), "this emulator does not support not()");
        KqlOperand left = ParseOperand();
        KqlToken op = Take();

        if (op.Kind == KqlTokenKind.Symbol && ComparisonOperators.Contains(op.Text))
            return new KqlCondition(left, op.Text, op.Offset, ParseLiteral(), null);

        if (op.IsIdentifier("in"))
        {
            string name = "in";
            if (Peek().IsSymbol("~") && Peek().Offset == op.Offset + 2)
            {
                Take();
                name = "in~";
            }
            ExpectSymbol("(", $"after '{name}'");
            var list = new List<StringLiteral>();
            while (true)
            {
                KqlToken item = Take();
                if (item.Kind != KqlTokenKind.String)
                    throw Error(item, $"expected a string literal in the '{name}' list");
                list.Add(new StringLiteral(item.Offset, item.Text, (string)item.Value!));
                KqlToken separator = Take();
                if (separator.IsSymbol(")"))
                    break;
                if (!separator.IsSymbol(","))
                    throw Error(separator, $"expected ',' or ')' in the '{name}' list");
            }
            return new KqlCondition(left, name, op.Offset, null, list);
        }

        throw Error(op, op.Kind == KqlTokenKind.End || op.IsSymbol("|")
            ? "expected a comparison (==, !=, =~, <, <=, >, >=, in, in~) and a literal"
            : $"the operator '{op.Display}' is not supported by this emulator (==, !=, =~, <, <=, >, >=, in, in~)");
    }

    private KqlOperand ParseOperand()
    {
        KqlToken name = Take();
        if (name.Kind != KqlTokenKind.Identifier)
            throw Error(name, "expected a column name, tostring(…) or hash(…) on the left of a comparison");

        if (Peek().IsSymbol("("))
        {
            Take();
            switch (name.Text)
            {
                case "tostring":
                {
                    KqlToken column = ExpectIdentifier("a column in tostring(…)");
                    IReadOnlyList<PathSegment> path = ParsePath();
                    ExpectSymbol(")", "to close tostring(");
                    return new ToStringOperand(name.Offset, new NameRef(column.Text, column.Offset), path);
                }
                case "hash":
                {
                    KqlToken column = ExpectIdentifier("a column in hash(…)");
                    if (Peek().IsSymbol("."))
                        throw Error(Peek(), "hash() takes a string column, not a dynamic path");
                    ExpectSymbol(",", "and the modulus in hash(column, modulus)");
                    KqlToken modulus = Take();
                    if (modulus.Kind != KqlTokenKind.Integer)
                        throw Error(modulus, "expected a whole-number modulus in hash(column, modulus)");
                    ExpectSymbol(")", "to close hash(");
                    return new HashOperand(name.Offset, new NameRef(column.Text, column.Offset), (long)modulus.Value!, modulus.Offset);
                }
                default:
                    throw KqlException.Semantic(_text, name.Offset, name.Text,
                        $"Unknown function: '{name.Text}' (this emulator knows tostring(), hash(), datetime(), bin() and count())");
            }
        }

        var columnName = new NameRef(name.Text, name.Offset);
        IReadOnlyList<PathSegment> segments = ParsePath();
        return segments.Count == 0 ? new ColumnOperand(columnName) : new DynamicPathOperand(columnName, segments);
    }

    /// <summary><c>.name</c>, <c>["name"]</c> and <c>[0]</c> steps after a column.</summary>
    private List<PathSegment> ParsePath()
    {
        var path = new List<PathSegment>();
        while (true)
        {
            if (Peek().IsSymbol("."))
            {
                Take();
                KqlToken member = ExpectIdentifier("a property name after '.'");
                path.Add(new PathSegment(member.Text, null));
            }
            else if (Peek().IsSymbol("["))
            {
                Take();
                KqlToken key = Take();
                if (key.Kind == KqlTokenKind.String)
                    path.Add(new PathSegment((string)key.Value!, null));
                else if (key.Kind == KqlTokenKind.Integer && (long)key.Value! <= int.MaxValue)
                    path.Add(new PathSegment(null, (int)(long)key.Value!));
                else
                    throw Error(key, "expected a string or a whole number inside [ ]");
                ExpectSymbol("]", "to close '['");
            }
            else
            {
                return path;
            }
        }
    }

    private KqlLiteral ParseLiteral()
    {
        KqlToken token = Take();
        switch (token.Kind)
        {
            case KqlTokenKind.String:
                return new StringLiteral(token.Offset, token.Text, (string)token.Value!);
            case KqlTokenKind.Integer:
                return new LongLiteral(token.Offset, token.Text, (long)token.Value!);
            case KqlTokenKind.DateTime:
                return new DateTimeLiteral(token.Offset, token.Text, ParseDateTime(token));
            case KqlTokenKind.Symbol when token.Text == "-" && Peek().Kind == KqlTokenKind.Integer && Peek().Offset == token.Offset + 1:
                KqlToken number = Take();
                return new LongLiteral(token.Offset, "-" + number.Text, -(long)number.Value!);
            case KqlTokenKind.Identifier when Peek().IsSymbol("("):
                throw KqlException.Semantic(_text, token.Offset, token.Text,
                    $"Unknown function: '{token.Text}' (the right of a comparison must be a literal: \"string\", 123 or datetime(…))");
            case KqlTokenKind.Identifier:
                throw Error(token, "expected a literal (\"string\", a whole number or datetime(…)) on the right of a comparison, not a name");
            default:
                throw Error(token, "expected a literal (\"string\", a whole number or datetime(…))");
        }
    }

    private long ParseDateTime(KqlToken token)
    {
        string raw = (string)token.Value!;
        if (raw.Length >= 2 && (raw[0] is '"' or '\'') && raw[^1] == raw[0])
            raw = raw[1..^1];
        if (!DateTime.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime value))
            throw Error(token, $"'{raw}' is not a datetime (write e.g. datetime(2026-09-01T00:00:00.0000000Z))");
        return value.Ticks;
    }

    private ProjectStage ParseProject(KqlToken op)
    {
        var columns = new List<NameRef>();
        while (true)
        {
            KqlToken column = ExpectIdentifier("a column name in 'project'");
            if (Peek().IsSymbol("="))
                throw Error(Peek(), "'project' with new column names or expressions is not supported by this emulator");
            if (Peek().IsSymbol(".") || Peek().IsSymbol("["))
                throw Error(Peek(), "'project' takes whole columns in this emulator, not dynamic paths");
            columns.Add(new NameRef(column.Text, column.Offset));
            if (!Peek().IsSymbol(","))
                return new ProjectStage(op.Offset, columns);
            Take();
        }
    }

    private OrderStage ParseOrder(KqlToken op)
    {
        var keys = new List<SortKey>();
        while (true)
        {
            KqlToken column = ExpectIdentifier($"a column name in '{op.Text} by'");
            bool descending = true; // Kusto's default
            if (Peek().IsIdentifier("asc") || Peek().IsIdentifier("desc"))
                descending = Take().Text == "desc";
            if (Peek().IsIdentifier("nulls"))
            {
                Take();
                KqlToken where = Take();
                if (!where.IsIdentifier("first") && !where.IsIdentifier("last"))
                    throw Error(where, "expected 'first' or 'last' after 'nulls'");
            }
            keys.Add(new SortKey(new NameRef(column.Text, column.Offset), descending));
            if (!Peek().IsSymbol(","))
                return new OrderStage(op.Offset, keys);
            Take();
        }
    }

    private SummarizeStage ParseSummarize(KqlToken op)
    {
        KqlToken aggregate = ExpectIdentifier("an aggregation: count()");
        if (aggregate.Text != "count")
            throw Error(aggregate, Peek().IsSymbol("=")
                ? "'summarize' with a named aggregation is not supported by this emulator (write count())"
                : $"the aggregation '{aggregate.Text}' is not supported by this emulator (count() only)");
        ExpectSymbol("(", "after count");
        ExpectSymbol(")", "count() takes no argument");
        if (!Peek().IsIdentifier("by"))
            return new SummarizeStage(op.Offset, null);
        Take();

        KqlToken bin = Take();
        if (!bin.IsIdentifier("bin"))
            throw Error(bin, "this emulator summarizes by bin(TimeGenerated, <timespan>) only");
        ExpectSymbol("(", "after bin");
        KqlToken column = ExpectIdentifier("a column in bin(column, timespan)");
        ExpectSymbol(",", "and the bin size in bin(column, timespan)");
        KqlToken size = Take();
        if (size.Kind != KqlTokenKind.Timespan)
            throw Error(size, "expected a timespan bin size such as 1h, 1d, 30m or 10s");
        var span = (TimeSpan)size.Value!;
        if (span <= TimeSpan.Zero)
            throw Error(size, "the bin size must be positive");
        ExpectSymbol(")", "to close bin(");
        return new SummarizeStage(op.Offset, new BinSpec(new NameRef(column.Text, column.Offset), span, bin.Offset));
    }
}

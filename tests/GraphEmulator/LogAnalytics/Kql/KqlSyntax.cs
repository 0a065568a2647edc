using System.Collections.Generic;

namespace GraphEmulator.LogAnalytics.Kql;

// The parsed query (README.md, "The KQL accepted"): let statements, then one tabular expression,
// a source and its pipeline of operators; scalar expressions as a tree. Every part keeps the
// offset where it was written, so a semantic error can say where it is.

internal sealed record KqlScript(IReadOnlyList<LetStatement> Lets, TabularExpr Query);

/// <summary>A name as written (a table, a column, a let) and where.</summary>
internal sealed record NameRef(string Name, int Offset);

// ---- let statements ----

internal abstract record LetStatement(NameRef Name);

/// <summary><c>let name = scalar;</c></summary>
internal sealed record LetScalar(NameRef Name, ScalarExpr Value) : LetStatement(Name);

/// <summary><c>let name = (p:type, …) { scalar };</c>, a user-defined function (inlined where it is called).</summary>
internal sealed record LetFunction(NameRef Name, IReadOnlyList<LambdaParameter> Parameters, ScalarExpr Body) : LetStatement(Name);

internal sealed record LambdaParameter(NameRef Name, KqlType Type);

/// <summary><c>let name = tabular;</c></summary>
internal sealed record LetTabular(NameRef Name, TabularExpr Value) : LetStatement(Name);

// ---- tabular expressions ----

internal abstract record TabularExpr(int Offset);

/// <summary>A table or a tabular let, by name.</summary>
internal sealed record TableSource(NameRef Name) : TabularExpr(Name.Offset);

/// <summary><c>datatable(a:type, …) [ v, … ]</c>: the values row by row.</summary>
internal sealed record DatatableSource(int Offset, IReadOnlyList<(NameRef Name, KqlType Type)> Columns, IReadOnlyList<ScalarExpr> Values) : TabularExpr(Offset);

/// <summary><c>print [name =] expr, …</c>: one row.</summary>
internal sealed record PrintSource(int Offset, IReadOnlyList<NamedExpr> Items) : TabularExpr(Offset);

/// <summary><c>Source | Operator</c>.</summary>
internal sealed record PipeExpr(TabularExpr Source, KqlOperator Operator) : TabularExpr(Source.Offset);

// ---- tabular operators ----

internal abstract record KqlOperator(string Name, int Offset);

/// <summary><c>where predicate</c> (or <c>filter</c>).</summary>
internal sealed record WhereOperator(int Offset, ScalarExpr Predicate) : KqlOperator("where", Offset);

/// <summary><c>extend [name =] expr, …</c></summary>
internal sealed record ExtendOperator(int Offset, IReadOnlyList<NamedExpr> Items) : KqlOperator("extend", Offset);

/// <summary><c>project [name =] expr, …</c></summary>
internal sealed record ProjectOperator(int Offset, IReadOnlyList<NamedExpr> Items) : KqlOperator("project", Offset);

/// <summary><c>order by expr [asc|desc] [nulls first|last], …</c> (or <c>sort by</c>).</summary>
internal sealed record OrderOperator(int Offset, IReadOnlyList<SortKey> Keys) : KqlOperator("order", Offset);

/// <summary><c>summarize [name =] aggregate(…), … [by [name =] expr, …]</c>; <see cref="ByBin"/>: by one bin(column, timespan).</summary>
internal sealed record SummarizeOperator(int Offset, IReadOnlyList<NamedExpr> Aggregates, IReadOnlyList<NamedExpr> By, bool ByBin = false) : KqlOperator("summarize", Offset);

/// <summary><c>scan declare (name:type [= default], …) with (step name: condition [=> name = expr, …];)</c>: one step.</summary>
internal sealed record ScanOperator(int Offset, IReadOnlyList<ScanDeclaration> Declarations, NameRef Step, ScalarExpr Condition, IReadOnlyList<NamedExpr> Assignments)
    : KqlOperator("scan", Offset);

internal sealed record ScanDeclaration(NameRef Name, KqlType Type, ScalarExpr? Default);

/// <summary><c>take N</c> / <c>limit N</c>.</summary>
internal sealed record TakeOperator(int Offset, long Count) : KqlOperator("take", Offset);

/// <summary><c>mv-apply [with_itemindex = name] [name =] expr [to typeof(type)], … on ( subquery )</c></summary>
internal sealed record MvApplyOperator(int Offset, NameRef? ItemIndex, IReadOnlyList<MvApplyExpansion> Expansions, IReadOnlyList<KqlOperator> SubQuery)
    : KqlOperator("mv-apply", Offset);

internal sealed record MvApplyExpansion(NameRef? Name, ScalarExpr Array, KqlType Type);

/// <param name="NullsFirst">As written; null: Kusto's default (first when ascending, last when descending).</param>
internal sealed record SortKey(ScalarExpr Key, bool Descending, bool? NullsFirst);

/// <summary>An expression with the column name it was given, if any.</summary>
internal sealed record NamedExpr(NameRef? Name, ScalarExpr Value);

// ---- scalar expressions ----

internal abstract record ScalarExpr(int Offset, string Text);

/// <summary>A literal: its type and value (string, long, double, bool, DateTime, TimeSpan, Guid, DynamicValue, or null).</summary>
internal sealed record LiteralExpr(int Offset, string Text, KqlType Type, object? Value) : ScalarExpr(Offset, Text);

/// <summary>A column, a scalar let or a function parameter, by name.</summary>
internal sealed record NameExpr(NameRef Name) : ScalarExpr(Name.Offset, Name.Name);

/// <summary><c>target.name</c> or <c>target["name"]</c>.</summary>
internal sealed record MemberExpr(int Offset, string Text, ScalarExpr Target, string Member) : ScalarExpr(Offset, Text);

/// <summary><c>target[index]</c> with a whole-number index.</summary>
internal sealed record IndexExpr(int Offset, string Text, ScalarExpr Target, ScalarExpr Index) : ScalarExpr(Offset, Text);

/// <summary><c>*</c> as an argument (arg_max(expr, *)): every column.</summary>
internal sealed record StarExpr(int Offset) : ScalarExpr(Offset, "*");

/// <summary><c>name(arg, …)</c>: a built-in function, an aggregation or a user-defined function.</summary>
internal sealed record CallExpr(int Offset, string Text, NameRef Function, IReadOnlyList<ScalarExpr> Arguments) : ScalarExpr(Offset, Text);

/// <summary><c>left op right</c>: and, or, ==, !=, =~, !~, &lt;, &lt;=, &gt;, &gt;=, startswith, endswith and their negations, matches regex, + and -.</summary>
internal sealed record BinaryExpr(int Offset, string Text, string Operator, int OperatorOffset, ScalarExpr Left, ScalarExpr Right) : ScalarExpr(Offset, Text);

/// <summary><c>left in (a, b, …)</c>, also <c>in~</c>, <c>!in</c>, <c>!in~</c>; a value may be a tabular expression (<see cref="TabularValueExpr"/>, or a tabular let by name).</summary>
internal sealed record InExpr(int Offset, string Text, string Operator, int OperatorOffset, ScalarExpr Left, IReadOnlyList<ScalarExpr> Values) : ScalarExpr(Offset, Text);

/// <summary>
/// A tabular expression written where a scalar list takes one: <c>x in ((T | …))</c>, <c>x in (T | …)</c>
/// as the list's only item, <c>x in (datatable(…)[…])</c>. Bound only as the values of <c>in</c>.
/// </summary>
internal sealed record TabularValueExpr(int Offset, string Text, TabularExpr Query) : ScalarExpr(Offset, Text);

using System;
using System.Collections.Generic;

namespace GraphEmulator.LogAnalytics.Kql;

// The parsed query: a table name and its pipeline of operators, each part with the offset where
// it was written, so a semantic error can say where it is.

internal sealed record KqlQuery(NameRef Table, IReadOnlyList<KqlStage> Stages);

/// <summary>A name as written (a table or a column) and where.</summary>
internal sealed record NameRef(string Name, int Offset);

internal abstract record KqlStage(string Operator, int Offset);

/// <summary><c>where A and B and …</c></summary>
internal sealed record WhereStage(int Offset, IReadOnlyList<KqlCondition> Conditions) : KqlStage("where", Offset);

/// <summary><c>project A, B, …</c></summary>
internal sealed record ProjectStage(int Offset, IReadOnlyList<NameRef> Columns) : KqlStage("project", Offset);

/// <summary><c>order by A [asc|desc], …</c> (or <c>sort by</c>); descending unless asc.</summary>
internal sealed record OrderStage(int Offset, IReadOnlyList<SortKey> Keys) : KqlStage("order", Offset);

/// <summary><c>summarize count() [by bin(Column, span)]</c>.</summary>
internal sealed record SummarizeStage(int Offset, BinSpec? By) : KqlStage("summarize", Offset);

/// <summary><c>take N</c> / <c>limit N</c>.</summary>
internal sealed record TakeStage(int Offset, long Count) : KqlStage("take", Offset);

internal sealed record SortKey(NameRef Column, bool Descending);

internal sealed record BinSpec(NameRef Column, TimeSpan Size, int Offset);

/// <summary>
/// <c>Left Op Right</c> (a comparison with a literal) or <c>Left in (…)</c> / <c>Left in~ (…)</c>
/// (<see cref="InList"/> set, <see cref="Right"/> null).
/// </summary>
internal sealed record KqlCondition(KqlOperand Left, string Op, int OpOffset, KqlLiteral? Right, IReadOnlyList<StringLiteral>? InList);

internal abstract record KqlOperand(int Offset);

/// <summary>A column by name.</summary>
internal sealed record ColumnOperand(NameRef Column) : KqlOperand(Column.Offset);

/// <summary><c>Column.a.b[0]["c"]</c> without tostring(): parsed so that the error can say what is missing.</summary>
internal sealed record DynamicPathOperand(NameRef Column, IReadOnlyList<PathSegment> Path) : KqlOperand(Column.Offset);

/// <summary><c>tostring(Column.a.b…)</c>, the path possibly empty.</summary>
internal sealed record ToStringOperand(int Offset, NameRef Column, IReadOnlyList<PathSegment> Path) : KqlOperand(Offset);

/// <summary><c>hash(Column, Modulus)</c>.</summary>
internal sealed record HashOperand(int Offset, NameRef Column, long Modulus, int ModulusOffset) : KqlOperand(Offset);

/// <summary>A step into a dynamic value: a property name, or an array index.</summary>
internal sealed record PathSegment(string? Name, int? Index);

internal abstract record KqlLiteral(int Offset, string Text);

internal sealed record StringLiteral(int Offset, string Text, string Value) : KqlLiteral(Offset, Text);

/// <summary><c>datetime(…)</c>, in UTC ticks.</summary>
internal sealed record DateTimeLiteral(int Offset, string Text, long Ticks) : KqlLiteral(Offset, Text);

internal sealed record LongLiteral(int Offset, string Text, long Value) : KqlLiteral(Offset, Text);

using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// Kusto's scalar types that this emulator has values of. A value of each (<see cref="KqlValues"/>)
/// is: string a non-null <see cref="string"/> (Kusto strings are never null), long and int a
/// <see cref="long"/>, real a <see cref="double"/>, bool a <see cref="bool"/>, datetime a UTC
/// <see cref="System.DateTime"/>, timespan a <see cref="TimeSpan"/>, guid a <see cref="System.Guid"/>,
/// dynamic a <see cref="DynamicValue"/>; a null of any type but string is C# null.
/// </summary>
internal enum KqlType
{
    String,
    DateTime,
    Long,
    Dynamic,
    Bool,
    Int,
    Real,
    Guid,
    Timespan,
}

/// <summary>
/// A column of a table: its name, its Kusto type and how to read its value from a row. A row is
/// a <see cref="LogRow"/> in the AuditLogs table as stored, an <c>object?[]</c> after any
/// operator that makes new rows (extend, project, summarize, mv-apply, datatable, print).
/// </summary>
internal sealed class KqlColumn
{
    private KqlColumn(string name, KqlType type, Func<object, object?> get, int index = -1) => (Name, Type, Get, Index) = (name, type, get, index);

    public string Name { get; }
    public KqlType Type { get; }

    /// <summary>The column's slot in an <c>object?[]</c> row (<see cref="AtIndex"/>); -1 for a column read otherwise.</summary>
    public int Index { get; }

    /// <summary>The value in a row, as <see cref="KqlType"/> says.</summary>
    public Func<object, object?> Get { get; }

    /// <summary>The type's name on the wire (<c>columns[].type</c>) and in error messages.</summary>
    public string TypeName => TypeNameOf(Type);

    public static string TypeNameOf(KqlType type) => type switch
    {
        KqlType.String => "string",
        KqlType.DateTime => "datetime",
        KqlType.Long => "long",
        KqlType.Bool => "bool",
        KqlType.Int => "int",
        KqlType.Real => "real",
        KqlType.Guid => "guid",
        KqlType.Timespan => "timespan",
        _ => "dynamic",
    };

    /// <summary>A type by the name Kusto writes it in a schema or <c>typeof()</c> (null: not one this emulator has).</summary>
    public static KqlType? TypeNamed(string name) => name switch
    {
        "string" => KqlType.String,
        "datetime" or "date" => KqlType.DateTime,
        "long" or "int64" => KqlType.Long,
        "int" or "int32" => KqlType.Int,
        "real" or "double" => KqlType.Real,
        "bool" or "boolean" => KqlType.Bool,
        "guid" or "uniqueid" => KqlType.Guid,
        "timespan" or "time" => KqlType.Timespan,
        "dynamic" => KqlType.Dynamic,
        _ => null,
    };

    public static KqlColumn Of(string name, KqlType type, Func<object, object?> get) => new(name, type, get);

    /// <summary>Column <paramref name="index"/> of an <c>object?[]</c> row.</summary>
    public static KqlColumn AtIndex(string name, KqlType type, int index) => new(name, type, row => ((object?[])row)[index], index);

    /// <summary>Whether rows of these columns are <c>object?[]</c> holding column i in slot i: copied whole, not column by column.</summary>
    public static bool InSlots(IReadOnlyList<KqlColumn> columns)
    {
        for (int i = 0; i < columns.Count; i++)
        {
            if (columns[i].Index != i)
                return false;
        }
        return true;
    }

    public static KqlColumn OfString(string name, Func<object, string> get) => new(name, KqlType.String, get);

    public static KqlColumn OfDateTime(string name, Func<object, long> ticks) =>
        new(name, KqlType.DateTime, row => new DateTime(ticks(row), DateTimeKind.Utc));

    public static KqlColumn OfDynamic(string name, Func<object, DynamicValue> get) => new(name, KqlType.Dynamic, get);
}

/// <summary>The <c>AuditLogs</c> table's schema (README.md, "Log Analytics", "The AuditLogs table").</summary>
internal static class AuditLogsTable
{
    public const string Name = "AuditLogs";
    public const string TimeGenerated = "TimeGenerated";

    private static LogRow Row(object row) => (LogRow)row;

    private static string Text(object row, Func<AuditRecord, string?> value, string jsonName)
    {
        LogSource source = ((LogRow)row).Source;
        return source.Text(value(source.Record), jsonName);
    }

    public static IReadOnlyList<KqlColumn> Columns { get; } =
    [
        KqlColumn.OfDateTime(TimeGenerated, r => Row(r).Ticks),
        KqlColumn.OfString("Id", r => Row(r).Id),
        KqlColumn.OfString("Category", r => Text(r, x => x.Category, AuditJsonNames.Category)),
        KqlColumn.OfString("ActivityDisplayName", r => Text(r, x => x.ActivityDisplayName, AuditJsonNames.ActivityDisplayName)),
        KqlColumn.OfDateTime("ActivityDateTime", r => Row(r).Ticks),
        KqlColumn.OfString("OperationName", r => Text(r, x => x.ActivityDisplayName, AuditJsonNames.ActivityDisplayName)),
        KqlColumn.OfString("Result", r => Text(r, x => x.Result, AuditJsonNames.Result)),
        KqlColumn.OfString("ResultReason", r => Text(r, x => x.ResultReason, AuditJsonNames.ResultReason)),
        KqlColumn.OfString("ResultDescription", _ => ""),
        KqlColumn.OfString("AADOperationType", r => Text(r, x => x.OperationType, AuditJsonNames.OperationType)),
        KqlColumn.OfString("LoggedByService", r => Text(r, x => x.LoggedByService, AuditJsonNames.LoggedByService)),
        KqlColumn.OfString("CorrelationId", r => Row(r).CorrelationId),
        KqlColumn.OfString("AADTenantId", r => Row(r).AadTenantId),
        KqlColumn.OfDynamic("InitiatedBy", r => Row(r).Source.InitiatedBy),
        KqlColumn.OfDynamic("TargetResources", r => Row(r).Source.TargetResources),
        KqlColumn.OfDynamic("AdditionalDetails", r => Row(r).Source.AdditionalDetails),
        KqlColumn.OfString("TenantId", r => Row(r).WorkspaceId),
        KqlColumn.OfString("SourceSystem", _ => "Azure AD"),
        KqlColumn.OfString("Type", _ => Name),
    ];

    public static KqlColumn? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

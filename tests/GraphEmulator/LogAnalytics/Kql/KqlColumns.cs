using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.LogAnalytics.Kql;

internal enum KqlType
{
    String,
    DateTime,
    Long,
    Dynamic,
}

/// <summary>
/// A column of a result: its name, its Kusto type and how to read it from a row object (a
/// <see cref="LogRow"/> for the table, a summarize row after <c>summarize</c>). Exactly one getter
/// is set, by type: <see cref="Text"/> for string, <see cref="Number"/> for datetime (UTC ticks)
/// and long, <see cref="Dynamic"/> for dynamic.
/// </summary>
internal sealed class KqlColumn
{
    private KqlColumn(string name, KqlType type) => (Name, Type) = (name, type);

    public string Name { get; }
    public KqlType Type { get; }
    public Func<object, string>? Text { get; private init; }
    public Func<object, long>? Number { get; private init; }
    public Func<object, DynamicValue>? Dynamic { get; private init; }

    /// <summary>The type's name on the wire (<c>columns[].type</c>) and in error messages.</summary>
    public string TypeName => TypeNameOf(Type);

    public static string TypeNameOf(KqlType type) => type switch
    {
        KqlType.String => "string",
        KqlType.DateTime => "datetime",
        KqlType.Long => "long",
        _ => "dynamic",
    };

    public static KqlColumn OfString(string name, Func<object, string> get) => new(name, KqlType.String) { Text = get };

    public static KqlColumn OfDateTime(string name, Func<object, long> ticks) => new(name, KqlType.DateTime) { Number = ticks };

    public static KqlColumn OfLong(string name, Func<object, long> get) => new(name, KqlType.Long) { Number = get };

    public static KqlColumn OfDynamic(string name, Func<object, DynamicValue> get) => new(name, KqlType.Dynamic) { Dynamic = get };

    /// <summary>The same column under another name (summarize keeps the binned column's name).</summary>
    public KqlColumn Renamed(string name) => new(name, Type) { Text = Text, Number = Number, Dynamic = Dynamic };
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

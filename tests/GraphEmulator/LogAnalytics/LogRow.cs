using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;

namespace GraphEmulator.LogAnalytics;

/// <summary>
/// A <c>dynamic</c> value: its JSON as text (what the query API sends) and that JSON parsed (what
/// the KQL engine reads). A cell of the table: <see cref="Text"/> is null for a JSON null, and
/// empty when the Graph record has no such property at all (an empty cell); both are null to
/// KQL (<see cref="Element"/> null). A value the engine makes (a path into a cell, an array it
/// builds) is never a JSON null: that is C# null (<see cref="Kql.KqlValues"/>).
/// </summary>
internal sealed class DynamicValue
{
    private JsonDocument? _document;
    private readonly JsonElement? _element;
    private string? _text;

    private DynamicValue(string? text) => _text = text;

    private DynamicValue(JsonElement element) => _element = element;

    public static DynamicValue Null { get; } = new((string?)null);

    public static DynamicValue Empty { get; } = new("");

    /// <summary>The JSON text; null for a JSON null cell, "" for an empty cell.</summary>
    public string? Text => _text ??= _element?.GetRawText();

    public static DynamicValue Of(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, GraphJson.WriterOptions))
            write(writer);
        string text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        return text == "null" ? Null : new DynamicValue(text);
    }

    /// <summary>A cell holding this JSON text as it is (null: a JSON null; "": an empty cell).</summary>
    public static DynamicValue OfText(string? text) => text is null || text == "null" ? Null : text.Length == 0 ? Empty : new DynamicValue(text);

    /// <summary>A value the engine made from a JSON element; null for a JSON null.</summary>
    public static DynamicValue? OfElement(JsonElement element) =>
        element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : new DynamicValue(element);

    /// <summary>The parsed value; null for an empty cell or a JSON null.</summary>
    public JsonElement? Element
    {
        get
        {
            if (_element is { } element)
                return element.ValueKind == JsonValueKind.Null ? null : element;
            if (string.IsNullOrEmpty(_text))
                return null;
            if (_document is null)
                Interlocked.CompareExchange(ref _document, JsonDocument.Parse(_text), null);
            return _document.RootElement.ValueKind == JsonValueKind.Null ? null : _document.RootElement;
        }
    }
}

/// <summary>
/// What rows cloned from one Graph record share: the record (for its strings) and its three
/// dynamic cells, written once.
/// </summary>
internal sealed class LogSource
{
    public LogSource(AuditRecord record)
    {
        Record = record;
        InitiatedBy = record.IsOmitted(AuditJsonNames.InitiatedBy)
            ? DynamicValue.Empty
            : DynamicValue.Of(w => AuditRecordJson.WriteInitiator(w, record.InitiatedBy));
        TargetResources = record.IsOmitted(AuditJsonNames.TargetResources)
            ? DynamicValue.Empty
            : DynamicValue.Of(w => AuditRecordJson.WriteTargets(w, record.TargetResources));
        AdditionalDetails = record.IsOmitted(AuditJsonNames.AdditionalDetails)
            ? DynamicValue.Empty
            : DynamicValue.Of(w => AuditRecordJson.WriteDetails(w, record.AdditionalDetails));
    }

    /// <summary>A source whose dynamic cells are given as they are (a corpus record's own JSON).</summary>
    public LogSource(AuditRecord record, DynamicValue initiatedBy, DynamicValue targetResources, DynamicValue additionalDetails)
    {
        Record = record;
        InitiatedBy = initiatedBy;
        TargetResources = targetResources;
        AdditionalDetails = additionalDetails;
    }

    public AuditRecord Record { get; }
    public DynamicValue InitiatedBy { get; }
    public DynamicValue TargetResources { get; }
    public DynamicValue AdditionalDetails { get; }

    /// <summary>Kusto strings are never null: a missing or null Graph string is an empty cell.</summary>
    public string Text(string? value, string jsonName) => value is null || Record.IsOmitted(jsonName) ? "" : value;
}

/// <summary>
/// One row of an <c>AuditLogs</c> table. Id, correlation id and time are the row's own; the rest
/// comes from its <see cref="LogSource"/>, shared by every row cloned from the same record.
/// </summary>
internal sealed class LogRow(long ticks, string id, string correlationId, string aadTenantId, string workspaceId, LogSource source)
{
    /// <summary>TimeGenerated = ActivityDateTime, in UTC ticks.</summary>
    public long Ticks { get; } = ticks;
    public string Id { get; } = id;
    public string CorrelationId { get; } = correlationId;
    public string AadTenantId { get; } = aadTenantId;
    public string WorkspaceId { get; } = workspaceId;
    public LogSource Source { get; } = source;

    public bool IsSupportAccess => Source.Record.Category == AuditDataSet.SupportAccessCategory;

    /// <summary>Storage order: time, then id (ordinal).</summary>
    public static int Compare(LogRow a, LogRow b)
    {
        int byTime = a.Ticks.CompareTo(b.Ticks);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    }
}

/// <summary>Finds (or makes) the shared <see cref="LogSource"/> of a record, so clones share one.</summary>
internal sealed class LogSourceCache
{
    private readonly Dictionary<AuditRecord, LogSource> _sources = [];

    public LogSource For(AuditRecord record)
    {
        // Records are compared by value (lists and sets by reference): clones of one template,
        // differing only in id, correlation id and time, are the same source.
        AuditRecord key = record with { Id = "", CorrelationId = null, ActivityDateTime = default };
        if (!_sources.TryGetValue(key, out LogSource? source))
            _sources[key] = source = new LogSource(key);
        return source;
    }
}

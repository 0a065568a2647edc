using System;
using System.Text;

namespace SupportAccessLogs;

/// <summary>
/// One Microsoft Support access activity from the Entra audit log, classified and flattened so
/// that every property is a scalar that survives Export-Csv.
/// </summary>
public abstract class SupportAccessActivity
{
    private readonly byte[] _rawRecord;
    private readonly string[]? _rawColumns;

    private protected SupportAccessActivity(Category category, byte[] rawRecord, string[]? rawColumns)
    {
        Category = category;
        _rawRecord = rawRecord;
        _rawColumns = rawColumns;
    }

    /// <summary>
    /// When the activity happened: a [datetime] in UTC (it compares, sorts and converts as one)
    /// whose text is ISO 8601, so that Export-Csv and ConvertTo-Csv don't write it in the host's
    /// culture. Declared as object because only a PSObject can carry that text with the DateTime.
    /// </summary>
    /// <remarks>
    /// Why here and not as type data: a type-level CodeProperty cost Export-Csv about 7 µs per
    /// row (PowerShell copies and re-checks the member on every read), and a note property on
    /// each object costs more at output than the whole read does; the .NET property is read by
    /// PowerShell's adapter as cheaply as any other (tests/perf/README.md, "Output objects").
    /// </remarks>
    public object ActivityDateTime => IsoDateTime.Wrap(ActivityTime);
    public string Id { get; internal set; } = "";
    /// <summary>The tenant whose audit log holds the activity: the connection's tenant on the
    /// Graph path, the row's AADTenantId from a Log Analytics workspace. Cross-tenant evidence is
    /// judged against it.</summary>
    public string TenantId { get; internal set; } = "";
    /// <summary>When the activity happened, in UTC, typed, for the module's own code.</summary>
    internal DateTime ActivityTime { get; set; }
    /// <summary>The time its source orders and windows it by (Graph: ActivityTime; a workspace:
    /// TimeGenerated), in UTC: how far a read has got, for evidence files.</summary>
    internal DateTime SourceTime { get; set; }
    /// <summary>The tenant of the connection that read it (a workspace row may be another tenant's).</summary>
    internal Guid ReadBy { get; set; }
    public Category Category { get; }
    public Activity Activity { get; internal set; }
    /// <summary>The activity name exactly as the audit log wrote it.</summary>
    public string ActivityDisplayName { get; internal set; } = "";
    /// <summary>Set for cross-tenant activities only.</summary>
    public TenantRole? TenantRole { get; internal set; }
    public string Result { get; internal set; } = "";
    public string ResultReason { get; internal set; } = "";
    public InitiatorType InitiatorType { get; internal set; }
    /// <summary>The initiating user's UPN, or the initiating app's display name.</summary>
    public string InitiatedBy { get; internal set; } = "";
    /// <summary>The initiating user's object id, or the initiating app's application id.</summary>
    public string InitiatorId { get; internal set; } = "";
    public string InitiatorIpAddress { get; internal set; } = "";
    public string SupportRequestId { get; internal set; } = "";
    /// <summary>The other tenant of a cross-tenant activity.</summary>
    public string OtherTenantId { get; internal set; } = "";
    public string CorrelationId { get; internal set; } = "";
    public string LoggedByService { get; internal set; } = "";
    public string OperationType { get; internal set; } = "";
    /// <summary>The target resources and their modified properties, flattened to one line per resource.</summary>
    public string TargetResources { get; internal set; } = "";
    /// <summary>The id of the support access request's own target resource, from the record's
    /// targets (not from their text): what groups the activity into a request when it names no
    /// support request id (docs/architecture.md, "Support request lifecycle").</summary>
    internal string? RequestTargetId { get; set; }
    /// <summary>The additional details as "key=value" pairs separated by "; ".</summary>
    public string AdditionalDetails { get; internal set; } = "";
    /// <summary>Which evidence in the record decided Category and Activity, in the words of the
    /// classification rules, so that a record the rules misread shows why at once.</summary>
    public string ClassificationReason { get; internal set; } = "";

    /// <summary>What the record said about its initiator (for -Verbose; not part of the output).</summary>
    internal InitiatorEvidence Initiator { get; set; }

    /// <summary>The audit record as its source returned it (JSON): Microsoft Graph's record, or a
    /// Log Analytics row as an object of its columns (dynamic columns as the JSON they hold).</summary>
    /// <remarks>A method rather than a property so that Export-Csv and ConvertTo-Json stay flat;
    /// a row becomes an object only here, when asked, not for every activity read.</remarks>
    public string GetRawRecord() =>
        _rawColumns is null ? Encoding.UTF8.GetString(_rawRecord) : RowJson.ToObject(_rawRecord, _rawColumns);

    public override string ToString() => $"{IsoDateTime.Format(ActivityTime)} {Category} {Activity} {Id}";
}

public sealed class UserInitiatedActivity : SupportAccessActivity
{
    internal UserInitiatedActivity(byte[] rawRecord, string[]? rawColumns = null) : base(Category.UserInitiated, rawRecord, rawColumns) { }
}

public sealed class AutomatedActivity : SupportAccessActivity
{
    internal AutomatedActivity(byte[] rawRecord, string[]? rawColumns = null) : base(Category.Automated, rawRecord, rawColumns) { }
}

public sealed class CrossTenantActivity : SupportAccessActivity
{
    internal CrossTenantActivity(byte[] rawRecord, string[]? rawColumns = null) : base(Category.CrossTenant, rawRecord, rawColumns) { }
}

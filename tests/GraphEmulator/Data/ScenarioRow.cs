using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.Data;

/// <summary>Who a scenario says initiated a record, including the shapes real payloads vary in.</summary>
internal readonly record struct Initiated(AuditInitiator? Value, bool Missing = false)
{
    public static Initiated User(AuditUserIdentity user) => new(new AuditInitiator(user, null));
    public static Initiated App(AuditAppIdentity app) => new(new AuditInitiator(null, app));
    public static Initiated UserAndApp(AuditUserIdentity user, AuditAppIdentity app) => new(new AuditInitiator(user, app));

    /// <summary><c>"initiatedBy":{"user":null,"app":null}</c></summary>
    public static Initiated Nobody => new(new AuditInitiator(null, null));

    /// <summary><c>"initiatedBy":null</c></summary>
    public static Initiated Null => new(null);

    /// <summary>No <c>initiatedBy</c> property at all.</summary>
    public static Initiated Absent => new(null, Missing: true);
}

/// <summary>When a scenario record happens relative to the others.</summary>
internal enum Placement
{
    /// <summary>Anywhere in the seeded window.</summary>
    Anywhere,

    /// <summary>
    /// Minutes to hours after the previous row, sharing its correlation id and its default
    /// target's id (one workflow: one support request).
    /// </summary>
    AfterPrevious,

    /// <summary>Before the retention window: stored, never served, not in the truth.</summary>
    Expired,
}

/// <summary>
/// One hand-written row of the scenario table: the record's content and its author's intent.
/// Ids, correlation ids and times are filled in by <see cref="ScenarioGenerator"/> from the seed.
/// </summary>
internal sealed class ScenarioRow
{
    public const string SupportAccessCategory = "MicrosoftSupportAccessManagement";
    public const string CoreDirectory = "Core Directory";

    private readonly HashSet<string> _omitted = new(StringComparer.Ordinal);
    private readonly List<RawJsonProperty> _extras = [];

    public ScenarioRow(string activityDisplayName, Initiated initiatedBy)
    {
        ActivityDisplayName = activityDisplayName;
        InitiatedBy = initiatedBy.Value;
        if (initiatedBy.Missing)
            _omitted.Add(AuditJsonNames.InitiatedBy);
    }

    public string ActivityDisplayName { get; }
    public AuditInitiator? InitiatedBy { get; }
    public string Category { get; private set; } = SupportAccessCategory;
    public string? LoggedByService { get; private set; } = CoreDirectory;
    public string? OperationType { get; private set; } = "Other";
    public string? ResultValue { get; private set; } = "success";
    public string? ResultReason { get; private set; } = "";
    public IReadOnlyList<AuditKeyValue>? AdditionalDetails { get; private set; } = [];

    /// <summary>
    /// Null until set: the generator then makes a default target, the support request
    /// ("Microsoft Support access request"), whose id the steps of one workflow share.
    /// </summary>
    public IReadOnlyList<AuditTargetResource>? TargetResources { get; private set; }
    public bool TargetsSet { get; private set; }
    public ScenarioExpectation? Expected { get; private set; }
    public Placement Placement { get; private set; } = Placement.Anywhere;
    public IReadOnlySet<string> Omitted => _omitted;
    public IReadOnlyList<RawJsonProperty> Extras => _extras;

    public ScenarioRow Expect(string category, string activity, string tenantRole = ExpectedTenantRole.None,
        string otherTenantId = "", string supportRequestId = "")
    {
        Expected = new ScenarioExpectation(category, activity, tenantRole, otherTenantId, supportRequestId);
        return this;
    }

    /// <summary>A record of another category: served, never support-access truth.</summary>
    public ScenarioRow InCategory(string category, string? loggedByService = CoreDirectory)
    {
        Category = category;
        LoggedByService = loggedByService;
        return this;
    }

    public ScenarioRow Operation(string? operationType)
    {
        OperationType = operationType;
        return this;
    }

    public ScenarioRow Result(string? result, string? reason)
    {
        ResultValue = result;
        ResultReason = reason;
        return this;
    }

    public ScenarioRow Details(params (string? Key, string? Value)[] entries)
    {
        AdditionalDetails = entries.Select(e => new AuditKeyValue(e.Key, e.Value)).ToArray();
        return this;
    }

    public ScenarioRow DetailsNull()
    {
        AdditionalDetails = null;
        return this;
    }

    public ScenarioRow DetailsAbsent()
    {
        AdditionalDetails = null;
        _omitted.Add(AuditJsonNames.AdditionalDetails);
        return this;
    }

    public ScenarioRow Targets(params AuditTargetResource[] targets)
    {
        TargetResources = targets;
        TargetsSet = true;
        return this;
    }

    public ScenarioRow TargetsNull()
    {
        TargetResources = null;
        TargetsSet = true;
        return this;
    }

    public ScenarioRow TargetsAbsent()
    {
        TargetsNull();
        _omitted.Add(AuditJsonNames.TargetResources);
        return this;
    }

    public ScenarioRow Extra(string name, string rawJson)
    {
        _extras.Add(new RawJsonProperty(name, rawJson));
        return this;
    }

    /// <summary>Drop a documented top-level property from the JSON (e.g. an older payload without it).</summary>
    public ScenarioRow Omit(string jsonName)
    {
        _omitted.Add(jsonName);
        return this;
    }

    public ScenarioRow Then()
    {
        Placement = Placement.AfterPrevious;
        return this;
    }

    public ScenarioRow Expired()
    {
        Placement = Placement.Expired;
        return this;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Requests;
using Xunit;
using static SupportAccessLogs.Activity;

namespace SupportAccessLogs.Tests;

/// <summary>Rule 6 and the grouping of activities into requests (LifecycleRules, RequestBook,
/// RequestLifecycle), on histories written by hand: every transition of the table, the
/// malformed histories, every fallback of the grouping key. Against the emulator's stories:
/// tests/pester/Requests.Tests.ps1.</summary>
public class RequestLifecycleTests
{
    private const string Tenant = "aaaaaaaa-1111-4111-8111-bbbbbbbbbbbb";
    private const string Partner = "cccccccc-2222-4222-8222-dddddddddddd";
    private static readonly DateTime T0 = new(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void RevokedByHand_EveryField()
    {
        SupportAccessRequest request = Single(
            Step(RequestCreated, 0, "a1"),
            Step(RequestApproved, 60, "a2", by: "admin@contoso.com"),
            Step(ApprovalCreated, 61, "a3"),
            Step(AccessRemovedManually, 24 * 60, "a4", by: "admin@contoso.com"));

        Assert.Equal("R1", request.SupportRequestId);
        Assert.Equal(Tenant, request.TenantId);
        Assert.Null(request.TenantRole);
        Assert.Equal(RequestState.Revoked, request.State);
        Assert.Equal(T0, request.CreatedTime);
        Assert.Equal(T0.AddMinutes(60), request.DecidedTime);
        Assert.Equal("admin@contoso.com", request.DecidedBy);
        Assert.Equal(T0.AddMinutes(61), request.AccessGrantedTime);
        Assert.Equal(T0.AddMinutes(24 * 60), request.AccessRemovedTime);
        Assert.Equal(RemovalKind.Manual, request.RemovalKind);
        Assert.Equal(TimeSpan.FromMinutes((24 * 60) - 61), request.AccessDuration);
        Assert.False(request.IsAccessActive);
        Assert.False(request.IsTruncated);
        Assert.Equal(4, request.ActivityCount);
        Assert.Equal(T0, request.FirstActivityTime);
        Assert.Equal(T0.AddMinutes(24 * 60), request.LastActivityTime);
        Assert.Equal("a1;a2;a3;a4", request.ActivityIds);
        Assert.Equal(RequestGrouping.SupportRequestId, request.GroupedBy);
    }

    [Fact]
    public void AccessStillGranted_IsActive_AndLastsUntilNow()
    {
        SupportAccessRequest request = Single(Step(RequestCreated, 0), Step(RequestApproved, 10, by: "zoe@contoso.com"), Step(ApprovalCreated, 11));

        Assert.Equal(RequestState.Approved, request.State);
        Assert.True(request.IsAccessActive);
        Assert.Equal(Now - T0.AddMinutes(11), request.AccessDuration);
        Assert.Equal(RemovalKind.None, request.RemovalKind);
        Assert.Null(request.AccessRemovedTime);
    }

    [Fact]
    public void Approved_WithoutAccessGranted_IsNotActive()
    {
        SupportAccessRequest request = Single(Step(RequestCreated, 0), Step(RequestApproved, 10, by: "zoe@contoso.com"));

        Assert.Equal(RequestState.Approved, request.State);
        Assert.False(request.IsAccessActive);
        Assert.Null(request.AccessDuration);
    }

    [Theory]
    // history (oldest first, in the same request) -> state, removal kind
    [InlineData(new[] { RequestCreated }, RequestState.Pending, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved }, RequestState.Approved, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestRejected }, RequestState.Rejected, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestCanceled }, RequestState.Canceled, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved, ApprovalCreated }, RequestState.Approved, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved, ApprovalCreated, AccessRemovedManually }, RequestState.Revoked, RemovalKind.Manual)]
    [InlineData(new[] { RequestCreated, RequestApproved, ApprovalCreated, AccessRemovedOnClosure }, RequestState.Completed, RemovalKind.Closure)]
    [InlineData(new[] { RequestCreated, RequestApproved, RequestCanceled }, RequestState.Canceled, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved, ApprovalCreated, RequestCanceled, AccessRemovedOnClosure }, RequestState.Canceled, RemovalKind.Closure)]
    // Missing steps: the state the evidence supports.
    [InlineData(new[] { RequestCreated, ApprovalCreated }, RequestState.Approved, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, AccessRemovedOnClosure }, RequestState.Completed, RemovalKind.Closure)]
    [InlineData(new[] { RequestApproved }, RequestState.Approved, RemovalKind.None)]
    [InlineData(new[] { AccessRemovedManually }, RequestState.Revoked, RemovalKind.Manual)]
    // Repeated and late steps add nothing.
    [InlineData(new[] { RequestCreated, RequestCreated }, RequestState.Pending, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved, RequestApproved }, RequestState.Approved, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestRejected, RequestRejected }, RequestState.Rejected, RemovalKind.None)]
    [InlineData(new[] { ApprovalCreated, AccessRemovedManually, AccessRemovedOnClosure }, RequestState.Revoked, RemovalKind.Manual)]
    [InlineData(new[] { ApprovalCreated, AccessRemovedOnClosure, RequestApproved }, RequestState.Completed, RemovalKind.Closure)]
    [InlineData(new[] { ApprovalCreated, RequestCreated }, RequestState.Approved, RemovalKind.None)]
    // Access granted again after its removal is access again (the access fields describe the latest grant).
    [InlineData(new[] { ApprovalCreated, AccessRemovedManually, ApprovalCreated }, RequestState.Approved, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved, ApprovalCreated, AccessRemovedOnClosure, ApprovalCreated, AccessRemovedManually }, RequestState.Revoked, RemovalKind.Manual)]
    // Histories that don't fit: Unknown, and Unknown stays.
    [InlineData(new[] { RequestCreated, RequestRejected, ApprovalCreated }, RequestState.Unknown, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestRejected, RequestApproved }, RequestState.Unknown, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestCanceled, RequestApproved }, RequestState.Unknown, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestApproved, RequestRejected }, RequestState.Unknown, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, RequestRejected, AccessRemovedOnClosure }, RequestState.Unknown, RemovalKind.Closure)]
    [InlineData(new[] { RequestCreated, RequestRejected, ApprovalCreated, AccessRemovedOnClosure }, RequestState.Unknown, RemovalKind.Closure)]
    [InlineData(new[] { Other }, RequestState.Unknown, RemovalKind.None)]
    [InlineData(new[] { RequestCreated, Other }, RequestState.Pending, RemovalKind.None)]
    public void Transitions(Activity[] history, RequestState state, RemovalKind removal)
    {
        SupportAccessRequest request = Single(history.Select((activity, i) => Step(activity, i * 10, by: "admin@contoso.com")).ToArray());

        Assert.Equal(state, request.State);
        Assert.Equal(removal, request.RemovalKind);
        Assert.Equal(history.Length, request.ActivityCount);
    }

    [Fact]
    public void EveryActivityOfTheRules_IsAStepOfTheLifecycle()
    {
        // A new activity in ClassificationRules must get its place in LifecycleRules too.
        foreach (Activity activity in Enum.GetValues(typeof(Activity)).Cast<Activity>().Where(a => a != Other))
        {
            Assert.True(LifecycleRules.Steps.ContainsKey(activity), $"{activity} has no lifecycle step");
        }
    }

    [Fact]
    public void StepsHandedOverNewestFirst_WalkOldestFirst()
    {
        ActivityFacts[] oldestFirst = { Step(RequestCreated, 0, "a1"), Step(RequestApproved, 5, "a2", by: "x@contoso.com"), Step(ApprovalCreated, 6, "a3"), Step(AccessRemovedOnClosure, 90, "a4") };

        SupportAccessRequest request = Single(oldestFirst.Reverse().ToArray());

        Assert.Equal(RequestState.Completed, request.State);
        Assert.Equal("a1;a2;a3;a4", request.ActivityIds);
    }

    [Fact]
    public void StepsOfOneInstant_TakeTheLifecycleOrder()
    {
        SupportAccessRequest request = Single(Step(AccessRemovedOnClosure, 0, "z1"), Step(ApprovalCreated, 0, "z2"), Step(RequestCreated, 0, "z3"), Step(RequestApproved, 0, "z4", by: "x@contoso.com"));

        Assert.Equal(RequestState.Completed, request.State);
        Assert.Equal("z3;z4;z2;z1", request.ActivityIds);
    }

    [Fact]
    public void TheSameActivityTwice_CountsOnce()
    {
        SupportAccessRequest request = Single(Step(RequestCreated, 0, "a1"), Step(RequestCreated, 0, "a1"), Step(RequestApproved, 3, "a2", by: "x@contoso.com"));

        Assert.Equal(2, request.ActivityCount);
        Assert.Equal("a1;a2", request.ActivityIds);
        Assert.Equal(RequestState.Approved, request.State);
    }

    [Fact]
    public void AHistoryThatDoesNotFit_SaysWhyInVerbose()
    {
        var sink = new Sink();

        SupportAccessRequest request = Single(sink, Step(RequestCreated, 0, "a1"), Step(RequestRejected, 5, "a2", by: "x@contoso.com"), Step(ApprovalCreated, 6, "a3"));

        Assert.Equal(RequestState.Unknown, request.State);
        string said = Assert.Single(sink.Verbose);
        Assert.Contains("R1", said);
        Assert.Contains("ApprovalCreated", said);
        Assert.Contains("a3", said);
        Assert.Contains("after Rejected", said);
        Assert.Empty(sink.Warnings);
    }

    [Fact]
    public void UnknownWithAccessGrantedAndNotRemoved_CountsAsActive()
    {
        // "Who can read our tenant now" errs towards naming a request whose history is unclear.
        SupportAccessRequest request = Single(Step(RequestCreated, 0), Step(RequestRejected, 5, by: "x@contoso.com"), Step(ApprovalCreated, 6));

        Assert.Equal(RequestState.Unknown, request.State);
        Assert.True(request.IsAccessActive);
    }

    [Fact]
    public void Truncated_WhenTheSidesOpeningStepWasNotSeen()
    {
        Assert.True(Single(Step(ApprovalCreated, 0), Step(AccessRemovedOnClosure, 10)).IsTruncated);
        Assert.False(Single(Step(RequestCreated, 0), Step(RequestApproved, 10)).IsTruncated);
        // The resource tenant of a cross-tenant request never sees the creation: its side opens with the approval created.
        Assert.False(Single(Step(ApprovalCreated, 0, side: TenantRole.ResourceTenant), Step(AccessRemovedManually, 10, side: TenantRole.ResourceTenant)).IsTruncated);
        Assert.True(Single(Step(AccessRemovedManually, 10, side: TenantRole.ResourceTenant)).IsTruncated);
        Assert.True(Single(Step(RequestApproved, 10, side: TenantRole.SupportRequestTenant)).IsTruncated);
    }

    [Fact]
    public void Grouping_ByRequestId_ThenTheRequestsTarget_ThenCorrelation_ElseEachAlone()
    {
        string target = ActivityClassifier.FlattenTargets(new List<SupportAccessLogs.Records.AuditTargetResource?>
        {
            new() { Type = "User", DisplayName = "Someone", Id = "not-this-one" },
            new() { Type = "Other", DisplayName = "Microsoft Support access request", Id = "t-42", ModifiedProperties = new() { new() { DisplayName = "Activity", OldValue = "", NewValue = "\"[x]\"" } } },
        });
        var sink = new Sink();
        List<SupportAccessRequest> requests = Close(sink,
            Step(RequestCreated, 0, "a1", request: "R7"),
            Step(RequestApproved, 1, "a2", request: " R7 ", by: "x@contoso.com"),
            Step(RequestCreated, 2, "b1", request: "", targets: target, correlation: "c-1"),
            Step(RequestApproved, 3, "b2", request: "", targets: target, correlation: "c-2", by: "x@contoso.com"),
            Step(RequestCreated, 4, "c1", request: "", correlation: "c-9"),
            Step(RequestRejected, 5, "c2", request: "", correlation: "c-9", by: "x@contoso.com"),
            Step(RequestCreated, 6, "d1", request: ""),
            Step(RequestCreated, 7, "d2", request: ""));

        Assert.Equal(5, requests.Count);
        SupportAccessRequest byId = requests.Single(r => r.GroupedBy == RequestGrouping.SupportRequestId);
        Assert.Equal(("R7", "a1;a2", RequestState.Approved), (byId.SupportRequestId, byId.ActivityIds, byId.State));
        SupportAccessRequest byTarget = requests.Single(r => r.GroupedBy == RequestGrouping.TargetResourceId);
        Assert.Equal(("", "t-42", "b1;b2"), (byTarget.SupportRequestId, byTarget.GroupKey, byTarget.ActivityIds));
        SupportAccessRequest byCorrelation = requests.Single(r => r.GroupedBy == RequestGrouping.CorrelationId);
        Assert.Equal(("c-9", "c1;c2", RequestState.Rejected), (byCorrelation.GroupKey, byCorrelation.ActivityIds, byCorrelation.State));
        SupportAccessRequest[] alone = requests.Where(r => r.GroupedBy == RequestGrouping.None).ToArray();
        Assert.Equal(new[] { "d2", "d1" }, alone.Select(r => r.ActivityIds));
        Assert.All(alone, r => Assert.Equal(RequestState.Unknown, r.State));
        Assert.All(alone, r => Assert.False(r.IsTruncated));
        Assert.Contains("2 activities", Assert.Single(sink.Warnings));
    }

    [Fact]
    public void TheSidesOfACrossTenantRequest_AndTenants_AreRequestsOfTheirOwn()
    {
        List<SupportAccessRequest> requests = Close(new Sink(),
            Step(RequestCreated, 0, "s1", side: TenantRole.SupportRequestTenant),
            Step(RequestApproved, 10, "s2", side: TenantRole.SupportRequestTenant, by: "x@contoso.com"),
            Step(ApprovalCreated, 11, "r1", side: TenantRole.ResourceTenant, tenant: Partner),
            Step(AccessRemovedOnClosure, 99, "r2", side: TenantRole.ResourceTenant, tenant: Partner),
            Step(ApprovalCreated, 12, "o1", side: TenantRole.ResourceTenant));

        Assert.Equal(3, requests.Count);
        SupportAccessRequest ours = requests.Single(r => r.TenantId == Tenant && r.TenantRole == TenantRole.SupportRequestTenant);
        Assert.Equal((RequestState.Approved, false, false), (ours.State, ours.IsAccessActive, ours.IsTruncated));
        SupportAccessRequest theirs = requests.Single(r => r.TenantId == Partner);
        Assert.Equal((RequestState.Completed, RemovalKind.Closure, "r1;r2"), (theirs.State, theirs.RemovalKind, theirs.ActivityIds));
        Assert.Equal("o1", requests.Single(r => r.TenantId == Tenant && r.TenantRole == TenantRole.ResourceTenant).ActivityIds);
        // Newest first by first activity.
        Assert.Equal(new[] { "o1", "r1;r2", "s1;s2" }, requests.Select(r => r.ActivityIds));
    }

    [Theory]
    [InlineData("Other Microsoft Support access request [t-1] {Activity:  -> \"x\"}", "t-1")]
    [InlineData("Other Microsoft Support access request <svc@contoso.com> (Unified) [t-2]", "t-2")]
    [InlineData("User Alex [u-1] | Other microsoft support ACCESS request [t-3]", "t-3")]
    [InlineData("Other Microsoft Support access request {Activity: \\[x\\] -> y}", null)]
    [InlineData("User Alex [u-1]", null)]
    [InlineData("", null)]
    public void RequestTargetId_ReadsBackWhatFlattenTargetsWrote(string flattened, string? id)
    {
        Assert.Equal(id, TargetText.RequestTargetId(flattened));
    }

    [Fact]
    public void ActivityFacts_FromARowReadBack_AsFromTheActivity()
    {
        var row = new PSObject();
        row.Properties.Add(new PSNoteProperty("Id", "a1"));
        row.Properties.Add(new PSNoteProperty("TenantId", Tenant));
        row.Properties.Add(new PSNoteProperty("ActivityDateTime", "2026-11-01T09:00:00.5Z"));
        row.Properties.Add(new PSNoteProperty("Activity", "AccessRemovedManually"));
        row.Properties.Add(new PSNoteProperty("TenantRole", ""));
        row.Properties.Add(new PSNoteProperty("InitiatedBy", "admin@contoso.com"));
        row.Properties.Add(new PSNoteProperty("SupportRequestId", "R1"));
        row.Properties.Add(new PSNoteProperty("TargetResources", ""));
        row.Properties.Add(new PSNoteProperty("CorrelationId", "c-1"));

        ActivityFacts facts = ActivityFacts.Of(row);

        Assert.Equal(("a1", (Guid?)Guid.Parse(Tenant), T0.AddMilliseconds(500), AccessRemovedManually, (TenantRole?)null, "admin@contoso.com", "R1", "c-1"),
            (facts.Id, facts.TenantId, facts.Time, facts.Activity, facts.TenantRole, facts.InitiatedBy, facts.SupportRequestId, facts.CorrelationId));
        Assert.Equal(DateTimeKind.Utc, facts.Time.Kind);
    }

    [Theory]
    [InlineData("Id", "", "no Id")]
    [InlineData("ActivityDateTime", "yesterday", "ActivityDateTime 'yesterday'")]
    [InlineData("Activity", "Approved", "Activity 'Approved'")]
    [InlineData("Activity", "42", "Activity '42'")]
    [InlineData("TenantRole", "Both", "TenantRole 'Both'")]
    public void ActivityFacts_FromSomethingElse_SaysWhat(string property, string value, string said)
    {
        var row = new PSObject();
        foreach ((string name, string text) in new[] { ("Id", "a1"), ("ActivityDateTime", "2026-11-01T09:00:00Z"), ("Activity", "RequestCreated"), ("TenantRole", "") })
        {
            row.Properties.Add(new PSNoteProperty(name, name == property ? value : text));
        }

        ModuleException error = Assert.Throws<ModuleException>(() => ActivityFacts.Of(row));

        Assert.Equal("InputNotAnActivity", error.ErrorId);
        Assert.Contains(said, error.Message);
    }

    private static ActivityFacts Step(
        Activity activity, int minutes, string? id = null, string by = "", string request = "R1", string targets = "",
        string correlation = "", TenantRole? side = null, string tenant = Tenant) => new()
    {
        Id = id ?? $"{activity}-{minutes}",
        TenantId = Guid.Parse(tenant),
        Time = T0.AddMinutes(minutes),
        Activity = activity,
        TenantRole = side,
        InitiatedBy = by,
        SupportRequestId = request,
        RequestTargetId = TargetText.RequestTargetId(targets),
        CorrelationId = correlation,
    };

    private static SupportAccessRequest Single(params ActivityFacts[] steps) => Single(new Sink(), steps);

    private static SupportAccessRequest Single(Sink sink, params ActivityFacts[] steps) => Assert.Single(Close(sink, steps));

    private static List<SupportAccessRequest> Close(Sink sink, params ActivityFacts[] steps)
    {
        var book = new RequestBook();
        foreach (ActivityFacts step in steps)
        {
            book.Add(step);
        }

        return book.Close(Now, sink);
    }

    private sealed class Sink : IMessageSink
    {
        public List<string> Verbose { get; } = new();
        public List<string> Warnings { get; } = new();

        void IMessageSink.Verbose(string message) => Verbose.Add(message);

        public void Warning(string message) => Warnings.Add(message);
    }
}

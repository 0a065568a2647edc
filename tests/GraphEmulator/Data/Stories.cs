using System;
using System.Collections.Generic;
using System.Linq;
using static GraphEmulator.ExpectedActivity;
using static GraphEmulator.ExpectedCategory;
using static GraphEmulator.ExpectedTenantRole;

namespace GraphEmulator.Data;

/// <summary>One step of a story: a record's content and expectation, at a fixed offset from the anchor.</summary>
/// <param name="AadTenantId">
/// The tenant whose log holds the step: null for the served (demo) tenant, whose steps Graph serves;
/// another tenant's steps are only in the demo workspace, under that <c>AADTenantId</c>.
/// </param>
internal sealed record StoryStep(int Number, TimeSpan Offset, ScenarioRow Row, string? AadTenantId = null);

/// <summary>A support request's life, told step by step.</summary>
/// <param name="RequestId">The additionalDetails request id every step carries (null: none at all).</param>
internal sealed record Story(int Number, string? RequestId, IReadOnlyList<StoryStep> Steps);

/// <summary>A story step made a record.</summary>
internal sealed record StoryRecord(int Story, int Step, GeneratedRecord Generated, string? AadTenantId);

/// <summary>
/// The demo tenant's stories (README.md, "Stories"): support requests whose whole lives lie at
/// fixed offsets from the anchor, with fixed ids (<see cref="DemoStories"/>), so tests can write
/// their expectations by hand ("created at anchor − 12 days, access removed at anchor − 11 days").
/// Apart from the scenario table on purpose: that table is placed at random and run again for
/// older months and other tenants; each story is here exactly once. Each step's classification
/// is written by hand, as in <see cref="Scenarios"/>.
/// </summary>
internal static class Stories
{
    private const string Own = DemoTenant.TenantId;
    private const string PartnerA = DemoTenant.PartnerTenantId;
    private const string PartnerB = DemoTenant.SecondPartnerTenantId;

    private static ScenarioRow Row(string activity, Initiated by) => new(activity, by);

    private static Initiated U(AuditUserIdentity user) => Initiated.User(user);

    private static Initiated A(AuditAppIdentity app) => Initiated.App(app);

    private static readonly Initiated Service = A(Scenarios.SupportAccessApp);

    private static TimeSpan D(int days) => TimeSpan.FromDays(days);

    private static TimeSpan H(int hours) => TimeSpan.FromHours(hours);

    private static TimeSpan M(int minutes) => TimeSpan.FromMinutes(minutes);

    private static StoryStep Step(int number, TimeSpan offset, ScenarioRow row) => new(number, offset, row);

    public static IReadOnlyList<Story> Build() =>
    [
        // S1, active: created by the service, approved by the admin, access granted; never removed.
        new(1, "2611200010000001",
        [
            Step(1, -D(6), Row("Request created", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000001"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000001")),
            Step(2, -D(6) + H(2), Row("Request approved", U(Scenarios.Admin))
                .Details(("SupportRequestId", "2611200010000001"))
                .Expect(UserInitiated, RequestApproved, supportRequestId: "2611200010000001")),
            Step(3, -D(6) + H(2) + M(1), Row("Access approved", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000001"))
                .Expect(Automated, ApprovalCreated, supportRequestId: "2611200010000001")),
        ]),

        // S2, revoked by hand: approved by O'Brien, access removed by the admin a day later.
        new(2, "2611200010000002",
        [
            Step(1, -D(12), Row("Request created", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000002"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000002")),
            Step(2, -D(12) + H(1), Row("Request approved", U(Scenarios.OBrien))
                .Details(("SupportRequestId", "2611200010000002"))
                .Expect(UserInitiated, RequestApproved, supportRequestId: "2611200010000002")),
            Step(3, -D(12) + H(1) + M(1), Row("Access approved", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000002"))
                .Expect(Automated, ApprovalCreated, supportRequestId: "2611200010000002")),
            Step(4, -D(11), Row("Access removed", U(Scenarios.Admin)).Operation("Delete")
                .Details(("SupportRequestId", "2611200010000002"))
                .Expect(UserInitiated, AccessRemovedManually, supportRequestId: "2611200010000002")),
        ]),

        // S3, completed on closure: the request id under SupportTicketId; the access removed by
        // the service (Graph's placeholder user) when the ticket closed.
        new(3, "2611200010000003",
        [
            Step(1, -D(20), Row("Request created", Service).Operation("Add")
                .Details(("SupportTicketId", "2611200010000003"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000003")),
            Step(2, -D(20) + M(30), Row("Request approved", U(Scenarios.Zoe))
                .Details(("SupportTicketId", "2611200010000003"))
                .Expect(UserInitiated, RequestApproved, supportRequestId: "2611200010000003")),
            Step(3, -D(20) + M(31), Row("Access approved", Service).Operation("Add")
                .Details(("SupportTicketId", "2611200010000003"))
                .Expect(Automated, ApprovalCreated, supportRequestId: "2611200010000003")),
            Step(4, -D(18), Row("Access removed", U(Scenarios.Placeholder)).Operation("Delete")
                .Details(("SupportTicketId", "2611200010000003"), ("Reason", "Support request closed"))
                .Expect(Automated, AccessRemovedOnClosure, supportRequestId: "2611200010000003")),
        ]),

        // S4, rejected by the admin.
        new(4, "2611200010000004",
        [
            Step(1, -D(9), Row("Request created", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000004"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000004")),
            Step(2, -D(9) + H(3), Row("Request rejected", U(Scenarios.Admin))
                .Details(("SupportRequestId", "2611200010000004"))
                .Expect(UserInitiated, RequestRejected, supportRequestId: "2611200010000004")),
        ]),

        // S5, canceled by the service.
        new(5, "2611200010000005",
        [
            Step(1, -D(15), Row("Request created", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000005"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000005")),
            Step(2, -D(15) + H(5), Row("Request canceled", Service)
                .Details(("SupportRequestId", "2611200010000005"))
                .Expect(Automated, RequestCanceled, supportRequestId: "2611200010000005")),
        ]),

        // S6, pending: created a day ago, nothing since.
        new(6, "2611200010000006",
        [
            Step(1, -D(1), Row("Request created", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000006"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000006")),
        ]),

        // S7, began before Graph's 30 days: steps 1-3 are older than its retention (stored, never
        // served; the demo workspace holds them), only the removal on closure is served.
        new(7, "2611200010000007",
        [
            Step(1, -D(35), Row("Request created", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000007"))
                .Expect(Automated, RequestCreated, supportRequestId: "2611200010000007")),
            Step(2, -D(35) + H(1), Row("Request approved", U(Scenarios.Admin))
                .Details(("SupportRequestId", "2611200010000007"))
                .Expect(UserInitiated, RequestApproved, supportRequestId: "2611200010000007")),
            Step(3, -D(35) + H(1) + M(1), Row("Access approved", Service).Operation("Add")
                .Details(("SupportRequestId", "2611200010000007"))
                .Expect(Automated, ApprovalCreated, supportRequestId: "2611200010000007")),
            Step(4, -D(25), Row("Access removed", Service).Operation("Delete")
                .Details(("SupportRequestId", "2611200010000007"))
                .Expect(Automated, AccessRemovedOnClosure, supportRequestId: "2611200010000007")),
        ]),

        // S8, cross-tenant, our tenant the support request tenant, Fabrikam the resource tenant.
        // Our log (Graph): created by Łukasz, approved by the admin. Fabrikam's log (in the demo
        // workspace only, AADTenantId Fabrikam): the access granted and removed on closure, its
        // other tenant being ours. Their expectations read the steps from Fabrikam's side.
        new(8, "2611200010000008",
        [
            Step(1, -D(8), Row("Request created", U(Scenarios.Lukasz)).Operation("Add")
                .Details(("ResourceTenantId", PartnerA), ("SupportRequestId", "2611200010000008"))
                .Expect(CrossTenant, RequestCreated, SupportRequestTenant, PartnerA, "2611200010000008")),
            Step(2, -D(8) + H(2), Row("Request approved", U(Scenarios.Admin))
                .Details(("ResourceTenantId", PartnerA), ("SupportRequestId", "2611200010000008"))
                .Expect(CrossTenant, RequestApproved, SupportRequestTenant, PartnerA, "2611200010000008")),
            new(3, -D(8) + H(2) + M(2), Row("Access approved", Service).Operation("Add")
                .Details(("SupportRequestTenantId", Own), ("SupportRequestId", "2611200010000008"))
                .Expect(CrossTenant, ApprovalCreated, ResourceTenant, Own, "2611200010000008"), AadTenantId: PartnerA),
            new(4, -D(7), Row("Access removed", Service).Operation("Delete")
                .Details(("SupportRequestTenantId", Own), ("SupportRequestId", "2611200010000008"))
                .Expect(CrossTenant, AccessRemovedOnClosure, ResourceTenant, Own, "2611200010000008"), AadTenantId: PartnerA),
        ]),

        // S9, cross-tenant, our tenant the resource tenant for Woodgrove's request: access granted,
        // then removed by the admin.
        new(9, "2611200010000009",
        [
            Step(1, -D(5), Row("Access approved", Service).Operation("Add")
                .Details(("SupportRequestTenantId", PartnerB), ("SupportRequestId", "2611200010000009"))
                .Expect(CrossTenant, ApprovalCreated, ResourceTenant, PartnerB, "2611200010000009")),
            Step(2, -D(4), Row("Access removed", U(Scenarios.Admin)).Operation("Delete")
                .Details(("SupportRequestTenantId", PartnerB), ("SupportRequestId", "2611200010000009"))
                .Expect(CrossTenant, AccessRemovedManually, ResourceTenant, PartnerB, "2611200010000009")),
        ]),

        // S10, cross-tenant, our tenant the resource tenant for Woodgrove's request: still active.
        new(10, "2611200010000010",
        [
            Step(1, -D(2), Row("Access approved", Service).Operation("Add")
                .Details(("SupportRequestTenantId", PartnerB), ("SupportRequestId", "2611200010000010"))
                .Expect(CrossTenant, ApprovalCreated, ResourceTenant, PartnerB, "2611200010000010")),
        ]),

        // S11, no request id in additionalDetails at all: only the target (and the correlation
        // id) ties the steps together. Active.
        new(11, null,
        [
            Step(1, -D(3), Row("Request created", Service).Operation("Add")
                .Details(("RequestedAccess", "Diagnostic data"))
                .Expect(Automated, RequestCreated)),
            Step(2, -D(3) + H(1), Row("Request approved", U(Scenarios.Admin))
                .Details(("RequestedAccess", "Diagnostic data"))
                .Expect(UserInitiated, RequestApproved)),
            Step(3, -D(3) + H(1) + M(1), Row("Access approved", Service).Operation("Add")
                .Details(("RequestedAccess", "Diagnostic data"))
                .Expect(Automated, ApprovalCreated)),
        ]),
    ];

    /// <summary>
    /// The stories' records at <paramref name="anchor"/>: each step at anchor + its offset, with
    /// its fixed id, its story's correlation id and its story's request as target.
    /// </summary>
    public static IReadOnlyList<StoryRecord> Generate(IReadOnlyList<Story> stories, DateTimeOffset anchor)
    {
        var result = new List<StoryRecord>();
        foreach (Story story in stories)
        {
            foreach (StoryStep step in story.Steps)
            {
                ScenarioRow row = step.Row;
                Check(story, step);
                var record = new AuditRecord
                {
                    Id = DemoStories.RecordId(story.Number, step.Number),
                    Category = row.Category,
                    CorrelationId = DemoStories.CorrelationId(story.Number),
                    Result = row.ResultValue,
                    ResultReason = row.ResultReason,
                    ActivityDisplayName = row.ActivityDisplayName,
                    ActivityDateTime = anchor + step.Offset,
                    LoggedByService = row.LoggedByService,
                    OperationType = row.OperationType,
                    InitiatedBy = row.InitiatedBy,
                    TargetResources = [ScenarioGenerator.RequestTarget(DemoStories.TargetId(story.Number), row.ActivityDisplayName)],
                    AdditionalDetails = row.AdditionalDetails,
                    OmittedProperties = row.Omitted.Count == 0 ? AuditRecord.NoNames : new HashSet<string>(row.Omitted),
                    ExtraProperties = row.Extras.ToArray(),
                };
                result.Add(new StoryRecord(story.Number, step.Number, new GeneratedRecord(record, row.Expected), step.AadTenantId));
            }
        }
        return result;
    }

    // Mistakes in the table that would silently break what the README promises.
    private static void Check(Story story, StoryStep step)
    {
        string where = $"Story {story.Number} step {step.Number} ('{step.Row.ActivityDisplayName}')";
        if (step.Row.Category != ScenarioRow.SupportAccessCategory || step.Row.Expected is null)
            throw new InvalidOperationException($"{where}: story steps are support access, with Expect(...).");
        if (step.Row.Placement != Placement.Anywhere || step.Row.TargetsSet)
            throw new InvalidOperationException($"{where}: a story places its steps and names their target itself (no Then(), Expired() or Targets()).");
        if (step.Offset >= TimeSpan.Zero || step.Offset.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new InvalidOperationException($"{where}: the offset must be whole seconds before the anchor.");
        if (step.Row.Expected.SupportRequestId != (story.RequestId ?? ""))
            throw new InvalidOperationException($"{where}: expects request id '{step.Row.Expected.SupportRequestId}', the story's is '{story.RequestId}'.");
        if (step.Number is < 1 or > 99 || story.Number is < 1 or > DemoStories.Count)
            throw new InvalidOperationException($"{where}: story numbers are 1..{DemoStories.Count}, step numbers 1..99.");
    }
}

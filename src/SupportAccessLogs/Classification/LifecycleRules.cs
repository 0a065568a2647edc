using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Classification;

/// <summary>
/// Rule 6 and the grouping of activities into support requests, as data (docs/architecture.md,
/// "Support request lifecycle"). The neighbour of <see cref="ClassificationRules"/>: like those,
/// these rest on the Entra docs' description of a request's life and on field names Microsoft
/// publishes no samples of, so when a real history disagrees, the change belongs here.
/// </summary>
internal static class LifecycleRules
{
    /// <summary>
    /// What each activity does to a request, read oldest first: the state it moves the request to,
    /// the states it may follow (where a missing earlier step is implied, e.g. access granted
    /// with no approval seen), the states in which it adds nothing (the same step again, or a
    /// late record of a step the request is already past), and what it does to the tenant's
    /// access (<see cref="AccessEffect"/>). Any other order does not fit the lifecycle: the
    /// request's state becomes <see cref="RequestState.Unknown"/> and stays so (its access is
    /// still followed, step by step).
    /// </summary>
    public static readonly IReadOnlyDictionary<Activity, LifecycleStep> Steps = new Dictionary<Activity, LifecycleStep>
    {
        [Activity.RequestCreated] = new(RequestState.Pending,
            follows: [Start],
            addsNothingAfter: [RequestState.Pending, RequestState.Approved, RequestState.Rejected, RequestState.Canceled, RequestState.Revoked, RequestState.Completed]),
        [Activity.RequestApproved] = new(RequestState.Approved,
            follows: [Start, RequestState.Pending],
            addsNothingAfter: [RequestState.Approved, RequestState.Revoked, RequestState.Completed]),
        [Activity.RequestRejected] = new(RequestState.Rejected,
            follows: [Start, RequestState.Pending],
            addsNothingAfter: [RequestState.Rejected]),
        // A request may be canceled after its approval; the access then ends with it, by a
        // removal on closure. Until that removal is seen, access may still be there
        // (StatesThatMayHoldAccess).
        [Activity.RequestCanceled] = new(RequestState.Canceled,
            follows: [Start, RequestState.Pending, RequestState.Approved],
            addsNothingAfter: [RequestState.Canceled]),
        // Access granted after its removal (by hand or on closure) is access again: the newest
        // evidence is a live grant, so the request is Approved and its access active.
        [Activity.ApprovalCreated] = new(RequestState.Approved,
            follows: [Start, RequestState.Pending, RequestState.Approved, RequestState.Revoked, RequestState.Completed],
            addsNothingAfter: [],
            access: AccessEffect.Grants),
        // The first removal of a grant decides how access ended; a second one adds nothing. A
        // removal after a cancel is the cancel's own end of access.
        [Activity.AccessRemovedManually] = new(RequestState.Revoked,
            follows: [Start, RequestState.Pending, RequestState.Approved],
            addsNothingAfter: [RequestState.Revoked, RequestState.Completed, RequestState.Canceled],
            access: AccessEffect.Removes),
        [Activity.AccessRemovedOnClosure] = new(RequestState.Completed,
            follows: [Start, RequestState.Pending, RequestState.Approved],
            addsNothingAfter: [RequestState.Revoked, RequestState.Completed, RequestState.Canceled],
            access: AccessEffect.Removes),
    };

    /// <summary>
    /// The states in which access granted and not removed since counts as active
    /// (<see cref="SupportAccessRequest.IsAccessActive"/>). "Who can reach us now" errs toward
    /// naming possible access: a request canceled after its grant keeps it until a removal is
    /// seen, and an unclear history (Unknown) still names it.
    /// </summary>
    private static readonly HashSet<RequestState> StatesThatMayHoldAccess =
        new() { RequestState.Approved, RequestState.Canceled, RequestState.Unknown };

    /// <summary>True when access granted and not removed since counts as active in <paramref name="state"/> (<see cref="StatesThatMayHoldAccess"/>).</summary>
    public static bool MayHoldAccess(RequestState state) => StatesThatMayHoldAccess.Contains(state);

    /// <summary>Before any step: no state yet. (Not a public state: a request always has a step.)</summary>
    public const RequestState Start = (RequestState)(-1);

    /// <summary>The steps that decide a request (who decided, and when).</summary>
    public static bool IsDecision(Activity activity) =>
        activity is Activity.RequestApproved or Activity.RequestRejected or Activity.RequestCanceled;

    /// <summary>How access ended, by the removal's activity.</summary>
    public static RemovalKind RemovalKindOf(Activity activity) => activity switch
    {
        Activity.AccessRemovedManually => RemovalKind.Manual,
        Activity.AccessRemovedOnClosure => RemovalKind.Closure,
        _ => RemovalKind.None,
    };

    /// <summary>
    /// The step a side's history begins with: a request is created in the support request tenant
    /// (and in a tenant that raised a request about itself); the resource tenant of a cross-tenant
    /// request first sees the approval created there. A history without it is truncated.
    /// </summary>
    public static Activity OpeningStep(TenantRole? side) =>
        side == TenantRole.ResourceTenant ? Activity.ApprovalCreated : Activity.RequestCreated;

    /// <summary>
    /// When a step sorts before another of the same instant: the order of the lifecycle, so that
    /// steps logged in the same second are not taken as out of order.
    /// </summary>
    public static int OrderWithinInstant(Activity activity) => activity switch
    {
        Activity.RequestCreated => 0,
        Activity.RequestApproved or Activity.RequestRejected => 1,
        Activity.ApprovalCreated => 2,
        Activity.RequestCanceled => 3,
        Activity.AccessRemovedManually or Activity.AccessRemovedOnClosure => 4,
        _ => 5,
    };

    /// <summary>
    /// The display name of the target resource that stands for the support access request itself:
    /// its id groups a request's activities when none names the request
    /// (<see cref="RequestGrouping.TargetResourceId"/>). Inferred, like rule 5's keys.
    /// </summary>
    public const string RequestTargetName = "Microsoft Support access request";

    /// <summary>
    /// True for the request's own target resource: a display name that begins with
    /// <see cref="RequestTargetName"/> (after white space, ignoring case). Only its id counts:
    /// whatever else the name holds (an id in brackets, another request's text) names nothing.
    /// </summary>
    public static bool IsRequestTarget(string? displayName) =>
        displayName is not null && displayName.TrimStart().StartsWith(RequestTargetName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Which evidence groups an activity into a request, in order: rule 5's support request id,
    /// else the id of the request's own target resource, else the correlation id. An activity
    /// with none of them is a request of its own (<see cref="RequestGrouping.None"/>).
    /// </summary>
    /// <param name="requestTargetId">The id of the request's target resource: parsed from the
    /// record (<see cref="SupportAccessActivity.RequestTargetId"/>), or read back from an
    /// activity's TargetResources text (<see cref="TargetText.RequestTargetId(string)"/>), which
    /// gives the same answer.</param>
    public static (RequestGrouping By, string Key) GroupingOf(string? supportRequestId, string? requestTargetId, string? correlationId)
    {
        if (HasText(supportRequestId))
        {
            return (RequestGrouping.SupportRequestId, supportRequestId!.Trim());
        }

        if (HasText(requestTargetId))
        {
            return (RequestGrouping.TargetResourceId, requestTargetId!.Trim());
        }

        if (HasText(correlationId))
        {
            return (RequestGrouping.CorrelationId, correlationId!.Trim());
        }

        return (RequestGrouping.None, "");
    }

    private static bool HasText(string? value) => !string.IsNullOrWhiteSpace(value);
}

/// <summary>One row of <see cref="LifecycleRules.Steps"/>.</summary>
internal sealed class LifecycleStep
{
    private readonly HashSet<RequestState> _follows;
    private readonly HashSet<RequestState> _addsNothingAfter;

    public LifecycleStep(RequestState to, RequestState[] follows, RequestState[] addsNothingAfter, AccessEffect access = AccessEffect.None)
    {
        To = to;
        _follows = new HashSet<RequestState>(follows);
        _addsNothingAfter = new HashSet<RequestState>(addsNothingAfter);
        Access = access;
    }

    public RequestState To { get; }

    /// <summary>What the step does to the tenant's access, whatever the state.</summary>
    public AccessEffect Access { get; }

    /// <summary>The state after this step, from <paramref name="current"/>; Unknown when the step does not fit.</summary>
    public RequestState From(RequestState current) =>
        _follows.Contains(current) ? To
        : _addsNothingAfter.Contains(current) ? current
        : RequestState.Unknown;
}

/// <summary>What a step does to the tenant's access.</summary>
internal enum AccessEffect
{
    None,
    /// <summary>Access granted: opens access when none is open (again after a removal).</summary>
    Grants,
    /// <summary>Access removed: closes the open access (or, with no grant seen, records an end
    /// whose grant came before the window).</summary>
    Removes,
}

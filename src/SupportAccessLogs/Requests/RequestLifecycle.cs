using System;
using System.Collections.Generic;
using System.Text;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.Requests;

/// <summary>
/// Walks one request's activities, oldest first, through <see cref="LifecycleRules.Steps"/>.
/// Out-of-order, repeated or missing steps never throw: the request ends in the state the
/// evidence supports, or Unknown with the reason in Verbose.
/// </summary>
internal static class RequestLifecycle
{
    public static SupportAccessRequest Walk(RequestKey key, List<RequestStep> steps, DateTime nowUtc, IMessageSink reporter)
    {
        steps.Sort(static (a, b) =>
        {
            int byTime = a.Time.CompareTo(b.Time);
            if (byTime != 0)
            {
                return byTime;
            }

            int byLifecycle = LifecycleRules.OrderWithinInstant(a.Activity).CompareTo(LifecycleRules.OrderWithinInstant(b.Activity));
            return byLifecycle != 0 ? byLifecycle : string.CompareOrdinal(a.Id, b.Id);
        });

        var request = new SupportAccessRequest
        {
            SupportRequestId = key.By == RequestGrouping.SupportRequestId ? key.Key : "",
            TenantId = key.TenantId?.ToString() ?? "",
            TenantRole = key.Side,
            GroupedBy = key.By,
            GroupKey = key.Key,
        };

        RequestState state = LifecycleRules.Start;
        string? misfit = null;
        var ids = new StringBuilder();
        string? previousId = null;
        int count = 0;
        foreach (RequestStep step in steps)
        {
            if (step.Id.Length > 0 && step.Id == previousId)
            {
                // The same activity twice (two exports read together): it happened once.
                continue;
            }

            previousId = step.Id;
            count++;
            ids.Append(ids.Length > 0 ? ";" : "").Append(step.Id);
            Record(request, step);
            if (state == RequestState.Unknown || !LifecycleRules.Steps.TryGetValue(step.Activity, out LifecycleStep? rule))
            {
                // Unknown stays Unknown; an activity outside the lifecycle (Other) moves nothing.
                continue;
            }

            RequestState next = rule.From(state);
            if (next == RequestState.Unknown)
            {
                misfit = $"{step.Activity} at {IsoDateTime.Format(step.Time)} (activity {step.Id}) after {(state == LifecycleRules.Start ? "nothing" : state.ToString())} does not fit the lifecycle";
            }

            state = next;
        }

        request.ActivityCount = count;
        request.ActivityIds = ids.ToString();
        request.FirstActivityTime = steps[0].Time;
        request.LastActivityTime = steps[steps.Count - 1].Time;
        request.IsTruncated = request.GroupedBy != RequestGrouping.None && !Saw(steps, LifecycleRules.OpeningStep(key.Side));
        if (key.By == RequestGrouping.None)
        {
            state = RequestState.Unknown;
        }
        else if (state == LifecycleRules.Start)
        {
            // Only activities outside the lifecycle: nothing says where the request stands.
            state = RequestState.Unknown;
            misfit = "none of its activities is a step of the lifecycle (all are Other)";
        }

        request.State = state;
        request.IsAccessActive = request.AccessGrantedTime is not null && request.AccessRemovedTime is null
            && state is RequestState.Approved or RequestState.Unknown;
        request.AccessDuration = request.AccessGrantedTime is DateTime granted
            ? (request.AccessRemovedTime ?? (request.IsAccessActive ? nowUtc : (DateTime?)null)) - granted
            : null;
        if (misfit is not null)
        {
            reporter.Verbose($"Support request {Describe(request)}: {misfit}; its state is Unknown.");
        }

        return request;
    }

    /// <summary>The first of each kind of step sets its fields; a later one of the same kind changes nothing.</summary>
    private static void Record(SupportAccessRequest request, RequestStep step)
    {
        switch (step.Activity)
        {
            case Activity.RequestCreated:
                request.CreatedTime ??= step.Time;
                break;
            case Activity.ApprovalCreated:
                request.AccessGrantedTime ??= step.Time;
                break;
            case Activity.AccessRemovedManually or Activity.AccessRemovedOnClosure when request.AccessRemovedTime is null:
                request.AccessRemovedTime = step.Time;
                request.RemovalKind = LifecycleRules.RemovalKindOf(step.Activity);
                break;
            case Activity.RequestApproved or Activity.RequestRejected or Activity.RequestCanceled when request.DecidedTime is null:
                request.DecidedTime = step.Time;
                request.DecidedBy = step.InitiatedBy;
                break;
        }
    }

    private static bool Saw(List<RequestStep> steps, Activity activity)
    {
        foreach (RequestStep step in steps)
        {
            if (step.Activity == activity)
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(SupportAccessRequest request) =>
        $"{(request.SupportRequestId.Length > 0 ? request.SupportRequestId : $"grouped by {request.GroupedBy} {request.GroupKey}")} (tenant {request.TenantId}{(request.TenantRole is TenantRole side ? ", " + side : "")})";
}

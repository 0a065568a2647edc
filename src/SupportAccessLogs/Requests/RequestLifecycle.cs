using System;
using System.Collections.Generic;
using System.Text;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.Requests;

/// <summary>
/// Walks one request's activities, oldest first, through <see cref="LifecycleRules.Steps"/>.
/// Out-of-order, repeated or missing steps never throw: the request ends in the state the
/// evidence supports, or Unknown with the reason in Verbose. Access is followed on its own,
/// step by step: a grant opens it, a removal closes it, a grant after a removal opens it again.
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
        var said = new List<string>(1);
        string? misfit = null;
        var ids = new StringBuilder();
        bool accessOpen = false;
        RequestStep grant = default;
        RequestStep? canceled = null;
        foreach (RequestStep step in steps)
        {
            ids.Append(ids.Length > 0 ? ";" : "").Append(step.Id);
            RecordDecision(request, step);
            if (!LifecycleRules.Steps.TryGetValue(step.Activity, out LifecycleStep? rule))
            {
                // An activity outside the lifecycle (Other) moves nothing.
                continue;
            }

            switch (rule.Access)
            {
                case AccessEffect.Grants when !accessOpen:
                    if (request.AccessRemovedTime is DateTime removed)
                    {
                        said.Add($"access was granted again at {IsoDateTime.Format(step.Time)} (activity {step.Id}) after its removal at {IsoDateTime.Format(removed)} ({request.RemovalKind}): access is open again, and AccessGrantedDateTime, AccessDuration and IsAccessActive describe this grant");
                    }

                    accessOpen = true;
                    grant = step;
                    request.AccessGrantCount++;
                    request.AccessGrantedTime = step.Time;
                    request.AccessRemovedTime = null;
                    request.RemovalKind = RemovalKind.None;
                    break;
                case AccessEffect.Removes when accessOpen || (request.AccessGrantCount == 0 && request.AccessRemovedTime is null):
                    // The first removal of a grant (or, with no grant seen, the first removal) decides how access ended.
                    accessOpen = false;
                    request.AccessRemovedTime = step.Time;
                    request.RemovalKind = LifecycleRules.RemovalKindOf(step.Activity);
                    break;
            }

            if (step.Activity == Activity.RequestCanceled)
            {
                canceled ??= step;
            }

            if (state == RequestState.Unknown)
            {
                // Unknown stays Unknown.
                continue;
            }

            RequestState next = rule.From(state);
            if (next == RequestState.Unknown)
            {
                misfit = $"{step.Activity} at {IsoDateTime.Format(step.Time)} (activity {step.Id}) after {(state == LifecycleRules.Start ? "nothing" : state.ToString())} does not fit the lifecycle";
            }

            state = next;
        }

        request.ActivityCount = steps.Count;
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
        request.IsAccessActive = accessOpen && LifecycleRules.MayHoldAccess(state);
        if (request.IsAccessActive && state == RequestState.Canceled && canceled is RequestStep cancel)
        {
            said.Add($"it was canceled at {IsoDateTime.Format(cancel.Time)} (activity {cancel.Id}) after access was granted at {IsoDateTime.Format(grant.Time)}, and no removal of that access was seen: access may still be active, so IsAccessActive is true (a cancel ends access with a removal on closure; look for it in a later window)");
        }

        if (request.AccessGrantedTime is DateTime granted)
        {
            DateTime? end = request.AccessRemovedTime ?? (request.IsAccessActive ? nowUtc : null);
            if (end is DateTime until)
            {
                if (until < granted)
                {
                    said.Add($"access was granted at {IsoDateTime.Format(granted)} (activity {grant.Id}), later than now ({IsoDateTime.Format(nowUtc)}): AccessDuration is 0, never negative; the activity's time or this computer's clock is wrong");
                    until = granted;
                }

                request.AccessDuration = until - granted;
            }
        }

        if (misfit is not null)
        {
            said.Insert(0, misfit + "; its state is Unknown");
        }

        foreach (string line in said)
        {
            reporter.Verbose($"Support request {Describe(request)}: {line}.");
        }

        return request;
    }

    /// <summary>The first creation and the first decision set their fields; a later one of the same kind changes nothing.</summary>
    private static void RecordDecision(SupportAccessRequest request, RequestStep step)
    {
        switch (step.Activity)
        {
            case Activity.RequestCreated:
                request.CreatedTime ??= step.Time;
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
        $"{(request.SupportRequestId.Length > 0 ? request.SupportRequestId : $"grouped by {request.GroupedBy} {request.GroupKey}")} (tenant {(request.TenantId.Length > 0 ? request.TenantId : "not named")}{(request.TenantRole is TenantRole side ? ", " + side : "")})";
}

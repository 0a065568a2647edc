using System;
using System.Collections.Generic;
using System.Linq;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.Requests;

/// <summary>
/// Groups activities into support requests as they come, then walks each request's lifecycle
/// (<see cref="RequestLifecycle"/>). Only a few facts of each activity are kept (its time,
/// activity, id and initiator), never the activity itself: memory grows with the requests and
/// their ids, not with the activities' records.
/// </summary>
internal sealed class RequestBook
{
    private readonly Dictionary<RequestKey, List<RequestStep>> _requests = new();
    private long _ungrouped;

    /// <summary>Activities added; the same activity (by id) twice in a request counts once.</summary>
    public long ActivitiesAdded { get; private set; }

    public int RequestCount => _requests.Count;

    public void Add(in ActivityFacts activity)
    {
        ActivitiesAdded++;
        (RequestGrouping by, string key) = LifecycleRules.GroupingOf(activity.SupportRequestId, activity.RequestTargetId, activity.CorrelationId);
        if (by == RequestGrouping.None)
        {
            // A request of its own, whatever else shares its lack of evidence.
            _ungrouped++;
            key = activity.Id.Length > 0 ? activity.Id : "#" + _ungrouped;
        }

        var requestKey = new RequestKey(activity.TenantId, activity.TenantRole, by, key);
        if (!_requests.TryGetValue(requestKey, out List<RequestStep>? steps))
        {
            steps = new List<RequestStep>(4);
            _requests.Add(requestKey, steps);
        }

        steps.Add(new RequestStep(activity.Time, activity.Activity, activity.Id, activity.InitiatedBy));
    }

    /// <summary>
    /// Every request, newest first (by its first activity): each one's lifecycle walked against
    /// <paramref name="nowUtc"/> (how long access has lasted while it is active). What -Verbose
    /// should know (why a request is Unknown) and one warning for activities that could not be
    /// grouped go to <paramref name="reporter"/>.
    /// </summary>
    public List<SupportAccessRequest> Close(DateTime nowUtc, IMessageSink reporter)
    {
        var requests = new List<SupportAccessRequest>(_requests.Count);
        foreach (KeyValuePair<RequestKey, List<RequestStep>> request in _requests)
        {
            requests.Add(RequestLifecycle.Walk(request.Key, request.Value, nowUtc, reporter));
        }

        if (_ungrouped > 0)
        {
            reporter.Warning($"{_ungrouped} activit{(_ungrouped == 1 ? "y names" : "ies name")} no support request id, no support access request target and no correlation id, so {(_ungrouped == 1 ? "it" : "each")} is a request of its own, with State Unknown and GroupedBy None.");
        }

        return requests
            .OrderByDescending(r => r.FirstActivityTime)
            .ThenBy(r => r.TenantId, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.GroupKey, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>What makes activities one request: the tenant whose log holds them (a GUID, so its
/// letter case doesn't matter), its side of a cross-tenant request, and the evidence that names
/// the request.</summary>
internal readonly record struct RequestKey(Guid? TenantId, TenantRole? Side, RequestGrouping By, string Key);

/// <summary>One activity of a request, as much as its lifecycle needs.</summary>
internal readonly record struct RequestStep(DateTime Time, Activity Activity, string Id, string InitiatedBy);

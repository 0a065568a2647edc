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
    /// <summary>How many ids a warning about activities that share an id names.</summary>
    private const int IdsNamed = 5;

    private readonly Dictionary<RequestKey, List<RequestStep>> _requests = new();
    private long _ungrouped;
    private int _order;

    /// <summary>Activities added (an activity given twice counts twice here; once in its request).</summary>
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

        steps.Add(new RequestStep(activity.Time, activity.Activity, activity.Id, activity.InitiatedBy, unchecked(_order++)));
    }

    /// <summary>
    /// Every request, newest first (by its first activity): each one's lifecycle walked against
    /// <paramref name="nowUtc"/> (how long access has lasted while it is active). What -Verbose
    /// should know (why a request is Unknown, access granted again) and warnings (activities that
    /// could not be grouped, two different activities under one id) go to <paramref name="reporter"/>.
    /// </summary>
    public List<SupportAccessRequest> Close(DateTime nowUtc, IMessageSink reporter)
    {
        List<KeyValuePair<RequestKey, List<RequestStep>>> requests = _requests.ToList();
        DropRepeatedIds(requests, reporter);
        var written = new List<SupportAccessRequest>(requests.Count);
        foreach (KeyValuePair<RequestKey, List<RequestStep>> request in requests)
        {
            if (request.Value.Count > 0)
            {
                written.Add(RequestLifecycle.Walk(request.Key, request.Value, nowUtc, reporter));
            }
        }

        if (_ungrouped > 0)
        {
            reporter.Warning($"{_ungrouped} activit{(_ungrouped == 1 ? "y names" : "ies name")} no support request id, no support access request target and no correlation id, so {(_ungrouped == 1 ? "it" : "each")} is a request of its own, with State Unknown and GroupedBy None.");
        }

        return written
            .OrderByDescending(r => r.FirstActivityTime)
            .ThenBy(r => r.TenantId, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.GroupKey, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// An id is one activity. The same activity given twice (two exports read together) counts
    /// once, silently but for a Verbose line. Two activities that share an id and differ in what
    /// a request is built from (time, activity, initiator, or the request they belong to) cannot
    /// both be true: the first given is kept, and a warning names the ids, never dropping one in
    /// silence. What this holds (an id and two positions per activity) lives only while closing.
    /// </summary>
    private static void DropRepeatedIds(List<KeyValuePair<RequestKey, List<RequestStep>>> requests, IMessageSink reporter)
    {
        var first = new Dictionary<string, (int Request, int Step)>(StringComparer.Ordinal);
        var dropped = new HashSet<(int Request, int Step)>();
        long repeats = 0;
        long conflicts = 0;
        var conflicting = new List<string>(IdsNamed);
        for (int r = 0; r < requests.Count; r++)
        {
            List<RequestStep> steps = requests[r].Value;
            for (int s = 0; s < steps.Count; s++)
            {
                RequestStep step = steps[s];
                if (step.Id.Length == 0)
                {
                    continue;
                }

                if (!first.TryGetValue(step.Id, out (int Request, int Step) seen))
                {
                    first.Add(step.Id, (r, s));
                    continue;
                }

                RequestStep kept = requests[seen.Request].Value[seen.Step];
                bool same = seen.Request == r && kept.Time == step.Time && kept.Activity == step.Activity
                    && string.Equals(kept.InitiatedBy, step.InitiatedBy, StringComparison.Ordinal);
                if (step.Order < kept.Order)
                {
                    // Given earlier, though its request came later: it is the one kept.
                    dropped.Add(seen);
                    first[step.Id] = (r, s);
                }
                else
                {
                    dropped.Add((r, s));
                }

                if (same)
                {
                    repeats++;
                }
                else
                {
                    conflicts++;
                    if (conflicting.Count < IdsNamed && !conflicting.Contains(step.Id))
                    {
                        conflicting.Add(step.Id);
                    }
                }
            }
        }

        if (dropped.Count == 0)
        {
            return;
        }

        for (int r = 0; r < requests.Count; r++)
        {
            List<RequestStep> steps = requests[r].Value;
            int at = 0;
            for (int s = 0; s < steps.Count; s++)
            {
                if (!dropped.Contains((r, s)))
                {
                    steps[at++] = steps[s];
                }
            }

            steps.RemoveRange(at, steps.Count - at);
        }

        if (repeats > 0)
        {
            reporter.Verbose($"{repeats} activit{(repeats == 1 ? "y was" : "ies were")} given more than once (the same Id and content): each counts once.");
        }

        if (conflicts > 0)
        {
            reporter.Warning($"{conflicts} activit{(conflicts == 1 ? "y has" : "ies have")} the same Id as an activity given before but different content (time, activity, initiator or request): {string.Join(", ", conflicting)}{(conflicts > conflicting.Count ? ", ..." : "")}. An Id names one activity, so only the first given with each Id was kept. Check where the activities came from: an edited file, or files of different sources read together.");
        }
    }
}

/// <summary>What makes activities one request: the tenant whose log holds them (a GUID, so its
/// letter case doesn't matter), its side of a cross-tenant request, and the evidence that names
/// the request.</summary>
internal readonly record struct RequestKey(Guid? TenantId, TenantRole? Side, RequestGrouping By, string Key);

/// <summary>One activity of a request, as much as its lifecycle needs, and its place in the input.</summary>
internal readonly record struct RequestStep(DateTime Time, Activity Activity, string Id, string InitiatedBy, int Order);

using System;
using System.Collections.Generic;
using System.Linq;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Which shapes of record a query met: the additionalDetails keys and target resource types seen,
/// and how many records named no support request. Microsoft publishes no sample payloads for
/// this category and our rules rest on inferred field names, so one -Verbose line at the end of a
/// query is what a user with real data can paste to show where the rules read it wrong.
/// </summary>
internal sealed class RecordShapes
{
    /// <summary>Names kept per kind: the server chooses them, so the tally is bounded.</summary>
    private const int MaxNames = 50;
    private readonly Dictionary<string, long> _detailKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _targetTypes = new(StringComparer.OrdinalIgnoreCase);
    private long _records;
    private long _withoutRequestId;
    private long _withoutDetails;
    private long _withoutTargets;

    public void Note(AuditRecord record, SupportAccessActivity activity)
    {
        _records++;
        if (activity.SupportRequestId.Length == 0)
        {
            _withoutRequestId++;
        }

        if (record.AdditionalDetails is not { Count: > 0 } details)
        {
            _withoutDetails++;
        }
        else
        {
            foreach (AuditKeyValue? detail in details)
            {
                Count(_detailKeys, detail?.Key);
            }
        }

        if (record.TargetResources is not { Count: > 0 } targets)
        {
            _withoutTargets++;
        }
        else
        {
            foreach (AuditTargetResource? target in targets)
            {
                Count(_targetTypes, target?.Type);
            }
        }
    }

    public string Describe() =>
        $"Record shapes: {_records} support access records; additionalDetails keys {Tally(_detailKeys)}" +
        $" ({_withoutDetails} without additionalDetails); target resource types {Tally(_targetTypes)} ({_withoutTargets} without targets);" +
        $" {_withoutRequestId} named no support request ({string.Join(", ", ClassificationRules.SupportRequestIdKeys)}).";

    private static void Count(Dictionary<string, long> tally, string? name)
    {
        string key = string.IsNullOrWhiteSpace(name) ? "(none)" : name!.Trim();
        if (tally.TryGetValue(key, out long count))
        {
            tally[key] = count + 1;
        }
        else if (tally.Count < MaxNames)
        {
            tally[key] = 1;
        }
    }

    private static string Tally(Dictionary<string, long> tally) =>
        tally.Count == 0 ? "(none)" : string.Join(", ", tally.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} ({t.Value})"));
}

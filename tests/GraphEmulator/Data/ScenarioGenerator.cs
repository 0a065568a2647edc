using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator.Data;

/// <summary>A scenario row turned into a record, with its author's expectation (null for other categories).</summary>
internal sealed record GeneratedRecord(AuditRecord Record, ScenarioExpectation? Expected);

/// <summary>Gives the hand-written rows their seed-derived ids, correlation ids and times.</summary>
internal static class ScenarioGenerator
{
    private static readonly TimeSpan MinStepGap = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan MaxStepGap = TimeSpan.FromHours(4);

    public static IReadOnlyList<GeneratedRecord> Generate(
        IReadOnlyList<ScenarioRow> rows, Random rng, DateTimeOffset anchor, TimeSpan spread, DateTimeOffset retentionStart)
    {
        var usedTicks = new HashSet<long>();
        var result = new List<GeneratedRecord>(rows.Count);
        DateTimeOffset previousTime = anchor;
        string? previousCorrelation = null;
        string? workflowTargetId = null;

        for (int i = 0; i < rows.Count; i++)
        {
            ScenarioRow row = rows[i];
            CheckExpectation(row, i);

            bool startsWorkflow = i + 1 < rows.Count && rows[i + 1].Placement == Placement.AfterPrevious;
            DateTimeOffset time = row.Placement switch
            {
                Placement.AfterPrevious => previousTime + RandomSpan(rng, MinStepGap, MaxStepGap),
                Placement.Expired => retentionStart - RandomSpan(rng, TimeSpan.FromHours(1), TimeSpan.FromDays(12)),
                // A workflow's later steps land up to a few hours after its first; start it a day
                // back so they never pass the anchor.
                _ => anchor - RandomSpan(rng, startsWorkflow ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(1), spread),
            };
            time = Distinct(Coarsen(time, rng), usedTicks);

            string id = DeterministicIds.NextGuid(rng);
            string correlationId = row.Placement == Placement.AfterPrevious && previousCorrelation is not null
                ? previousCorrelation
                : DeterministicIds.NextGuid(rng);
            // The steps of one workflow (Then()) are one support request: like the correlation id,
            // the default target (the request) is the first step's. The id is drawn for every
            // row all the same, so that the seed's other ids and times stay what they were.
            if (row.Placement != Placement.AfterPrevious)
                workflowTargetId = null;
            IReadOnlyList<AuditTargetResource>? targets = null;
            if (row.TargetsSet)
            {
                targets = row.TargetResources;
            }
            else
            {
                string drawn = DeterministicIds.NextGuid(rng);
                workflowTargetId ??= drawn;
                targets = [RequestTarget(workflowTargetId, row.ActivityDisplayName)];
            }

            var record = new AuditRecord
            {
                Id = id,
                Category = row.Category,
                CorrelationId = correlationId,
                Result = row.ResultValue,
                ResultReason = row.ResultReason,
                ActivityDisplayName = row.ActivityDisplayName,
                ActivityDateTime = time,
                LoggedByService = row.LoggedByService,
                OperationType = row.OperationType,
                InitiatedBy = row.InitiatedBy,
                TargetResources = targets,
                AdditionalDetails = row.AdditionalDetails,
                OmittedProperties = row.Omitted.Count == 0 ? AuditRecord.NoNames : new HashSet<string>(row.Omitted),
                ExtraProperties = row.Extras.ToArray(),
            };
            result.Add(new GeneratedRecord(record, row.Expected));
            previousTime = time;
            previousCorrelation = correlationId;
        }

        return result;
    }

    // A support-access row without an expectation (or another category's row with one) is a
    // mistake in the table, and would silently skew the truth.
    private static void CheckExpectation(ScenarioRow row, int index)
    {
        bool supportAccess = row.Category == ScenarioRow.SupportAccessCategory;
        if (supportAccess != (row.Expected is not null))
            throw new InvalidOperationException(
                $"Scenario row {index} ('{row.ActivityDisplayName}', {row.Category}): support-access rows need Expect(...), other categories must not have it.");
    }

    /// <summary>The support request a record acts on, as the default target of a row (and every story step) names it.</summary>
    internal static AuditTargetResource RequestTarget(string id, string activityDisplayName) => new()
    {
        Id = id,
        DisplayName = RequestTargetDisplayName,
        Type = "Other",
        ModifiedProperties = [new AuditModifiedProperty("Activity", "", "\"" + activityDisplayName.Trim() + "\"")],
    };

    internal const string RequestTargetDisplayName = "Microsoft Support access request";

    private static TimeSpan RandomSpan(Random rng, TimeSpan min, TimeSpan max) =>
        TimeSpan.FromTicks(rng.NextInt64(min.Ticks, Math.Max(min.Ticks + 1, max.Ticks)));

    // Real timestamps come with 0, 3 or 7 fractional digits; clients must parse all three.
    private static DateTimeOffset Coarsen(DateTimeOffset time, Random rng)
    {
        long ticks = time.UtcTicks;
        ticks -= rng.Next(3) switch
        {
            0 => ticks % TimeSpan.TicksPerSecond,
            1 => ticks % TimeSpan.TicksPerMillisecond,
            _ => 0,
        };
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static DateTimeOffset Distinct(DateTimeOffset time, HashSet<long> used)
    {
        while (!used.Add(time.UtcTicks))
            time = time.AddSeconds(-1);
        return time;
    }
}

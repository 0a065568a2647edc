using System;
using System.Collections.Generic;
using System.Text;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Records;
using SupportAccessLogs.Requests;

namespace SupportAccessLogs.Perf;

/// <summary>
/// Issue 12: what grouping holds. Activities of requests of a few steps each (created, approved,
/// access approved, access removed) are classified as the cmdlet classifies them and added to a
/// RequestBook as Get-SupportAccessRequest adds them; the memory still held once every activity
/// is in is compared with what holding the activities themselves costs (what Group-Object keeps).
/// </summary>
internal static class RequestGroupingBenchmark
{
    private static readonly string[] Steps = { "Request created", "Request approved", "Access approved", "Access removed" };

    public static void Run(int activities, int stepsPerRequest)
    {
        var classifier = new ActivityClassifier(Guid.Parse("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"));
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        byte[] raw = Encoding.UTF8.GetBytes("{}");

        SupportAccessActivity Activity(int i)
        {
            int request = i / stepsPerRequest;
            int step = i % stepsPerRequest;
            var record = new AuditRecord
            {
                Id = $"Directory_{Guid.NewGuid():N}",
                Category = ClassificationRules.AuditCategory,
                CorrelationId = Guid.NewGuid().ToString(),
                Result = "success",
                ActivityDisplayName = Steps[step % Steps.Length],
                ActivityDateTime = start.AddMinutes(i),
                LoggedByService = ClassificationRules.LoggedByService,
                InitiatedBy = new AuditInitiator { User = new AuditUser { Id = "5e2d8f40-1a3b-4c6d-8e9f-a0b1c2d3e4f5", UserPrincipalName = "admin@contoso.com" } },
                TargetResources = new List<AuditTargetResource?> { new() { Id = $"t-{request}", DisplayName = LifecycleRules.RequestTargetName, Type = "Other" } },
                AdditionalDetails = new List<AuditKeyValue?> { new() { Key = "SupportRequestId", Value = (2611000000000000L + request).ToString() } },
            };
            return classifier.Classify(record, raw);
        }

        long before = Held();
        var book = new RequestBook();
        for (int i = 0; i < activities; i++)
        {
            book.Add(ActivityFacts.Of(Activity(i)));
        }

        long grouping = Held() - before;
        int requests = book.RequestCount;
        GC.KeepAlive(book);
        book = null!;

        before = Held();
        var kept = new List<SupportAccessActivity>(activities);
        for (int i = 0; i < activities; i++)
        {
            kept.Add(Activity(i));
        }

        long holdingActivities = Held() - before;
        GC.KeepAlive(kept);
        Console.WriteLine(FormattableString.Invariant(
            $"Grouping {activities} activities into {requests} requests holds {grouping / 1048576.0:0.0} MB ({(double)grouping / requests:0} B per request); holding the activities themselves takes {holdingActivities / 1048576.0:0.0} MB ({(double)holdingActivities / activities:0} B per activity, raw record not counted)."));
        Console.WriteLine(FormattableString.Invariant($"RESULT groupMB{activities}x{stepsPerRequest}={grouping / 1048576.0:0.0} requests{activities}x{stepsPerRequest}={requests} activitiesMB{activities}x{stepsPerRequest}={holdingActivities / 1048576.0:0.0}"));
    }

    private static long Held()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

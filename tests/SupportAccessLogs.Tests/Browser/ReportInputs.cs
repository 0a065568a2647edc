using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using SupportAccessLogs.Requests;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// What a report is made of, as the module makes it: activities read by the production query
/// (<see cref="CommandRead"/>) from the emulator, or parsed and classified from audit records by the
/// module's own reader and classifier; requests grouped by <see cref="RequestBook"/>, as
/// Get-SupportAccessRequest groups them.
/// </summary>
internal sealed record ReportInput(
    IReadOnlyList<SupportAccessActivity> Activities,
    IReadOnlyList<SupportAccessRequest> Requests,
    IReadOnlyList<string> Tenants,
    DateTime StartUtc,
    DateTime EndUtc,
    DateTime NowUtc)
{
    public IReadOnlyList<SupportAccessRequest> Active => Requests.Where(r => r.IsAccessActive).ToList();
}

internal static class ReportInputs
{
    /// <summary>The last 30 days of every tenant the emulator serves (the demo tenant's stories first).</summary>
    public static async Task<ReportInput> ReadAsync(EmulatorServer server, IReadOnlyList<string>? tenants = null)
    {
        tenants ??= server.Tenants.All.Select(t => t.TenantId).ToList();
        // The emulator's "now" (its anchor, truncated to the minute) is close to the clock's; the
        // report's "now" is the clock's, as the cmdlet's is.
        DateTime now = DateTime.UtcNow;
        var query = new ActivityQuery { StartUtc = now.AddDays(-30), EndUtc = now };
        var activities = new List<SupportAccessActivity>();
        foreach (string tenant in tenants)
        {
            string token = tenant == DemoTenant.TenantId
                ? TestTokens.DemoAdmin()
                : TestTokens.Mint(tenant, oid: DemoTenant.AdminObjectId, upn: DemoTenant.AdminUpn, scp: TestTokens.DefaultScopes);
            using SupportAccessConnection connection = TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, server.BaseAddress);
            await foreach (SupportAccessActivity activity in new CommandRead(connection).QueryAsync(query, new Messages(), CancellationToken.None))
            {
                activities.Add(activity);
            }
        }

        return Group(activities, tenants, query.StartUtc, query.EndUtc, now);
    }

    /// <summary>Activities grouped into requests at <paramref name="nowUtc"/>, as Get-SupportAccessRequest groups them.</summary>
    public static ReportInput Group(IReadOnlyList<SupportAccessActivity> activities, IReadOnlyList<string> tenants, DateTime startUtc, DateTime endUtc, DateTime nowUtc)
    {
        var book = new RequestBook();
        foreach (SupportAccessActivity activity in activities)
        {
            book.Add(ActivityFacts.Of(activity));
        }

        return new ReportInput(activities, book.Close(nowUtc, new Messages()), tenants, startUtc, endUtc, nowUtc);
    }

    /// <summary>Audit records (directoryAudit JSON) read and classified as the module reads a Graph page.</summary>
    public static List<SupportAccessActivity> Classify(IEnumerable<string> records, string callerTenant)
    {
        var classifier = new ActivityClassifier(Guid.Parse(callerTenant));
        return Records.ReadPage(Records.Page(records.ToArray()), out _)
            .Select(parsed => classifier.Classify(parsed.Record, parsed.Raw))
            .ToList();
    }

    /// <summary>One directoryAudit record of the support-access category, every member given.</summary>
    public static string Record(
        string id, DateTime timeUtc, string activityDisplayName, string initiatedBy, string additionalDetails,
        string correlationId, string result = "success", string resultReason = "", string targetResources = "[]") =>
        $$"""
        {"id":{{Json(id)}},"category":"MicrosoftSupportAccessManagement","correlationId":{{Json(correlationId)}},"result":{{Json(result)}},"resultReason":{{Json(resultReason)}},"activityDisplayName":{{Json(activityDisplayName)}},"activityDateTime":{{Json(timeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture))}},"loggedByService":"Core Directory","operationType":"Add","initiatedBy":{{initiatedBy}},"targetResources":{{targetResources}},"additionalDetails":{{additionalDetails}}}
        """;

    public static string User(string id, string displayName, string userPrincipalName) =>
        $$"""{"user":{"id":{{Json(id)}},"displayName":{{Json(displayName)}},"userPrincipalName":{{Json(userPrincipalName)}},"ipAddress":"203.0.113.7"},"app":null}""";

    public static string App(string displayName) =>
        $$$"""{"user":null,"app":{"appId":"a0b1c2d3-0000-4000-8000-000000000001","displayName":{{{Json(displayName)}}},"servicePrincipalId":"sp-1","servicePrincipalName":null}}""";

    private static string Json(string value) => JsonSerializer.Serialize(value);

    /// <summary>What the read and the grouping say; the report tests judge the page, not these.</summary>
    private sealed class Messages : IQueryReporter
    {
        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void PageRead(int pageNumber, long recordsRead, long activitiesWritten)
        {
        }
    }
}

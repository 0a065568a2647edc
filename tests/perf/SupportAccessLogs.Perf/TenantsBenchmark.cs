using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Perf;

/// <summary>
/// Issue 13: eight tenants of six pages each read side by side (four at once, the cmdlets'
/// default -ThrottleLimit) against one tenant of six pages, with the emulator's reporting throttle
/// on (5 requests per 10 s per app and tenant) and the module's pacing on, as a user runs it.
/// Wall time as a ratio (sequential would be 8), the 429s the emulator answered, and every
/// tenant's records once each.
/// </summary>
internal static class TenantsBenchmark
{
    private const int RecordsPerTenant = 5_500; // six pages of 999

    private static readonly string[] Others =
    {
        DemoTenant.PartnerTenantId, DemoTenant.SecondPartnerTenantId, DemoTenant.NorthwindTenantId, DemoTenant.TailspinTenantId,
        "0c2e4a6b-8d1f-4e3a-9b5c-7d9f1b3d5e7a", "1d3f5b7c-9e2a-4f4b-8c6d-8e0a2c4e6f8b", "2e4a6c8d-0f3b-4a5c-9d7e-9f1b3d5f7a9c",
    };

    public static async Task RunAsync()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Throttle = true,
            BulkRecordCount = RecordsPerTenant - 110,
            OtherTenants = Others.Select(id => new OtherTenant(id) { BulkRecordCount = RecordsPerTenant - 85 }).ToArray(),
        });
        var tenants = new[] { DemoTenant.TenantId }.Concat(Others).ToArray();
        var connections = tenants.Select(tenant => TenantSignIn.FromAccessToken(
            TestTokens.Mint(tenant, oid: DemoTenant.PipelineAppObjectId, roles: new[] { "AuditLog.Read.All", "Directory.Read.All" }, appId: DemoTenant.PipelineAppId),
            null, GraphEnvironment.Global, server.BaseAddress)).ToArray();
        var query = new ActivityQuery
        {
            StartUtc = DateTime.UtcNow.AddDays(-30),
            EndUtc = DateTime.UtcNow,
            RequestsPer10Seconds = ReportingPacer.DefaultRequestsPerWindow,
        };

        async Task<(double Ms, Dictionary<Guid, HashSet<string>> Records)> ReadAsync(SupportAccessConnection[] read, int atOnce)
        {
            var records = read.ToDictionary(c => c.TenantId, _ => new HashSet<string>());
            var fanOut = new TenantFanOut<SupportAccessConnection>(read, atOnce);
            var watch = Stopwatch.StartNew();
            await foreach (SupportAccessActivity activity in fanOut.ReadAsync(
                (connection, stop) => new ActivityReader(connection.TenantId).ReadAsync(new GraphAuditSource(TenantClients.Of(connection).Graph), query, NullReporter.Instance, stop),
                (connection, failure) => throw new InvalidOperationException($"Tenant {connection.TenantId} failed.", failure),
                CancellationToken.None))
            {
                if (!records[Guid.Parse(activity.TenantId)].Add(activity.Id))
                {
                    throw new InvalidOperationException($"Record {activity.Id} of tenant {activity.TenantId} came out twice.");
                }
            }

            return (watch.Elapsed.TotalMilliseconds, records);
        }

        (double one, Dictionary<Guid, HashSet<string>> oneRecords) = await ReadAsync(connections.Take(1).ToArray(), 4);
        // A new window for the eight: the first tenant's budget starts afresh, as another run's would.
        await Task.Delay(ReportingPacer.Window);
        long before = server.Requests.Snapshot().LastOrDefault()?.Sequence ?? 0;
        (double eight, Dictionary<Guid, HashSet<string>> eightRecords) = await ReadAsync(connections, 4);
        RequestLogEntry[] sent = server.Requests.Snapshot().Where(r => r.Sequence > before).ToArray();
        int throttled = sent.Count(r => r.Status == 429);
        int pages = sent.Count(r => r.Status == 200);
        bool everyRecordOnce = tenants.All(t => eightRecords[Guid.Parse(t)].Count == server.DataSetOf(t).Truth.Total);

        Console.WriteLine(FormattableString.Invariant($"Tenants: 1 tenant x 6 pages {one:0} ms ({oneRecords.Values.Sum(r => r.Count)} records); 8 tenants x 6 pages, 4 at once, {eight:0} ms ({eightRecords.Values.Sum(r => r.Count)} records, {pages} pages, {throttled} answered 429); ratio {eight / one:0.00} (goal <= 2.5, sequential is 8); every record once: {everyRecordOnce}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT tenantsOne={one:0} tenantsEight={eight:0} tenants429={throttled} tenantsOnce={(everyRecordOnce ? 1 : 0)}"));
        foreach (SupportAccessConnection connection in connections)
        {
            connection.Dispose();
        }
    }
}

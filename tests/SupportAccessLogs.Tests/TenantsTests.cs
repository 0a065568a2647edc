using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.NetworkInformation;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>Many tenants (issue 13), below the cmdlets: reading side by side (TenantFanOut) and
/// what a hundred connections hold. The cmdlets across tenants: tests/pester/Tenants.Tests.ps1.</summary>
public class TenantsTests
{
    [Fact]
    public async Task AHundredConnections_ShareAFewSockets()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        var connections = Enumerable.Range(0, 100)
            .Select(_ => TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress))
            .ToList();
        try
        {
            // A few at a time, as -ThrottleLimit reads them, each tenant's whole window.
            var fanOut = new TenantFanOut<SupportAccessConnection>(connections, atOnce: 4);
            int read = 0;
            await foreach (SupportAccessActivity _ in fanOut.ReadAsync(
                (connection, stop) => new CommandRead(connection).QueryAsync(Query(), new Silent(), stop),
                (connection, failure) => throw new InvalidOperationException($"Tenant {connection.TenantId} failed", failure),
                CancellationToken.None))
            {
                read++;
            }

            Assert.Equal(100 * server.DataSet.TruthRecords.Count, read);
            // Sockets are the transport's, shared by every connection: about as many as were in
            // use at once (4), not one (or more) per connection. A request that starts while the
            // answer before it is still being drained may open one more, so the bound is twice that:
            // still far below the hundred connections.
            int sockets = ClientSocketsTo(server.BaseAddress.Port);
            Assert.InRange(sockets, 1, 8);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ATenantThatFails_IsReported_AndTheOthersRead()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection good = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress);
        using SupportAccessConnection unreachable = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global, new Uri("http://127.0.0.1:9/"));
        var fanOut = new TenantFanOut<SupportAccessConnection>(new[] { unreachable, good }, atOnce: 2);
        var reported = new List<SupportAccessConnection>();

        var ids = new List<string>();
        await foreach (SupportAccessActivity activity in fanOut.ReadAsync(
            (connection, stop) => new CommandRead(connection).QueryAsync(Query(maxRetries: 0), new Silent(), stop),
            (connection, failure) => { lock (reported) { reported.Add(connection); } },
            CancellationToken.None))
        {
            ids.Add(activity.Id);
        }

        Assert.Same(unreachable, Assert.Single(reported));
        Assert.Same(unreachable, Assert.Single(fanOut.Failures).Tenant);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Count > 50);
    }

    [Fact]
    public async Task LeavingEarly_StopsEveryTenant()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { BulkRecordCount = 5000 });
        var connections = Enumerable.Range(0, 3)
            .Select(_ => TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress))
            .ToList();
        var fanOut = new TenantFanOut<SupportAccessConnection>(connections, atOnce: 3);
        int started = 0;
        int finished = 0;

        await foreach (SupportAccessActivity _ in fanOut.ReadAsync(
            (connection, stop) => Counted(new CommandRead(connection).QueryAsync(Query(), new Silent(), stop)),
            (connection, failure) => { },
            CancellationToken.None))
        {
            break;
        }

        // Every tenant's read has ended (its finally ran) by the time the loop is left.
        Assert.Equal(Volatile.Read(ref started), Volatile.Read(ref finished));
        Assert.Empty(fanOut.Failures);
        connections.ForEach(c => c.Dispose());

        async IAsyncEnumerable<SupportAccessActivity> Counted(IAsyncEnumerable<SupportAccessActivity> activities)
        {
            Interlocked.Increment(ref started);
            try
            {
                await foreach (SupportAccessActivity activity in activities)
                {
                    yield return activity;
                }
            }
            finally
            {
                Interlocked.Increment(ref finished);
            }
        }
    }

    [Fact]
    public async Task SeveralConnections_ReadAsTheCommandsReadThem_SkipAndFirstOverTheMergedStream_AFailureCountedOnce()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection good = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global, server.BaseAddress);
        using SupportAccessConnection unreachable = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global, new Uri("http://127.0.0.1:9/"));
        var messages = new CollectingReporter();

        // Everything the good tenant has, for comparison, through the same wiring.
        var whole = new ActivityRead(new[] { good }, Query()) { SkipRoleCheck = true };
        var all = new List<string>();
        await foreach (SupportAccessActivity activity in whole.ReadAsync(_ => messages, (_, f) => throw f, f => f.GetType().Name, messages, CancellationToken.None))
        {
            all.Add(activity.Id);
        }

        // -Skip 3 over both: the failing tenant is reported once, the good one read to its end.
        var read = new ActivityRead(new[] { unreachable, good }, Query(maxRetries: 0) with { Skip = 3 }, throttleLimit: 2) { SkipRoleCheck = true };
        (List<string> ids, List<SupportAccessConnection> failed) = await ReadAsync(read, messages);

        Assert.True(all.Count > 10);
        Assert.Equal(all.Skip(3), ids);
        Assert.Same(unreachable, Assert.Single(failed));
        Assert.Same(unreachable, Assert.Single(read.Failed));
        Assert.Contains(messages.Warnings, w => w.Contains("1 of 2 tenants were read; 1 failed", StringComparison.Ordinal) && w.Contains($"{unreachable.TenantId} (Unreachable)", StringComparison.Ordinal));

        // -Skip 3 -First 7: the merge applies them, not each tenant. The read may end before the
        // failing tenant has failed (then nothing of it is reported), never with it reported twice.
        var firstSeven = new ActivityRead(new[] { unreachable, good }, Query(first: 7, maxRetries: 0) with { Skip = 3 }, throttleLimit: 2) { SkipRoleCheck = true };
        (List<string> seven, List<SupportAccessConnection> failedBeforeTheEnd) = await ReadAsync(firstSeven, new CollectingReporter());

        Assert.Equal(all.Skip(3).Take(7), seven);
        Assert.InRange(failedBeforeTheEnd.Count, 0, 1);
    }

    private static async Task<(List<string> Ids, List<SupportAccessConnection> Failed)> ReadAsync(ActivityRead read, CollectingReporter messages)
    {
        var failed = new List<SupportAccessConnection>();
        var ids = new List<string>();
        await foreach (SupportAccessActivity activity in read.ReadAsync(
            _ => messages,
            (connection, _) => { lock (failed) { failed.Add(connection); } },
            failure => "Unreachable",
            messages,
            CancellationToken.None))
        {
            ids.Add(activity.Id);
        }

        return (ids, failed);
    }

    private static ActivityQuery Query(ulong? first = null, int maxRetries = 2) => new()
    {
        StartUtc = DateTime.UtcNow.AddDays(-30),
        EndUtc = DateTime.UtcNow,
        First = first,
        MaxRetries = maxRetries,
    };

    private static int ClientSocketsTo(int port) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(c => c.RemoteEndPoint.Port == port && c.State == TcpState.Established);

    private sealed class Silent : IQueryReporter
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

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.LogAnalytics;
using Xunit;

using static SupportAccessLogs.Tests.EmulatorHttp;

namespace SupportAccessLogs.Tests;

/// <summary>
/// Issue 23's hygiene of the shared transport and the Log Analytics path, against the emulator
/// over HTTP: no cookie crosses tenants or reaches Log Analytics.
/// </summary>
public class TransportHygieneTests
{
    private const string Contoso = DemoTenant.TenantId;
    private const string Fabrikam = DemoTenant.PartnerTenantId;
    private const string Audits = "/v1.0/auditLogs/directoryAudits";

    // ---- cookies ----

    [Fact]
    public async Task ACookieSetOnOneTenantsAnswers_GoesWithNoOtherTenantsRequest_NorToLogAnalytics()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            OtherTenants = [new OtherTenant(Fabrikam)],
            SetCookieTenant = Fabrikam,
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string fabrikamToken = (await GetJsonAsync(http, $"_emulator/token?tenant={Fabrikam}&roles=AuditLog.Read.All")).GetProperty("accessToken").GetString()!;

        // The emulator does set the cookie on Fabrikam's audit pages.
        using (var request = new HttpRequestMessage(HttpMethod.Get, Audits.TrimStart('/') + "?$top=1"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fabrikamToken);
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith($"emulator-affinity={Fabrikam}", StringComparison.Ordinal));
        }

        server.Requests.Clear();
        using SupportAccessConnection fabrikam = SupportAccessConnection.FromAccessToken(fabrikamToken, Fabrikam, GraphEnvironment.Global, server.BaseAddress);
        using SupportAccessConnection contoso = SupportAccessConnection.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global, server.BaseAddress,
            TestTokens.LogAnalyticsUser(), server.BaseAddress);

        // Fabrikam first (its answers set the cookie), then Contoso's Graph, then Contoso's workspace.
        Assert.NotEmpty(await ReadGraphAsync(fabrikam));
        Assert.NotEmpty(await ReadGraphAsync(contoso));
        Assert.NotEmpty(await ReadWorkspaceAsync(contoso, server, new Reporter()));

        IReadOnlyList<RequestLogEntry> log = server.Requests.Snapshot();
        Assert.True(server.Requests.CountFor(Audits, Fabrikam) > 0);
        Assert.True(server.Requests.CountFor(Audits, Contoso) > 0);
        Assert.Contains(log, e => e.Kql is not null);
        Assert.All(log, e => Assert.True(e.Cookie is null, $"{e.Method} {e.Path} (tenant {e.Tenant}) sent the cookie '{e.Cookie}'"));
    }

    // ---- helpers ----

    private static ActivityQuery Window(DateTime end, int days) => new() { StartUtc = end.AddDays(-days), EndUtc = end };

    private static async Task<List<SupportAccessActivity>> ReadGraphAsync(SupportAccessConnection connection)
    {
        var read = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in new ActivityQueryService(connection).QueryAsync(Window(DateTime.UtcNow, 30), new Reporter(), CancellationToken.None))
        {
            read.Add(activity);
        }

        return read;
    }

    private static async Task<List<SupportAccessActivity>> ReadWorkspaceAsync(SupportAccessConnection connection, EmulatorServer server, Reporter reporter)
    {
        var read = new List<SupportAccessActivity>();
        var source = new LogAnalyticsSource(connection.LogAnalyticsClient, [DemoWorkspace.WorkspaceId]);
        await foreach (SupportAccessActivity activity in new ActivityReader(connection.TenantId).ReadAsync(source, Window(server.LogAnalytics.Anchor.UtcDateTime, 10), reporter, CancellationToken.None))
        {
            read.Add(activity);
        }

        return read;
    }

    private static string Message(ErrorRecord error) => error.ErrorDetails?.Message ?? error.Exception.Message;

    private sealed class Reporter : IQueryReporter
    {
        public List<string> Verbose { get; } = new();
        public List<string> Warnings { get; } = new();

        void IMessageSink.Verbose(string message)
        {
            lock (Verbose)
            {
                Verbose.Add(message);
            }
        }

        void IMessageSink.Warning(string message)
        {
            lock (Warnings)
            {
                Warnings.Add(message);
            }
        }

        public void PageRead(int pageNumber, long recordsRead, long activitiesWritten)
        {
        }
    }
}

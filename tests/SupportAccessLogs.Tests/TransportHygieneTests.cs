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

    // ---- counts and slice arithmetic ----

    private static readonly DateTime Hour = new(2026, 11, 1, 10, 0, 0, DateTimeKind.Utc);

    private static System.Buffers.ReadOnlySequence<byte> CountAnswer(string count) => new(System.Text.Encoding.UTF8.GetBytes(
        $$"""{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"count_","type":"long"}],"rows":[["2026-11-01T10:00:00Z",{{count}}]]}]}"""));

    [Theory]
    [InlineData("-5")]
    [InlineData("1000000001")]
    [InlineData("9223372036854775807")]
    [InlineData("1e30")]
    [InlineData("2.5")]
    [InlineData("null")]
    [InlineData("\"12\"")]
    public void ACountThatIsNegativeAbsurdOrNoWholeNumber_IsRefused_NamingItAndTheHour(string count)
    {
        var window = new Slice(Hour.AddDays(-1), Hour.AddDays(1));

        var error = Assert.Throws<AuditResponseFormatException>(() => QueryAnswer.Counts(CountAnswer(count), window));

        Assert.Contains("row count of ", error.Message);
        Assert.Contains("for the hour of 2026-11-01T10:00:00", error.Message);
        Assert.Contains("not a whole number from 0 to 1,000,000,000", error.Message);
        Assert.Contains("-LogAnalyticsEndpoint", error.Message);
        ErrorRecord record = ErrorRecords.ToErrorRecord(error.At(new Uri("http://127.0.0.1:1/v1/workspaces/w/query")), new Uri("http://127.0.0.1:1/"));
        Assert.Equal("LogAnalyticsResponseMalformed", record.FullyQualifiedErrorId);
    }

    [Fact]
    public void ACountOfUpToABillion_IsTaken()
    {
        var window = new Slice(Hour.AddDays(-1), Hour.AddDays(1));
        Assert.Equal([(Hour, 1_000_000_000L)], QueryAnswer.Counts(CountAnswer("1000000000"), window));
        Assert.Equal([(Hour, 0L)], QueryAnswer.Counts(CountAnswer("0"), window));
    }

    [Fact]
    public void SliceArithmeticThatOverflows_IsAnError_NeverASkippedHour()
    {
        var window = new Slice(Hour.AddDays(-1), Hour.AddDays(1));

        // An hour's count so large that its number of parts overflowed: the hour had no slice at all.
        Assert.Throws<OverflowException>(() => LogAnalyticsSource.Plan(window, [(Hour, long.MaxValue)]));
        // Two hours whose rows added up past long.MaxValue.
        Assert.Throws<OverflowException>(() => LogAnalyticsSource.Plan(window, [(Hour, 3_000), (Hour.AddHours(-1), long.MaxValue - 1_000)]));
        // An instant split into id buckets until their count would wrap.
        var bucketed = new Slice(Hour, Hour.AddTicks(1), 1 << 30, 0);
        Assert.Throws<OverflowException>(() => bucketed.Split());

        // Sane counts still plan every hour.
        List<Slice> slices = LogAnalyticsSource.Plan(window, [(Hour, 12_000), (Hour.AddHours(-1), 3_000)]);
        Assert.Equal(Hour.AddHours(1), slices[0].End);
        Assert.Equal(Hour.AddHours(-1), slices[^1].Start);
    }

    // ---- role reads ----

    [Fact]
    public async Task ARoleReadPastItsPageCap_IsAnError_NotHeldWithoutBound()
    {
        // 28 role definitions, one a page: 28 pages.
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { RolePageSize = 1 });
        using SupportAccessConnection connection = SupportAccessConnection.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global, server.BaseAddress);

        Assert.Equal(28, (await new Roles.RoleDirectory(connection).GetRoleDefinitionsAsync(CancellationToken.None)).Count);

        server.Requests.Clear();
        var pages = await Assert.ThrowsAsync<ModuleException>(() => new Roles.RoleDirectory(connection, maxPages: 10).GetRoleDefinitionsAsync(CancellationToken.None));
        Assert.Equal("RoleReadTooLarge", pages.ErrorId);
        Assert.Contains("10 pages and still a next one (10 items in 10 pages)", pages.Message);
        Assert.Contains("roleManagement/directory/roleDefinitions", pages.Message);
        Assert.Contains("-GraphEndpoint", pages.Message);
        Assert.Equal(10, server.Requests.CountFor("/v1.0/roleManagement/directory/roleDefinitions"));

        var items = await Assert.ThrowsAsync<ModuleException>(() => new Roles.RoleDirectory(connection, maxItems: 5).GetRoleDefinitionsAsync(CancellationToken.None));
        Assert.Contains("more than 5 items (6 items in 6 pages)", items.Message);
        ErrorRecord record = ErrorRecords.ToErrorRecord(items, connection.GraphEndpoint);
        Assert.Equal("RoleReadTooLarge", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, record.CategoryInfo.Category);
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

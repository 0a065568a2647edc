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
using SupportAccessLogs.Commands;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Http;
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
        using SupportAccessConnection fabrikam = TenantSignIn.FromAccessToken(fabrikamToken, Fabrikam, GraphEnvironment.Global, server.BaseAddress);
        using SupportAccessConnection contoso = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global, server.BaseAddress,
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

    // ---- the Log Analytics request log ----

    [Fact]
    public async Task TheRequestLog_IsTheReadsOwn_InItsVerbose_WithoutHeaders_AndAnotherAzureSdksRequestsStayOut()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global, server.BaseAddress,
            TestTokens.LogAnalyticsUser(), server.BaseAddress);

        // Another Azure SDK client in the process (as Az.Accounts is), with Azure.Core's logging on,
        // sends a request while the read runs: its log must not reach the read's Verbose.
        var other = Azure.Core.Pipeline.HttpPipelineBuilder.Build(new OtherSdkOptions());
        var reporter = new Reporter();
        reporter.OnVerbose = () =>
        {
            Azure.Core.HttpMessage message = other.CreateMessage();
            message.Request.Method = Azure.Core.RequestMethod.Get;
            message.Request.Uri.Reset(new Uri(server.BaseAddress, "_emulator/requests/count?path=/other-sdk"));
            other.SendAsync(message, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        };

        List<SupportAccessActivity> read = await ReadWorkspaceAsync(connection, server, reporter);

        Assert.NotEmpty(read);
        string query = new Uri(server.BaseAddress, $"v1/workspaces/{DemoWorkspace.WorkspaceId}/query").AbsoluteUri;
        int queries = server.Requests.Snapshot().Count(e => e.Kql is not null);
        Assert.Equal(queries, reporter.Verbose.Count(v => v == $"Log Analytics request: POST {query}"));
        Assert.Equal(queries, reporter.Verbose.Count(v => v.StartsWith($"Log Analytics answer: 200 OK to POST {query} in ", StringComparison.Ordinal)));
        Assert.True(reporter.OtherSdkRequests > 0);
        Assert.DoesNotContain(reporter.Verbose, v => v.Contains("_emulator", StringComparison.Ordinal) || v.Contains("other-sdk", StringComparison.Ordinal));
        Assert.DoesNotContain(reporter.Verbose, v => v.Contains("Azure.Core", StringComparison.Ordinal));
        Assert.DoesNotContain(reporter.Verbose, v => v.Contains("Authorization", StringComparison.OrdinalIgnoreCase) || v.Contains("Bearer", StringComparison.Ordinal));
        Assert.DoesNotContain(reporter.Verbose, v => v.Contains(TestTokens.LogAnalyticsUser().Split('.')[0] + ".", StringComparison.Ordinal));
    }

    private sealed class OtherSdkOptions : Azure.Core.ClientOptions
    {
        public OtherSdkOptions()
        {
            Diagnostics.IsLoggingEnabled = true;
            Diagnostics.IsLoggingContentEnabled = true;
            Retry.MaxRetries = 0;
        }
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

        var error = Assert.Throws<AuditResponseFormatException>(() => QueryAnswer.Counts(CountAnswer(count), window, matchingColumn: null));

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
        Assert.Equal([(Hour, 1_000_000_000L, 1_000_000_000L)], QueryAnswer.Counts(CountAnswer("1000000000"), window, matchingColumn: null));
        Assert.Equal([(Hour, 0L, 0L)], QueryAnswer.Counts(CountAnswer("0"), window, matchingColumn: null));
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
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global, server.BaseAddress);

        Assert.Equal(28, (await new Roles.RoleDirectory(TenantClients.Of(connection).Graph).GetRoleDefinitionsAsync(CancellationToken.None)).Count);

        server.Requests.Clear();
        var pages = await Assert.ThrowsAsync<ModuleException>(() => new Roles.RoleDirectory(TenantClients.Of(connection).Graph, maxPages: 10).GetRoleDefinitionsAsync(CancellationToken.None));
        Assert.Equal("RoleReadTooLarge", pages.ErrorId);
        Assert.Contains("10 pages and still a next one (10 items in 10 pages)", pages.Message);
        Assert.Contains("roleManagement/directory/roleDefinitions", pages.Message);
        Assert.Contains("-GraphEndpoint", pages.Message);
        Assert.Equal(10, server.Requests.CountFor("/v1.0/roleManagement/directory/roleDefinitions"));

        var items = await Assert.ThrowsAsync<ModuleException>(() => new Roles.RoleDirectory(TenantClients.Of(connection).Graph, maxItems: 5).GetRoleDefinitionsAsync(CancellationToken.None));
        Assert.Contains("more than 5 items (6 items in 6 pages)", items.Message);
        ErrorRecord record = ErrorRecords.ToErrorRecord(items, connection.GraphEndpoint);
        Assert.Equal("RoleReadTooLarge", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, record.CategoryInfo.Category);
    }

    // ---- Log Analytics tokens: aud and tid required, matched against the connection ----

    public static TheoryData<string, string, string> BadLogAnalyticsTokens() => new()
    {
        // token kind, expected error id, expected words
        { "noAud", "LogAnalyticsAccessTokenWrongAudience", "has no 'aud' claim" },
        { "graphAud", "LogAnalyticsAccessTokenWrongAudience", "is for 'https://graph.microsoft.com', not the Log Analytics API of the Global cloud (https://api.loganalytics.io)" },
        { "usGovAud", "LogAnalyticsAccessTokenWrongAudience", "is for 'https://api.loganalytics.us', not the Log Analytics API of the Global cloud" },
        { "noTid", "LogAnalyticsAccessTokenTenantMismatch", "has no 'tid' claim" },
        { "otherTid", "LogAnalyticsAccessTokenTenantMismatch", $"was issued for tenant {Fabrikam}, but the connection is for tenant {Contoso}" },
    };

    private static string LogAnalyticsToken(string kind) => kind switch
    {
        "noAud" => Jwt.Unsigned(new { tid = Contoso, exp = Jwt.InOneHour, scp = "Data.Read" }),
        "graphAud" => TestTokens.Mint(Contoso, scp: "Data.Read"),
        "usGovAud" => TestTokens.Mint(Contoso, scp: "Data.Read", aud: "https://api.loganalytics.us"),
        "noTid" => Jwt.Unsigned(new { aud = TestTokens.LogAnalyticsAudience, exp = Jwt.InOneHour, scp = "Data.Read" }),
        "otherTid" => TestTokens.Mint(Fabrikam, scp: "Data.Read", aud: TestTokens.LogAnalyticsAudience),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(BadLogAnalyticsTokens))]
    public async Task ALogAnalyticsAccessToken_WithoutOrWithAnotherAudOrTid_IsRefusedAtConnect_SayingWhatWasExpected(string kind, string errorId, string words)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        string token = LogAnalyticsToken(kind);

        var error = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global, server.BaseAddress,
            token, server.BaseAddress));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(words, error.Message);
        Assert.Contains($"Get-AzAccessToken -TenantId {Contoso} -ResourceUrl https://api.loganalytics.io", error.Message);
        Assert.DoesNotContain(token.Split('.')[1], error.Message);
        Assert.Empty(server.Requests.Snapshot());
    }

    [Theory]
    [InlineData("https://api.loganalytics.io")]
    [InlineData("https://api.loganalytics.io/")]
    public void ALogAnalyticsAccessToken_OfTheConnectionsCloudAndTenant_IsTaken_WithOrWithoutTrailingSlash(string aud)
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), Contoso, GraphEnvironment.Global,
            new Uri("http://127.0.0.1:9/"), TestTokens.Mint(Contoso, scp: "Data.Read", aud: aud), new Uri("http://127.0.0.1:9/"));
        Assert.Equal(Contoso, connection.TenantId.ToString());
    }

    [Fact]
    public void ALogAnalyticsAccessToken_OfAnotherCloud_IsRefused_TheUSGovOneTakenForUSGov()
    {
        var refused = Assert.Throws<ModuleException>(() => TenantSignIn.FromAccessToken(
            TestTokens.Mint(Contoso, scp: "AuditLog.Read.All", aud: "https://graph.microsoft.us"), Contoso, GraphEnvironment.USGov, new Uri("http://127.0.0.1:9/"),
            TestTokens.Mint(Contoso, scp: "Data.Read", aud: "https://api.loganalytics.io"), new Uri("http://127.0.0.1:9/")));
        Assert.Equal("LogAnalyticsAccessTokenWrongAudience", refused.ErrorId);
        Assert.Contains("of the USGov cloud (https://api.loganalytics.us)", refused.Message);

        using SupportAccessConnection taken = TenantSignIn.FromAccessToken(
            TestTokens.Mint(Contoso, scp: "AuditLog.Read.All", aud: "https://graph.microsoft.us"), Contoso, GraphEnvironment.USGov, new Uri("http://127.0.0.1:9/"),
            TestTokens.Mint(Contoso, scp: "Data.Read", aud: "https://api.loganalytics.us/"), new Uri("http://127.0.0.1:9/"));
    }

    [Fact]
    public async Task ACredentialsLogAnalyticsTokenForAnotherTenant_IsRefusedBeforeAnyQuery_AndTheRightOneReads()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { OtherTenants = [new OtherTenant(Fabrikam)] });

        // A credential (as Azure CLI signed in to another tenant might) whose Log Analytics tokens are Fabrikam's.
        using SupportAccessConnection wrong = await CredentialConnectionAsync(server, logAnalyticsTenant: Fabrikam);
        var reporter = new Reporter();
        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => ReadWorkspaceAsync(wrong, server, reporter));
        Assert.Equal("LogAnalyticsAccessTokenTenantMismatch", error.ErrorId);
        Assert.Contains($"The Log Analytics token the sign-in returned was issued for tenant {Fabrikam}, but the connection is for tenant {Contoso}", error.Message);
        Assert.Contains($"Connect-SupportAccess -TenantId {Contoso}", error.Message);
        Assert.DoesNotContain(server.Requests.Snapshot(), e => e.Kql is not null);

        using SupportAccessConnection right = await CredentialConnectionAsync(server, logAnalyticsTenant: Contoso);
        Assert.NotEmpty(await ReadWorkspaceAsync(right, server, new Reporter()));
    }

    /// <summary>A connection through a credential that gets its tokens from the emulator: Graph's for
    /// the demo tenant, Log Analytics' for <paramref name="logAnalyticsTenant"/>.</summary>
    private static async Task<SupportAccessConnection> CredentialConnectionAsync(EmulatorServer server, string logAnalyticsTenant)
    {
        var credential = new EmulatorCredential(server, logAnalyticsTenant);
        return await TenantSignIn.ConnectWithCredentialAsync(
            new Auth.SignInRequest { Method = Auth.SignInMethod.ClientSecret, TenantId = Contoso, GraphEndpoint = server.BaseAddress, LogAnalyticsEndpoint = server.BaseAddress },
            credential, Contoso, CancellationToken.None);
    }

    private sealed class EmulatorCredential(EmulatorServer server, string logAnalyticsTenant) : Azure.Core.TokenCredential
    {
        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            bool logAnalytics = requestContext.Scopes[0].Contains("loganalytics", StringComparison.OrdinalIgnoreCase);
            using HttpClient http = new() { BaseAddress = server.BaseAddress };
            string token = (await GetJsonAsync(http, logAnalytics ? $"_emulator/token?tenant={logAnalyticsTenant}&api=loganalytics" : $"_emulator/token?tenant={Contoso}"))
                .GetProperty("accessToken").GetString()!;
            return new Azure.Core.AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }
    }

    // ---- helpers ----

    private static ActivityQuery Window(DateTime end, int days) => new() { StartUtc = end.AddDays(-days), EndUtc = end };

    private static async Task<List<SupportAccessActivity>> ReadGraphAsync(SupportAccessConnection connection)
    {
        var read = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in new CommandRead(connection).QueryAsync(Window(DateTime.UtcNow, 30), new Reporter(), CancellationToken.None))
        {
            read.Add(activity);
        }

        return read;
    }

    private static async Task<List<SupportAccessActivity>> ReadWorkspaceAsync(SupportAccessConnection connection, EmulatorServer server, Reporter reporter)
    {
        var read = new List<SupportAccessActivity>();
        var source = new LogAnalyticsSource(TenantClients.Of(connection).LogAnalyticsClient, [DemoWorkspace.WorkspaceId], connection.TenantId);
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

        /// <summary>Run on each Verbose line (outside the lock).</summary>
        public Action? OnVerbose { get; set; }

        public int OtherSdkRequests { get; private set; }

        void IMessageSink.Verbose(string message)
        {
            lock (Verbose)
            {
                Verbose.Add(message);
            }

            if (OnVerbose is not null && message.StartsWith("Log Analytics request: ", StringComparison.Ordinal))
            {
                OnVerbose();
                OtherSdkRequests++;
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

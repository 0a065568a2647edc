using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Commands;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using SupportAccessLogs.Roles;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The rules behind issue 16's hostile cases; the cases themselves run in tests/pester/Hostile.Tests.ps1.</summary>
public class HostileRunTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RepeatedRecordFilter_SeesARepeatAcrossPagesAndWithinAPage()
    {
        var filter = new RepeatedRecordFilter();

        Assert.False(filter.IsRepeat("a", Noon));
        Assert.False(filter.IsRepeat("b", Noon.AddMinutes(-1)));
        Assert.True(filter.IsRepeat("a", Noon));
        Assert.True(filter.IsRepeat("b", Noon.AddMinutes(-1)));
        Assert.False(filter.IsRepeat("c", Noon.AddMinutes(-2)));
    }

    [Fact]
    public void RepeatedRecordFilter_ForgetsIdsOlderThanItsSpan_SoMemoryStaysBounded()
    {
        var filter = new RepeatedRecordFilter();

        // Two days of records, one a second, newest first: only about an hour's worth is kept.
        int count = 2 * 24 * 3600;
        for (int i = 0; i < count; i++)
        {
            Assert.False(filter.IsRepeat($"r{i}", Noon.AddSeconds(-i)));
        }

        Assert.InRange(filter.Count, 3600, 3602);
        Assert.True(filter.IsRepeat($"r{count - 3000}", Noon.AddSeconds(-(count - 3000))));
        Assert.False(filter.IsRepeat("r0", Noon), "the first records are long forgotten");
    }

    [Fact]
    public void RepeatedRecordFilter_SparseRecords_TheLatestPageIsAlwaysKnown()
    {
        var filter = new RepeatedRecordFilter();

        // One record a day: an hour's span alone would forget the previous page's tail at once.
        for (int day = 0; day < 3 * RepeatedRecordFilter.MinIds; day++)
        {
            filter.IsRepeat($"d{day}", Noon.AddDays(-day));
        }

        Assert.Equal(RepeatedRecordFilter.MinIds, filter.Count);
        Assert.True(filter.IsRepeat($"d{3 * RepeatedRecordFilter.MinIds - 2}", Noon.AddDays(-(3 * RepeatedRecordFilter.MinIds - 2))));
    }

    [Fact]
    public void RepeatedRecordFilter_HasAHardCap_WhenOneSpanHoldsTooManyIds()
    {
        var filter = new RepeatedRecordFilter();

        for (int i = 0; i < RepeatedRecordFilter.MaxIds + 500; i++)
        {
            filter.IsRepeat($"same-second-{i}", Noon);
        }

        Assert.Equal(RepeatedRecordFilter.MaxIds, filter.Count);
    }

    [Fact]
    public void RepeatedRecordFilter_RecordsWithoutATime_AgeWithTheirNeighbours()
    {
        var filter = new RepeatedRecordFilter();
        filter.IsRepeat("timed", Noon);
        filter.IsRepeat("untimed", null);
        for (int i = 1; i <= 3 * RepeatedRecordFilter.MinIds; i++)
        {
            filter.IsRepeat($"r{i}", Noon.AddSeconds(-10 * i));
        }

        Assert.False(filter.IsRepeat("untimed", null), "it went with the records of its time");
    }

    [Theory]
    [InlineData("[abc")]
    [InlineData("a[b")]
    public void CheckInitiatedBy_InvalidWildcard_RefusedUpFront(string value)
    {
        ModuleException error = Assert.Throws<ModuleException>(() => ActivityQuery.CheckInitiatedBy(value));

        Assert.Equal("InitiatedByInvalidWildcard", error.ErrorId);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void CheckInitiatedBy_TooLong_NamesTheLengthAndTheLimit()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => ActivityQuery.CheckInitiatedBy(new string('x', 100_000)));

        Assert.Equal("InitiatedByTooLong", error.ErrorId);
        Assert.Contains("100000", error.Message);
        Assert.Contains(ActivityQuery.MaxInitiatedByLength.ToString(), error.Message);
        Assert.True(error.Message.Length < 1000, "the value itself is not repeated in the message");
    }

    [Theory]
    [InlineData("admin@contoso.com")]
    [InlineData("*@contoso.com")]
    [InlineData("`[literal`]")]
    [InlineData("Microsoft Support")]
    public void CheckInitiatedBy_GoodValues_Pass(string value)
    {
        ActivityQuery.CheckInitiatedBy(value);
        ActivityQuery.CheckInitiatedBy(new string('a', ActivityQuery.MaxInitiatedByLength));
    }

    [Fact]
    public async Task ReaderAccess_ReaderRoleInTheDirectoryButNotInTheToken_DeniedWithReconnectAdvice()
    {
        using SupportAccessConnection connection = Connect(wids: new[] { HelpdeskTemplateId });
        (CallerRoles? roles, string? unavailable) = await CallerRoles.ResolveAsync(TenantClients.Of(connection).Graph, new RoleDirectory(TenantClients.Of(connection).Graph), CancellationToken.None);

        ReaderAccess fromTokenAlone = ReaderAccess.Decide(TenantClients.Of(connection).Graph, roles, unavailable, null);
        ReaderAccess withDirectory = ReaderAccess.Decide(TenantClients.Of(connection).Graph, roles, unavailable, new[] { HelpdeskTemplateId, ReportsReaderTemplateId });

        Assert.Equal(ReadVerdict.Denied, fromTokenAlone.Verdict);
        Assert.Empty(fromTokenAlone.AssignedNotInToken);
        Assert.Equal(ReadVerdict.Denied, withDirectory.Verdict);
        Assert.Equal("ReaderRoleMissing", withDirectory.ErrorId);
        Assert.Equal(new[] { "Reports Reader" }, withDirectory.AssignedNotInToken);
        Assert.Contains("Connect-SupportAccess again", withDirectory.Reason);
    }

    [Fact]
    public async Task ReaderAccess_ReaderRoleInTheToken_Allowed()
    {
        using SupportAccessConnection connection = Connect(wids: new[] { ReportsReaderTemplateId });
        (CallerRoles? roles, string? unavailable) = await CallerRoles.ResolveAsync(TenantClients.Of(connection).Graph, new RoleDirectory(TenantClients.Of(connection).Graph), CancellationToken.None);

        ReaderAccess access = ReaderAccess.Decide(TenantClients.Of(connection).Graph, roles, unavailable, null);

        Assert.Equal(ReadVerdict.Allowed, access.Verdict);
        Assert.Equal(new[] { "Reports Reader" }, access.GrantedBy);
    }

    [Fact]
    public void ReaderAccess_AppOnly_DecidedByTheApplicationPermission()
    {
        using SupportAccessConnection with = ConnectApp("AuditLog.Read.All");
        using SupportAccessConnection without = ConnectApp("Directory.Read.All");

        Assert.Equal(ReadVerdict.Allowed, ReaderAccess.Decide(TenantClients.Of(with).Graph, null, null, null).Verdict);
        ReaderAccess denied = ReaderAccess.Decide(TenantClients.Of(without).Graph, null, null, null);
        Assert.Equal(ReadVerdict.Denied, denied.Verdict);
        Assert.Equal("ApplicationPermissionMissing", denied.ErrorId);
    }

    [Fact]
    public async Task GraphGet_AnErrorWithoutAGraphBody_KeepsItsStatusAndSaysWhatTheBodyWas()
    {
        // Kestrel itself answers 414 with an empty body to a request line past 8 KB: a real server's
        // error that carries no Graph error JSON at all.
        await using GraphEmulator.EmulatorServer server = await GraphEmulator.EmulatorServer.StartAsync(new GraphEmulator.EmulatorOptions());
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            GraphEmulator.TestTokens.DemoAdmin(), GraphEmulator.DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress);
        var url = new Uri(connection.GraphEndpoint, "auditLogs/directoryAudits?$filter=" + new string('a', 20_000));

        Microsoft.Kiota.Abstractions.ApiException error = await Assert.ThrowsAnyAsync<Microsoft.Kiota.Abstractions.ApiException>(
            () => GraphGet.StreamAsync(TenantClients.Of(connection).Graph.RequestAdapter, url, CancellationToken.None));
        System.Management.Automation.ErrorRecord record = ErrorRecords.ToErrorRecord(error, url);

        Assert.Equal(414, error.ResponseStatusCode);
        Assert.Contains("empty body", error.Message);
        Assert.Equal("GraphError", record.FullyQualifiedErrorId);
        Assert.Contains("Microsoft Graph returned 414", record.Exception.Message);
        Assert.Contains("/v1.0/auditLogs/directoryAudits", record.Exception.Message);
    }

    private const string Tenant = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string HelpdeskTemplateId = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    private const string ReportsReaderTemplateId = "4a5d8f65-41da-4de4-8968-e035b65339cf";
    private static readonly Uri Loopback = new("http://127.0.0.1:9/");

    private static SupportAccessConnection Connect(string[] wids) =>
        TenantSignIn.FromAccessToken(
            Jwt.Unsigned(new { aud = Jwt.GraphAudience, tid = Tenant, oid = "u", upn = "riya@contoso.com", scp = "AuditLog.Read.All Directory.Read.All", wids, exp = Jwt.InOneHour }),
            null, GraphEnvironment.Global, Loopback);

    private static SupportAccessConnection ConnectApp(string role) =>
        TenantSignIn.FromAccessToken(
            Jwt.Unsigned(new { aud = Jwt.GraphAudience, tid = Tenant, oid = "sp", appid = "c0ffee00-0000-4000-8000-000000000001", roles = new[] { role }, exp = Jwt.InOneHour }),
            null, GraphEnvironment.Global, Loopback);
}

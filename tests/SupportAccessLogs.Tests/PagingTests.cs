using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using GraphEmulator.Faults;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Commands;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary><see cref="CommandRead"/> against the Graph emulator in-process: paging,
/// the server filters, the category fallback, classification against the emulator's
/// hand-written truth, and where a nextLink may lead.</summary>
public class PagingTests
{
    private const string AuditPath = "/v1.0/auditLogs/directoryAudits";
    private const int PageSize = 7;

    // ---- every record, exactly once, classified as its author meant ----

    [Fact]
    public async Task Query_DefaultWindow_EverySupportAccessRecordExactlyOnce()
    {
        await using EmulatorServer server = await StartAsync();
        var service = new CommandRead(Connect(server));

        List<SupportAccessActivity> activities = await RunAsync(service, DefaultWindow());

        string[] ids = activities.Select(a => a.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(server.DataSet.Truth.Total, ids.Length);
        Assert.Equal(
            server.DataSet.TruthRecords.Select(t => t.Id).OrderBy(id => id, StringComparer.Ordinal),
            ids.OrderBy(id => id, StringComparer.Ordinal));
        Assert.True(service.ReachedEnd);
        Assert.Equal(server.DataSet.Truth.Total, service.MatchedCount);
    }

    [Fact]
    public async Task Query_DefaultWindow_ClassificationMatchesTruth()
    {
        await using EmulatorServer server = await StartAsync();

        Dictionary<string, SupportAccessActivity> byId = (await RunAsync(new CommandRead(Connect(server)), DefaultWindow()))
            .ToDictionary(a => a.Id);

        var mismatches = new List<string>();
        foreach (TruthRecord truth in server.DataSet.TruthRecords)
        {
            if (!byId.TryGetValue(truth.Id, out SupportAccessActivity? actual))
            {
                mismatches.Add($"{truth.Id} '{truth.ActivityDisplayName}': missing");
                continue;
            }

            ScenarioExpectation expected = truth.Expected;
            string actualRole = actual.TenantRole?.ToString() ?? "";
            if (expected.Category != actual.Category.ToString()
                || expected.Activity != actual.Activity.ToString()
                || expected.TenantRole != actualRole
                || !string.Equals(expected.OtherTenantId, actual.OtherTenantId, StringComparison.OrdinalIgnoreCase)
                || expected.SupportRequestId != actual.SupportRequestId)
            {
                mismatches.Add(
                    $"{truth.Id} '{truth.ActivityDisplayName}': expected {expected.Category}/{expected.Activity}/{expected.TenantRole}/{expected.OtherTenantId}/{expected.SupportRequestId}, " +
                    $"got {actual.Category}/{actual.Activity}/{actualRole}/{actual.OtherTenantId}/{actual.SupportRequestId}");
            }

            if (actual.ActivityDisplayName != truth.ActivityDisplayName || actual.ActivityTime != truth.ActivityDateTime.UtcDateTime)
            {
                mismatches.Add($"{truth.Id}: name or time differs ('{actual.ActivityDisplayName}' {actual.ActivityTime:o})");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public async Task Query_DefaultWindow_CountsPerCategoryAndActivityMatchTruth()
    {
        await using EmulatorServer server = await StartAsync();

        List<SupportAccessActivity> activities = await RunAsync(new CommandRead(Connect(server)), DefaultWindow());

        TruthSummary truth = server.DataSet.Truth;
        foreach (Category category in Enum.GetValues<Category>())
        {
            Assert.Equal(truth.ByCategory[category.ToString()], activities.LongCount(a => a.Category == category));
        }

        foreach (Activity activity in Enum.GetValues<Activity>())
        {
            Assert.Equal(truth.ByActivity[activity.ToString()], activities.LongCount(a => a.Activity == activity));
        }

        Assert.All(activities, a => Assert.Equal(a.Category, a switch
        {
            UserInitiatedActivity => Category.UserInitiated,
            AutomatedActivity => Category.Automated,
            CrossTenantActivity => Category.CrossTenant,
            _ => (Category)(-1),
        }));
    }

    [Fact]
    public async Task Query_DefaultWindow_NoRecordOfOtherCategories()
    {
        await using EmulatorServer server = await StartAsync();
        Assert.NotEmpty(server.DataSet.Truth.OtherCategoryIds);

        List<SupportAccessActivity> activities = await RunAsync(new CommandRead(Connect(server)), DefaultWindow());

        Assert.Empty(activities.Select(a => a.Id).Intersect(server.DataSet.Truth.OtherCategoryIds));
        Assert.All(activities, a => Assert.Equal("MicrosoftSupportAccessManagement", System.Text.Json.JsonDocument.Parse(a.GetRawRecord()).RootElement.GetProperty("category").GetString()));
    }

    [Fact]
    public async Task Query_SmallPages_SeveralPagesRequestedWithCategoryFilter()
    {
        await using EmulatorServer server = await StartAsync();
        var reporter = new RecordingReporter();

        List<SupportAccessActivity> activities = await RunAsync(new CommandRead(Connect(server)), DefaultWindow(), reporter);

        RequestLogEntry[] requests = server.Requests.Snapshot().Where(r => r.Path.Equals(AuditPath, StringComparison.OrdinalIgnoreCase)).ToArray();
        int expectedPages = (int)((activities.Count + PageSize - 1) / PageSize);
        Assert.True(requests.Length > 1, $"{requests.Length} request(s)");
        Assert.InRange(requests.Length, expectedPages, expectedPages + 1);
        Assert.Equal(requests.Length, server.Requests.CountFor(AuditPath));
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.All(requests, r => Assert.True(r.HasAuthorization && r.Authorized));
        Assert.Contains("category eq 'MicrosoftSupportAccessManagement'", requests[0].Query);
        Assert.Contains("activityDateTime ge ", requests[0].Query);
        Assert.Contains("activityDateTime le ", requests[0].Query);
        Assert.Equal(requests.Length, reporter.Pages.Count);
        Assert.Equal(activities.Count, reporter.Pages[^1].Written);
    }

    // ---- paging parameters ----

    [Fact]
    public async Task Query_First5_ExactlyOneAuditRequest()
    {
        await using EmulatorServer server = await StartAsync();
        var service = new CommandRead(Connect(server));
        List<SupportAccessActivity> all = await RunAsync(service, DefaultWindow());
        server.Requests.Clear();

        List<SupportAccessActivity> first = await RunAsync(new CommandRead(Connect(server)), DefaultWindow(first: 5));

        Assert.Equal(all.Take(5).Select(a => a.Id), first.Select(a => a.Id));
        Assert.Equal(1, server.Requests.CountFor(AuditPath));
    }

    [Fact]
    public async Task Query_First0_NoRequest()
    {
        await using EmulatorServer server = await StartAsync();

        List<SupportAccessActivity> none = await RunAsync(new CommandRead(Connect(server)), DefaultWindow(first: 0));

        Assert.Empty(none);
        Assert.Equal(0, server.Requests.CountFor(AuditPath));
    }

    [Fact]
    public async Task Query_Skip_DropsTheFirstActivities()
    {
        await using EmulatorServer server = await StartAsync();
        List<SupportAccessActivity> all = await RunAsync(new CommandRead(Connect(server)), DefaultWindow());

        var service = new CommandRead(Connect(server));
        List<SupportAccessActivity> skipped = await RunAsync(service, DefaultWindow(skip: 10));

        Assert.Equal(all.Skip(10).Select(a => a.Id), skipped.Select(a => a.Id));
        Assert.Equal(all.Count, service.MatchedCount);
    }

    [Fact]
    public async Task Query_SkipAndFirst_AWindowAcrossPages()
    {
        await using EmulatorServer server = await StartAsync();
        List<SupportAccessActivity> all = await RunAsync(new CommandRead(Connect(server)), DefaultWindow());

        var service = new CommandRead(Connect(server));
        List<SupportAccessActivity> window = await RunAsync(service, DefaultWindow(skip: 5, first: 4));

        Assert.Equal(all.Skip(5).Take(4).Select(a => a.Id), window.Select(a => a.Id));
        Assert.False(service.ReachedEnd);
    }

    [Fact]
    public async Task Query_SkipPastTheEnd_NothingButCountKnown()
    {
        await using EmulatorServer server = await StartAsync();

        var service = new CommandRead(Connect(server));
        List<SupportAccessActivity> none = await RunAsync(service, DefaultWindow(skip: 100_000));

        Assert.Empty(none);
        Assert.True(service.ReachedEnd);
        Assert.Equal(server.DataSet.Truth.Total, service.MatchedCount);
    }

    // ---- the category fallback ----

    [Fact]
    public async Task Query_CategoryFilterRejected_FallbackYieldsSameIds()
    {
        List<string> expected;
        await using (EmulatorServer normal = await StartAsync())
        {
            expected = (await RunAsync(new CommandRead(Connect(normal)), DefaultWindow())).Select(a => a.Id).ToList();
        }

        await using EmulatorServer server = await StartAsync(new EmulatorOptions { PageSize = PageSize, RejectCategoryFilter = true });
        var reporter = new RecordingReporter();
        List<SupportAccessActivity> activities = await RunAsync(new CommandRead(Connect(server)), DefaultWindow(), reporter);

        Assert.Equal(expected.Count, activities.Count);
        Assert.Equal(expected.OrderBy(id => id, StringComparer.Ordinal), activities.Select(a => a.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.Empty(activities.Select(a => a.Id).Intersect(server.DataSet.Truth.OtherCategoryIds));
        RequestLogEntry[] requests = server.Requests.Snapshot().ToArray();
        Assert.Equal(400, requests[0].Status);
        Assert.Contains("category eq", requests[0].Query);
        Assert.All(requests.Skip(1), r => Assert.Equal(200, r.Status));
        Assert.All(requests.Skip(1), r => Assert.Contains("loggedByService eq 'Core Directory'", r.Query));
        Assert.Contains(reporter.Verbose, m => m.Contains("loggedByService eq 'Core Directory'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_CategoryFilterRejected_ClassificationStillMatchesTruth()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions { PageSize = PageSize, RejectCategoryFilter = true });

        Dictionary<string, SupportAccessActivity> byId = (await RunAsync(new CommandRead(Connect(server)), DefaultWindow())).ToDictionary(a => a.Id);

        Assert.All(server.DataSet.TruthRecords, truth =>
        {
            Assert.True(byId.ContainsKey(truth.Id), truth.Id);
            Assert.Equal(truth.Expected.Category, byId[truth.Id].Category.ToString());
            Assert.Equal(truth.Expected.Activity, byId[truth.Id].Activity.ToString());
        });
    }

    // ---- server-side and client-side filters ----

    [Fact]
    public async Task Query_InitiatedByUpnWithQuote_TheFourRecordsFilteredOnServer()
    {
        await using EmulatorServer server = await StartAsync();

        List<SupportAccessActivity> activities = await RunAsync(
            new CommandRead(Connect(server)), DefaultWindow(initiatedBy: "o'brien@contoso.com"));

        // Three of the scenario table (one spelled O'BRIEN@Contoso.com) and story S2's approval.
        Assert.Equal(4, activities.Count);
        Assert.Contains(activities, a => a.Id == "5e000000-0002-4000-8000-000000000002");
        Assert.All(activities, a => Assert.Equal("o'brien@contoso.com", a.InitiatedBy, ignoreCase: true));
        Assert.All(activities, a => Assert.Equal(InitiatorType.User, a.InitiatorType));
        RequestLogEntry first = server.Requests.Snapshot()[0];
        Assert.Contains("initiatedBy/user/userPrincipalName eq 'o''brien@contoso.com'", first.Query);
    }

    [Fact]
    public async Task Query_InitiatedByWildcard_FilteredOnClientOnly()
    {
        await using EmulatorServer server = await StartAsync();

        List<SupportAccessActivity> activities = await RunAsync(
            new CommandRead(Connect(server)), DefaultWindow(initiatedBy: "O'BRIEN@*"));

        Assert.Equal(4, activities.Count); // the scenario table's three and story S2's approval
        Assert.DoesNotContain("initiatedBy", server.Requests.Snapshot()[0].Query);
    }

    [Fact]
    public async Task Query_CategoryCrossTenant_OnlyCrossTenantRecordsOfTruth()
    {
        await using EmulatorServer server = await StartAsync();

        List<SupportAccessActivity> activities = await RunAsync(
            new CommandRead(Connect(server)),
            DefaultWindow(categories: new[] { Category.CrossTenant }));

        string[] expected = server.DataSet.TruthRecords
            .Where(t => t.Expected.Category == ExpectedCategory.CrossTenant).Select(t => t.Id).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(id => id, StringComparer.Ordinal), activities.Select(a => a.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(activities, a => Assert.IsType<CrossTenantActivity>(a));
    }

    [Fact]
    public async Task Query_ActivityAndTenantRole_FilteredOnClient()
    {
        await using EmulatorServer server = await StartAsync();

        List<SupportAccessActivity> activities = await RunAsync(
            new CommandRead(Connect(server)),
            DefaultWindow(
                activities: new[] { Activity.ApprovalCreated, Activity.AccessRemovedOnClosure },
                tenantRoles: new[] { TenantRole.ResourceTenant }));

        string[] expected = server.DataSet.TruthRecords
            .Where(t => t.Expected.Activity is ExpectedActivity.ApprovalCreated or ExpectedActivity.AccessRemovedOnClosure
                && t.Expected.TenantRole == ExpectedTenantRole.ResourceTenant)
            .Select(t => t.Id).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(id => id, StringComparer.Ordinal), activities.Select(a => a.Id).OrderBy(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Query_NarrowWindow_OnlyRecordsInsideIt()
    {
        await using EmulatorServer server = await StartAsync();
        DateTime end = server.DataSet.Anchor.UtcDateTime;
        DateTime start = end.AddDays(-10);

        List<SupportAccessActivity> activities = await RunAsync(
            new CommandRead(Connect(server)), new ActivityQuery { StartUtc = start, EndUtc = end });

        string[] expected = server.DataSet.TruthRecords
            .Where(t => t.ActivityDateTime.UtcDateTime >= start && t.ActivityDateTime.UtcDateTime <= end)
            .Select(t => t.Id).ToArray();
        Assert.NotEmpty(expected);
        Assert.True(expected.Length < server.DataSet.Truth.Total);
        Assert.Equal(expected.OrderBy(id => id, StringComparer.Ordinal), activities.Select(a => a.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(activities, a => Assert.InRange(a.ActivityTime, start, end));
    }

    [Fact]
    public async Task Query_UnknownActivityNames_OneWarningPerDistinctName()
    {
        await using EmulatorServer server = await StartAsync();
        var reporter = new RecordingReporter();

        List<SupportAccessActivity> activities = await RunAsync(new CommandRead(Connect(server)), DefaultWindow(), reporter);

        string[] unknownNames = server.DataSet.TruthRecords
            .Where(t => t.Expected.Activity == ExpectedActivity.Other)
            .Select(t => t.ActivityDisplayName.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        Assert.NotEmpty(unknownNames);
        Assert.Equal(unknownNames.Length, reporter.Warnings.Count);
        Assert.All(unknownNames, name => Assert.Contains(reporter.Warnings, w => w.Contains(name, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(server.DataSet.Truth.ByActivity[ExpectedActivity.Other], activities.Count(a => a.Activity == Activity.Other));
    }

    // ---- refusals ----

    [Fact]
    public async Task Query_ChinaCloud_DirectoryAuditsUnavailableWithoutRequest()
    {
        await using EmulatorServer server = await StartAsync();
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.China, server.BaseAddress);

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => RunAsync(new CommandRead(connection), DefaultWindow()));

        Assert.Equal("DirectoryAuditsUnavailableInCloud", error.ErrorId);
        Assert.Equal(0, server.Requests.Count);
    }

    [Fact]
    public async Task Query_StartBeforeRetention_SaysWhatEntraKeepsWithoutFallback()
    {
        // A Free tenant keeps 7 days: the service, not the input alone, refuses this start.
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { RetentionDays = 7 });
        var query = new ActivityQuery { StartUtc = DateTime.UtcNow.AddDays(-10), EndUtc = DateTime.UtcNow };
        var service = new CommandRead(Connect(server));

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => RunAsync(service, query));

        Assert.Equal(1, server.Requests.CountFor(AuditPath)); // a time error is neither retried nor a reason to drop the category filter
        ErrorRecord record = ErrorRecords.ToErrorRecord(error, null);
        Assert.Equal("StartTimeBeyondRetention", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        Assert.Contains("7 days", record.Exception.Message);
        Assert.Contains("Log Analytics", record.Exception.Message);
        Assert.Contains("Minimum allowed time", record.Exception.Message);
        Assert.DoesNotContain("$filter", record.Exception.Message);
    }

    [Fact]
    public async Task Query_TokenOfAnotherTenant_GraphUnauthorizedWithRequestId()
    {
        await using EmulatorServer server = await StartAsync();
        string token = TestTokens.Mint(DemoTenant.PartnerTenantId, upn: "admin@fabrikam.com", scp: TestTokens.DefaultScopes);
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(token, null, GraphEnvironment.Global, server.BaseAddress);
        var service = new CommandRead(connection);

        ApiException error = await Assert.ThrowsAnyAsync<ApiException>(() => RunAsync(service, DefaultWindow()));

        Assert.Equal(401, error.ResponseStatusCode);
        ErrorRecord record = ErrorRecords.ToErrorRecord(error, null);
        Assert.Equal("GraphUnauthorized", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        GraphRequestException graphError = Assert.IsType<GraphRequestException>(record.Exception);
        Assert.Equal(401, graphError.StatusCode);
        Assert.NotEqual("", graphError.RequestId);
        Assert.Contains(graphError.RequestId, graphError.Message);
        Assert.DoesNotContain(token.Split('.')[1], graphError.Message);
        Assert.Equal(1, server.Requests.CountFor(AuditPath));
    }

    [Theory]
    [InlineData("https://evil.example/v1.0/auditLogs/directoryAudits?$skiptoken=abc")]
    [InlineData("http://127.0.0.2:{port}/v1.0/auditLogs/directoryAudits?$skiptoken=abc")]
    [InlineData("https://127.0.0.1:{port}/v1.0/auditLogs/directoryAudits?$skiptoken=abc")]
    [InlineData("http://127.0.0.1:{otherport}/v1.0/auditLogs/directoryAudits?$skiptoken=abc")]
    [InlineData("/v1.0/auditLogs/directoryAudits?$skiptoken=abc")]
    public async Task Query_NextLinkToForeignHost_RefusedAfterFirstPage(string nextLinkTemplate)
    {
        using var graph = new OnePageServer(nextLinkTemplate);
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(
            TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, graph.BaseAddress);
        var service = new CommandRead(connection);
        var yielded = new List<string>();

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(async () =>
        {
            await foreach (SupportAccessActivity activity in service.QueryAsync(DefaultWindow(), new RecordingReporter(), CancellationToken.None))
            {
                yielded.Add(activity.Id);
            }
        });

        Assert.Equal("GraphNextLinkForeign", error.ErrorId);
        Assert.Equal(new[] { "only-record" }, yielded);
        Assert.Equal(1, graph.RequestCount);
        Assert.StartsWith("Bearer ", graph.LastAuthorization);
    }

    // ---- what a hostile or broken endpoint can't do ----

    [Fact]
    public async Task Query_RedirectToAnotherPortOfTheSameHost_RefusedAndNothingSentThere()
    {
        using var elsewhere = new OnePageServer("/v1.0/auditLogs/directoryAudits");
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            Faults = [new FaultRule(FaultKind.Redirect, 1) { Location = new Uri(elsewhere.BaseAddress, "v1.0/auditLogs/directoryAudits").AbsoluteUri }],
        });
        var service = new CommandRead(Connect(server));

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => RunAsync(service, DefaultWindow()));

        Assert.Equal("GraphRedirectRefused", error.ErrorId);
        Assert.Contains($":{elsewhere.BaseAddress.Port}/", error.Message);
        Assert.Equal(0, elsewhere.RequestCount);
        Assert.Equal(1, server.Requests.CountFor(AuditPath));
    }

    [Fact]
    public async Task Query_NextLinkPointingAtItsOwnPage_StopsWithTheRecordsAlreadyWritten()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            Faults = [new FaultRule(FaultKind.RepeatNextLink, 2)],
        });
        var service = new CommandRead(Connect(server));
        var yielded = new List<string>();

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(async () =>
        {
            await foreach (SupportAccessActivity activity in service.QueryAsync(DefaultWindow(), new RecordingReporter(), CancellationToken.None))
            {
                yielded.Add(activity.Id);
            }
        });

        Assert.Equal("GraphNextLinkRepeated", error.ErrorId);
        Assert.Equal(2, server.Requests.CountFor(AuditPath));
        Assert.Equal(yielded.Count, yielded.Distinct().Count());
        Assert.InRange(yielded.Count, 1, 2 * PageSize);
    }

    [Fact]
    public async Task Query_NextLinkLeadingBackToPageOneUnderNewLinks_StopsAfterThreePagesOfRepeats()
    {
        // Each loop serves pages 1 and 2 again under new skiptokens: no link repeats, only records.
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            Faults = [new FaultRule(FaultKind.LoopToFirstPage, 2) { Times = 1000 }],
        });
        var service = new CommandRead(Connect(server));
        var yielded = new List<string>();

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(async () =>
        {
            await foreach (SupportAccessActivity activity in service.QueryAsync(DefaultWindow(), new RecordingReporter(), CancellationToken.None))
            {
                yielded.Add(activity.Id);
            }
        });

        Assert.Equal("PagesRepeated", error.ErrorId);
        // Pages 1 and 2, then 1, 2 and 1 again: three pages of records already read.
        Assert.Equal(2 + ActivityReader.RepeatedPagesAllowed, server.Requests.CountFor(AuditPath));
        Assert.Equal(yielded.Count, yielded.Distinct().Count());
        Assert.Equal(2 * PageSize, yielded.Count);
    }

    [Fact]
    public async Task Query_APageServedTwice_IsNotALoop()
    {
        // One loop back: pages 1 and 2 again, then on to the rest. Two pages of repeats in a row are allowed.
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            Faults = [new FaultRule(FaultKind.LoopToFirstPage, 2) { Times = 1 }],
        });
        var service = new CommandRead(Connect(server));

        List<string> ids = (await RunAsync(service, DefaultWindow())).Select(a => a.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(server.DataSet.Truth.Total, ids.Count);
    }

    [Fact]
    public async Task Query_ErrorMessageWithTerminalEscapes_ReportedClean()
    {
        await using EmulatorServer server = await StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            Faults = [new FaultRule(FaultKind.Escape500, 1)],
        });
        var service = new CommandRead(Connect(server));

        ApiException error = await Assert.ThrowsAnyAsync<ApiException>(() => RunAsync(service, DefaultWindow()));

        ErrorRecord record = ErrorRecords.ToErrorRecord(error, null);
        Assert.Equal("GraphUnavailable", record.FullyQualifiedErrorId);
        Assert.Contains("Internal error", record.Exception.Message);
        Assert.Contains("red", record.Exception.Message);
        Assert.DoesNotContain("pwned", record.Exception.Message);
        Assert.DoesNotContain(record.Exception.Message, c => char.IsControl(c));
        Assert.Contains('\u001b', FaultResponses.Escape500Message);
    }

    [Fact]
    public async Task Query_PlaceholderUsers_VerboseSaysWhyEachIsNotAUser()
    {
        await using EmulatorServer server = await StartAsync();
        var reporter = new RecordingReporter();

        List<SupportAccessActivity> activities = await RunAsync(new CommandRead(Connect(server)), DefaultWindow(), reporter);

        SupportAccessActivity[] placeholders = activities
            .Where(a => a.GetRawRecord().Contains("\"id\":\"00000000-0000-0000-0000-000000000000\",\"displayName\":null,\"userPrincipalName\":null"))
            .ToArray();
        Assert.True(placeholders.Length >= 6, $"{placeholders.Length} placeholder records");
        Assert.All(placeholders, a =>
        {
            Assert.NotEqual(Category.UserInitiated, a.Category);
            Assert.Single(reporter.Verbose, v => v.StartsWith($"Record {a.Id} ") && v.Contains("placeholder"));
        });
    }

    // ---- helpers ----

    private static Task<EmulatorServer> StartAsync(EmulatorOptions? options = null) =>
        EmulatorServer.StartAsync(options ?? new EmulatorOptions { PageSize = PageSize });

    private static SupportAccessConnection Connect(EmulatorServer server) =>
        TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress);

    /// <summary>What Get-SupportAccessActivity asks for without -StartTime/-EndTime: the last 30 days.</summary>
    private static ActivityQuery DefaultWindow(
        ulong skip = 0,
        ulong? first = null,
        string? initiatedBy = null,
        Category[]? categories = null,
        Activity[]? activities = null,
        TenantRole[]? tenantRoles = null)
    {
        DateTime end = DateTime.UtcNow;
        return new ActivityQuery
        {
            StartUtc = end.AddDays(-30),
            EndUtc = end,
            Skip = skip,
            First = first,
            InitiatedBy = initiatedBy,
            Categories = categories,
            Activities = activities,
            TenantRoles = tenantRoles,
        };
    }

    private static async Task<List<SupportAccessActivity>> RunAsync(CommandRead service, ActivityQuery query, RecordingReporter? reporter = null)
    {
        var activities = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in service.QueryAsync(query, reporter ?? new RecordingReporter(), CancellationToken.None))
        {
            activities.Add(activity);
        }

        return activities;
    }

    /// <summary>Keeps what the query service reports, as the cmdlet would write it.</summary>
    private sealed class RecordingReporter : IQueryReporter
    {
        public List<string> Verbose { get; } = new();
        public List<string> Warnings { get; } = new();
        public List<(int Page, long Read, long Written)> Pages { get; } = new();

        void IMessageSink.Verbose(string message) => Verbose.Add(message);
        void IMessageSink.Warning(string message) => Warnings.Add(message);
        void IQueryReporter.PageRead(int pageNumber, long recordsRead, long activitiesWritten) => Pages.Add((pageNumber, recordsRead, activitiesWritten));
    }

    /// <summary>A loopback "Graph" that answers every request with one record and a nextLink
    /// somewhere else.</summary>
    private sealed class OnePageServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requestCount;

        public OnePageServer(string nextLinkTemplate)
        {
            int port = FreePort();
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(BaseAddress.AbsoluteUri);
            _listener.Start();
            string nextLink = nextLinkTemplate.Replace("{port}", port.ToString()).Replace("{otherport}", FreePort().ToString());
            byte[] body = Encoding.UTF8.GetBytes(
                "{\"value\":[" + Records.Json("Request created", id: "only-record") + "],\"@odata.nextLink\":" +
                System.Text.Json.JsonSerializer.Serialize(nextLink) + "}");
            _loop = Task.Run(() => ServeAsync(body));
        }

        public Uri BaseAddress { get; }
        public int RequestCount => Volatile.Read(ref _requestCount);
        public string? LastAuthorization { get; private set; }

        private async Task ServeAsync(byte[] body)
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }

                Interlocked.Increment(ref _requestCount);
                LastAuthorization = context.Request.Headers["Authorization"];
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }
    }
}

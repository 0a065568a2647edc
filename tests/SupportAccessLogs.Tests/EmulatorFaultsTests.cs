using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The emulator's page faults repeatRecords, emptyPages, empty500, missingIdentity and
/// loopToFirstPage, and faults scoped to one tenant, seen by a plain HttpClient (no module code):
/// what goes over the wire, and that the faults neither lose nor add records beyond what they say.
/// </summary>
public class EmulatorFaultsTests
{
    private const string AuditPath = "v1.0/auditLogs/directoryAudits";
    private const int PageSize = 7;
    private const string Contoso = DemoTenant.TenantId;
    private const string Fabrikam = DemoTenant.PartnerTenantId;
    private const string Northwind = DemoTenant.NorthwindTenantId;

    // ---- repeatRecords ----

    [Fact]
    public async Task RepeatRecords_Page2_BeginsWithPage1sLastRecordsByteForByte_NothingElseChanges()
    {
        await using EmulatorServer server = await StartAsync(bulk: 30);
        using HttpClient http = Client(server);
        List<Page> clean = await WalkAsync(http, AuditPath);

        await PostFaultsAsync(http, """[{"kind":"repeatRecords","page":2,"afterRecords":2}]""");
        List<Page> faulted = await WalkAsync(http, AuditPath);

        Assert.True(clean.Count >= 3);
        Assert.Equal(clean.Count, faulted.Count);
        // Page 2 = page 1's last two records, verbatim, then page 2's own.
        Assert.Equal(PageSize + 2, faulted[1].Raw.Length);
        Assert.Equal(faulted[0].Raw[^2..], faulted[1].Raw[..2]);
        Assert.Equal(clean[0].Ids[^2..], faulted[1].Ids[..2]);
        Assert.Equal(clean[1].Raw, faulted[1].Raw[2..]);
        Assert.NotNull(faulted[1].NextLink);
        // Every other page is as without the fault; the distinct records are the data set's.
        for (int i = 0; i < clean.Count; i++)
        {
            if (i != 1)
                Assert.Equal(clean[i].Raw, faulted[i].Raw);
        }
        string[] all = faulted.SelectMany(p => p.Ids).ToArray();
        Assert.Equal(server.DataSet.ServedCount + 2, all.Length);
        Assert.Equal(server.DataSet.ServedCount, all.Distinct().Count());
        Assert.Equal(clean.SelectMany(p => p.Ids).Order(StringComparer.Ordinal), all.Distinct().Order(StringComparer.Ordinal));

        Assert.Equal(
            new string?[] { null, "repeatRecords" },
            server.Requests.Snapshot().Skip(clean.Count).Take(2).Select(e => e.Fault));
    }

    [Fact]
    public async Task RepeatRecords_Filtered_RepeatsThePreviousPagesMatches_RetriedPageRepeatsUntilSpent()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        // Names starting "Request" lie among "Access …" ones, so a page's matches are not
        // neighbours in the data set: the repeated records must be matches, not what lies between.
        const string orderBy = "$orderby=activityDateTime%20asc";
        string first = $"{AuditPath}?$filter={Uri.EscapeDataString("startswith(activityDisplayName,'Request')")}&{orderBy}";
        List<Page> clean = await WalkAsync(http, first);
        List<string> everything = (await WalkAsync(http, $"{AuditPath}?{orderBy}")).SelectMany(p => p.Ids).ToList();
        Assert.True(clean.Count >= 4);
        int[] at = clean[1].Ids[^3..].Select(id => everything.IndexOf(id)).ToArray();
        Assert.True(at[2] - at[0] > 2, "page 2's last three matches should have other records between them");

        await PostFaultsAsync(http, """[{"kind":"repeatRecords","page":3,"times":2,"afterRecords":3}]""");
        Page page1 = await GetPageAsync(http, first);
        Page page2 = await GetPageAsync(http, page1.NextLink!);
        Page page3 = await GetPageAsync(http, page2.NextLink!);
        Page page3Again = await GetPageAsync(http, page2.NextLink!);
        Page page3Spent = await GetPageAsync(http, page2.NextLink!);

        Assert.Equal(clean[1].Ids, page2.Ids);
        foreach (Page repeated in new[] { page3, page3Again })
        {
            Assert.Equal(PageSize + 3, repeated.Ids.Length);
            Assert.Equal(page2.Raw[^3..], repeated.Raw[..3]);
            Assert.Equal(clean[2].Ids, repeated.Ids[3..]);
            Assert.All(repeated.Records[..3], r => Assert.StartsWith("Request", r.GetProperty("activityDisplayName").GetString()));
        }
        Assert.Equal(clean[2].Raw, page3Spent.Raw);
    }

    [Fact]
    public async Task RepeatRecords_OnPage1_IsRefused()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);

        using HttpResponseMessage response = await http.PostAsync("_emulator/faults",
            new StringContent("""[{"kind":"repeatRecords","page":1}]""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("repeatRecords fault needs a page of 2 or more", await response.Content.ReadAsStringAsync());
        Assert.Empty(server.Faults.Snapshot());
        Assert.Throws<ArgumentException>(() => server.Faults.Replace([new FaultRule(FaultKind.RepeatRecords, 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.Faults.Replace([new FaultRule(FaultKind.RepeatRecords, 2) { AfterRecords = 0 }]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => EmulatorServer.StartAsync(
            new EmulatorOptions { Faults = [new FaultRule(FaultKind.RepeatRecords, 1)] }));
    }

    // ---- emptyPages ----

    [Theory]
    [InlineData(2, 30)]
    [InlineData(1, 3)]
    public async Task EmptyPages_TimesEmptyPagesWithFreshLinks_ThenThePageItself_NothingLostOrDoubled(int page, int times)
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        List<Page> clean = await WalkAsync(http, AuditPath);
        server.Requests.Clear();

        await PostFaultsAsync(http, $$"""[{"kind":"emptyPages","page":{{page}},"times":{{times}}}]""");
        List<Page> faulted = await WalkAsync(http, AuditPath);

        Assert.Equal(clean.Count + times, faulted.Count);
        List<Page> empties = faulted.Skip(page - 1).Take(times).ToList();
        Assert.All(empties, p =>
        {
            Assert.Empty(p.Records);
            Assert.NotNull(p.NextLink);
            Assert.Contains("$skiptoken=", p.NextLink);
        });
        // Each empty page links somewhere new, and none to a link already followed.
        string[] links = faulted.Where(p => p.NextLink is not null).Select(p => p.NextLink!).ToArray();
        Assert.Equal(links.Length, links.Distinct().Count());
        // Then the page itself, and the rest, exactly as without the fault.
        Assert.Equal(clean.Select(p => p.Raw), faulted.Where(p => p.Records.Length > 0).Select(p => p.Raw));
        string[] all = faulted.SelectMany(p => p.Ids).ToArray();
        Assert.Equal(server.DataSet.ServedCount, all.Length);
        Assert.Equal(all.Length, all.Distinct().Count());

        IReadOnlyList<RequestLogEntry> log = server.Requests.Snapshot();
        Assert.Equal(times, log.Count(e => e.Fault == "emptyPages"));
        Assert.All(log, e => Assert.Equal(200, e.Status));
        Assert.Equal(0, server.Faults.Snapshot().Single().Remaining);
    }

    [Fact]
    public async Task EmptyPages_Random_OneEmptyPageThenThePage()
    {
        // Every page request draws a fault; the empty page's link leads back to a page that keeps
        // its key, so it is served next: the walk ends, with each page once.
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            RandomFaultRate = 1,
            RandomFaultKinds = [FaultKind.EmptyPages],
        });
        using HttpClient http = Client(server);

        List<Page> pages = await WalkAsync(http, AuditPath);

        int dataPages = (int)((server.DataSet.ServedCount + PageSize - 1) / PageSize);
        Assert.Equal(2 * dataPages, pages.Count);
        Assert.All(pages.Where((_, i) => i % 2 == 0), p => Assert.Empty(p.Records));
        Assert.All(pages.Where((_, i) => i % 2 == 1), p => Assert.NotEmpty(p.Records));
        string[] all = pages.SelectMany(p => p.Ids).ToArray();
        Assert.Equal(server.DataSet.ServedCount, all.Distinct().Count());
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    // ---- empty500 ----

    [Fact]
    public async Task Empty500_ZeroLengthBodyLabelledJson_RetryServesThePage()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        await PostFaultsAsync(http, """[{"kind":"empty500","page":2}]""");

        Page page1 = await GetPageAsync(http, AuditPath);
        using (HttpResponseMessage failed = await http.GetAsync(page1.NextLink))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Equal(0L, failed.Content.Headers.ContentLength);
            Assert.Equal("application/json", failed.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await failed.Content.ReadAsByteArrayAsync());
            Assert.True(failed.Headers.Contains("request-id"));
        }
        Page retried = await GetPageAsync(http, page1.NextLink!);

        Assert.Equal(PageSize, retried.Ids.Length);
        Assert.Equal(new string?[] { null, "empty500", null }, server.Requests.Snapshot().Select(e => e.Fault));
        Assert.Equal(new[] { 200, 500, 200 }, server.Requests.Snapshot().Select(e => e.Status));
        using JsonDocument log = JsonDocument.Parse(await http.GetStringAsync("_emulator/requests"));
        Assert.Equal("empty500", log.RootElement[1].GetProperty("fault").GetString());
    }

    // ---- missingIdentity ----

    [Fact]
    public async Task MissingIdentity_FirstRecordWithoutId_SecondWithoutActivityDateTime_RestUnchanged()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        List<Page> clean = await WalkAsync(http, AuditPath);

        await PostFaultsAsync(http, """[{"kind":"missingIdentity","page":2}]""");
        List<Page> faulted = await WalkAsync(http, AuditPath);

        Assert.Equal(clean.Count, faulted.Count);
        Page expected = clean[1], actual = faulted[1];
        Assert.Equal(PageSize, actual.Records.Length);
        Assert.False(actual.Records[0].TryGetProperty("id", out _));
        Assert.True(actual.Records[0].TryGetProperty("activityDateTime", out _));
        Assert.True(actual.Records[1].TryGetProperty("id", out _));
        Assert.False(actual.Records[1].TryGetProperty("activityDateTime", out _));
        Assert.Equal(Members(expected.Records[0], except: "id"), Members(actual.Records[0], except: null));
        Assert.Equal(Members(expected.Records[1], except: "activityDateTime"), Members(actual.Records[1], except: null));
        Assert.Equal(expected.Raw[2..], actual.Raw[2..]);
        Assert.NotNull(actual.NextLink);
        for (int i = 0; i < clean.Count; i++)
        {
            if (i != 1)
                Assert.Equal(clean[i].Raw, faulted[i].Raw);
        }
        Assert.Equal("missingIdentity", server.Requests.Snapshot()[clean.Count + 1].Fault);
    }

    [Fact]
    public async Task MissingIdentity_PageOfOneRecord_OnlyTheIdGoes()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        await PostFaultsAsync(http, """{"kind":"missingIdentity","page":2}""");

        Page page1 = await GetPageAsync(http, $"{AuditPath}?$top=1");
        Page page2 = await GetPageAsync(http, page1.NextLink!);

        JsonElement record = Assert.Single(page2.Records);
        Assert.False(record.TryGetProperty("id", out _));
        Assert.True(record.TryGetProperty("activityDateTime", out _));
        Assert.NotNull(page2.NextLink);
    }

    // ---- random repeatRecords: page 1 has nothing to repeat ----

    [Fact]
    public async Task RepeatRecords_Random_NeverOnPage1()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            PageSize = PageSize,
            RandomFaultRate = 1,
            RandomFaultKinds = [FaultKind.RepeatRecords],
        });
        using HttpClient http = Client(server);

        List<Page> pages = await WalkAsync(http, AuditPath);

        Assert.Equal(PageSize, pages[0].Ids.Length);
        for (int i = 1; i < pages.Count; i++)
            Assert.Equal(pages[i - 1].Raw[^1], pages[i].Raw[0]);
        Assert.Null(server.Requests.Snapshot()[0].Fault);
        Assert.All(server.Requests.Snapshot().Skip(1), e => Assert.Equal("repeatRecords", e.Fault));
        Assert.Equal(server.DataSet.ServedCount, pages.SelectMany(p => p.Ids).Distinct().Count());
    }

    // ---- loopToFirstPage ----

    [Theory]
    [InlineData(AuditPath, 3, 4)]
    [InlineData(AuditPath + "?$top=5&$orderby=activityDateTime%20asc&$filter=startswith(activityDisplayName,%27Request%27)", 2, 3)]
    public async Task LoopToFirstPage_PageNLeadsBackToPage1UnderAFreshLink_SameRecordsEachLoop_ThenTheRest(string first, int page, int times)
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        List<Page> clean = await WalkAsync(http, first);
        Assert.True(clean.Count > page);
        server.Requests.Clear();

        await PostFaultsAsync(http, $$"""[{"kind":"loopToFirstPage","page":{{page}},"times":{{times}}}]""");
        List<Page> faulted = await WalkAsync(http, first);

        // Pages 1..N once, then again after each loop back, then the rest as without the fault.
        Assert.Equal(clean.Count + times * page, faulted.Count);
        for (int loop = 0; loop <= times; loop++)
        {
            for (int i = 0; i < page; i++)
                Assert.Equal(clean[i].Raw, faulted[loop * page + i].Raw);
        }
        Assert.Equal(clean.Skip(page).Select(p => p.Raw), faulted.Skip((times + 1) * page).Select(p => p.Raw));

        // A link never repeats: each loop back is a new skiptoken on the same query, and the
        // pages it leads to carry new links of their own.
        string[] links = faulted.Where(p => p.NextLink is not null).Select(p => p.NextLink!).ToArray();
        Assert.Equal(links.Length, links.Distinct().Count());
        Page cleanFirst = clean[0];
        foreach (Page looping in faulted.Where((_, i) => i % page == page - 1).Take(times))
        {
            Assert.Contains("$skiptoken=", looping.NextLink);
            Assert.Equal(QueryWithoutSkipToken(cleanFirst.NextLink!), QueryWithoutSkipToken(looping.NextLink!));
        }

        string[] all = faulted.SelectMany(p => p.Ids).ToArray();
        Assert.Equal(clean.Sum(p => p.Ids.Length) + times * clean.Take(page).Sum(p => p.Ids.Length), all.Length);
        Assert.Equal(clean.SelectMany(p => p.Ids).Order(StringComparer.Ordinal), all.Distinct().Order(StringComparer.Ordinal));

        IReadOnlyList<RequestLogEntry> log = server.Requests.Snapshot();
        Assert.Equal(times, log.Count(e => e.Fault == "loopToFirstPage"));
        Assert.All(log, e => Assert.Equal(200, e.Status));
        Assert.Equal(0, server.Faults.Snapshot().Single().Remaining);
    }

    [Fact]
    public async Task LoopToFirstPage_Times1000_AClientThatOnlyComparesLinks_NeverSeesOneTwice_AndReadsTheSameRecordsAgain()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        await PostFaultsAsync(http, """[{"kind":"loopToFirstPage","page":2,"times":1000}]""");

        var followed = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        string url = AuditPath;
        for (int request = 0; request < 60; request++)
        {
            Assert.True(followed.Add(url), $"request {request}: a link came back exactly");
            Page page = await GetPageAsync(http, url);
            ids.AddRange(page.Ids);
            url = Assert.IsType<string>(page.NextLink);
        }

        // Sixty pages served, thirty loops: the first two pages' records, each thirty times.
        Assert.Equal(60 * PageSize, ids.Count);
        Assert.Equal(2 * PageSize, ids.Distinct().Count());
        Assert.All(ids.CountBy(id => id), pair => Assert.Equal(30, pair.Value));
        Assert.Equal(1000 - 30, server.Faults.Snapshot().Single().Remaining);
    }

    [Fact]
    public async Task LoopToFirstPage_LateRecordsAddedWhileLooping_EachLoopServesTheVersionItsFirstPageSaw()
    {
        // Late records "now" are the newest: in a fresh newest-first sequence they lead page 1.
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        List<Page> clean = await WalkAsync(http, AuditPath);
        await PostFaultsAsync(http, """[{"kind":"loopToFirstPage","page":2,"times":3}]""");

        var pages = new List<Page>();
        var added = new List<string>();
        string? url = AuditPath;
        while (url is not null)
        {
            Page page = await GetPageAsync(http, url);
            pages.Add(page);
            url = page.NextLink;
            // Records land in the log after every page while the sequence loops and pages on.
            using HttpResponseMessage response = await http.PostAsync("_emulator/late-records",
                new StringContent("""{"count":1,"minutesAgo":0}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            added.Add(EmulatorHttp.Json(await response.Content.ReadAsStringAsync()).GetProperty("records")[0].GetProperty("id").GetString()!);
        }

        Assert.Equal(clean.Count + 3 * 2, pages.Count);
        for (int loop = 0; loop <= 3; loop++)
        {
            Assert.Equal(clean[0].Raw, pages[2 * loop].Raw);
            Assert.Equal(clean[1].Raw, pages[2 * loop + 1].Raw);
        }
        Assert.Equal(clean.Skip(2).Select(p => p.Raw), pages.Skip(8).Select(p => p.Raw));
        Assert.DoesNotContain(pages.SelectMany(p => p.Ids), added.Contains);

        // The next sequence reads them all, first.
        Page fresh = await GetPageAsync(http, AuditPath);
        Assert.Equal(added.AsEnumerable().Reverse().Take(PageSize), fresh.Ids);
    }

    [Fact]
    public async Task LoopToFirstPage_OnTheLastPage_LinksBackToo()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        string first = $"{AuditPath}?$filter={Uri.EscapeDataString("startswith(activityDisplayName,'Request')")}";
        List<Page> clean = await WalkAsync(http, first);
        Assert.Null(clean[^1].NextLink);

        await PostFaultsAsync(http, $$"""[{"kind":"loopToFirstPage","page":{{clean.Count}}}]""");
        List<Page> faulted = await WalkAsync(http, first);

        Assert.Equal(clean.Select(p => p.Raw).Concat(clean.Select(p => p.Raw)), faulted.Select(p => p.Raw));
        Assert.NotNull(faulted[clean.Count - 1].NextLink);
        Assert.Null(faulted[^1].NextLink);
    }

    [Fact]
    public async Task LoopToFirstPage_OnPage1_IsRefused_AndItIsNeverRandom()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);

        using HttpResponseMessage response = await http.PostAsync("_emulator/faults",
            new StringContent("""[{"kind":"loopToFirstPage","page":1}]""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("loopToFirstPage fault needs a page of 2 or more", await response.Content.ReadAsStringAsync());
        Assert.Empty(server.Faults.Snapshot());
        Assert.Throws<ArgumentException>(() => server.Faults.Replace([new FaultRule(FaultKind.LoopToFirstPage, 1)]));
        ArgumentException random = await Assert.ThrowsAnyAsync<ArgumentException>(() => EmulatorServer.StartAsync(
            new EmulatorOptions { RandomFaultRate = 0.1, RandomFaultKinds = [FaultKind.Throttle429, FaultKind.LoopToFirstPage] }));
        Assert.Contains("loopToFirstPage", random.Message);
    }

    // ---- faults scoped to one tenant ----

    [Theory]
    [InlineData("unavailable503", HttpStatusCode.ServiceUnavailable)]
    [InlineData("expired401", HttpStatusCode.Unauthorized)]
    public async Task TenantFault_OneOfThreeTenantsFailsHalfWay_TheOthersAreServedInFull(string kind, HttpStatusCode status)
    {
        await using EmulatorServer server = await StartTenantsAsync();
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        // Any spelling Guid reads names the tenant; stored, it is the served tenant's id.
        string faults = await PostFaultsAsync(http, $$"""[{"kind":"{{kind}}","page":2,"times":1000,"tenantId":"{{Fabrikam.ToUpperInvariant()}}"}]""");
        Assert.Equal(Fabrikam, EmulatorHttp.Json(faults)[0].GetProperty("tenantId").GetString());

        foreach (string tenant in new[] { Contoso, Northwind })
        {
            List<Page> pages = await WalkAsync(http, AuditPath, AppToken(tenant));
            Assert.Equal(server.DataSetOf(tenant).ServedCount, pages.Sum(p => p.Ids.Length));
        }
        Page fabrikamPage1 = await GetPageAsync(http, AuditPath, AppToken(Fabrikam));
        for (int attempt = 0; attempt < 3; attempt++)
        {
            (HttpStatusCode got, JsonElement _) = await EmulatorHttp.GetAsync(http, fabrikamPage1.NextLink!, AppToken(Fabrikam));
            Assert.Equal(status, got);
        }

        IReadOnlyList<RequestLogEntry> log = server.Requests.Snapshot();
        Assert.All(log.Where(e => e.Tenant != Fabrikam), e => Assert.Null(e.Fault));
        Assert.Equal(new string?[] { null, kind, kind, kind }, log.Where(e => e.Tenant == Fabrikam).Select(e => e.Fault));
        Assert.Equal(997, server.Faults.Snapshot().Single().Remaining);
        using JsonDocument listed = JsonDocument.Parse(await http.GetStringAsync("_emulator/faults"));
        Assert.Equal(Fabrikam, listed.RootElement[0].GetProperty("tenantId").GetString());
        Assert.Equal(997, listed.RootElement[0].GetProperty("remaining").GetInt32());
    }

    [Fact]
    public async Task TenantFault_AnotherTenantsPageSkipsIt_ARuleWithoutTenantServesEveryTenant_TimesShared()
    {
        await using EmulatorServer server = await StartTenantsAsync();
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        // First in the list, but Fabrikam's alone: every other tenant's page 2 goes on to the next rule.
        await PostFaultsAsync(http, $$"""
            [{"kind":"unavailable503","page":2,"times":5,"tenantId":"{{Fabrikam}}"},
             {"kind":"throttle429","page":2,"times":2}]
            """);

        Assert.Equal(HttpStatusCode.TooManyRequests, await Page2StatusAsync(http, Contoso));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Page2StatusAsync(http, Fabrikam));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Page2StatusAsync(http, Northwind));
        // The rule without a tenant had two times for all of them: spent.
        Assert.Equal(HttpStatusCode.OK, await Page2StatusAsync(http, Contoso));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Page2StatusAsync(http, Fabrikam));
        Assert.Equal(new[] { 3, 0 }, server.Faults.Snapshot().Select(s => s.Remaining));
        Assert.Null(server.Faults.Snapshot()[1].Rule.TenantId);
    }

    [Fact]
    public async Task TenantFault_ForATenantNotServed_IsRefused_AndChangesNothing()
    {
        await using EmulatorServer server = await StartTenantsAsync();
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        await PostFaultsAsync(http, """[{"kind":"throttle429","page":3}]""");
        const string Unserved = "0c2e4a6b-8d1f-4e3a-9b5c-7d9f1b3d5e7a";

        (string body, string expected)[] refusals =
        [
            ($$"""[{"kind":"throttle429","page":2},{"kind":"reset","page":2,"tenantId":"{{Unserved}}"}]""",
                $"Invalid fault: tenantId '{Unserved}' is not a tenant this emulator serves (it serves {Contoso}, {Fabrikam}, {Northwind})."),
            ("""[{"kind":"reset","page":2,"tenantId":"fabrikam"}]""", "Invalid fault: tenantId 'fabrikam' is not a tenant id (a GUID)."),
            ("""[{"kind":"reset","page":2,"tenantId":""}]""", "Invalid fault: tenantId '' is not a tenant id (a GUID)."),
            ("""[{"kind":"reset","page":2,"tenantId":42}]""", "Invalid fault list: rule 0, 'tenantId': must be a string"),
        ];
        foreach ((string body, string expected) in refusals)
        {
            using HttpResponseMessage response = await http.PostAsync("_emulator/faults", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            JsonElement error = EmulatorHttp.Json(await response.Content.ReadAsStringAsync()).GetProperty("error");
            Assert.Equal("BadRequest", error.GetProperty("code").GetString());
            Assert.StartsWith(expected, error.GetProperty("message").GetString());
        }
        FaultRuleState kept = Assert.Single(server.Faults.Snapshot());
        Assert.Equal((FaultKind.Throttle429, 3), (kept.Rule.Kind, kept.Rule.Page));

        Assert.Throws<ArgumentException>(() => server.Faults.Add([new FaultRule(FaultKind.Reset, 2) { TenantId = Unserved }]));
        Assert.Single(server.Faults.Snapshot());
        await Assert.ThrowsAsync<ArgumentException>(() => EmulatorServer.StartAsync(
            new EmulatorOptions { Faults = [new FaultRule(FaultKind.Reset, 2) { TenantId = Fabrikam }] }));
        // The home tenant is a served tenant like any other.
        server.Faults.Replace([new FaultRule(FaultKind.Reset, 2) { TenantId = $"{{{Contoso.ToUpperInvariant()}}}" }]);
        Assert.Equal(Contoso, server.Faults.Snapshot().Single().Rule.TenantId);
    }

    [Fact]
    public async Task TenantFault_AndLoopToFirstPage_FromTheCommandLine()
    {
        string emulator = Path.Combine(AppContext.BaseDirectory, "GraphEmulator.dll");
        (int exit, string error) = await RunCliToExitAsync(emulator, "--fault", $"reset:2@{Northwind}");
        Assert.Equal(1, exit);
        Assert.Contains($"tenantId '{Northwind}' is not a tenant this emulator serves", error);
        (exit, error) = await RunCliToExitAsync(emulator, "--other-tenant", "fabrikam", "--fault", "reset:2@");
        Assert.Equal(2, exit);
        Assert.Contains("kind:page[:times][@tenant][=location]", error);

        using Process process = StartCli(emulator, "--other-tenant", "fabrikam", "--page-size", "7",
            "--fault", $"unavailable503:2:1000@{Fabrikam.ToUpperInvariant()}",
            "--fault", "loopToFirstPage:3:5",
            "--fault", $"redirect:2:2@{Contoso}=https://someone@elsewhere.example/v1.0?a=b@c");
        try
        {
            string? listening = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("GraphEmulator listening on ", listening);
            using HttpClient http = new() { BaseAddress = new Uri(listening!["GraphEmulator listening on ".Length..]) };
            JsonElement[] rules = (await EmulatorHttp.GetJsonAsync(http, "_emulator/faults")).EnumerateArray().ToArray();

            Assert.Equal(new[] { "unavailable503", "loopToFirstPage", "redirect" }, rules.Select(r => r.GetProperty("kind").GetString()));
            Assert.Equal(new[] { 2, 3, 2 }, rules.Select(r => r.GetProperty("page").GetInt32()));
            Assert.Equal(new[] { 1000, 5, 2 }, rules.Select(r => r.GetProperty("times").GetInt32()));
            Assert.Equal(new[] { Fabrikam, null, Contoso }, rules.Select(r => r.GetProperty("tenantId").GetString()));
            Assert.Equal("https://someone@elsewhere.example/v1.0?a=b@c", rules[2].GetProperty("location").GetString());

            // Fabrikam's page 2 fails; Contoso's is the redirect, Fabrikam's rule passed over.
            string fabrikamNext = (await EmulatorHttp.GetAsync(http, AuditPath, AppToken(Fabrikam))).Body.GetProperty("@odata.nextLink").GetString()!;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await EmulatorHttp.GetAsync(http, fabrikamNext, AppToken(Fabrikam))).Status);
            string contosoNext = (await EmulatorHttp.GetAsync(http, AuditPath, AppToken(Contoso))).Body.GetProperty("@odata.nextLink").GetString()!;
            using var request = new HttpRequestMessage(HttpMethod.Get, contosoNext);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AppToken(Contoso));
            using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            using HttpResponseMessage redirected = await noRedirects.SendAsync(request);
            Assert.Equal(HttpStatusCode.Found, redirected.StatusCode);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    // ---- helpers ----

    private sealed record Page(JsonElement[] Records, string[] Raw, string[] Ids, string? NextLink);

    private static Task<EmulatorServer> StartAsync(int bulk = 0) =>
        EmulatorServer.StartAsync(new EmulatorOptions { PageSize = PageSize, BulkRecordCount = bulk });

    private static HttpClient Client(EmulatorServer server)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.DemoAdmin());
        return http;
    }

    /// <summary>Three tenants: home (Contoso), Fabrikam and Northwind, each 130 or 105 records in pages of 7.</summary>
    private static Task<EmulatorServer> StartTenantsAsync() =>
        EmulatorServer.StartAsync(new EmulatorOptions { PageSize = PageSize, OtherTenants = [new(Fabrikam), new(Northwind)] });

    /// <summary>The automation app's token in a tenant: app-only, AuditLog.Read.All, reads every served tenant.</summary>
    private static string AppToken(string tenantId) =>
        TestTokens.Mint(tenantId, oid: DemoTenant.AutomationAppObjectId, roles: ["AuditLog.Read.All"], appId: DemoTenant.AutomationAppId);

    private static async Task<HttpStatusCode> Page2StatusAsync(HttpClient http, string tenantId)
    {
        Page page1 = await GetPageAsync(http, AuditPath, AppToken(tenantId));
        return (await EmulatorHttp.GetAsync(http, page1.NextLink!, AppToken(tenantId))).Status;
    }

    /// <summary>A nextLink's query options other than $skiptoken: what the link continues.</summary>
    private static string QueryWithoutSkipToken(string link) =>
        string.Join("&", new Uri(link).Query.TrimStart('?').Split('&').Where(p => !p.StartsWith("$skiptoken=", StringComparison.Ordinal)));

    /// <summary>The emulator as a process (as Pester starts it), ended by the test; stdout and stderr redirected.</summary>
    private static Process StartCli(string emulator, params string[] arguments)
    {
        // Under `dotnet test` the test host is the dotnet host itself, as under `dotnet pwsh`.
        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? Environment.ProcessPath!
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(emulator);
        foreach (string argument in new[] { "--port", "0", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) }.Concat(arguments))
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    private static async Task<(int ExitCode, string Error)> RunCliToExitAsync(string emulator, params string[] arguments)
    {
        using Process process = StartCli(emulator, arguments);
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }
        await output;
        return (process.ExitCode, await error);
    }

    private static async Task<string> PostFaultsAsync(HttpClient http, string json)
    {
        using HttpResponseMessage response = await http.PostAsync("_emulator/faults", new StringContent(json, Encoding.UTF8, "application/json"));
        string answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer);
        return answer;
    }

    /// <summary>One 200 page in Graph's shape: its records (raw text as sent, parsed), their ids, its nextLink.</summary>
    /// <param name="token">A bearer token of its own; null: the client's (the demo admin's).</param>
    private static async Task<Page> GetPageAsync(HttpClient http, string url, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument page = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("https://graph.microsoft.com/v1.0/$metadata#", page.RootElement.GetProperty("@odata.context").GetString());
        JsonElement[] records = page.RootElement.GetProperty("value").EnumerateArray().Select(e => e.Clone()).ToArray();
        string? next = page.RootElement.TryGetProperty("@odata.nextLink", out JsonElement link) ? link.GetString() : null;
        return new Page(
            records,
            records.Select(r => r.GetRawText()).ToArray(),
            records.Select(r => r.TryGetProperty("id", out JsonElement id) ? id.GetString()! : "<no id>").ToArray(),
            next);
    }

    /// <summary>Every page from <paramref name="first"/> on, following each nextLink whole.</summary>
    private static async Task<List<Page>> WalkAsync(HttpClient http, string first, string? token = null)
    {
        var pages = new List<Page>();
        string? url = first;
        while (url is not null)
        {
            Assert.True(pages.Count < 500, "more pages than the data set can fill: the walk loops");
            Page page = await GetPageAsync(http, url, token);
            pages.Add(page);
            url = page.NextLink;
        }
        return pages;
    }

    /// <summary>A record's members, name and raw value, in order, one left out.</summary>
    private static string[] Members(JsonElement record, string? except) =>
        record.EnumerateObject().Where(p => p.Name != except).Select(p => $"{p.Name}={p.Value.GetRawText()}").ToArray();
}

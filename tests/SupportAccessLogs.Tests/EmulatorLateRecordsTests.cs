using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using Xunit;

using static SupportAccessLogs.Tests.EmulatorHttp;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The emulator's late records (tests/GraphEmulator/README.md, "Late records"): support-access
/// records added after start, as audit events that reach the log minutes after they happened,
/// seen over plain HTTP (no module code): served by directoryAudits in their place (filters,
/// both orders, pages), counted in the truth, per tenant, removed on request; and a paging
/// sequence under way while records are added reads one version of the log, never a mix.
/// </summary>
public class EmulatorLateRecordsTests
{
    private const string Contoso = DemoTenant.TenantId;
    private const string Fabrikam = DemoTenant.PartnerTenantId;
    private const string Northwind = DemoTenant.NorthwindTenantId;
    private const string Audits = "v1.0/auditLogs/directoryAudits";

    // Two days back, so that "now − 10 minutes" is newer than every seeded record.
    private static DateTimeOffset PastAnchor()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow.AddDays(-2);
        return new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    [Fact]
    public async Task RecordsAddedTenMinutesAgo_AreServedFirst_FoundByGeAndLe_AndCountedInTheTruth()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = PastAnchor(), PageSize = 7 });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string token = TestTokens.DemoAdmin();
        List<Served> before = await ReadAllAsync(http, token);

        DateTimeOffset asked = DateTimeOffset.UtcNow.AddMinutes(-10);
        JsonElement answer = await PostAsync(http, "_emulator/late-records", """{"count":3,"minutesAgo":10}""");
        Assert.Equal(Contoso, answer.GetProperty("tenantId").GetString());
        Assert.Equal(3, answer.GetProperty("lateRecordCount").GetInt32());
        Assert.Equal(113, answer.GetProperty("total").GetInt64());
        JsonElement[] added = answer.GetProperty("records").EnumerateArray().ToArray();
        Assert.Equal(3, added.Length);
        string[] addedIds = added.Select(r => r.GetProperty("id").GetString()!).ToArray();
        DateTimeOffset at = Time(added[0].GetProperty("activityDateTime"));
        Assert.All(added, r => Assert.Equal(at, Time(r.GetProperty("activityDateTime"))));
        Assert.InRange(at, asked.AddSeconds(-5), asked.AddSeconds(5));
        Assert.Equal(3, addedIds.Distinct().Count());
        Assert.DoesNotContain(addedIds, before.Select(r => r.Id).Contains);

        // Newest first: the three (one time, so by id, descending) before everything else, across pages of 7.
        List<Served> after = await ReadAllAsync(http, token);
        string[] lateFirst = addedIds.OrderByDescending(id => id, StringComparer.Ordinal).ToArray();
        Assert.Equal(lateFirst.Concat(before.Select(r => r.Id)), after.Select(r => r.Id));
        Assert.All(after.Take(3), r => Assert.Equal("MicrosoftSupportAccessManagement", r.Category));
        // Ascending: the same records, reversed.
        List<Served> ascending = await ReadAllAsync(http, token, "$orderby=activityDateTime");
        Assert.Equal(after.Select(r => r.Id).Reverse(), ascending.Select(r => r.Id));

        // The window the module asks for (ge and le, 7 fractional digits), around them and exactly at them.
        foreach ((DateTimeOffset from, DateTimeOffset to) in new[] { (at.AddMinutes(-5), at.AddMinutes(5)), (at, at) })
        {
            List<Served> window = await ReadAllAsync(http, token, $"$filter={Uri.EscapeDataString($"activityDateTime ge {Literal(from)} and activityDateTime le {Literal(to)}")}");
            Assert.Equal(lateFirst, window.Select(r => r.Id));
        }
        // One tick off either side, and they are gone.
        Assert.Empty(await ReadAllAsync(http, token, $"$filter={Uri.EscapeDataString($"activityDateTime ge {Literal(at.AddTicks(1))}")}"));
        Assert.Equal(before.Select(r => r.Id), (await ReadAllAsync(http, token,
            $"$filter={Uri.EscapeDataString($"activityDateTime le {Literal(at.AddTicks(-1))}")}")).Select(r => r.Id));

        // The truth: total, counts and records (newest first, so they lead), with the expectations the answer gave.
        JsonElement truth = await GetJsonAsync(http, "_emulator/truth");
        Assert.Equal(113, truth.GetProperty("total").GetInt64());
        Assert.Equal(3, truth.GetProperty("lateRecordCount").GetInt32());
        Assert.Equal(113, truth.GetProperty("byCategory").EnumerateObject().Sum(p => p.Value.GetInt64()));
        JsonElement[] records = truth.GetProperty("records").EnumerateArray().ToArray();
        Assert.Equal(113, records.Length);
        Assert.Equal(lateFirst, records.Take(3).Select(r => r.GetProperty("id").GetString()));
        foreach (JsonElement record in added)
        {
            JsonElement listed = records.Single(r => r.GetProperty("id").GetString() == record.GetProperty("id").GetString());
            Assert.Equal(record.GetRawText(), listed.GetRawText());
        }
        // In process, the same.
        Assert.Equal(113, server.DataSet.Truth.Total);
        Assert.Equal(lateFirst, server.DataSet.LateRecords.Select(r => r.Id));
        Assert.Equal(after.Count, server.DataSet.ServedCount);
        // Each late record is a support-access clone whose expectation is its template's: the same activity name.
        Assert.All(added, r => Assert.Equal(
            after.Single(s => s.Id == r.GetProperty("id").GetString()).ActivityDisplayName, r.GetProperty("activityDisplayName").GetString()));
    }

    [Fact]
    public async Task ExplicitTimes_TakeTheirPlaceAmongTheSeededRecords_InBothOrders_AcrossPages_AndInAnyWindow()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = PastAnchor(), PageSize = 6 });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string token = TestTokens.DemoAdmin();
        List<Served> before = await ReadAllAsync(http, token);
        DateTimeOffset anchor = server.DataSet.Anchor;

        // Between seeded records, one on a seeded record's very time (the id breaks the tie), one
        // at the retention start (the oldest a record may be), with 0, 3 and 7 fractional digits and an offset.
        DateTimeOffset tie = before[40].ActivityDateTime;
        string[] times =
        [
            Literal(anchor.AddDays(-1).AddSeconds(-37)),
            Literal(tie),
            Literal(server.DataSet.RetentionStart),
            anchor.AddDays(-5).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            anchor.AddDays(-12).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Literal(anchor.AddDays(-12)),
        ];
        JsonElement answer = await PostAsync(http, "_emulator/late-records",
            JsonSerializer.Serialize(new { times }));
        JsonElement[] added = answer.GetProperty("records").EnumerateArray().ToArray();
        Assert.Equal(times.Length, added.Length);
        // Answered in the order of the times given, each at its time.
        for (int i = 0; i < times.Length; i++)
            Assert.Equal(DateTimeOffset.Parse(times[i], CultureInfo.InvariantCulture), Time(added[i].GetProperty("activityDateTime")));

        var expected = before
            .Concat(added.Select(r => new Served(r.GetProperty("id").GetString()!, Time(r.GetProperty("activityDateTime")), "MicrosoftSupportAccessManagement", "")))
            .OrderByDescending(r => r.ActivityDateTime.UtcTicks).ThenByDescending(r => r.Id, StringComparer.Ordinal)
            .Select(r => r.Id).ToArray();
        Assert.Equal(expected, (await ReadAllAsync(http, token)).Select(r => r.Id));
        Assert.Equal(expected.Reverse(), (await ReadAllAsync(http, token, "$orderby=activityDateTime%20asc")).Select(r => r.Id));
        Assert.Equal(expected, (await ReadAllAsync(http, token, "$top=4&$orderby=activityDateTime%20desc")).Select(r => r.Id));

        // A window bounded by two of them, inclusive: exactly the served records within it, in order.
        List<Served> all = await ReadAllAsync(http, token);
        foreach ((DateTimeOffset from, DateTimeOffset to) in new[]
        {
            (anchor.AddDays(-12), anchor.AddDays(-1).AddSeconds(-37)),
            (server.DataSet.RetentionStart, tie),
            (tie, tie),
        })
        {
            string filter = Uri.EscapeDataString($"activityDateTime ge {Literal(from)} and activityDateTime le {Literal(to)}");
            List<Served> window = await ReadAllAsync(http, token, $"$filter={filter}");
            Assert.Equal(all.Where(r => r.ActivityDateTime >= from && r.ActivityDateTime <= to).Select(r => r.Id), window.Select(r => r.Id));
            Assert.Contains(window, r => added.Any(a => a.GetProperty("id").GetString() == r.Id));
        }

        // The truth's records are the served support-access records, in the served order.
        JsonElement truth = await GetJsonAsync(http, "_emulator/truth");
        string[] truthIds = truth.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(all.Where(r => r.Category == "MicrosoftSupportAccessManagement").Select(r => r.Id), truthIds);
        Assert.Equal(110 + times.Length, truth.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task AddedToAnotherTenant_OnlyThere_ByBodyOrQuery()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Anchor = PastAnchor(), PageSize = 40, OtherTenants = DemoTenant.CustomerTenants,
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        Dictionary<string, string[]> before = [];
        foreach (string tenant in new[] { Contoso, Fabrikam, Northwind })
            before[tenant] = (await ReadAllAsync(http, await AppTokenAsync(http, tenant))).Select(r => r.Id).ToArray();

        JsonElement toFabrikam = await PostAsync(http, "_emulator/late-records", $$"""{"tenant":"{{Fabrikam.ToUpperInvariant()}}","count":2,"minutesAgo":10}""");
        JsonElement toNorthwind = await PostAsync(http, $"_emulator/late-records?tenant={Northwind}", """{"count":1,"minutesAgo":3.5}""");
        Assert.Equal(Fabrikam, toFabrikam.GetProperty("tenantId").GetString());
        Assert.Equal(87, toFabrikam.GetProperty("total").GetInt64());
        Assert.Equal(Northwind, toNorthwind.GetProperty("tenantId").GetString());
        Assert.Equal(86, toNorthwind.GetProperty("total").GetInt64());

        var addedTo = new Dictionary<string, string[]>
        {
            [Contoso] = [],
            [Fabrikam] = Ids(toFabrikam),
            [Northwind] = Ids(toNorthwind),
        };
        foreach ((string tenant, string[] added) in addedTo)
        {
            string[] ids = (await ReadAllAsync(http, await AppTokenAsync(http, tenant))).Select(r => r.Id).ToArray();
            Assert.Equal(before[tenant].Length + added.Length, ids.Length);
            Assert.Equal(added.OrderByDescending(id => id, StringComparer.Ordinal), ids.Take(added.Length));
            Assert.Equal(before[tenant], ids.Skip(added.Length));
            foreach (string other in addedTo.Keys.Where(t => t != tenant))
                Assert.Empty(ids.Intersect(addedTo[other]));

            JsonElement truth = await GetJsonAsync(http, $"_emulator/truth?tenant={tenant}");
            Assert.Equal((tenant == Contoso ? 110 : 85) + added.Length, truth.GetProperty("total").GetInt64());
            Assert.Subset(truth.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToHashSet(), added.ToHashSet());
            Assert.Equal(added.Length, (await GetJsonAsync(http, $"_emulator/late-records?tenant={tenant}")).GetProperty("lateRecordCount").GetInt32());
        }
        JsonElement tenants = await GetJsonAsync(http, "_emulator/tenants");
        Assert.Equal([0, 2, 0, 1, 0], tenants.EnumerateArray().Select(t => t.GetProperty("lateRecordCount").GetInt32()));
        Assert.Equal([110L, 87, 85, 86, 85], tenants.EnumerateArray().Select(t => t.GetProperty("total").GetInt64()));

        // A body and a query naming two tenants is refused; a tenant not served is 404.
        Assert.Equal(HttpStatusCode.BadRequest, (await PostRawAsync(http, $"_emulator/late-records?tenant={Northwind}", $$"""{"tenant":"{{Fabrikam}}","count":1}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostRawAsync(http, "_emulator/late-records", """{"tenant":"0c2e4a6b-8d1f-4e3a-9b5c-7d9f1b3d5e7a","count":1}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostRawAsync(http, "_emulator/late-records?tenant=organizations", """{"count":1}""")).Status);
    }

    [Fact]
    public async Task Delete_RemovesOneTenantsOrAll_TheLogAndTruthAreAsBefore_AndIdsAreNeverReused()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Anchor = PastAnchor(), PageSize = 50, OtherTenants = [new OtherTenant(Fabrikam)],
        });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string contosoToken = TestTokens.DemoAdmin();
        string fabrikamToken = await AppTokenAsync(http, Fabrikam);
        string[] contosoBefore = (await ReadAllAsync(http, contosoToken)).Select(r => r.Id).ToArray();
        string[] fabrikamBefore = (await ReadAllAsync(http, fabrikamToken)).Select(r => r.Id).ToArray();
        string truthBefore = (await GetJsonAsync(http, "_emulator/truth")).GetRawText();

        string[] first = Ids(await PostAsync(http, "_emulator/late-records", """{"count":4,"minutesAgo":10}"""));
        Ids(await PostAsync(http, "_emulator/late-records", $$"""{"tenant":"{{Fabrikam}}","count":2}"""));

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(http, $"_emulator/late-records?tenant={Fabrikam}"));
        Assert.Equal(fabrikamBefore, (await ReadAllAsync(http, fabrikamToken)).Select(r => r.Id));
        Assert.Equal(contosoBefore.Length + 4, (await ReadAllAsync(http, contosoToken)).Count);

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(http, "_emulator/late-records"));
        Assert.Equal(contosoBefore, (await ReadAllAsync(http, contosoToken)).Select(r => r.Id));
        Assert.Equal(truthBefore, (await GetJsonAsync(http, "_emulator/truth")).GetRawText());
        JsonElement none = await GetJsonAsync(http, "_emulator/late-records");
        Assert.Equal(0, none.GetProperty("lateRecordCount").GetInt32());
        Assert.Empty(none.GetProperty("records").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(http, "_emulator/late-records")); // nothing to remove: still 204
        Assert.Equal(HttpStatusCode.NotFound, await DeleteAsync(http, "_emulator/late-records?tenant=0c2e4a6b-8d1f-4e3a-9b5c-7d9f1b3d5e7a"));

        // Numbering carries on after a clear: the next records are new ones.
        string[] again = Ids(await PostAsync(http, "_emulator/late-records", """{"count":4,"minutesAgo":10}"""));
        Assert.Empty(again.Intersect(first));
        Assert.Empty(server.DataSetOf(Fabrikam).LateRecords);
        Assert.Equal(4, server.DataSet.ClearLateRecords());
        Assert.Equal(110, server.DataSet.Truth.Total);
    }

    [Fact]
    public async Task Ids_FollowTheSeedAndTheOrderOfAdds_InProcessAsOverHttp()
    {
        DateTimeOffset anchor = PastAnchor();
        DateTimeOffset at = anchor.AddHours(-6);
        await using EmulatorServer one = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = anchor });
        await using EmulatorServer two = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = anchor });
        await using EmulatorServer otherSeed = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = anchor, Seed = 7 });
        using HttpClient http = new() { BaseAddress = one.BaseAddress };

        string[] overHttp = Ids(await PostAsync(http, "_emulator/late-records", JsonSerializer.Serialize(new { times = new[] { Literal(at), Literal(at.AddMinutes(1)) } })));
        string[] inProcess = two.DataSet.AddLateRecords([at, at.AddMinutes(1)]).Select(r => r.Id).ToArray();
        Assert.Equal(overHttp, inProcess);
        Assert.Empty(otherSeed.DataSet.AddLateRecords(2, at).Select(r => r.Id).Intersect(overHttp));
        // The seeded records are untouched by the late records' salt.
        Assert.Equal(
            one.DataSet.ScenarioRecords.Select(r => (r.Id, r.CorrelationId, r.ActivityDateTime)),
            new AuditDataSet(new EmulatorOptions { Anchor = anchor }).ScenarioRecords.Select(r => (r.Id, r.CorrelationId, r.ActivityDateTime)));

        // Refused in process as over HTTP.
        Assert.Throws<ArgumentException>(() => two.DataSet.AddLateRecords([one.DataSet.RetentionStart.AddTicks(-1)]));
        Assert.Throws<ArgumentException>(() => two.DataSet.AddLateRecords([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => two.DataSet.AddLateRecords(0, at));
        Assert.Equal(2, two.DataSet.LateRecords.Count);
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"minutesAgo":10}""", "'count' (with 'minutesAgo', default 0) or 'times' is required")]
    [InlineData("""{"count":0}""", "'count': must be between 1 and 100000")]
    [InlineData("""{"count":100001}""", "'count': must be between 1 and 100000")]
    [InlineData("""{"count":"3"}""", "'count': must be an integer")]
    [InlineData("""{"count":1,"minutesAgo":-1}""", "'minutesAgo': must be 0 or more")]
    [InlineData("""{"count":1,"times":["2026-11-20T11:50:00Z"]}""", "either 'times' or 'count'")]
    [InlineData("""{"minutesAgo":1,"times":["2026-11-20T11:50:00Z"]}""", "either 'times' or 'count'")]
    [InlineData("""{"times":[]}""", "'times': give between 1 and 100000 times")]
    [InlineData("""{"times":["2026-11-20T11:50:00"]}""", "'times'[0]: must be an ISO 8601 date-time with an offset")]
    [InlineData("""{"times":["yesterday"]}""", "'times'[0]: must be an ISO 8601 date-time with an offset")]
    [InlineData("""{"times":"2026-11-20T11:50:00Z"}""", "'times': must be an array")]
    [InlineData("""{"times":["2020-01-01T00:00:00Z"]}""", "would lie before the retention start")]
    [InlineData("""{"count":1,"minutesAgo":100000}""", "would lie before the retention start")]
    [InlineData("""{"count":1,"activity":"Request created"}""", "'activity': unknown property")]
    [InlineData("not json", "Invalid late records:")]
    public async Task BadRequests_Are400_AndAddNothing(string body, string message)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = PastAnchor() });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        (HttpStatusCode status, JsonElement error) = await PostRawAsync(http, "_emulator/late-records", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("BadRequest", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains(message, error.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(server.DataSet.LateRecords);
        Assert.Equal(110, server.DataSet.Truth.Total);
    }

    // ---- paging while records are added ----

    [Fact]
    public async Task APagingSequence_ReadsTheLateRecordsItStartedWith_WhateverIsAddedOrClearedMeanwhile()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = PastAnchor(), PageSize = 10 });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string token = TestTokens.DemoAdmin();
        DateTimeOffset anchor = server.DataSet.Anchor;
        string[] early = server.DataSet.AddLateRecords([anchor.AddDays(-2), anchor.AddDays(-9)]).Select(r => r.Id).ToArray();
        string[] whole = (await ReadAllAsync(http, token)).Select(r => r.Id).ToArray();
        Assert.Subset(whole.ToHashSet(), early.ToHashSet());

        // Page 1, then records land: one newer than everything (page 1's ground), one in the part
        // not read yet, one on page 2's ground.
        (HttpStatusCode status, JsonElement page1) = await GetAsync(http, Audits, token);
        Assert.Equal(HttpStatusCode.OK, status);
        DateTimeOffset lastOnPage1 = Time(page1.GetProperty("value")[9].GetProperty("activityDateTime"));
        string[] meanwhile = server.DataSet.AddLateRecords([DateTimeOffset.UtcNow, anchor.AddDays(-20), lastOnPage1.AddTicks(-1)])
            .Select(r => r.Id).ToArray();

        // The rest of the sequence: exactly the log as page 1 saw it, nothing twice, nothing skipped.
        var ids = new List<string>(PageIds(page1));
        string? link = page1.GetProperty("@odata.nextLink").GetString();
        string? page2Link = link;
        while (link is not null)
        {
            (status, JsonElement page) = await GetAsync(http, link, token);
            Assert.Equal(HttpStatusCode.OK, status);
            ids.AddRange(PageIds(page));
            link = page.TryGetProperty("@odata.nextLink", out JsonElement next) ? next.GetString() : null;
            if (ids.Count == 30)
            {
                // Midway, every late record goes: the sequence still reads the version it started with.
                Assert.Equal(5, server.DataSet.ClearLateRecords());
            }
        }
        Assert.Equal(whole, ids);

        // A retried page is the same page, records added and cleared or not.
        server.DataSet.AddLateRecords(3, lastOnPage1.AddTicks(-2));
        (status, JsonElement retried) = await GetAsync(http, page2Link!, token);
        Assert.Equal(whole.Skip(10).Take(10), PageIds(retried));

        // A new read sees the log as it is now.
        string[] now = (await ReadAllAsync(http, token)).Select(r => r.Id).ToArray();
        Assert.Equal(whole.Length - early.Length + 3, now.Length);
        Assert.Empty(now.Intersect(early.Concat(meanwhile)));
    }

    [Fact]
    public async Task ConcurrentAdds_WhileReadsPage_EachReadIsOneVersion_NoRecordTwiceOrMissing_AndTheTruthAgreesWithItself()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Anchor = PastAnchor(), PageSize = 25 });
        using HttpClient http = new() { BaseAddress = server.BaseAddress };
        string token = TestTokens.DemoAdmin();
        List<Served> baseline = await ReadAllAsync(http, token);
        HashSet<string> baselineIds = baseline.Select(r => r.Id).ToHashSet();
        DateTimeOffset anchor = server.DataSet.Anchor;

        // The writer adds 1..3 records at a time, at times all over the served window (newest,
        // oldest, between), over HTTP; the ids in the order they were added.
        var addedInOrder = new List<string>();
        using var done = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            var random = new Random(5);
            try
            {
                for (int i = 0; i < 40; i++)
                {
                    string[] times = Enumerable.Range(0, random.Next(1, 4))
                        .Select(_ => Literal(i % 5 == 0 ? DateTimeOffset.UtcNow.AddMinutes(-random.Next(0, 15)) : anchor.AddMinutes(-random.Next(0, 25 * 24 * 60))))
                        .ToArray();
                    string[] ids = Ids(await PostAsync(http, "_emulator/late-records", JsonSerializer.Serialize(new { times })));
                    lock (addedInOrder)
                        addedInOrder.AddRange(ids);
                    await Task.Delay(random.Next(0, 15));
                }
            }
            finally
            {
                done.Cancel();
            }
        });

        int AddedSoFar()
        {
            lock (addedInOrder)
                return addedInOrder.Count;
        }

        // Reads during which records were added (more had been added when the read ended than when it began).
        int straddling = 0;
        async Task<List<List<Served>>> ReadUntilDoneAsync(string orderBy)
        {
            var reads = new List<List<Served>>();
            while (!done.IsCancellationRequested)
            {
                int before = AddedSoFar();
                reads.Add(await ReadAllAsync(http, token, orderBy));
                if (AddedSoFar() > before)
                    Interlocked.Increment(ref straddling);
            }
            reads.Add(await ReadAllAsync(http, token, orderBy)); // and one after the last add
            return reads;
        }

        async Task<List<JsonElement>> TruthUntilDoneAsync()
        {
            var truths = new List<JsonElement>();
            while (!done.IsCancellationRequested)
                truths.Add(await GetJsonAsync(http, "_emulator/truth"));
            return truths;
        }

        Task<List<List<Served>>> newestFirstReads = ReadUntilDoneAsync("");
        Task<List<List<Served>>> oldestFirstReads = ReadUntilDoneAsync("$orderby=activityDateTime");
        Task<List<JsonElement>> truthReads = TruthUntilDoneAsync();
        await Task.WhenAll(writer, newestFirstReads, oldestFirstReads, truthReads);
        List<List<Served>> newestFirst = await newestFirstReads, oldestFirst = await oldestFirstReads;
        List<JsonElement> truths = await truthReads;

        Assert.True(addedInOrder.Count >= 40);
        var position = addedInOrder.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        int versions = 0;
        foreach ((List<Served> read, bool descending) in newestFirst.Select(r => (r, true)).Concat(oldestFirst.Select(r => (r, false))))
        {
            string[] ids = read.Select(r => r.Id).ToArray();
            Assert.Equal(ids.Length, ids.Distinct().Count());
            // In order across every page boundary.
            for (int i = 1; i < read.Count; i++)
            {
                int order = read[i - 1].ActivityDateTime.UtcTicks.CompareTo(read[i].ActivityDateTime.UtcTicks) is int byTime and not 0
                    ? byTime : string.CompareOrdinal(read[i - 1].Id, read[i].Id);
                Assert.True(descending ? order > 0 : order < 0, $"records {i - 1} and {i} of a read are out of order");
            }
            // Every seeded record, and the late records of one version: the first k added, for some k.
            Assert.Subset(ids.ToHashSet(), baselineIds);
            int[] late = ids.Where(id => !baselineIds.Contains(id)).Select(id => position[id]).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, late.Length), late);
            versions++;
        }
        Assert.True(versions >= 4);
        Assert.True(straddling > 0, "no read had records added while it paged: the test proved nothing");
        // The reads after the last add have them all.
        Assert.Equal(baseline.Count + addedInOrder.Count, newestFirst[^1].Count);
        Assert.Equal(baseline.Count + addedInOrder.Count, oldestFirst[^1].Count);

        // Every truth answer is one version: its total, late count and records agree, and its late records are a prefix.
        foreach (JsonElement truth in truths)
        {
            long total = truth.GetProperty("total").GetInt64();
            JsonElement[] records = truth.GetProperty("records").EnumerateArray().ToArray();
            Assert.Equal(110 + truth.GetProperty("lateRecordCount").GetInt32(), total);
            Assert.Equal(total, records.Length);
            Assert.Equal(total, truth.GetProperty("byCategory").EnumerateObject().Sum(p => p.Value.GetInt64()));
            int[] late = records.Select(r => r.GetProperty("id").GetString()!).Where(id => !baselineIds.Contains(id)).Select(id => position[id]).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, late.Length), late);
        }
    }

    // ---- helpers ----

    private sealed record Served(string Id, DateTimeOffset ActivityDateTime, string Category, string ActivityDisplayName);

    /// <summary>A DateTimeOffset literal as the module writes it: UTC, seven fractional digits.</summary>
    private static string Literal(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(JsonElement value) =>
        DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string[] Ids(JsonElement answer) =>
        answer.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();

    private static string[] PageIds(JsonElement page) =>
        page.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();

    private static async Task<string> AppTokenAsync(HttpClient http, string tenant) =>
        (await GetJsonAsync(http, $"_emulator/token?tenant={tenant}&roles=AuditLog.Read.All")).GetProperty("accessToken").GetString()!;

    /// <summary>Every page of a read, following the nextLinks whole.</summary>
    private static async Task<List<Served>> ReadAllAsync(HttpClient http, string token, string query = "")
    {
        var records = new List<Served>();
        string? link = query.Length == 0 ? Audits : $"{Audits}?{query}";
        while (link is not null)
        {
            (HttpStatusCode status, JsonElement page) = await GetAsync(http, link, token);
            Assert.True(status == HttpStatusCode.OK, $"{status}: {page}");
            records.AddRange(page.GetProperty("value").EnumerateArray().Select(r => new Served(
                r.GetProperty("id").GetString()!, Time(r.GetProperty("activityDateTime")),
                r.GetProperty("category").GetString()!, r.GetProperty("activityDisplayName").GetString()!)));
            link = page.TryGetProperty("@odata.nextLink", out JsonElement next) ? next.GetString() : null;
        }
        return records;
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string url, string body)
    {
        (HttpStatusCode status, JsonElement answer) = await PostRawAsync(http, url, body);
        Assert.True(status == HttpStatusCode.OK, $"{url}: {status}: {answer}");
        return answer;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostRawAsync(HttpClient http, string url, string body)
    {
        using HttpResponseMessage response = await http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : Json(text));
    }

    private static async Task<HttpStatusCode> DeleteAsync(HttpClient http, string url)
    {
        using HttpResponseMessage response = await http.DeleteAsync(url);
        return response.StatusCode;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator;
using Xunit;

using static SupportAccessLogs.Tests.EmulatorHttp;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The emulator's Log Analytics faults for a hostile workspace (tests/GraphEmulator/README.md,
/// "Log Analytics faults"): answers without their columns, in another table, with null cells or
/// rows outside the window, a gateway's HTML 502, no answer at all. Seen by a plain HttpClient.
/// </summary>
public class LogAnalyticsEmulatorHostileFaultsTests
{
    private const string Demo = DemoWorkspace.WorkspaceId;
    private static readonly DateTimeOffset Anchor = new(2026, 9, 8, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = Anchor.AddDays(-20);

    private static readonly string Rows = $"""
        AuditLogs
        | where TimeGenerated >= {Dt(From)} and TimeGenerated < {Dt(Anchor)}
        | where Category == "MicrosoftSupportAccessManagement"
        | project Id, TimeGenerated, ActivityDateTime, ActivityDisplayName, InitiatedBy
        | order by TimeGenerated desc, Id desc
        """;

    private static readonly string Counts = $"""
        AuditLogs
        | where TimeGenerated >= {Dt(From)} and TimeGenerated < {Dt(Anchor)}
        | where Category == "MicrosoftSupportAccessManagement"
        | summarize count() by bin(TimeGenerated, 1h)
        """;

    [Fact]
    public async Task DropColumns_LeavesOutTheirEntriesAndCells_OnceThenTheUsualAnswer()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        await PostLaFaultsAsync(http, """[{"kind":"dropColumns","query":1,"columns":["Id","ActivityDisplayName","count_"]}]""");

        JsonElement dropped = await QueryOkAsync(http, token, Rows);
        JsonElement usual = await QueryOkAsync(http, token, Rows);

        Assert.Equal(["TimeGenerated", "ActivityDateTime", "InitiatedBy"], Names(dropped));
        Assert.Equal(["Id", "TimeGenerated", "ActivityDateTime", "ActivityDisplayName", "InitiatedBy"], Names(usual));
        Assert.Equal(RowsOf(usual).Count, RowsOf(dropped).Count);
        Assert.All(RowsOf(dropped), row => Assert.Equal(3, row.Length));
        Assert.Equal(RowsOf(usual).Select(r => r[1].GetString()), RowsOf(dropped).Select(r => r[0].GetString()));
        Assert.Equal(["dropColumns", null], server.Requests.Snapshot().Select(r => r.Fault));
    }

    [Fact]
    public async Task RenameTable_TheSameAnswerInAnotherTable()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        await PostLaFaultsAsync(http, """{"kind":"renameTable","query":1,"tableName":"Table_0"}""");

        JsonElement renamed = await QueryOkAsync(http, token, Rows);
        JsonElement usual = await QueryOkAsync(http, token, Rows);

        Assert.Equal("Table_0", Table(renamed).GetProperty("name").GetString());
        Assert.Equal("PrimaryResult", Table(usual).GetProperty("name").GetString());
        Assert.Equal(Table(usual).GetProperty("rows").GetRawText(), Table(renamed).GetProperty("rows").GetRawText());
    }

    [Fact]
    public async Task NullCells_NullsTheNamedCellsOfTheFirstRows_Only()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        await PostLaFaultsAsync(http, """{"kind":"nullCells","query":1,"columns":["ActivityDateTime","InitiatedBy"],"rows":2}""");

        List<JsonElement[]> nulled = RowsOf(await QueryOkAsync(http, token, Rows));
        List<JsonElement[]> usual = RowsOf(await QueryOkAsync(http, token, Rows));

        Assert.True(usual.Count > 3);
        Assert.All(usual.Take(2), row => Assert.Equal(JsonValueKind.String, row[2].ValueKind));
        Assert.All(usual.Take(2), row => Assert.Equal(JsonValueKind.String, row[4].ValueKind));
        for (int i = 0; i < usual.Count; i++)
        {
            for (int column = 0; column < 5; column++)
            {
                bool isNull = i < 2 && column is 2 or 4;
                Assert.Equal(isNull ? "null" : usual[i][column].GetRawText(), nulled[i][column].GetRawText());
            }
        }
    }

    [Fact]
    public async Task OutsideWindow_MovesTheLastRowsADayBeforeTheWindow_RowsAndBins()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        await PostLaFaultsAsync(http, """[{"kind":"outsideWindow","query":1,"rows":2},{"kind":"outsideWindow","query":2}]""");

        List<JsonElement[]> moved = RowsOf(await QueryOkAsync(http, token, Rows));
        List<JsonElement[]> bins = RowsOf(await QueryOkAsync(http, token, Counts));
        List<JsonElement[]> usual = RowsOf(await QueryOkAsync(http, token, Rows));

        string dayBefore = From.AddDays(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(usual.Count, moved.Count);
        Assert.Equal(usual.Select(r => r[0].GetString()), moved.Select(r => r[0].GetString()));
        for (int i = 0; i < moved.Count; i++)
        {
            bool outside = i >= moved.Count - 2;
            Assert.Equal(outside ? dayBefore : usual[i][1].GetString(), moved[i][1].GetString());
            Assert.Equal(outside ? dayBefore : usual[i][2].GetString(), moved[i][2].GetString());
        }

        Assert.Equal(dayBefore, bins[^1][0].GetString());
        Assert.All(bins.SkipLast(1), bin => Assert.True(Instant(bin[0].GetString()!) > From.AddHours(-1)));
    }

    [Fact]
    public async Task Html502_AGatewaysPage_NoLogAnalyticsError()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);
        string token = await TokenAsync(http);
        await PostLaFaultsAsync(http, """{"kind":"html502","query":1}""");

        using HttpResponseMessage response = await http.SendAsync(Query(token, Rows));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<html>", body);
        Assert.Contains("502 Bad Gateway", body);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        Assert.Equal("html502", Assert.Single(server.Requests.Snapshot()).Fault);
    }

    [Fact]
    public async Task NoAnswer_HoldsTheRequestUntilTheClientGivesUp_AndAStoppingServerAnswersNothing()
    {
        EmulatorServer server = await StartAsync();
        try
        {
            using HttpClient http = Client(server);
            string token = await TokenAsync(http);
            await PostLaFaultsAsync(http, """{"kind":"noAnswer","query":1,"times":2}""");

            // The client gives up: nothing came, however long it waited.
            using (var impatient = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) })
            {
                var watch = Stopwatch.StartNew();
                await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.SendAsync(Query(token, Rows)));
                Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9), $"gave up after {watch.Elapsed}");
            }

            // The server stops first: the connection ends without an answer.
            using var patient = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            Task<HttpResponseMessage> held = patient.SendAsync(Query(token, Rows));
            await Task.Delay(500);
            Assert.False(held.IsCompleted);
            await server.DisposeAsync();
            // The stop ends the held request (it is never answered otherwise): no request outlives
            // the server. The client learns of the closed connection a moment later, so it is
            // awaited, with a guard against a hang (the client's own wait is five minutes).
            await Assert.ThrowsAsync<HttpRequestException>(() => held.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("""{"kind":"dropColumns","query":1}""", "dropColumns needs columns")]
    [InlineData("""{"kind":"dropColumns","query":1,"columns":[]}""", "dropColumns needs columns")]
    [InlineData("""{"kind":"dropColumns","query":1,"columns":["id"]}""", "'id' is no column of AuditLogs")]
    [InlineData("""{"kind":"dropColumns","query":1,"columns":"Id"}""", "must be an array of column names")]
    [InlineData("""{"kind":"nullCells","query":1,"columns":["Id"]}""", "'Id' is no datetime or dynamic column")]
    [InlineData("""{"kind":"nullCells","query":1,"columns":["ActivityDateTime"],"rows":0}""", "rows must be at least 1")]
    [InlineData("""{"kind":"timeout504","query":1,"columns":["Id"]}""", "columns applies to dropColumns and nullCells only")]
    [InlineData("""{"kind":"renameTable","query":1}""", "renameTable needs a tableName other than PrimaryResult")]
    [InlineData("""{"kind":"renameTable","query":1,"tableName":"PrimaryResult"}""", "renameTable needs a tableName other than PrimaryResult")]
    [InlineData("""{"kind":"html502","query":1,"tableName":"x"}""", "tableName applies to renameTable only")]
    [InlineData("""{"kind":"noAnswer","query":1,"rows":2}""", "rows applies to nullCells and outsideWindow only")]
    public async Task InvalidRules_Are400_AndChangeNothing(string json, string messagePart)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Anchor = Anchor,
            LogAnalyticsFaults = [new LogAnalyticsFaultRule(LogAnalyticsFaultKind.Html502) { Query = 2 }],
        });
        using HttpClient http = Client(server);

        using HttpResponseMessage response = await http.PostAsync("_emulator/la-faults", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(messagePart, await response.Content.ReadAsStringAsync());
        Assert.Equal(LogAnalyticsFaultKind.Html502, Assert.Single(server.LogAnalyticsFaults.Snapshot()).Rule.Kind);
    }

    [Fact]
    public async Task Rules_RoundTripTheirValues()
    {
        await using EmulatorServer server = await StartAsync();
        using HttpClient http = Client(server);

        await PostLaFaultsAsync(http, """[{"kind":"dropColumns","query":1,"columns":["Id","count_"]},{"kind":"renameTable","query":1,"tableName":"T"},{"kind":"outsideWindow","query":1,"rows":3}]""");
        JsonElement states = Json(await http.GetStringAsync("_emulator/la-faults"));

        JsonElement[] rules = states.EnumerateArray().ToArray();
        Assert.Equal(["Id", "count_"], rules[0].GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(JsonValueKind.Null, rules[0].GetProperty("tableName").ValueKind);
        Assert.Equal("T", rules[1].GetProperty("tableName").GetString());
        Assert.Equal(3, rules[2].GetProperty("rows").GetInt32());
        Assert.Equal(JsonValueKind.Null, rules[2].GetProperty("columns").ValueKind);
    }

    // ---- helpers ----

    private static Task<EmulatorServer> StartAsync() => EmulatorServer.StartAsync(new EmulatorOptions { Anchor = Anchor });

    private static HttpClient Client(EmulatorServer server) => new() { BaseAddress = server.BaseAddress };

    private static string Dt(DateTimeOffset at) =>
        "datetime(" + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + ")";

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static async Task<string> TokenAsync(HttpClient http)
    {
        JsonElement token = Json(await http.GetStringAsync("_emulator/token?api=loganalytics"));
        return token.GetProperty("accessToken").GetString()!;
    }

    private static HttpRequestMessage Query(string token, string kql)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{Demo}/query")
        {
            Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["query"] = kql }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<JsonElement> QueryOkAsync(HttpClient http, string token, string kql)
    {
        using HttpResponseMessage response = await http.SendAsync(Query(token, kql));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return Json(text);
    }

    private static async Task PostLaFaultsAsync(HttpClient http, string json)
    {
        using HttpResponseMessage response = await http.PostAsync("_emulator/la-faults", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement Table(JsonElement answer) => Assert.Single(answer.GetProperty("tables").EnumerateArray());

    private static string[] Names(JsonElement answer) =>
        Table(answer).GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();

    private static List<JsonElement[]> RowsOf(JsonElement answer) =>
        Table(answer).GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToList();
}

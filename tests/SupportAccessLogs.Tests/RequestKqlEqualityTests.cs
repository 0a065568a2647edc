using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.KqlRules;
using SupportAccessLogs.Requests;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The generated request function (<see cref="RequestLifecycleKql"/>, Get-SupportAccessKql -Kind
/// Request) equals the module, row for row (issue 24): Get-SupportAccessRequest's production path
/// (the activities read through <see cref="ActivityRead"/>, each one's facts in a
/// <see cref="RequestBook"/>, closed) and the function run in the same workspace over the same
/// window give the same requests, field by field.
/// </summary>
public sealed class RequestKqlEqualityTests
{
    [Fact]
    public async Task TheDemoWorkspace_EveryRequestEqualsTheModulesRequest()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var query = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end, MaxRetries = 3 };

        int compared = await AssertEqualAsync(server, DemoWorkspace.WorkspaceId, query);

        // The stories (tests/GraphEmulator/README.md, "Stories") are among them, each its own request.
        Assert.True(compared > 100, $"only {compared} requests");
    }

    /// <summary>Reads the workspace both ways and compares; returns how many requests were compared.</summary>
    internal static async Task<int> AssertEqualAsync(EmulatorServer server, string workspace, ActivityQuery query)
    {
        List<SupportAccessActivity> activities = await ActivityKqlEqualityTests.ReadAsync(server, workspace, query);
        // The module's window includes its end; the function's is half-open: one tick more.
        Rows rows = await RunAsync(server, workspace,
            $"let starttime = {Literal(query.StartUtc)};\nlet endtime = {Literal(query.EndUtc.AddTicks(1))};\n" + RequestLifecycleKql.Function("SupportAccessRequest").Body);
        Assert.Equal(RequestLifecycleKql.Columns, rows.Names);

        // The function's now(): an active request's grant plus its duration (one instant for the
        // whole query); the module's requests are closed at that instant, so durations compare exactly.
        DateTime now = NowOf(rows) ?? DateTime.UtcNow;
        var book = new RequestBook();
        foreach (SupportAccessActivity activity in activities)
            book.Add(ActivityFacts.Of(activity));
        List<SupportAccessRequest> requests = book.Close(now, new CollectingReporter());

        Assert.Equal(requests.Count, rows.Values.Count);
        Dictionary<string, Dictionary<string, string>> byKey = rows.Values.ToDictionary(Key);
        var differences = new List<string>();
        foreach (SupportAccessRequest request in requests)
        {
            string key = Key(request);
            if (!byKey.TryGetValue(key, out Dictionary<string, string>? row))
            {
                differences.Add($"{key}: no row");
                continue;
            }
            foreach (string column in RequestLifecycleKql.Columns)
            {
                string expected = Field(request, column);
                if (!string.Equals(expected, row[column], StringComparison.Ordinal))
                    differences.Add($"{key} {column}: module '{expected}', KQL '{row[column]}'");
            }
        }
        Assert.True(differences.Count == 0, $"{differences.Count} differences:\n" + string.Join("\n", differences.Take(60)));
        return requests.Count;
    }

    private static string Key(Dictionary<string, string> row) => string.Join("|", row["TenantId"], row["TenantRole"], row["GroupedBy"], row["GroupKey"]);

    private static string Key(SupportAccessRequest request) =>
        string.Join("|", Field(request, "TenantId"), Field(request, "TenantRole"), Field(request, "GroupedBy"), Field(request, "GroupKey"));

    /// <summary>The instant the function's active requests run to; null when none says.</summary>
    private static DateTime? NowOf(Rows rows)
    {
        var instants = rows.Values
            .Where(r => r["IsAccessActive"] == "true" && r["AccessRemovedDateTime"] == "" && r["AccessDuration"] is not ("" or "00:00:00"))
            .Select(r => ParseTime(r["AccessGrantedDateTime"]) + TimeSpan.ParseExact(r["AccessDuration"], "c", CultureInfo.InvariantCulture))
            .Distinct().ToList();
        Assert.True(instants.Count <= 1, "the active requests run to different instants: " + string.Join(", ", instants));
        return instants.Count == 1 ? instants[0] : null;
    }

    /// <summary>A request's property as the function's row writes it: enums by name, "" for none, times as the API writes datetimes.</summary>
    internal static string Field(SupportAccessRequest request, string column) => column switch
    {
        "CreatedDateTime" => Time(request.CreatedTime),
        "DecidedDateTime" => Time(request.DecidedTime),
        "AccessGrantedDateTime" => Time(request.AccessGrantedTime),
        "AccessRemovedDateTime" => Time(request.AccessRemovedTime),
        "FirstActivityDateTime" => Time(request.FirstActivityTime),
        "LastActivityDateTime" => Time(request.LastActivityTime),
        "AccessDuration" => request.AccessDuration?.ToString("c", CultureInfo.InvariantCulture) ?? "",
        "IsAccessActive" => request.IsAccessActive ? "true" : "false",
        "IsTruncated" => request.IsTruncated ? "true" : "false",
        _ => typeof(SupportAccessRequest).GetProperty(column)!.GetValue(request)?.ToString() ?? "",
    };

    private static string Time(DateTime? utc) => utc?.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) ?? "";

    private static DateTime ParseTime(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static string Literal(DateTime utc) => "datetime(" + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + ")";

    /// <summary>An answer's columns and rows, each cell as text: a string as it is, null as "", a number or bool as its JSON.</summary>
    internal sealed record Rows(string[] Names, string[] Types, List<Dictionary<string, string>> Values);

    /// <summary>A query through the documented POST, as the Logs blade would send it.</summary>
    internal static async Task<Rows> RunAsync(EmulatorServer server, string workspace, string kql)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using JsonDocument token = JsonDocument.Parse(await http.GetStringAsync("_emulator/token?api=loganalytics"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/workspaces/{workspace}/query")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query = kql }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");

        using JsonDocument answer = JsonDocument.Parse(text);
        Assert.False(answer.RootElement.TryGetProperty("error", out _), text);
        JsonElement table = answer.RootElement.GetProperty("tables")[0];
        string[] names = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        string[] types = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()!).ToArray();
        List<Dictionary<string, string>> rows = table.GetProperty("rows").EnumerateArray()
            .Select(row => names.Select((name, i) => (name, value: Cell(row[i]))).ToDictionary(p => p.name, p => p.value))
            .ToList();
        return new Rows(names, types, rows);
    }

    private static string Cell(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.String => cell.GetString()!,
        JsonValueKind.Null => "",
        _ => cell.GetRawText(),
    };
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Connections;
using SupportAccessLogs.KqlRules;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The generated activity query (<see cref="ActivityKql"/>) equals the module, row for row (issue
/// 24): the module reads a workspace of the emulator through its production wiring
/// (<see cref="ActivityRead"/> with Workspaces), the query runs in the same workspace over the
/// same window, and every activity equals the row of its id, field by field, each record exactly once.
/// </summary>
public sealed class ActivityKqlEqualityTests
{
    [Fact]
    public async Task TheDemoWorkspace_EveryRowEqualsTheModulesActivity()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());
        DateTime end = server.LogAnalytics.Anchor.UtcDateTime;
        var query = new ActivityQuery { StartUtc = end.AddDays(-DemoWorkspace.TableDays - 1), EndUtc = end, MaxRetries = 3 };

        int compared = await AssertEqualAsync(server, DemoWorkspace.WorkspaceId, query);

        Assert.Equal(server.LogAnalytics.Truth(DemoWorkspace.WorkspaceId).SupportAccessCount, compared);
        Assert.True(compared > 500, $"only {compared} activities");
    }

    /// <summary>Reads the workspace both ways and compares; returns how many activities were compared.</summary>
    internal static async Task<int> AssertEqualAsync(EmulatorServer server, string workspace, ActivityQuery query)
    {
        List<SupportAccessActivity> activities = await ReadAsync(server, workspace, query);
        // The module's window includes its end; the function's is half-open: one tick more.
        List<Dictionary<string, string>> rows = await RunFunctionAsync(server, workspace, query.StartUtc, query.EndUtc.AddTicks(1));

        Assert.Equal(activities.Count, activities.Select(a => a.Id).Distinct().Count());
        Assert.Equal(rows.Count, rows.Select(r => r["Id"]).Distinct().Count());
        Assert.Equal(activities.Select(a => a.Id).Order(StringComparer.Ordinal), rows.Select(r => r["Id"]).Order(StringComparer.Ordinal));
        Dictionary<string, Dictionary<string, string>> byId = rows.ToDictionary(r => r["Id"]);
        var differences = new List<string>();
        foreach (SupportAccessActivity activity in activities)
        {
            Dictionary<string, string> row = byId[activity.Id];
            foreach (string column in ActivityKql.Columns)
            {
                string expected = Field(activity, column);
                if (!string.Equals(expected, row[column], StringComparison.Ordinal))
                    differences.Add($"{activity.Id} {column}: module '{expected}', KQL '{row[column]}'");
            }
        }
        Assert.True(differences.Count == 0, $"{differences.Count} differences:\n" + string.Join("\n", differences.Take(40)));
        return activities.Count;
    }

    /// <summary>An activity's field as the function's row writes it: enums by name, no TenantRole "", the time as the API writes datetimes.</summary>
    internal static string Field(SupportAccessActivity activity, string column)
    {
        if (column == "ActivityDateTime")
            return activity.ActivityTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        PropertyInfo property = typeof(SupportAccessActivity).GetProperty(column)!;
        return property.GetValue(activity)?.ToString() ?? "";
    }

    /// <param name="reporter">Where the read's Verbose, warnings and progress go (a new one when null).</param>
    internal static async Task<List<SupportAccessActivity>> ReadAsync(EmulatorServer server, string workspace, ActivityQuery query, CollectingReporter? reporter = null)
    {
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), null, GraphEnvironment.Global,
            server.BaseAddress, TestTokens.LogAnalyticsUser(), server.BaseAddress);
        var read = new ActivityRead(new[] { connection }, query) { Workspaces = [workspace], SkipRoleCheck = true };
        reporter ??= new CollectingReporter();
        var activities = new List<SupportAccessActivity>();
        await foreach (SupportAccessActivity activity in read.ReadAsync(_ => reporter, (_, failure) => throw failure, f => f.GetType().Name, reporter, CancellationToken.None))
        {
            activities.Add(activity);
        }

        Assert.True(read.ReachedEnd || query.First is not null);
        return activities;
    }

    /// <summary>The function's body as a query (-Format Kql's form), its time parameters as lets, run through the documented POST.</summary>
    internal static async Task<List<Dictionary<string, string>>> RunFunctionAsync(EmulatorServer server, string workspace, DateTime start, DateTime end)
    {
        string kql = $"let starttime = {Time(start)};\nlet endtime = {Time(end)};\n" + ActivityKql.Function().Body;
        RequestKqlEqualityTests.Rows rows = await RequestKqlEqualityTests.RunAsync(server, workspace, kql);
        Assert.Equal(ActivityKql.Columns, rows.Names);
        Assert.Equal(ActivityKql.Columns.Select(c => c == "ActivityDateTime" ? "datetime" : "string"), rows.Types);
        return rows.Values;
    }

    private static string Time(DateTime utc) => "datetime(" + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + ")";
}

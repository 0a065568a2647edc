using System;
using System.Collections.Generic;
using System.Linq;
using GraphEmulator.Data;
using GraphEmulator.LogAnalytics;

namespace GraphEmulator;

/// <summary>
/// The workspaces behind <c>POST /v1/workspaces/{id}/query</c> and their <c>AuditLogs</c> rows
/// (README.md, "Log Analytics"), deterministic from the seed and the anchor like the Graph data
/// set, whose records the demo workspace holds.
/// </summary>
public sealed class LogAnalyticsData
{
    private readonly Dictionary<Guid, Workspace> _workspaces = [];

    internal LogAnalyticsData(EmulatorOptions options, AuditDataSet graph)
    {
        Anchor = graph.Anchor;
        TableStart = Anchor - TimeSpan.FromDays(DemoWorkspace.TableDays);
        BulkRowCount = options.LogAnalyticsBulkRows;
        var sources = new LogSourceCache();
        string servedTenant = graph.TenantId;
        string foreignTenant = OtherThan(servedTenant, DemoWorkspace.ForeignTenantId, DemoWorkspace.SecondWorkspaceTenantId);
        string secondTenant = OtherThan(servedTenant, DemoWorkspace.SecondWorkspaceTenantId, DemoWorkspace.ForeignTenantId);

        // ---- the demo workspace ----
        var demo = new List<LogRow>();
        void Add(List<LogRow> rows, AuditRecord record, string tenant, string workspace)
        {
            if (record.ActivityDateTime >= TableStart)
                rows.Add(new LogRow(record.ActivityDateTime.UtcTicks, record.Id, record.CorrelationId ?? "", tenant, workspace, sources.For(record)));
        }

        // The Graph data set whole: its served records (the served tenant's support access of the
        // last 30 days is exactly these), those older than its retention, the stories (once: never
        // in the runs below) and its bulk records.
        foreach (AuditRecord record in graph.ScenarioRecords)
            Add(demo, record, servedTenant, DemoWorkspace.WorkspaceId);
        foreach (AuditRecord record in graph.StoryRecords)
            Add(demo, record, servedTenant, DemoWorkspace.WorkspaceId);
        for (int i = 0; i < graph.BulkRecordCount; i++)
            Add(demo, graph.BulkRecord(i), servedTenant, DemoWorkspace.WorkspaceId);

        // The other side of a cross-tenant story: steps the partner tenant logged, sent here by
        // its diagnostic setting as the foreign tenant's rows are. (Stories exist only when the
        // demo tenant is served, so that partner is never the served tenant.)
        foreach ((string tenant, AuditRecord record) in graph.OtherTenantStoryRecords)
        {
            if (string.Equals(tenant, servedTenant, StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Story record {record.Id} is logged by the served tenant {tenant}: it would be Graph's.");
            Add(demo, record, tenant, DemoWorkspace.WorkspaceId);
        }

        // Older months: the same scenario table, one run per 30 days, each ending where the one
        // after it begins (every record of a run lies before its anchor).
        for (int month = 1; month * DemoWorkspace.GraphDays < DemoWorkspace.TableDays; month++)
        {
            DateTimeOffset monthAnchor = Anchor - TimeSpan.FromDays(month * DemoWorkspace.GraphDays);
            foreach (GeneratedRecord generated in Generate(options.Seed, month, monthAnchor, AuditDataSet.MaxSeededSpread))
                Add(demo, generated.Record, servedTenant, DemoWorkspace.WorkspaceId);
        }

        // A second tenant sends its logs here too: one run of the table spread over the older
        // months (support access only there, but for its side of story S8 above), and its other
        // categories in the last 30 days.
        DateTimeOffset foreignAnchor = Anchor - TimeSpan.FromDays(DemoWorkspace.GraphDays + 5);
        foreach (GeneratedRecord generated in Generate(options.Seed, 100, foreignAnchor, TimeSpan.FromDays(DemoWorkspace.TableDays - DemoWorkspace.GraphDays - 10)))
            Add(demo, generated.Record, foreignTenant, DemoWorkspace.WorkspaceId);
        foreach (GeneratedRecord generated in Generate(options.Seed, 101, Anchor, AuditDataSet.MaxSeededSpread))
        {
            if (generated.Expected is null)
                Add(demo, generated.Record, foreignTenant, DemoWorkspace.WorkspaceId);
        }

        // LogAnalyticsBulkRows: support-access clones spread evenly over the 180 days.
        if (options.LogAnalyticsBulkRows > 0)
        {
            AuditRecord[] templates = graph.ScenarioRecords
                .Where(r => r.Category == AuditDataSet.SupportAccessCategory && graph.IsWithinRetention(r))
                .ToArray();
            ulong salt = (ulong)new Random(SeedFor(options.Seed, 400)).NextInt64();
            int count = options.LogAnalyticsBulkRows;
            long step = Math.Max(1, TimeSpan.FromDays(DemoWorkspace.TableDays).Ticks / count);
            long newest = Anchor.UtcTicks - step / 2 - 1;
            demo.EnsureCapacity(demo.Count + count);
            for (int i = 0; i < count; i++)
            {
                AuditRecord template = templates[i % templates.Length];
                demo.Add(new LogRow(newest - i * step, DeterministicIds.IndexedGuid(salt, i, stream: 2),
                    DeterministicIds.IndexedGuid(salt, i, stream: 3), servedTenant, DemoWorkspace.WorkspaceId, sources.For(template)));
            }
        }

        // ---- the second workspace: another tenant's last 30 days (and a little older) ----
        var second = new List<LogRow>();
        foreach (GeneratedRecord generated in Generate(options.Seed, 300, Anchor, AuditDataSet.MaxSeededSpread))
            Add(second, generated.Record, secondTenant, DemoWorkspace.SecondWorkspaceId);

        Register(DemoWorkspace.WorkspaceId, DemoWorkspace.WorkspaceName, demo, DemoWorkspace.WorkspaceReaders);
        Register(DemoWorkspace.SecondWorkspaceId, DemoWorkspace.SecondWorkspaceName, second, DemoWorkspace.OtherWorkspaceReaders);
        Register(DemoWorkspace.EmptyWorkspaceId, DemoWorkspace.EmptyWorkspaceName, rows: null, DemoWorkspace.OtherWorkspaceReaders);
        if (options.LogAnalyticsCorpus.Count > 0)
        {
            Register(DemoWorkspace.CorpusWorkspaceId, DemoWorkspace.CorpusWorkspaceName,
                options.LogAnalyticsCorpus.Select(r => r.ToRow(DemoWorkspace.CorpusWorkspaceId)).ToList(), DemoWorkspace.WorkspaceReaders);
        }
    }

    /// <summary>The data's "now" (the Graph data set's anchor): the newest row is just before it.</summary>
    public DateTimeOffset Anchor { get; }

    /// <summary>Anchor minus 180 days: no row is older.</summary>
    public DateTimeOffset TableStart { get; }

    public int BulkRowCount { get; }

    /// <summary>Every workspace id served, the one without an AuditLogs table included.</summary>
    public IReadOnlyList<string> WorkspaceIds => _workspaces.Values.Select(w => w.Id).ToArray();

    /// <summary>How many AuditLogs rows a workspace holds (0 without the table); null for an unknown workspace.</summary>
    public int? RowCount(string workspaceId) =>
        Guid.TryParse(workspaceId, out Guid id) && _workspaces.TryGetValue(id, out Workspace? w) ? w.Rows?.Length ?? 0 : null;

    /// <summary>
    /// What a query of <paramref name="workspaceId"/>'s AuditLogs over [<paramref name="start"/>,
    /// <paramref name="end"/>) should find (either bound may be left open), optionally of one
    /// AADTenantId only: the rows of any category, and the support-access rows' ids, newest first.
    /// </summary>
    /// <exception cref="ArgumentException">No such workspace.</exception>
    public WorkspaceTruth Truth(string workspaceId, DateTimeOffset? start = null, DateTimeOffset? end = null, string? aadTenantId = null)
    {
        if (!Guid.TryParse(workspaceId, out Guid id) || !_workspaces.TryGetValue(id, out Workspace? workspace))
            throw new ArgumentException($"No workspace '{workspaceId}'. Served: {string.Join(", ", WorkspaceIds)}.", nameof(workspaceId));

        var ids = new List<string>();
        long rows = 0;
        var byTenant = new SortedDictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        if (workspace.Rows is not null)
        {
            (int from, int to) = workspace.Range(start?.UtcTicks ?? long.MinValue, end?.UtcTicks ?? long.MaxValue);
            for (int i = to - 1; i >= from; i--)
            {
                LogRow row = workspace.Rows[i];
                if (aadTenantId is not null && !string.Equals(row.AadTenantId, aadTenantId, StringComparison.OrdinalIgnoreCase))
                    continue;
                rows++;
                if (!row.IsSupportAccess)
                    continue;
                ids.Add(row.Id);
                byTenant[row.AadTenantId] = byTenant.GetValueOrDefault(row.AadTenantId) + 1;
            }
        }
        return new WorkspaceTruth(workspace.Id, workspace.Rows is not null, aadTenantId, start, end, rows, ids.Count, ids, byTenant);
    }

    internal Workspace? Find(Guid id) => _workspaces.GetValueOrDefault(id);

    private void Register(string id, string name, List<LogRow>? rows, IReadOnlyList<string> readerKeys)
    {
        LogRow[]? sorted = rows?.ToArray();
        if (sorted is not null)
            Array.Sort(sorted, LogRow.Compare);
        var readers = readerKeys.Select(k => DemoTenant.FindUser(k)!.ObjectId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _workspaces[Guid.Parse(id)] = new Workspace(id, name, sorted, readers);
    }

    private static IReadOnlyList<GeneratedRecord> Generate(int seed, int stream, DateTimeOffset anchor, TimeSpan spread) =>
        ScenarioGenerator.Generate(Scenarios.Build(), new Random(SeedFor(seed, stream)), anchor, spread,
            anchor - TimeSpan.FromDays(DemoWorkspace.GraphDays));

    private static int SeedFor(int seed, int stream) => unchecked((seed * 1_000_003) ^ (stream * 7_919) ^ 0x5A17);

    private static string OtherThan(string served, string preferred, string fallback) =>
        string.Equals(served, preferred, StringComparison.OrdinalIgnoreCase) ? fallback : preferred;
}

/// <summary>A workspace: its id, name, readers and AuditLogs rows in storage order (null: no such table).</summary>
internal sealed class Workspace(string id, string name, LogRow[]? rows, IReadOnlySet<string> readerObjectIds)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public LogRow[]? Rows { get; } = rows;
    public IReadOnlySet<string> ReaderObjectIds { get; } = readerObjectIds;

    /// <summary>The rows with lo ≤ ticks &lt; hi: [from, to) in <see cref="Rows"/>.</summary>
    public (int From, int To) Range(long lo, long hi)
    {
        LogRow[] rows = Rows ?? [];
        return (LowerBound(rows, lo), hi == long.MaxValue ? rows.Length : LowerBound(rows, hi));
    }

    private static int LowerBound(LogRow[] rows, long ticks)
    {
        int low = 0, high = rows.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (rows[mid].Ticks < ticks)
                low = mid + 1;
            else
                high = mid;
        }
        return low;
    }
}

/// <summary>What a window of a workspace's AuditLogs holds (<c>GET /_emulator/workspace-truth</c>).</summary>
/// <param name="HasAuditLogs">False for the workspace without the table (every count 0).</param>
/// <param name="RowCount">Rows of any category in the window (of the tenant, when one was named).</param>
/// <param name="SupportAccessIds">Ids of the support-access rows, newest first (time, then id, descending).</param>
/// <param name="SupportAccessByTenant">Support-access rows per AADTenantId.</param>
public sealed record WorkspaceTruth(
    string WorkspaceId,
    bool HasAuditLogs,
    string? AadTenantId,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    long RowCount,
    long SupportAccessCount,
    IReadOnlyList<string> SupportAccessIds,
    IReadOnlyDictionary<string, long> SupportAccessByTenant);

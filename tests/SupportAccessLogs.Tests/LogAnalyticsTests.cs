using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Http;
using SupportAccessLogs.LogAnalytics;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The Log Analytics source's own rules: the KQL it sends, how it slices, how it reads
/// an answer. Against the emulator's query API: LogAnalyticsSourceTests and the Pester tests.</summary>
public class LogAnalyticsTests
{
    private static readonly DateTime Start = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("x\" or 1==1 //", "\"x\\\" or 1==1 //\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("two\nlines", "\"two\\nlines\"")]
    [InlineData("it's", "\"it's\"")]
    public void String_EscapesEverythingThatCouldEndTheLiteral(string value, string literal)
    {
        Assert.Equal(literal, Kql.String(value));
    }

    [Fact]
    public void Rows_TheDocumentedShape_WithTheInitiatorAsOneLiteral()
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = "x\" or 1==1 //@contoso.com" };

        string kql = Kql.Rows(query, new Slice(Start, End), Kql.FilterOf(query, Guid.Empty));

        Assert.Equal(
            "AuditLogs\n" +
            "| where TimeGenerated >= datetime(2026-06-01T00:00:00.0000000Z) and TimeGenerated < datetime(2026-09-01T00:00:00.0000000Z)\n" +
            "| where Category == \"MicrosoftSupportAccessManagement\"\n" +
            "| where tostring(InitiatedBy.user.userPrincipalName) =~ \"x\\\" or 1==1 //@contoso.com\"\n" +
            "| project " + Kql.Columns + "\n" +
            "| order by TimeGenerated desc, Id desc",
            kql);
    }

    [Fact]
    public void Rows_NotAUpn_NoInitiatorClause_AndABucketedSliceNamesItsBucket()
    {
        var query = new ActivityQuery { StartUtc = Start, EndUtc = End, InitiatedBy = "*@contoso.com" };

        string kql = Kql.Rows(query, new Slice(Start, Start, 4, 3), Kql.FilterOf(query, Guid.Empty));

        Assert.DoesNotContain("InitiatedBy.user", kql);
        Assert.Contains("\n| where hash(Id, 4) == 3\n", kql);
    }

    [Fact]
    public void Split_HalvesInTime_ThenByIdHash_AndTheHalvesHoldExactlyTheRows()
    {
        var slice = new Slice(Start, Start.AddTicks(3));

        (Slice newer, Slice older) = slice.Split();
        Assert.Equal((Start.AddTicks(1), Start.AddTicks(3)), (newer.Start, newer.End));
        Assert.Equal((Start, Start.AddTicks(1)), (older.Start, older.End));

        (Slice a, Slice b) = older.Split();
        Assert.Equal((Start, Start.AddTicks(1), 2, 0), (a.Start, a.End, a.Buckets, a.Bucket));
        Assert.Equal((Start, Start.AddTicks(1), 2, 1), (b.Start, b.End, b.Buckets, b.Bucket));
        (Slice c, Slice d) = b.Split();
        Assert.Equal((4, 1), (c.Buckets, c.Bucket));
        Assert.Equal((4, 3), (d.Buckets, d.Bucket));
    }

    [Fact]
    public void Plan_CoversTheWindowsRowsNewestFirst_InSlicesOfAboutTheTarget()
    {
        var window = new Slice(Start, End);
        var counts = new List<(DateTime, long)>();
        for (DateTime hour = Start; hour < End; hour = hour.AddHours(1))
        {
            counts.Add((hour, hour.Hour == 12 ? 50_000 : hour.Hour % 3));
        }

        List<Slice> slices = LogAnalyticsSource.Plan(window, counts);

        for (int i = 0; i < slices.Count; i++)
        {
            Slice slice = slices[i];
            Assert.True(slice.Start < slice.End);
            if (i > 0)
            {
                Assert.True(slice.End <= slices[i - 1].Start, "newest first, no overlap");
            }

            long rows = (long)counts.Where(c => c.Item1 >= Floor(slice.Start) && c.Item1 < slice.End).Sum(c => c.Item2 * Share(c.Item1, slice));
            Assert.True(rows <= LogAnalyticsSource.RowsPerSlice + 1, $"slice {slice} plans {rows} rows");
        }

        // Every hour that has rows lies inside a slice.
        foreach ((DateTime hour, long count) in counts.Where(c => c.Item2 > 0))
        {
            Assert.Contains(slices, s => s.Start <= hour && hour < s.End);
        }
    }

    [Fact]
    public void Records_ColumnsByName_DynamicColumnsAsJsonText_IntoTheGraphRecordModel()
    {
        string body = """
        {"tables":[{"name":"PrimaryResult","columns":[
          {"name":"AADTenantId","type":"string"},{"name":"Id","type":"string"},{"name":"ActivityDateTime","type":"datetime"},
          {"name":"ActivityDisplayName","type":"string"},{"name":"Category","type":"string"},{"name":"Unknown","type":"string"},
          {"name":"InitiatedBy","type":"dynamic"},{"name":"AdditionalDetails","type":"dynamic"},{"name":"TargetResources","type":"dynamic"}],
          "rows":[["8f0e2a4b-1c3d-4e5f-9a7b-6c5d4e3f2a1b","Directory_ABC","2026-08-01T10:00:00.1234567Z","Request approved","MicrosoftSupportAccessManagement","x",
                   "{\"user\":{\"id\":\"u1\",\"userPrincipalName\":\"admin@contoso.com\"}}","[{\"key\":\"SupportRequestId\",\"value\":\"2411\"}]",null]]}]}
        """;

        ParsedAuditRecord parsed = Assert.Single(ReadRecords(Answer(body)));

        AuditRecord record = parsed.Record;
        Assert.Equal("Directory_ABC", record.Id);
        Assert.Equal("8f0e2a4b-1c3d-4e5f-9a7b-6c5d4e3f2a1b", record.TenantId);
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567), record.ActivityDateTime);
        Assert.Equal("admin@contoso.com", record.InitiatedBy?.User?.UserPrincipalName);
        Assert.Equal("2411", record.AdditionalDetails?.Single()?.Value);
        Assert.Null(record.TargetResources);
        // The raw record is the row as sent, named by its columns when asked for.
        string raw = RowJson.ToObject(parsed.Raw, parsed.RawColumns!);
        Assert.StartsWith("{\"AADTenantId\":\"8f0e2a4b-1c3d-4e5f-9a7b-6c5d4e3f2a1b\",\"Id\":\"Directory_ABC\"", raw);
        Assert.Contains("\"Unknown\":\"x\"", raw);
        Assert.Contains("\"InitiatedBy\":{\"user\":{\"id\":\"u1\"", raw);
        Assert.Contains("\"TargetResources\":null", raw);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Records_AnAnswerInManyChunks_ReadsAsTheWholeDoes(int chunkSize)
    {
        // Answers are read in pooled chunks, so values and rows cross chunk boundaries anywhere.
        string body = """
        {"tables":[{"name":"PrimaryResult","columns":[
          {"name":"AADTenantId","type":"string"},{"name":"Id","type":"string"},{"name":"ActivityDateTime","type":"datetime"},
          {"name":"ActivityDisplayName","type":"string"},{"name":"Category","type":"string"},
          {"name":"InitiatedBy","type":"dynamic"},{"name":"AdditionalDetails","type":"dynamic"},{"name":"TargetResources","type":"dynamic"}],
          "rows":[["8f0e2a4b-1c3d-4e5f-9a7b-6c5d4e3f2a1b","Directory_1","2026-08-01T10:00:00Z","Access removed","MicrosoftSupportAccessManagement",
                   "{\"user\":{\"id\":\"u1\",\"userPrincipalName\":\"admin@contoso.com\"}}","[{\"key\":\"SupportRequestId\",\"value\":\"2411\"}]",
                   "[{\"id\":\"r1\",\"type\":\"Other\",\"modifiedProperties\":[{\"displayName\":\"p\",\"oldValue\":\"\\\"a\\\"\",\"newValue\":null}]}]"],
                  ["8f0e2a4b-1c3d-4e5f-9a7b-6c5d4e3f2a1b","Directory_2","2026-08-01T09:00:00Z","Request created","MicrosoftSupportAccessManagement",null,"[]",null]]}]}
        """;

        List<ParsedAuditRecord> whole = ReadRecords(Answer(body));
        List<ParsedAuditRecord> chunked = ReadRecords(Answer(body, chunkSize));

        Assert.Equal(2, chunked.Count);
        var classifier = new Classification.ActivityClassifier(Guid.Parse(Records.CallerTenant));
        for (int i = 0; i < whole.Count; i++)
        {
            Assert.Equal(whole[i].Raw, chunked[i].Raw);
            SupportAccessActivity expected = classifier.Classify(whole[i].Record, whole[i].Raw, whole[i].RawColumns);
            SupportAccessActivity actual = classifier.Classify(chunked[i].Record, chunked[i].Raw, chunked[i].RawColumns);
            Assert.Equal(Fields(expected), Fields(actual));
        }

        static string Fields(SupportAccessActivity a) => string.Join("|", a.Id, a.TenantId, a.ActivityTime.Ticks, a.Category, a.Activity, a.InitiatedBy,
            a.SupportRequestId, a.TargetResources, a.AdditionalDetails, a.ClassificationReason, a.GetRawRecord());

        Assert.Equal("admin@contoso.com", chunked[0].Record.InitiatedBy?.User?.UserPrincipalName);
        Assert.Equal("\"a\"", chunked[0].Record.TargetResources?.Single()?.ModifiedProperties?.Single()?.OldValue);
        Assert.StartsWith("[\"8f0e2a4b-", Encoding.UTF8.GetString(chunked[1].Raw));
        Assert.EndsWith("\"[]\",null]", Encoding.UTF8.GetString(chunked[1].Raw));
    }

    [Fact]
    public async Task AnswerBytes_ReadsEveryByteOfATrickle_AndRefusesMoreThanTheLimit()
    {
        byte[] sent = Enumerable.Range(0, (AnswerBytes.ChunkSize * 2) + 5).Select(i => (byte)i).ToArray();

        using (AnswerBytes answer = await AnswerBytes.ReadAsync(new TrickleStream(sent, 1000), long.MaxValue, truncate: false, ArrayPool<byte>.Shared, CancellationToken.None))
        {
            Assert.Equal(sent, answer.ToArray());
            Assert.Equal(sent.Length, answer.Length);
        }

        await Assert.ThrowsAsync<ResponseTooLargeException>(() => AnswerBytes.ReadAsync(new TrickleStream(sent, 1000), sent.Length - 1, truncate: false, ArrayPool<byte>.Shared, CancellationToken.None));
        using AnswerBytes truncated = await AnswerBytes.ReadAsync(new TrickleStream(sent, 1000), 100, truncate: true, ArrayPool<byte>.Shared, CancellationToken.None);
        Assert.Equal(sent.Take(100), truncated.ToArray());
    }

    [Fact]
    public void Records_PartialError_IsNeverTakenAsComplete()
    {
        string body = """
        {"tables":[{"name":"PrimaryResult","columns":[{"name":"Id","type":"string"}],"rows":[["a"],["b"]]}],
         "error":{"code":"PartialError","message":"There were some errors when processing your query.","details":[{"code":"EngineError","message":"Query result set has exceeded the internal record count limit"}]}}
        """;

        PartialAnswerException error = Assert.Throws<PartialAnswerException>(() => QueryAnswer.Rows(Answer(body)));
        Assert.Contains("PartialError", error.Message);
        Assert.Contains("record count limit", error.Message);
    }

    [Fact]
    public void Records_DynamicColumnThatIsNotJson_IsAFormatError()
    {
        string body = """{"tables":[{"name":"PrimaryResult","columns":[{"name":"Id"},{"name":"InitiatedBy"}],"rows":[["a","{not json"]]}]}""";

        Assert.ThrowsAny<Exception>(() => ReadRecords(Answer(body)));
    }

    [Fact]
    public void Counts_ReadsBinsAndCounts()
    {
        string body = """{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"count_","type":"long"}],"rows":[["2026-08-01T10:00:00Z",12],["2026-08-01T11:00:00Z",3]]}]}""";

        List<(DateTime Bin, long Count, long Matching)> counts = QueryAnswer.Counts(Answer(body), new Slice(new DateTime(2026, 8, 1, 10, 30, 0, DateTimeKind.Utc), new DateTime(2026, 8, 1, 11, 30, 0, DateTimeKind.Utc)), matchingColumn: null);

        Assert.Equal(new[] { (new DateTime(2026, 8, 1, 10, 0, 0, DateTimeKind.Utc), 12L, 12L), (new DateTime(2026, 8, 1, 11, 0, 0, DateTimeKind.Utc), 3L, 3L) }, counts);
        Assert.All(counts, c => Assert.Equal(DateTimeKind.Utc, c.Bin.Kind));
    }

    /// <summary>A filtered read's counts: the matching rows of each hour beside all of them, checked as strictly; without the column the answer is refused.</summary>
    [Theory]
    [InlineData("4", null)]
    [InlineData("-1", "row count of -1")]
    [InlineData("null", "row count of Null")]
    public void Counts_TheMatchingColumn_IsReadAndChecked(string matching, string? refused)
    {
        string body = """{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"count_","type":"long"},{"name":"Matching","type":"long"}],"rows":[["2026-08-01T10:00:00Z",12,""" + matching + "]]}]}";
        var window = new Slice(new DateTime(2026, 8, 1, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 8, 1, 11, 0, 0, DateTimeKind.Utc));

        if (refused is null)
        {
            Assert.Equal([(window.Start, 12L, 4L)], QueryAnswer.Counts(Answer(body), window, Kql.MatchingColumn));
        }
        else
        {
            var error = Assert.Throws<AuditResponseFormatException>(() => QueryAnswer.Counts(Answer(body), window, Kql.MatchingColumn));
            Assert.Contains(refused, error.Message, StringComparison.Ordinal);
        }

        string without = """{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"count_","type":"long"}],"rows":[["2026-08-01T10:00:00Z",12]]}]}""";
        var missing = Assert.Throws<AuditResponseFormatException>(() => QueryAnswer.Counts(Answer(without), window, Kql.MatchingColumn));
        Assert.Contains("Matching", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QueryWindow_NoThirtyDayLimitFromAWorkspace_TheRestAlike()
    {
        DateTime now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var said = new List<string>();
        DateTime yearAgo = now.AddDays(-365);

        Assert.Equal((yearAgo, now), QueryWindow.Resolve(yearAgo, null, fromWorkspace: true, now, said.Add));
        Assert.Equal("StartTimeBeyondRetention", Assert.Throws<ModuleException>(() => QueryWindow.Resolve(yearAgo, null, fromWorkspace: false, now, said.Add)).ErrorId);
        Assert.Equal("StartTimeInFuture", Assert.Throws<ModuleException>(() => QueryWindow.Resolve(now.AddDays(1), null, true, now, said.Add)).ErrorId);
        Assert.Equal("TimeWindowReversed", Assert.Throws<ModuleException>(() => QueryWindow.Resolve(now.AddDays(-1), now.AddDays(-2), true, now, said.Add)).ErrorId);
        Assert.Empty(said);
        Assert.Equal((now.AddDays(-30), now), QueryWindow.Resolve(null, DateTime.MaxValue, false, now, said.Add));
        Assert.Contains("in the future", Assert.Single(said));
    }

    [Fact]
    public void WorkspaceIds_GuidsOnceEach_AnythingElseRefused()
    {
        Assert.Null(QueryWindow.WorkspaceIds(null));
        Assert.Equal(new[] { "b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e" },
            QueryWindow.WorkspaceIds(new[] { "B4C6D8E0-2F1A-4B3C-9D5E-7F8A9B0C1D2E", " b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e " }));
        Assert.Equal("WorkspaceIdNotGuid", Assert.Throws<ModuleException>(() => QueryWindow.WorkspaceIds(new[] { "law-contoso" })).ErrorId);
    }

    private static List<ParsedAuditRecord> ReadRecords(ReadOnlySequence<byte> body) => QueryAnswer.Rows(body).Records().ToList();

    /// <summary>An answer's bytes as the client hands them over: one chunk, or many of this size.</summary>
    private static ReadOnlySequence<byte> Answer(string body, int chunkSize = int.MaxValue)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        if (chunkSize >= bytes.Length)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Chunk(bytes.AsMemory(0, chunkSize), 0);
        Chunk last = first;
        for (int at = chunkSize; at < bytes.Length; at += chunkSize)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(chunkSize, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Chunk Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Chunk(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>A body that arrives a few bytes at a time, as a slow network hands it over.</summary>
    private sealed class TrickleStream : MemoryStream
    {
        private readonly int _most;

        public TrickleStream(byte[] bytes, int most) : base(bytes) => _most = most;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _most));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, _most), cancellationToken);
    }

    private static DateTime Floor(DateTime time) => new(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc);

    /// <summary>The share of an hour's rows a slice takes, assuming them spread evenly.</summary>
    private static double Share(DateTime hour, Slice slice)
    {
        DateTime from = hour < slice.Start ? slice.Start : hour;
        DateTime to = hour.AddHours(1) > slice.End ? slice.End : hour.AddHours(1);
        return to <= from ? 0 : (to - from).TotalHours;
    }
}

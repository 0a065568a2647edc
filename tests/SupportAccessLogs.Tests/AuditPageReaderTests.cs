using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>Streaming parse of one Graph page (<see cref="AuditPageReader"/>): the nullable
/// shapes of a directoryAudit, unknown members, paging links, broken bodies and buffer
/// boundaries.</summary>
public class AuditPageReaderTests
{
    private const string NextLink = "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$top=999&$skiptoken=abc%27def";

    // ---- initiatedBy ----

    [Fact]
    public void Read_InitiatedByNull_NullInitiator()
    {
        AuditRecord record = Records.ParseOne(Records.Json(initiatedBy: "null")).Record;

        Assert.Null(record.InitiatedBy);
    }

    [Fact]
    public void Read_InitiatedByMissing_NullInitiator()
    {
        string json = Records.Json().Replace("\"initiatedBy\":" + Records.UserInitiator + ",", "");
        Assert.DoesNotContain("initiatedBy", json);

        AuditRecord record = Records.ParseOne(json).Record;

        Assert.Null(record.InitiatedBy);
        Assert.Equal("rec-1", record.Id);
    }

    [Fact]
    public void Read_UserNull_AppRead()
    {
        AuditRecord record = Records.ParseOne(Records.Json(initiatedBy: Records.AppInitiator)).Record;

        Assert.NotNull(record.InitiatedBy);
        Assert.Null(record.InitiatedBy!.User);
        Assert.Equal("a0b1c2d3-0000-4000-8000-000000000001", record.InitiatedBy.App!.AppId);
        Assert.Equal("Microsoft Support Access", record.InitiatedBy.App.DisplayName);
        Assert.Equal("sp-1", record.InitiatedBy.App.ServicePrincipalId);
        Assert.Null(record.InitiatedBy.App.ServicePrincipalName);
    }

    [Fact]
    public void Read_AppNull_UserRead()
    {
        AuditRecord record = Records.ParseOne(Records.Json(initiatedBy: Records.UserInitiator)).Record;

        Assert.Null(record.InitiatedBy!.App);
        AuditUser user = record.InitiatedBy.User!;
        Assert.Equal("3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61", user.Id);
        Assert.Equal("Contoso Admin", user.DisplayName);
        Assert.Equal("admin@contoso.com", user.UserPrincipalName);
        Assert.Equal("203.0.113.7", user.IpAddress);
    }

    [Fact]
    public void Read_UserAndAppBothMissing_EmptyInitiator()
    {
        AuditRecord record = Records.ParseOne(Records.Json(initiatedBy: "{}")).Record;

        Assert.NotNull(record.InitiatedBy);
        Assert.Null(record.InitiatedBy!.User);
        Assert.Null(record.InitiatedBy.App);
    }

    // ---- targetResources and additionalDetails ----

    [Theory]
    [InlineData("null")]
    [InlineData(null)]
    public void Read_TargetResourcesNullOrMissing_Null(string? targets)
    {
        string json = targets is null
            ? Records.Json().Replace("\"targetResources\":[],", "")
            : Records.Json(targetResources: targets);

        Assert.Null(Records.ParseOne(json).Record.TargetResources);
    }

    [Fact]
    public void Read_TargetResourcesEmpty_EmptyList()
    {
        List<AuditTargetResource?>? targets = Records.ParseOne(Records.Json(targetResources: "[]")).Record.TargetResources;

        Assert.NotNull(targets);
        Assert.Empty(targets!);
    }

    [Fact]
    public void Read_TargetResourceWithModifiedProperties_AllFieldsRead()
    {
        const string targets = """
            [{"id":"t-1","displayName":"Support request","type":"Other","userPrincipalName":null,"groupType":"unifiedGroups",
              "modifiedProperties":[{"displayName":"Status","oldValue":"\"Pending\"","newValue":"\"Approved\""},null,
                                    {"displayName":"Scope","oldValue":null}]},
             null]
            """;
        List<AuditTargetResource?> resources = Records.ParseOne(Records.Json(targetResources: targets)).Record.TargetResources!;

        Assert.Equal(2, resources.Count);
        Assert.Null(resources[1]);
        AuditTargetResource target = resources[0]!;
        Assert.Equal("t-1", target.Id);
        Assert.Equal("Support request", target.DisplayName);
        Assert.Equal("Other", target.Type);
        Assert.Null(target.UserPrincipalName);
        Assert.Equal("unifiedGroups", target.GroupType);
        Assert.Equal(3, target.ModifiedProperties!.Count);
        Assert.Equal("Status", target.ModifiedProperties[0]!.DisplayName);
        Assert.Equal("\"Pending\"", target.ModifiedProperties[0]!.OldValue);
        Assert.Equal("\"Approved\"", target.ModifiedProperties[0]!.NewValue);
        Assert.Null(target.ModifiedProperties[1]);
        Assert.Null(target.ModifiedProperties[2]!.OldValue);
        Assert.Null(target.ModifiedProperties[2]!.NewValue);
    }

    [Fact]
    public void Read_ModifiedPropertiesNull_Null()
    {
        List<AuditTargetResource?> resources = Records.ParseOne(
            Records.Json(targetResources: """[{"id":"t-1","modifiedProperties":null}]""")).Record.TargetResources!;

        Assert.Null(resources[0]!.ModifiedProperties);
    }

    [Theory]
    [InlineData("null")]
    [InlineData(null)]
    public void Read_AdditionalDetailsNullOrMissing_Null(string? details)
    {
        string json = details is null
            ? Records.Json().Replace(",\"additionalDetails\":[]", "")
            : Records.Json(additionalDetails: details);

        Assert.Null(Records.ParseOne(json).Record.AdditionalDetails);
    }

    [Fact]
    public void Read_AdditionalDetails_KeysAndValuesRead()
    {
        string details = """[{"key":"SupportRequestId","value":"2611020040001234"},{"key":"Empty","value":null},{"key":null}]""";
        List<AuditKeyValue?> pairs = Records.ParseOne(Records.Json(additionalDetails: details)).Record.AdditionalDetails!;

        Assert.Equal(3, pairs.Count);
        Assert.Equal("SupportRequestId", pairs[0]!.Key);
        Assert.Equal("2611020040001234", pairs[0]!.Value);
        Assert.Equal("Empty", pairs[1]!.Key);
        Assert.Null(pairs[1]!.Value);
        Assert.Null(pairs[2]!.Key);
    }

    // ---- unknown members, unicode, scalar members ----

    [Fact]
    public void Read_UnknownMembers_IgnoredInRecordAndKeptInRaw()
    {
        string json = """
            {"id":"rec-x","category":"MicrosoftSupportAccessManagement","activityDisplayName":"Request created",
             "homeTenantId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","userType":"Member",
             "initiatedBy":{"user":{"id":"u-1","userPrincipalName":"a@contoso.com","homeTenantName":"Contoso","roles":[{"x":1}]},"app":null,"agent":{"kind":"bot"}},
             "future":{"nested":{"deeper":[1,2,{"three":[true,false,null]}]},"list":[[],[{}]]},
             "targetResources":[{"id":"t","extra":[1,"two",{"3":3}]}],
             "additionalDetails":[{"key":"k","value":"v","extra":{"a":[]}}],
             "trailingNumber":1.5e10}
            """;

        ParsedAuditRecord parsed = Records.ParseOne(json);

        Assert.Equal("rec-x", parsed.Record.Id);
        Assert.Equal("Request created", parsed.Record.ActivityDisplayName);
        Assert.Equal("a@contoso.com", parsed.Record.InitiatedBy!.User!.UserPrincipalName);
        Assert.Equal("t", parsed.Record.TargetResources![0]!.Id);
        Assert.Equal("v", parsed.Record.AdditionalDetails![0]!.Value);
        using JsonDocument raw = JsonDocument.Parse(parsed.Raw);
        Assert.Equal("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", raw.RootElement.GetProperty("homeTenantId").GetString());
        Assert.Equal("bot", raw.RootElement.GetProperty("initiatedBy").GetProperty("agent").GetProperty("kind").GetString());
        Assert.True(JsonElementsEqual(JsonDocument.Parse(json).RootElement, raw.RootElement));
    }

    [Fact]
    public void Read_UnicodeEscapes_Decoded()
    {
        const string json = """{"id":"r\u00e9c","category":"MicrosoftSupportAccessManagement","activityDisplayName":"Request\u0020created","initiatedBy":{"user":{"id":"u","displayName":"Zo\u00eb \u65e5\u672c \ud83d\ude42","userPrincipalName":"zo\u00eb@contoso.com"}},"additionalDetails":[{"key":"Note","value":"quote \" backslash \\ newline \n tab \t"}]}""";

        AuditRecord record = Records.ParseOne(json).Record;

        Assert.Equal("réc", record.Id);
        Assert.Equal("Request created", record.ActivityDisplayName);
        Assert.Equal("Zoë 日本 🙂", record.InitiatedBy!.User!.DisplayName);
        Assert.Equal("zoë@contoso.com", record.InitiatedBy.User.UserPrincipalName);
        Assert.Equal("quote \" backslash \\ newline \n tab \t", record.AdditionalDetails![0]!.Value);
    }

    [Fact]
    public void Read_RawUtf8NonAscii_Decoded()
    {
        string json = Records.Json("Request created", additionalDetails: """[{"key":"Note","value":"Ångström — 日本語 🙂"}]""");
        byte[] bytes = Encoding.UTF8.GetBytes(Records.Page(json));
        Assert.Contains(bytes, b => b >= 0x80); // really raw UTF-8, not \u escapes

        List<ParsedAuditRecord> records = Records.ReadPage(bytes, out _, maxChunk: 3);

        Assert.Equal("Ångström — 日本語 🙂", Assert.Single(records).Record.AdditionalDetails![0]!.Value);
    }

    [Fact]
    public void Read_ScalarMembers_Read()
    {
        AuditRecord record = Records.ParseOne(Records.Json("Request created", id: "Directory_1")).Record;

        Assert.Equal("Directory_1", record.Id);
        Assert.Equal("MicrosoftSupportAccessManagement", record.Category);
        Assert.Equal("corr-1", record.CorrelationId);
        Assert.Equal("success", record.Result);
        Assert.Equal("", record.ResultReason);
        Assert.Equal("Core Directory", record.LoggedByService);
        Assert.Equal("Add", record.OperationType);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 10, 15, 30, TimeSpan.Zero).AddTicks(1234567), record.ActivityDateTime);
    }

    [Fact]
    public void Read_ActivityDateTimeNull_Null()
    {
        string json = Records.Json().Replace("\"2026-11-02T10:15:30.1234567Z\"", "null");

        Assert.Null(Records.ParseOne(json).Record.ActivityDateTime);
    }

    // ---- page shape ----

    [Fact]
    public void Read_PageWithNextLink_NextLinkReadWhole()
    {
        string page = Records.Page(Records.Json(id: "a"), Records.Json(id: "b")).TrimEnd('}') + ",\"@odata.nextLink\":" + JsonSerializer.Serialize(NextLink) + "}";

        List<ParsedAuditRecord> records = Records.ReadPage(page, out string? nextLink);

        Assert.Equal(new[] { "a", "b" }, records.Select(r => r.Record.Id));
        Assert.Equal(NextLink, nextLink);
    }

    [Fact]
    public void Read_NextLinkBeforeValue_StillRead()
    {
        string page = "{\"@odata.nextLink\":" + JsonSerializer.Serialize(NextLink) + ",\"value\":[" + Records.Json(id: "a") + "]}";

        List<ParsedAuditRecord> records = Records.ReadPage(page, out string? nextLink);

        Assert.Equal("a", Assert.Single(records).Record.Id);
        Assert.Equal(NextLink, nextLink);
    }

    [Fact]
    public void Read_PageWithoutNextLink_NullNextLink()
    {
        List<ParsedAuditRecord> records = Records.ReadPage(Records.Page(Records.Json(id: "a")), out string? nextLink);

        Assert.Single(records);
        Assert.Null(nextLink);
    }

    [Fact]
    public void Read_NextLinkNull_NullNextLink()
    {
        Records.ReadPage("""{"value":[],"@odata.nextLink":null}""", out string? nextLink);

        Assert.Null(nextLink);
    }

    [Theory]
    [InlineData("""{"value":[]}""")]
    [InlineData("""{"@odata.context":"x","value":[]}""")]
    [InlineData("""  { "value" : [ ] }  """)]
    [InlineData("""{"value":null}""")]
    [InlineData("""{}""")]
    public void Read_EmptyPage_NoRecords(string page)
    {
        List<ParsedAuditRecord> records = Records.ReadPage(page, out string? nextLink);

        Assert.Empty(records);
        Assert.Null(nextLink);
    }

    [Fact]
    public void Read_OtherRootMembers_Skipped()
    {
        string page = """{"@odata.context":"ctx","@odata.count":2,"extra":{"value":[{"id":"not-a-record"}]},"list":[{"value":1}],"value":[""" + Records.Json(id: "real") + "]}";

        List<ParsedAuditRecord> records = Records.ReadPage(page, out _);

        Assert.Equal("real", Assert.Single(records).Record.Id);
    }

    // ---- broken bodies ----

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"value":[""")]
    [InlineData("""{"value":[{"id":"a","category":"MicrosoftSupportAccessManagement",""")]
    [InlineData("""{"value":[{"id":"a"}""")]
    [InlineData("""{"value":[{"id":"a"}]""")]
    [InlineData("""{"value":[],"@odata.nextLink":"https://graph.microsoft.com/v1.0/audit""")]
    public void Read_TruncatedBody_AuditResponseFormatException(string body)
    {
        Assert.Throws<AuditResponseFormatException>(() => Records.ReadPage(body, out _));
        Assert.Throws<AuditResponseFormatException>(() => Records.ReadPage(body, out _, maxChunk: 2));
    }

    [Fact]
    public void Read_TruncatedAfterFirstRecord_FirstRecordYieldedThenException()
    {
        string body = """{"value":[""" + Records.Json(id: "complete") + "," + Records.Json(id: "cut").Substring(0, 40);
        var yielded = new List<string?>();

        Assert.Throws<AuditResponseFormatException>(() => ReadInto(body, yielded));
        Assert.Equal(new[] { "complete" }, yielded);
    }

    [Theory]
    [InlineData("<html><body>Gateway Timeout</body></html>")]
    [InlineData("""{"value":[{"id":"a",}]}""")]
    [InlineData("""{"value":[{"id":x}]}""")]
    [InlineData("""{"value":{"id":"a"}}""")]
    [InlineData("""{"value":["a"]}""")]
    [InlineData("""[{"id":"a"}]""")]
    [InlineData("""{"value":[{"id":"a"}]]}""")]
    [InlineData("""{"value":[{"id":"a" "category":"b"}]}""")]
    public void Read_InvalidJson_AuditResponseFormatException(string body)
    {
        Assert.Throws<AuditResponseFormatException>(() => Records.ReadPage(body, out _));
        Assert.Throws<AuditResponseFormatException>(() => Records.ReadPage(body, out _, maxChunk: 5));
    }

    [Fact]
    public void Read_WrongTypeForKnownMember_AuditResponseFormatException()
    {
        string body = Records.Page(Records.Json(initiatedBy: "\"a string\""));

        Assert.Throws<AuditResponseFormatException>(() => Records.ReadPage(body, out _));
    }

    // ---- buffer boundaries ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Read_TricklingStream_SameRecordsAsWholeBody(int maxChunk)
    {
        byte[] body = Encoding.UTF8.GetBytes(AwkwardPage());
        List<ParsedAuditRecord> whole = Records.ReadPage(body, out string? wholeNext);

        var stream = new TrickleStream(body, maxChunk, seed: 17);
        var reader = new AuditPageReader();
        List<ParsedAuditRecord> trickled = ReadAll(reader, stream);

        Assert.True(stream.ReadCalls >= body.Length / maxChunk);
        Assert.True(stream.LargestRead <= maxChunk);
        Assert.Equal(whole.Count, trickled.Count);
        Assert.Equal(6, trickled.Count);
        Assert.Equal(NextLink, reader.NextLink);
        Assert.Equal(wholeNext, reader.NextLink);
        for (int i = 0; i < whole.Count; i++)
        {
            Assert.Equal(whole[i].Raw, trickled[i].Raw);
            Assert.Equal(whole[i].Record.Id, trickled[i].Record.Id);
            Assert.Equal(whole[i].Record.ActivityDisplayName, trickled[i].Record.ActivityDisplayName);
            Assert.Equal(whole[i].Record.AdditionalDetails?.Count, trickled[i].Record.AdditionalDetails?.Count);
        }

        Assert.Equal("Zoë 日本 🙂", trickled[2].Record.InitiatedBy!.User!.DisplayName);
    }

    [Fact]
    public void Read_RecordLargerThanBuffer_ReadWhole()
    {
        string big = new string('x', 200_000) + "é";
        string body = Records.Page(
            Records.Json(id: "before"),
            Records.Json(id: "big", additionalDetails: Records.Details(("Blob", big))),
            Records.Json(id: "after"));
        byte[] bytes = Encoding.UTF8.GetBytes(body);

        var stream = new ChunkedStream(bytes, 4096);
        List<ParsedAuditRecord> records = ReadAll(new AuditPageReader(), stream);

        Assert.Equal(new[] { "before", "big", "after" }, records.Select(r => r.Record.Id));
        Assert.Equal(big, records[1].Record.AdditionalDetails![0]!.Value);
        using JsonDocument raw = JsonDocument.Parse(records[1].Raw);
        Assert.Equal(big, raw.RootElement.GetProperty("additionalDetails")[0].GetProperty("value").GetString());
    }

    [Fact]
    public void Read_ManyRecords_EveryOneYieldedInOrder()
    {
        string[] records = Enumerable.Range(0, 500).Select(i => Records.Json(id: $"r{i:D4}")).ToArray();
        byte[] body = Encoding.UTF8.GetBytes(Records.Page(records));

        List<ParsedAuditRecord> read = ReadAll(new AuditPageReader(), new TrickleStream(body, 7, seed: 3));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"r{i:D4}"), read.Select(r => r.Record.Id));
    }

    // ---- raw bytes ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Read_RawBytes_ReproduceTheOriginalObject(int maxChunk)
    {
        string page = AwkwardPage();
        using JsonDocument original = JsonDocument.Parse(page);
        JsonElement[] originals = original.RootElement.GetProperty("value").EnumerateArray().ToArray();

        List<ParsedAuditRecord> records = Records.ReadPage(page, out _, maxChunk);

        Assert.Equal(originals.Length, records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            using JsonDocument raw = JsonDocument.Parse(records[i].Raw);
            Assert.True(JsonElementsEqual(originals[i], raw.RootElement), $"record {i} differs: {Encoding.UTF8.GetString(records[i].Raw)}");
            Assert.Equal((byte)'{', records[i].Raw[0]);
            Assert.Equal((byte)'}', records[i].Raw[^1]);
        }
    }

    [Fact]
    public void Read_RawBytes_ExactSliceOfBody()
    {
        string first = Records.Json(id: "a");
        string second = """{ "id" : "b" ,  "category":"MicrosoftSupportAccessManagement" }""";
        string page = "{ \"value\" : [ " + first + " ,\n\t" + second + " ] }";

        List<ParsedAuditRecord> records = Records.ReadPage(page, out _, maxChunk: 4);

        Assert.Equal(first, Encoding.UTF8.GetString(records[0].Raw));
        Assert.Equal(second, Encoding.UTF8.GetString(records[1].Raw));
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Throws()
    {
        byte[] body = Encoding.UTF8.GetBytes(AwkwardPage());
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ParsedAuditRecord unused in new AuditPageReader().ReadAsync(new CancellableStream(body), cts.Token))
            {
            }
        });
    }

    // ---- helpers ----

    /// <summary>Six records with every nullable shape, unknown members, escapes and raw UTF-8,
    /// followed by a nextLink.</summary>
    private static string AwkwardPage() =>
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits\",\"value\":[" +
        string.Join(",",
            Records.Json("Request created", Records.UserInitiator, Records.Details(("SupportRequestId", "2611"), ("TargetTenantId", Records.OtherTenant)), id: "r1"),
            Records.Json("Access removed", Records.NoInitiator, "null", "null", id: "r2"),
            """{"id":"r3","category":"MicrosoftSupportAccessManagement","activityDisplayName":"Access\u0020approved","initiatedBy":{"user":{"id":"u","displayName":"Zoë 日本 \ud83d\ude42"},"app":null},"homeTenantId":"x","nested":{"a":[1,2,[3,{"b":null}]]}}""",
            """{"id":"r4"}""",
            Records.Json("Request cancelled", Records.AppInitiator, """[{"key":"k","value":"quote \" and \\ and \n"}]""",
                """[{"id":"t","modifiedProperties":[{"displayName":"p","oldValue":"[\"a\",\"b\"]","newValue":"{}"}]}]""", id: "r5"),
            """  {  "id" : "r6" , "value" : [ "not the page's value" ] , "@odata.nextLink" : "not the page's link" }  """) +
        "],\"@odata.nextLink\":" + JsonSerializer.Serialize(NextLink) + "}";

    private static List<ParsedAuditRecord> ReadAll(AuditPageReader reader, Stream stream)
    {
        var records = new List<ParsedAuditRecord>();
        Task.Run(async () =>
        {
            await foreach (ParsedAuditRecord record in reader.ReadAsync(stream, CancellationToken.None))
            {
                records.Add(record);
            }
        }).GetAwaiter().GetResult();
        return records;
    }

    private static void ReadInto(string body, List<string?> ids)
    {
        var reader = new AuditPageReader();
        Task.Run(async () =>
        {
            await foreach (ParsedAuditRecord record in reader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), CancellationToken.None))
            {
                ids.Add(record.Record.Id);
            }
        }).GetAwaiter().GetResult();
    }

    private static bool JsonElementsEqual(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var aProps = a.EnumerateObject().ToList();
                var bProps = b.EnumerateObject().ToList();
                return aProps.Count == bProps.Count
                    && aProps.Zip(bProps).All(p => p.First.Name == p.Second.Name && JsonElementsEqual(p.First.Value, p.Second.Value));
            case JsonValueKind.Array:
                var aItems = a.EnumerateArray().ToList();
                var bItems = b.EnumerateArray().ToList();
                return aItems.Count == bItems.Count && aItems.Zip(bItems).All(p => JsonElementsEqual(p.First, p.Second));
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                return a.GetRawText() == b.GetRawText();
            default:
                return true;
        }
    }

    /// <summary>Hands out fixed-size chunks, as a network stream would.</summary>
    private sealed class ChunkedStream : MemoryStream
    {
        private readonly int _chunk;

        public ChunkedStream(byte[] data, int chunk) : base(data) => _chunk = chunk;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _chunk));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, _chunk)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, _chunk)], cancellationToken);
    }

    /// <summary>Honours the cancellation token, as network streams do.</summary>
    private sealed class CancellableStream : MemoryStream
    {
        public CancellableStream(byte[] data) : base(data) { }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}

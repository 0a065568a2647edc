using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using GraphEmulator;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Perf;

/// <summary>One full page (999 records) of the emulator's bulk data, fetched once.</summary>
internal static class PageFixture
{
    public const int RecordsPerPage = 999;

    public static byte[] Load()
    {
        return Task.Run(async () =>
        {
            await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { BulkRecordCount = 2_000, PageSize = RecordsPerPage });
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, MacroBenchmarks.FirstPageUrl(server.BaseAddress));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.DemoAdmin());
            using HttpResponseMessage response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsByteArrayAsync();
        }).GetAwaiter().GetResult();
    }

    public static async Task<List<ParsedAuditRecord>> ParseAsync(byte[] page)
    {
        var records = new List<ParsedAuditRecord>(RecordsPerPage);
        await foreach (ParsedAuditRecord record in new AuditPageReader().ReadAsync(new MemoryStream(page, writable: false), CancellationToken.None))
        {
            records.Add(record);
        }

        if (records.Count != RecordsPerPage)
        {
            throw new InvalidOperationException($"The fixture page holds {records.Count} records, not {RecordsPerPage}.");
        }

        return records;
    }
}

/// <summary>AuditPageReader over an in-memory page; reported per record.</summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private byte[] _page = [];

    [GlobalSetup]
    public void Setup() => _page = PageFixture.Load();

    [Benchmark(OperationsPerInvoke = PageFixture.RecordsPerPage)]
    public async Task<int> ParseRecord()
    {
        int count = 0;
        await foreach (ParsedAuditRecord _ in new AuditPageReader().ReadAsync(new MemoryStream(_page, writable: false), CancellationToken.None))
        {
            count++;
        }

        return count;
    }
}

/// <summary>ActivityClassifier.Classify over parsed records; reported per record.</summary>
[MemoryDiagnoser]
public class ClassifyBenchmarks
{
    private List<ParsedAuditRecord> _records = [];
    private ActivityClassifier _classifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = PageFixture.ParseAsync(PageFixture.Load()).GetAwaiter().GetResult();
        _classifier = new ActivityClassifier(Guid.Parse(DemoTenant.TenantId));
    }

    [Benchmark(OperationsPerInvoke = PageFixture.RecordsPerPage)]
    public object? ClassifyRecord()
    {
        object? last = null;
        foreach (ParsedAuditRecord record in _records)
        {
            last = _classifier.Classify(record.Record, record.Raw);
        }

        return last;
    }
}

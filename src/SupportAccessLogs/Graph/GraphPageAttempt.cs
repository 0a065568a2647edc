using SupportAccessLogs.Records;
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;

namespace SupportAccessLogs.Graph;

/// <summary>
/// One try at a <see cref="GraphPage"/>: GETs the page and hands over its records as their bytes
/// arrive, those an earlier try handed over left out, then says how the try ended.
/// </summary>
internal sealed class GraphPageAttempt
{
    private readonly GraphPage _page;
    private readonly AuditPageReader _reader = new();

    internal GraphPageAttempt(GraphPage page, int number)
    {
        _page = page;
        Number = number;
    }

    /// <summary>Which try of the page this is, from 1.</summary>
    public int Number { get; }

    /// <summary>Why the try ended before the page's end, or null when it read the page whole.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Whether <see cref="Failure"/> is the page timeout running out.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Records the try found on the page, handed over or passed over.</summary>
    public int Records { get; private set; }

    /// <summary>The page's @odata.nextLink, known once its records have been read.</summary>
    public string? NextLink => _reader.NextLink;

    /// <summary>
    /// Reads the page within <paramref name="pageTimeout"/>. A failure of the request or of the
    /// body ends the records and is kept in <see cref="Failure"/>, not thrown, so that the caller
    /// decides what comes next; only the caller's own cancellation is thrown.
    /// </summary>
    /// <param name="turns">The pacers' turns this request took, answered once its response (or failure) is in.</param>
    public async IAsyncEnumerable<ParsedAuditRecord> ReadAsync(
        IRequestAdapter adapter,
        TimeSpan pageTimeout,
        (ReportingPacer.Turn Tenant, ReportingPacer.Turn App) turns,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(pageTimeout);
        Stream? stream = null;
        IAsyncEnumerator<ParsedAuditRecord>? records = null;
        try
        {
            try
            {
                stream = await GraphGet.StreamAsync(adapter, _page.Url, timeout.Token, sdkRetries: false).ConfigureAwait(false);
                records = _reader.ReadAsync(stream, timeout.Token).GetAsyncEnumerator(timeout.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Failure = ex;
            }
            finally
            {
                turns.Tenant.Answered();
                turns.App.Answered();
            }

            int position = 0;
            while (records is not null && await NextAsync(records, cancellationToken).ConfigureAwait(false))
            {
                ParsedAuditRecord parsed = records.Current;
                if (_page.HandsOver(parsed, position++))
                {
                    yield return parsed;
                }
            }

            Records = position;
        }
        finally
        {
            await CloseAsync(records, stream).ConfigureAwait(false);
        }

        TimedOut = Failure is OperationCanceledException && timeout.IsCancellationRequested;
    }

    private static async Task CloseAsync(IAsyncEnumerator<ParsedAuditRecord>? records, Stream? stream)
    {
        if (records is not null)
        {
            await records.DisposeAsync().ConfigureAwait(false);
        }

        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The next record, or false at the page's end or when reading the body failed.</summary>
    private async ValueTask<bool> NextAsync(IAsyncEnumerator<ParsedAuditRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            return await records.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failure = ex;
            return false;
        }
    }
}

using SupportAccessLogs.Activities;
using SupportAccessLogs.Http;
using SupportAccessLogs.Records;
using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace SupportAccessLogs.Graph;

/// <summary>
/// The Graph source: reads the records of a query's window from directoryAudits, filtering on the
/// server where Graph can, paging through whole nextLinks, retrying a failed page from its start
/// (and handing over only the records not handed over before), and yielding each record as soon
/// as its bytes arrive.
/// </summary>
internal sealed class GraphAuditSource : IRecordSource
{
    private const int PageSize = 999;
    private const string AuditPath = "auditLogs/directoryAudits";

    private readonly GraphTenant _connection;

    public GraphAuditSource(GraphTenant connection)
    {
        _connection = connection;
    }

    public string Name => "Microsoft Graph";

    /// <summary>Empty pages in a row (each with a nextLink) before the source warns.</summary>
    public const int EmptyPagesBeforeWarning = 10;

    public async IAsyncEnumerable<ParsedAuditRecord> ReadAsync(
        ActivityQuery query,
        ISourceReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!GraphClouds.OffersDirectoryAudits(_connection.Environment))
        {
            throw new ModuleException("DirectoryAuditsUnavailableInCloud", ErrorCategory.NotImplemented,
                "Microsoft Graph operated by 21Vianet (China) does not offer the v1.0 auditLogs/directoryAudits API, so support access activity can't be read there. Use the Entra admin center's audit logs, or export them to Log Analytics.");
        }

        bool filterByCategory = true;
        Uri nextUrl = FirstPageUrl(query, filterByCategory);
        reporter.Verbose($"OData filter: {GraphAuditFilter.For(query, filterByCategory)}");

        var retry = new PageRetryPolicy(query.MaxRetries);
        string caller = _connection.Claims.AppId ?? _connection.Claims.ObjectId ?? _connection.Account;
        ReportingPacer pacer = ReportingPacer.For(_connection.TenantId, caller);
        ReportingPacer appPacer = ReportingPacer.ForApp(caller);
        var links = new NextLinkTracker(_connection.GraphEndpoint);
        bool warnedRetry = false;
        int emptyPagesInRow = 0;
        int pageNumber = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pageNumber++;

            // Records of this page handled by an earlier try: a retried page is read again from
            // its start, and these are passed over in silence (the server did nothing wrong).
            var handledEarlier = new HashSet<string>(StringComparer.Ordinal);
            var handledNow = new List<string>();
            int attempt = 0;
            int pageRecords = 0;
            bool renewedToken = false;
            AuditPageReader page;
            while (true)
            {
                attempt++;
                // Within the app's budget across every tenant, then within this tenant's.
                ReportingPacer.Turn appTurn = await appPacer.WaitTurnAsync(query.RequestsPer10Seconds > 0 ? ReportingPacer.AppWideRequestsPerWindow : 0, cancellationToken).ConfigureAwait(false);
                ReportingPacer.Turn turn = await pacer.WaitTurnAsync(query.RequestsPer10Seconds, cancellationToken).ConfigureAwait(false);
                if (turn.Waited > TimeSpan.Zero)
                {
                    reporter.Verbose($"Paced {turn.Waited.TotalSeconds:0.0} s to stay under Graph's reporting limit of {query.RequestsPer10Seconds} requests per 10 s.");
                }

                reporter.Verbose($"GET {nextUrl} (page {pageNumber}{(attempt > 1 ? $", try {attempt}" : "")})");
                page = new AuditPageReader();
                handledEarlier.UnionWith(handledNow);
                handledNow.Clear();
                using var pageTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                pageTimeout.CancelAfter(query.PageTimeout);
                Stream? stream = null;
                IAsyncEnumerator<ParsedAuditRecord>? records = null;
                Exception? failure = null;
                try
                {
                    try
                    {
                        stream = await GraphGet.StreamAsync(_connection.RequestAdapter, nextUrl, pageTimeout.Token, sdkRetries: false).ConfigureAwait(false);
                        records = page.ReadAsync(stream, pageTimeout.Token).GetAsyncEnumerator(pageTimeout.Token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        failure = ex;
                    }
                    finally
                    {
                        turn.Answered();
                        appTurn.Answered();
                    }

                    int position = 0;
                    while (records is not null)
                    {
                        bool more;
                        try
                        {
                            more = await records.MoveNextAsync().ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                        {
                            failure = ex;
                            break;
                        }

                        if (!more)
                        {
                            break;
                        }

                        ParsedAuditRecord parsed = records.Current;
                        AuditRecord record = parsed.Record;
                        string? id = string.IsNullOrEmpty(record.Id) ? null : record.Id;
                        string key = id ?? $"#{position}";
                        position++;
                        if (handledEarlier.Contains(key))
                        {
                            continue;
                        }

                        handledNow.Add(key);
                        yield return parsed;
                    }

                    pageRecords = position;
                }
                finally
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

                if (failure is null)
                {
                    break;
                }

                bool timedOut = failure is OperationCanceledException && pageTimeout.IsCancellationRequested;
                bool canFallBack = pageNumber == 1 && attempt == 1 && filterByCategory && IsCategoryRefusal(failure);
                FailureStep step = retry.Decide(failure, timedOut, attempt, canFallBack, canRenewToken: !renewedToken);
                if (step.Action == FailureAction.FallBack)
                {
                    // `category eq` works in practice but is undocumented; when a service refuses it,
                    // fall back to the documented loggedByService filter and check category here.
                    filterByCategory = false;
                    nextUrl = FirstPageUrl(query, filterByCategory);
                    reporter.Verbose($"The service refused the category filter ({Describe((ApiException)failure)}); falling back to: {GraphAuditFilter.For(query, filterByCategory)}");
                    attempt = 0;
                    continue;
                }

                renewedToken |= step.Action == FailureAction.RenewToken;
                if (step.Action == FailureAction.RenewToken && _connection.TryRenewToken())
                {
                    reporter.Verbose($"Microsoft Graph refused the token on page {pageNumber}; signing in again and retrying the page.");
                    continue;
                }

                if (step.Action != FailureAction.Retry)
                {
                    throw Final(failure, timedOut, attempt, query).At(nextUrl);
                }

                TimeSpan delay = step.Delay;
                string what = timedOut ? $"no answer within {query.PageTimeout.TotalSeconds:0} s" : Summarize(failure, nextUrl);
                if (PageRetryPolicy.IsThrottle(failure))
                {
                    reporter.Warning($"Microsoft Graph throttled page {pageNumber} (429); waiting {delay.TotalSeconds:0.#} s before trying it again ({attempt} of {retry.MaxRetries + 1} tries used).");
                }
                else if (!warnedRetry)
                {
                    // Said once as a warning: with the default retries a dead endpoint is otherwise
                    // half a minute of silence. Later retries go to Verbose.
                    warnedRetry = true;
                    reporter.Warning($"Page {pageNumber} failed ({what}); retrying in {delay.TotalSeconds:0.#} s ({attempt} of {retry.MaxRetries + 1} tries used; -MaxRetries sets how many). Further retries are reported with -Verbose.");
                }
                else
                {
                    reporter.Verbose($"Page {pageNumber} failed ({what}); trying it again in {delay.TotalSeconds:0.#} s ({attempt} of {retry.MaxRetries + 1} tries used). Records already written are not written again.");
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            reporter.PageDone(pageNumber);
            if (page.NextLink is null)
            {
                yield break;
            }

            emptyPagesInRow = pageRecords == 0 ? emptyPagesInRow + 1 : 0;
            if (emptyPagesInRow == EmptyPagesBeforeWarning)
            {
                // Graph may send an empty page with a nextLink; a long run of them is a server
                // that pages without end. Following goes on while it answers (Ctrl+C stops it).
                reporter.Warning($"Microsoft Graph has sent {emptyPagesInRow} empty pages in a row, each with a new nextLink (up to page {pageNumber}); still following them. Press Ctrl+C to stop if this goes on.");
            }

            nextUrl = links.Follow(page.NextLink, nextUrl);
        }
    }

    /// <summary>The error a page ends with when it can't be read: retries spent, or a failure
    /// that no retry would mend.</summary>
    private static Exception Final(Exception failure, bool timedOut, int attempts, ActivityQuery query)
    {
        if (failure is ApiException { ResponseStatusCode: 400 } badRequest && MentionsRetention(badRequest))
        {
            return new ModuleException("StartTimeBeyondRetention", ErrorCategory.InvalidArgument,
                $"Microsoft Graph keeps directory audit logs for 30 days (Entra ID P1/P2) or 7 days (Free), and refused -StartTime {query.StartUtc:yyyy-MM-dd HH:mm:ss} UTC: {Describe(badRequest)}. {QueryWindow.BeyondRetentionAdvice}",
                query.StartUtc);
        }

        if (timedOut)
        {
            return new ModuleException("GraphTimeout", ErrorCategory.OperationTimeout,
                $"Microsoft Graph did not answer a page within {query.PageTimeout.TotalSeconds:0} s, {attempts} times. Activities already written stand; run the command again later, or raise -PageTimeoutSeconds.");
        }

        if (attempts > 1 && PageRetryPolicy.IsTransient(failure, timedOut: false))
        {
            return new RetriesExhaustedException(attempts, failure);
        }

        return failure;
    }

    private static bool IsCategoryRefusal(Exception failure) =>
        failure is ApiException { ResponseStatusCode: 400 } api && !MentionsTime(api);

    private static string Summarize(Exception failure, Uri url) => failure switch
    {
        ApiException api => $"HTTP {api.ResponseStatusCode} from {url.GetLeftPart(UriPartial.Path)}",
        HttpRequestException => $"could not reach {url.GetLeftPart(UriPartial.Path)}: {failure.Message}",
        _ => failure.Message,
    };

    private Uri FirstPageUrl(ActivityQuery query, bool byCategory)
    {
        string filter = Uri.EscapeDataString(GraphAuditFilter.For(query, byCategory));
        return new Uri(_connection.GraphEndpoint, $"{AuditPath}?$filter={filter}&$top={PageSize}");
    }

    private static bool MentionsRetention(ApiException ex) =>
        ex is ODataError odata && (odata.Error?.Message ?? "").IndexOf("Minimum allowed time", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool MentionsTime(ApiException ex) =>
        ex is ODataError odata && (odata.Error?.Message ?? "").IndexOf("activityDateTime", StringComparison.OrdinalIgnoreCase) >= 0;

    private static string Describe(ApiException ex) =>
        ex is ODataError odata ? $"{odata.Error?.Code}: {odata.Error?.Message}" : $"HTTP {ex.ResponseStatusCode}";
}

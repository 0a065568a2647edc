using SupportAccessLogs.Activities;
using SupportAccessLogs.Http;
using SupportAccessLogs.Records;
using System;
using System.Collections.Generic;
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

    private readonly GraphTenant _tenant;

    public GraphAuditSource(GraphTenant tenant)
    {
        _tenant = tenant;
    }

    public string Name => "Microsoft Graph";

    /// <summary>Empty pages in a row (each with a nextLink) before the source warns.</summary>
    public const int EmptyPagesBeforeWarning = 10;

    public async IAsyncEnumerable<ParsedAuditRecord> ReadAsync(
        ActivityQuery query,
        ISourceReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!GraphClouds.OffersDirectoryAudits(_tenant.Environment))
        {
            throw new ModuleException("DirectoryAuditsUnavailableInCloud", ErrorCategory.NotImplemented,
                "Microsoft Graph operated by 21Vianet (China) does not offer the v1.0 auditLogs/directoryAudits API, so support access activity can't be read there. Use the Entra admin center's audit logs, or export them to Log Analytics.");
        }

        Uri nextUrl = FirstPageUrl(query, byCategory: true);
        reporter.Verbose($"OData filter: {GraphAuditFilter.For(query, byCategory: true)}");
        string caller = _tenant.Claims.AppId ?? _tenant.Claims.ObjectId ?? _tenant.Account;
        var read = new Reading(query, reporter, ReportingPacer.For(_tenant.TenantId, caller), ReportingPacer.ForApp(caller));
        var links = new NextLinkTracker(_tenant.GraphEndpoint);
        int emptyPagesInRow = 0;
        for (int pageNumber = 1; ; pageNumber++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = new GraphPage(pageNumber, nextUrl);
            await foreach (ParsedAuditRecord record in ReadPageAsync(page, read, cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }

            reporter.PageDone(pageNumber);
            if (page.NextLink is null)
            {
                yield break;
            }

            emptyPagesInRow = page.Records == 0 ? emptyPagesInRow + 1 : 0;
            if (emptyPagesInRow == EmptyPagesBeforeWarning)
            {
                // Graph may send an empty page with a nextLink; a long run of them is a server
                // that pages without end. Following goes on while it answers (Ctrl+C stops it).
                reporter.Warning($"Microsoft Graph has sent {emptyPagesInRow} empty pages in a row, each with a new nextLink (up to page {pageNumber}); still following them. Press Ctrl+C to stop if this goes on.");
            }

            nextUrl = links.Follow(page.NextLink, page.Url);
        }
    }

    /// <summary>
    /// A page's records, tried until a try reads the page whole or <see cref="PageRetryPolicy.Decide"/>
    /// gives up on it. A record goes out once however many tries the page takes.
    /// </summary>
    private async IAsyncEnumerable<ParsedAuditRecord> ReadPageAsync(GraphPage page, Reading read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            GraphPageAttempt attempt = page.NextAttempt();
            (ReportingPacer.Turn Tenant, ReportingPacer.Turn App) turns = await WaitTurnsAsync(read, cancellationToken).ConfigureAwait(false);
            read.Reporter.Verbose($"GET {page.Url} (page {page.Number}{(attempt.Number > 1 ? $", try {attempt.Number}" : "")})");
            await foreach (ParsedAuditRecord record in attempt.ReadAsync(_tenant.RequestAdapter, read.Query.PageTimeout, turns, cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }

            if (attempt.Failure is not { } failure)
            {
                yield break;
            }

            bool canFallBack = page.Number == 1 && attempt.Number == 1 && read.FilterByCategory && IsCategoryRefusal(failure);
            FailureStep step = read.Retry.Decide(failure, attempt.TimedOut, attempt.Number, canFallBack, canRenewToken: !page.RenewedToken);
            page.RenewedToken |= step.Action == FailureAction.RenewToken;
            if (step.Action == FailureAction.FallBack)
            {
                FallBack(page, (ApiException)failure, read);
            }
            else if (step.Action == FailureAction.RenewToken && _tenant.TryRenewToken())
            {
                read.Reporter.Verbose($"Microsoft Graph refused the token on page {page.Number}; signing in again and retrying the page.");
            }
            else if (step.Action == FailureAction.Retry)
            {
                ReportRetry(page, attempt, step.Delay, read);
                await Task.Delay(step.Delay, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Also a 401 when signing in again is not to be had: it ends the page like any failure no retry mends.
                throw Final(failure, attempt.TimedOut, attempt.Number, read.Query).At(page.Url);
            }
        }
    }

    /// <summary>Waits for room within the app's budget across every tenant, then within this tenant's.</summary>
    private static async Task<(ReportingPacer.Turn Tenant, ReportingPacer.Turn App)> WaitTurnsAsync(Reading read, CancellationToken cancellationToken)
    {
        int limit = read.Query.RequestsPer10Seconds;
        ReportingPacer.Turn appTurn = await read.AppPacer.WaitTurnAsync(limit > 0 ? ReportingPacer.AppWideRequestsPerWindow : 0, cancellationToken).ConfigureAwait(false);
        ReportingPacer.Turn turn = await read.Pacer.WaitTurnAsync(limit, cancellationToken).ConfigureAwait(false);
        if (turn.Waited > TimeSpan.Zero)
        {
            read.Reporter.Verbose($"Paced {turn.Waited.TotalSeconds:0.0} s to stay under Graph's reporting limit of {limit} requests per 10 s.");
        }

        return (turn, appTurn);
    }

    /// <summary>
    /// `category eq` works in practice but is undocumented; when a service refuses it, the read
    /// falls back to the documented loggedByService filter and checks the category here.
    /// </summary>
    private void FallBack(GraphPage page, ApiException refusal, Reading read)
    {
        read.FilterByCategory = false;
        page.StartOver(FirstPageUrl(read.Query, byCategory: false));
        read.Reporter.Verbose($"The service refused the category filter ({Describe(refusal)}); falling back to: {GraphAuditFilter.For(read.Query, byCategory: false)}");
    }

    private static void ReportRetry(GraphPage page, GraphPageAttempt attempt, TimeSpan delay, Reading read)
    {
        Exception failure = attempt.Failure!;
        int tries = read.Retry.MaxRetries + 1;
        string what = attempt.TimedOut ? $"no answer within {read.Query.PageTimeout.TotalSeconds:0} s" : Summarize(failure, page.Url);
        if (PageRetryPolicy.IsThrottle(failure))
        {
            read.Reporter.Warning($"Microsoft Graph throttled page {page.Number} (429); waiting {delay.TotalSeconds:0.#} s before trying it again ({attempt.Number} of {tries} tries used).");
        }
        else if (!read.WarnedRetry)
        {
            // Said once as a warning: with the default retries a dead endpoint is otherwise
            // half a minute of silence. Later retries go to Verbose.
            read.WarnedRetry = true;
            read.Reporter.Warning($"Page {page.Number} failed ({what}); retrying in {delay.TotalSeconds:0.#} s ({attempt.Number} of {tries} tries used; -MaxRetries sets how many). Further retries are reported with -Verbose.");
        }
        else
        {
            read.Reporter.Verbose($"Page {page.Number} failed ({what}); trying it again in {delay.TotalSeconds:0.#} s ({attempt.Number} of {tries} tries used). Records already written are not written again.");
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
        return new Uri(_tenant.GraphEndpoint, $"{AuditPath}?$filter={filter}&$top={PageSize}");
    }

    private static bool MentionsRetention(ApiException ex) =>
        ex is ODataError odata && (odata.Error?.Message ?? "").Contains("Minimum allowed time", StringComparison.OrdinalIgnoreCase);

    private static bool MentionsTime(ApiException ex) =>
        ex is ODataError odata && (odata.Error?.Message ?? "").Contains("activityDateTime", StringComparison.OrdinalIgnoreCase);

    private static string Describe(ApiException ex) =>
        ex is ODataError odata ? $"{odata.Error?.Code}: {odata.Error?.Message}" : $"HTTP {ex.ResponseStatusCode}";

    /// <summary>What the pages of one read share: the query, where messages go, the retry budget
    /// and the pacers, and what earlier pages settled (the filter, whether a retry was warned of).</summary>
    private sealed class Reading
    {
        public Reading(ActivityQuery query, ISourceReporter reporter, ReportingPacer pacer, ReportingPacer appPacer)
        {
            Query = query;
            Reporter = reporter;
            Retry = new PageRetryPolicy(query.MaxRetries);
            Pacer = pacer;
            AppPacer = appPacer;
        }

        public ActivityQuery Query { get; }
        public ISourceReporter Reporter { get; }
        public PageRetryPolicy Retry { get; }

        /// <summary>This tenant's budget for this caller.</summary>
        public ReportingPacer Pacer { get; }

        /// <summary>The caller's budget across every tenant.</summary>
        public ReportingPacer AppPacer { get; }

        public bool FilterByCategory { get; set; } = true;

        /// <summary>Whether a failed page has been warned of: only the first is, the rest go to Verbose.</summary>
        public bool WarnedRetry { get; set; }
    }
}

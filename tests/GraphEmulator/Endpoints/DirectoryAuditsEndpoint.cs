using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator.Auth;
using GraphEmulator.Faults;
using GraphEmulator.OData;
using GraphEmulator.Paging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace GraphEmulator.Endpoints;

/// <summary>
/// <c>GET /v1.0/auditLogs/directoryAudits</c>: the query options Graph documents, paged through
/// opaque @odata.nextLinks, each page streamed to the client as it is produced; the reporting
/// throttle and injected faults (README.md, "Faults") on the way. Each request reads the log of the
/// tenant its token names (<see cref="ServedTenant"/>); a skiptoken belongs to the tenant that issued it.
/// </summary>
internal sealed class DirectoryAuditsEndpoint(
    EmulatorOptions options,
    ContinuationStore continuations,
    ReportingThrottle throttle,
    FaultPlanner faults)
{
    public const string Path = "/v1.0/auditLogs/directoryAudits";
    private const string ContextUrl = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits";

    // Hand bytes to the socket in chunks of about this size, so a page is never held whole.
    private const int FlushThresholdBytes = 32 * 1024;

    // How long a "reset" fault waits between its last flush and the abort.
    private static readonly TimeSpan ResetGrace = TimeSpan.FromMilliseconds(150);

    public async Task HandleAsync(HttpContext context, CallerClaims caller, ServedTenant tenant)
    {
        // Graph throttles before it looks at the query: every request counts, a bad one too.
        if (throttle.Enabled && throttle.TryAcquire(tenant.TenantId, caller.AppId) is int wait)
        {
            RequestFault.Mark(context, RequestFault.Throttle);
            await FaultResponses.TooManyRequestsAsync(context, wait, asDate: false);
            return;
        }

        AuditDataSet dataSet = tenant.DataSet;
        QueryOptions query = QueryOptions.Read(context.Request.Query, out string? error);
        Continuation? position = null;
        if (error is null)
            position = query.SkipToken is null ? Start(query, dataSet, out error) : Resume(query, dataSet, out error);

        if (position is null)
        {
            await GraphErrors.BadRequestAsync(context, error!);
            return;
        }

        // An emptyPages nextLink leads back to its page, which keeps the key it had. Each tenant's
        // first pages are pages of their own.
        string pageKey = position.FaultKey ?? (query.SkipToken is null
            ? $"start\n{dataSet.TenantId}\n{query.Filter}\n{query.OrderBy}\n{query.Top}"
            : $"token\n{query.SkipToken}");
        FaultRule? fault = faults.Next(position.Page, pageKey, tenant.TenantId);
        if (fault is null)
        {
            await WritePageAsync(context, position);
            return;
        }

        RequestFault.Mark(context, FaultKinds.Name(fault.Kind));
        switch (fault.Kind)
        {
            case FaultKind.Throttle429:
                await FaultResponses.TooManyRequestsAsync(
                    context, fault.RetryAfterSeconds ?? FaultRule.DefaultThrottleRetryAfterSeconds, fault.RetryAfterDate);
                break;
            case FaultKind.Unavailable503:
                await FaultResponses.TransientAsync(context, StatusCodes.Status503ServiceUnavailable, fault);
                break;
            case FaultKind.Timeout504:
                await FaultResponses.TransientAsync(context, StatusCodes.Status504GatewayTimeout, fault);
                break;
            case FaultKind.Expired401:
                await FaultResponses.ExpiredTokenAsync(context);
                break;
            case FaultKind.Html:
                await FaultResponses.ProxySignInPageAsync(context);
                break;
            case FaultKind.Slow:
                try
                {
                    await Task.Delay(fault.DelayMs ?? FaultRule.DefaultDelayMs, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client gave up; nothing to answer
                }
                await WritePageAsync(context, position);
                break;
            case FaultKind.Reset:
                await WritePageAsync(context, position, cutAfter: fault.AfterRecords ?? FaultRule.DefaultAfterRecords, abort: true);
                break;
            case FaultKind.Truncate:
                await WritePageAsync(context, position, cutAfter: fault.AfterRecords ?? FaultRule.DefaultAfterRecords, abort: false);
                break;
            case FaultKind.Redirect:
                await FaultResponses.RedirectAsync(context, fault);
                break;
            case FaultKind.RepeatNextLink:
                await WritePageAsync(context, position, repeatRequest: true);
                break;
            case FaultKind.Escape500:
                await FaultResponses.EscapeSequencesAsync(context);
                break;
            case FaultKind.EchoToken400:
                await FaultResponses.EchoTokenAsync(context);
                break;
            case FaultKind.RepeatRecords:
                await WritePageAsync(context, position,
                    repeated: PreviousPageTail(position, fault.AfterRecords ?? FaultRule.DefaultRepeatRecords));
                break;
            case FaultKind.EmptyPages:
                await WriteEmptyPageAsync(context, position, pageKey);
                break;
            case FaultKind.Empty500:
                await FaultResponses.EmptyInternalServerErrorAsync(context);
                break;
            case FaultKind.MissingIdentity:
                await WritePageAsync(context, position, dropIdentity: true);
                break;
            case FaultKind.LoopToFirstPage:
                await WritePageAsync(context, position, loopToFirstPage: true);
                break;
            default:
                // A kind added to FaultKind but not here would otherwise answer an empty 200.
                throw new InvalidOperationException($"Fault kind {fault.Kind} has no answer.");
        }
    }

    private Continuation? Start(QueryOptions query, AuditDataSet dataSet, out string? error)
    {
        ODataFilter filter = ODataFilter.MatchAll;
        if (query.Filter is not null)
        {
            try
            {
                filter = FilterParser.Parse(query.Filter, allowCategory: !options.RejectCategoryFilter);
            }
            catch (FilterException ex)
            {
                error = $"Invalid filter clause: {ex.Message}";
                return null;
            }
        }

        if (filter.LowerBounds.Any(start => start < dataSet.RetentionStart))
        {
            error = $"Minimum allowed time for activityDateTime is {FormatUtc(dataSet.RetentionStart)}.";
            return null;
        }

        error = null;
        int pageSize = Math.Min(query.Top ?? options.PageSize, options.PageSize);
        // The late records as they are now: the whole sequence reads this version of them.
        return new Continuation(dataSet, dataSet.Late, filter, query.Filter, query.NewestFirst, query.OrderBy, pageSize, StreamCursor.Start);
    }

    private Continuation? Resume(QueryOptions query, AuditDataSet dataSet, out string? error)
    {
        // A skiptoken of another tenant's log is unknown here, as the service's would be.
        if (!continuations.TryGet(query.SkipToken!, out Continuation continuation) || continuation.DataSet != dataSet)
        {
            error = "Invalid $skiptoken: it is unknown or has expired. Follow @odata.nextLink as returned.";
            return null;
        }

        // The nextLink carries the query it continues; sending other options with its token
        // means the client rebuilt the link instead of following it (docs/architecture.md, "Facts from Microsoft's documentation").
        if (query.Filter != continuation.RawFilter || query.OrderBy != continuation.RawOrderBy || query.Top != continuation.Top)
        {
            error = "The query options sent with this $skiptoken differ from those of the @odata.nextLink that issued it. Follow @odata.nextLink whole.";
            return null;
        }

        error = null;
        return continuation;
    }

    /// <param name="cutAfter">
    /// A fault: stop after this many records (or at the page's end, if sooner) and never close the
    /// JSON, then abort the connection (<paramref name="abort"/>) or end the response cleanly.
    /// </param>
    /// <param name="repeatRequest">
    /// A fault: the page's @odata.nextLink is the URL just requested, on the last page too, so
    /// following it serves this page again.
    /// </param>
    /// <param name="repeated">A fault: records written (verbatim) before the page's own, which they don't count among.</param>
    /// <param name="dropIdentity">A fault: the page's first record goes without its <c>id</c>, its second without <c>activityDateTime</c>.</param>
    /// <param name="loopToFirstPage">
    /// A fault: the page's @odata.nextLink, on the last page too, leads to page 1 of the same
    /// sequence under a fresh skiptoken (<see cref="FirstPageAgain"/>).
    /// </param>
    private async Task WritePageAsync(HttpContext context, Continuation position, int? cutAfter = null, bool abort = false,
        bool repeatRequest = false, IReadOnlyList<AuditRecord>? repeated = null, bool dropIdentity = false, bool loopToFirstPage = false)
    {
        await using Utf8JsonWriter writer = StartPage(context);

        foreach (AuditRecord record in repeated ?? [])
            AuditRecordJson.Write(writer, record);

        int written = 0;
        bool morePages = false;
        StreamCursor afterLastWritten = position.Cursor;
        foreach (var (item, after) in position.DataSet.Read(position.NewestFirst, position.Cursor, position.Late))
        {
            if (written == cutAfter)
                break;
            if (!position.Filter.Matches(item.Record))
                continue;
            if (written == position.Top)
            {
                // One match past the page proves there is a next one, so the last page never
                // carries a nextLink to an empty page.
                morePages = true;
                break;
            }

            string? omit = !dropIdentity ? null : written switch
            {
                0 => AuditJsonNames.Id,
                1 => AuditJsonNames.ActivityDateTime,
                _ => null,
            };
            AuditRecordJson.Write(writer, item.Record, omit);
            written++;
            afterLastWritten = after;
            if (writer.BytesPending > FlushThresholdBytes)
                await writer.FlushAsync(context.RequestAborted);
        }

        if (cutAfter is not null)
        {
            await writer.FlushAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (abort)
            {
                // A flush hands the bytes to Kestrel's transport, not yet to the socket, and an
                // abort drops what the transport still holds: give it a moment, so the client
                // always gets the headers and the first records before the connection goes.
                await Task.Delay(ResetGrace, context.RequestAborted);
                context.Abort();
            }
            return;
        }

        writer.WriteEndArray();
        if (repeatRequest)
            writer.WriteString("@odata.nextLink", context.Request.GetEncodedUrl());
        else if (loopToFirstPage)
            writer.WriteString("@odata.nextLink", NextLink(context.Request, FirstPageAgain(position)));
        else if (morePages)
            writer.WriteString("@odata.nextLink", NextLink(context.Request,
                position with { Cursor = afterLastWritten, Page = position.Page + 1, PreviousStart = position.Cursor, FaultKey = null }));
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>A 200 page's start, up to the opening of its value array.</summary>
    private static Utf8JsonWriter StartPage(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GraphErrors.ContentType;
        var writer = new Utf8JsonWriter(response.Body, GraphJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("@odata.context", ContextUrl);
        writer.WriteStartArray("value");
        return writer;
    }

    /// <summary>
    /// The emptyPages fault: <c>"value":[]</c> and a nextLink with a fresh skiptoken whose
    /// continuation is this one, so following it is the same page again (same number, same
    /// fault key) and nothing is skipped or repeated.
    /// </summary>
    private async Task WriteEmptyPageAsync(HttpContext context, Continuation position, string pageKey)
    {
        await using Utf8JsonWriter writer = StartPage(context);
        writer.WriteEndArray();
        writer.WriteString("@odata.nextLink", NextLink(context.Request, position with { FaultKey = pageKey }));
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// The loopToFirstPage fault's continuation: page 1 of the sequence <paramref name="position"/>
    /// belongs to, as its first request read it. It keeps the query and the late records' version
    /// of that first page, so every loop serves the same records, whatever was added or cleared
    /// meanwhile (README.md, "Late records"); it is page 1 again for faults, and its fresh
    /// skiptoken is a fault key of its own.
    /// </summary>
    private static Continuation FirstPageAgain(Continuation position) =>
        position with { Cursor = StreamCursor.Start, Page = 1, PreviousStart = null, FaultKey = null };

    /// <summary>
    /// The last <paramref name="count"/> records of the page before <paramref name="position"/>'s
    /// (all of them if it has fewer): the matches from where that page started up to where this one starts.
    /// </summary>
    private List<AuditRecord> PreviousPageTail(Continuation position, int count)
    {
        var tail = new Queue<AuditRecord>(count);
        if (position.PreviousStart is not StreamCursor start)
            return [];
        foreach (var (item, after) in position.DataSet.Read(position.NewestFirst, start, position.Late))
        {
            if (position.Filter.Matches(item.Record))
            {
                if (tail.Count == count)
                    tail.Dequeue();
                tail.Enqueue(item.Record);
            }
            if (after == position.Cursor)
                break;
        }
        return [.. tail];
    }

    /// <summary>An absolute link on the host the client used, carrying the query and an opaque token.</summary>
    private string NextLink(HttpRequest request, Continuation next)
    {
        var link = new StringBuilder()
            .Append(request.Scheme).Append("://").Append(request.Host.Value).Append(Path)
            .Append("?$top=").Append(next.Top.ToString(CultureInfo.InvariantCulture));
        if (next.RawFilter is not null)
            link.Append("&$filter=").Append(Uri.EscapeDataString(next.RawFilter));
        if (next.RawOrderBy is not null)
            link.Append("&$orderby=").Append(Uri.EscapeDataString(next.RawOrderBy));
        link.Append("&$skiptoken=").Append(continuations.Add(next));
        return link.ToString();
    }

    private static string FormatUtc(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

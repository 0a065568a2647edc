using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using GraphEmulator.OData;
using GraphEmulator.Paging;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator.Endpoints;

/// <summary>
/// <c>GET /v1.0/auditLogs/directoryAudits</c>: the query options Graph documents, paged through
/// opaque @odata.nextLinks, each page streamed to the client as it is produced.
/// </summary>
internal sealed class DirectoryAuditsEndpoint(AuditDataSet dataSet, EmulatorOptions options, ContinuationStore continuations)
{
    public const string Path = "/v1.0/auditLogs/directoryAudits";
    private const string ContextUrl = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits";

    // Hand bytes to the socket in chunks of about this size, so a page is never held whole.
    private const int FlushThresholdBytes = 32 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        QueryOptions query = QueryOptions.Read(context.Request.Query, out string? error);
        Continuation? position = null;
        if (error is null)
            position = query.SkipToken is null ? Start(query, out error) : Resume(query, out error);

        if (position is null)
        {
            await GraphErrors.BadRequestAsync(context, error!);
            return;
        }
        await WritePageAsync(context, position);
    }

    private Continuation? Start(QueryOptions query, out string? error)
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
        return new Continuation(filter, query.Filter, query.NewestFirst, query.OrderBy, pageSize, StreamCursor.Start);
    }

    private Continuation? Resume(QueryOptions query, out string? error)
    {
        if (!continuations.TryGet(query.SkipToken!, out Continuation continuation))
        {
            error = "Invalid $skiptoken: it is unknown or has expired. Follow @odata.nextLink as returned.";
            return null;
        }

        // The nextLink carries the query it continues; sending other options with its token
        // means the client rebuilt the link instead of following it (DESIGN §2).
        if (query.Filter != continuation.RawFilter || query.OrderBy != continuation.RawOrderBy || query.Top != continuation.Top)
        {
            error = "The query options sent with this $skiptoken differ from those of the @odata.nextLink that issued it. Follow @odata.nextLink whole.";
            return null;
        }

        error = null;
        return continuation;
    }

    private async Task WritePageAsync(HttpContext context, Continuation position)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GraphErrors.ContentType;

        await using var writer = new Utf8JsonWriter(response.Body, GraphJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("@odata.context", ContextUrl);
        writer.WriteStartArray("value");

        int written = 0;
        bool morePages = false;
        StreamCursor afterLastWritten = position.Cursor;
        foreach (var (item, after) in dataSet.Read(position.NewestFirst, position.Cursor))
        {
            if (!position.Filter.Matches(item.Record))
                continue;
            if (written == position.Top)
            {
                // One match past the page proves there is a next one, so the last page never
                // carries a nextLink to an empty page.
                morePages = true;
                break;
            }

            AuditRecordJson.Write(writer, item.Record);
            written++;
            afterLastWritten = after;
            if (writer.BytesPending > FlushThresholdBytes)
                await writer.FlushAsync(context.RequestAborted);
        }

        writer.WriteEndArray();
        if (morePages)
            writer.WriteString("@odata.nextLink", NextLink(context.Request, position with { Cursor = afterLastWritten }));
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
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

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using GraphEmulator.Auth;
using GraphEmulator.Faults;
using GraphEmulator.LogAnalytics.Kql;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;

namespace GraphEmulator.LogAnalytics;

/// <summary>
/// <c>POST /v1/workspaces/{workspaceId}/query</c>, the Log Analytics query API (README.md, "Log
/// Analytics"): the body's KQL parsed and run over the workspaces' AuditLogs, answered as the
/// service answers, with its errors, its row cap and scripted faults.
/// </summary>
internal sealed class LogAnalyticsEndpoint(
    Func<LogAnalyticsData> data, EmulatorOptions options, LogAnalyticsFaultSchedule faults, string servedTenantId)
{
    public const string PathPrefix = "/v1";

    /// <summary>The Log Analytics API's resource (the <c>aud</c> of its tokens).</summary>
    public const string Audience = "https://api.loganalytics.io";

    /// <summary>The API's app id, which some tokens carry as their <c>aud</c>.</summary>
    public const string AppId = "ca7f3f0b-7d91-482c-8e09-c5d840d0eac5";

    /// <summary>The wait when the request has no <c>Prefer: wait=N</c>: 3 minutes, as the service.</summary>
    public const int DefaultWaitSeconds = 180;

    public const int MaxWaitSeconds = 600;

    private const int FlushThresholdBytes = 32 * 1024;

    private static readonly string[] Audiences =
        [Audience, Audience + "/", "https://api.loganalytics.azure.com", "https://api.loganalytics.azure.com/", AppId];

    private const string BearerChallenge =
        "Bearer authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", resource_id=\"https://api.loganalytics.io\"";

    public static bool Handles(HttpRequest request) => request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context, Action authenticated)
    {
        string[] segments = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        if (segments.Length != 4 || !Is(segments[1], "workspaces") || !Is(segments[3], "query"))
        {
            await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status404NotFound, LogAnalyticsJson.PathNotFoundError,
                $"The requested path does not exist. This emulator serves POST /v1/workspaces/{{workspaceId}}/query only.");
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed",
                $"The HTTP method '{context.Request.Method}' is not supported: POST the query as JSON.");
            return;
        }

        // Read first, so the request log holds the KQL of refused requests too.
        QueryBody body = await QueryBody.ReadAsync(context);
        if (body.Query is not null)
            RequestKql.Mark(context, body.Query, body.Timespan);

        string? refusal = BearerCheck.Authenticate(context.Request.Headers.Authorization, DateTimeOffset.UtcNow, servedTenantId,
            aud => AcceptsAudience(context.Request, aud), out CallerClaims? caller);
        if (refusal is not null)
        {
            context.Response.Headers.WWWAuthenticate = BearerChallenge;
            if (refusal == BearerCheck.EmptyTokenMessage)
                await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status401Unauthorized,
                    LogAnalyticsJson.AuthorizationRequiredError, LogAnalyticsJson.AuthorizationRequiredMessage);
            else
                await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status401Unauthorized,
                    LogAnalyticsJson.InvalidTokenError, LogAnalyticsJson.InvalidTokenMessage, inner =>
                    {
                        inner.WriteString("code", "TokenValidationFailed");
                        inner.WriteString("message", refusal);
                    });
            return;
        }
        authenticated();

        LogAnalyticsData workspaces = data();
        var targets = new List<Workspace>();
        if (await CheckWorkspaceAsync(context, workspaces, caller!, segments[2], targets) is false)
            return;

        if (body.Error is not null)
        {
            await LogAnalyticsJson.BadArgumentAsync(context, body.ErrorCode!, body.Error);
            return;
        }
        foreach (string extra in body.Workspaces)
        {
            if (await CheckWorkspaceAsync(context, workspaces, caller!, extra, targets) is false)
                return;
        }

        if (!TryParseTimespan(body.Timespan, workspaces.Anchor, out long spanStart, out long spanEnd, out string? timespanError))
        {
            await LogAnalyticsJson.BadArgumentAsync(context, "InvalidTimespan", timespanError!);
            return;
        }

        KqlPlan plan;
        try
        {
            plan = KqlPlan.Bind(body.Query!, KqlParser.Parse(body.Query!), targets.Any(w => w.Rows is not null));
        }
        catch (KqlException ex)
        {
            // A syntax error as the errors page shows it (one innererror); a semantic error as the
            // service sends it: its innererror a general "A semantic error occurred." holding one
            // more innererror, the one that says what and where (README.md, "Errors").
            void Detail(Utf8JsonWriter inner)
            {
                inner.WriteString("message", ex.Message);
                inner.WriteNumber("line", ex.Line);
                inner.WriteNumber("pos", ex.Position);
                inner.WriteString("token", ex.Token);
            }

            await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                LogAnalyticsJson.BadArgumentError, LogAnalyticsJson.InvalidPropertiesMessage, inner =>
                {
                    inner.WriteString("code", ex.Code);
                    if (ex.Code != KqlException.SemanticErrorCode)
                    {
                        Detail(inner);
                        return;
                    }

                    inner.WriteString("message", LogAnalyticsJson.SemanticErrorMessage);
                    inner.WriteStartObject("innererror");
                    inner.WriteString("code", LogAnalyticsJson.SemanticErrorDetailCode);
                    Detail(inner);
                    inner.WriteEndObject();
                });
            return;
        }

        long windowStart = Math.Max(plan.WindowStart, spanStart), windowEnd = Math.Min(plan.WindowEnd, spanEnd);
        LogAnalyticsFaultRule? fault = faults.Next(windowStart, windowEnd, out _);
        if (fault is not null)
            RequestFault.Mark(context, LogAnalyticsFaultKinds.Name(fault.Kind));
        switch (fault?.Kind)
        {
            case LogAnalyticsFaultKind.Throttle429:
                context.Response.Headers[HeaderNames.RetryAfter] =
                    (fault.RetryAfterSeconds ?? LogAnalyticsFaultRule.DefaultRetryAfterSeconds).ToString(CultureInfo.InvariantCulture);
                await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests,
                    LogAnalyticsJson.ThrottledError, LogAnalyticsJson.ThrottledMessage);
                return;
            case LogAnalyticsFaultKind.Timeout504:
                await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status504GatewayTimeout,
                    LogAnalyticsJson.GatewayTimeout, LogAnalyticsJson.GatewayTimeoutMessage);
                return;
            case LogAnalyticsFaultKind.Html502:
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(LogAnalyticsJson.BadGatewayPage, context.RequestAborted);
                return;
            case LogAnalyticsFaultKind.NoAnswer:
                await HoldAsync(context);
                return;
        }

        if (options.LogAnalyticsDelayMs is int delayMs && delayMs > 0)
        {
            int waitMs = PreferredWaitSeconds(context.Request) * 1000;
            try
            {
                await Task.Delay(Math.Min(delayMs, waitMs), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up (Ctrl+C): nothing to answer
            }
            if (delayMs > waitMs)
            {
                await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status504GatewayTimeout,
                    LogAnalyticsJson.GatewayTimeout, LogAnalyticsJson.GatewayTimeoutMessage);
                return;
            }
        }

        var source = new List<object>();
        foreach (Workspace workspace in targets.Where(w => w.Rows is not null))
        {
            (int from, int to) = workspace.Range(windowStart, windowEnd);
            for (int i = from; i < to; i++)
                source.Add(workspace.Rows![i]);
        }
        List<object> result = plan.Run(source);

        int keep = result.Count;
        bool partial = false;
        if (fault?.Kind == LogAnalyticsFaultKind.PartialError)
        {
            keep = Math.Min(keep, fault.KeepRows ?? result.Count / 2);
            partial = true;
        }
        if (keep > options.LogAnalyticsRowCap)
        {
            keep = options.LogAnalyticsRowCap;
            partial = true;
        }
        await WriteResultAsync(context, plan.Columns, result, keep, partial, AnswerShape.Of(fault, windowStart, windowEnd));
    }

    /// <summary>
    /// <c>noAnswer</c>: nothing is written until the client gives up; when the server stops first,
    /// the connection is aborted, so the client never sees an answer (not even an empty 200).
    /// </summary>
    private static async Task HoldAsync(HttpContext context)
    {
        CancellationToken stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
        }
        context.Abort();
    }

    /// <summary>What a fault changes in a 200's shape (README.md, "Log Analytics faults"); <see cref="Usual"/> changes nothing.</summary>
    private sealed record AnswerShape(string TableName, IReadOnlySet<string> Dropped, IReadOnlySet<string> Nulled, int NulledRows, int MovedRows, long MovedTo)
    {
        public static readonly AnswerShape Usual = new(LogAnalyticsFaultRule.PrimaryResult, new HashSet<string>(), new HashSet<string>(), 0, 0, 0);

        public static AnswerShape Of(LogAnalyticsFaultRule? fault, long windowStart, long windowEnd) => fault?.Kind switch
        {
            LogAnalyticsFaultKind.RenameTable => Usual with { TableName = fault.TableName! },
            LogAnalyticsFaultKind.DropColumns => Usual with { Dropped = fault.Columns!.ToHashSet() },
            LogAnalyticsFaultKind.NullCells => Usual with { Nulled = fault.Columns!.ToHashSet(), NulledRows = fault.Rows ?? 1 },
            // A day before the window, or after it when it has no start; a window open on both sides has no outside.
            LogAnalyticsFaultKind.OutsideWindow when windowStart != long.MinValue =>
                Usual with { MovedRows = fault.Rows ?? 1, MovedTo = Math.Max(0, windowStart - TimeSpan.TicksPerDay) },
            LogAnalyticsFaultKind.OutsideWindow when windowEnd != long.MaxValue =>
                Usual with { MovedRows = fault.Rows ?? 1, MovedTo = Math.Min(DateTime.MaxValue.Ticks, windowEnd + TimeSpan.TicksPerDay) },
            _ => Usual,
        };
    }

    private static bool Is(string segment, string expected) => string.Equals(segment, expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>Log Analytics' own resource URIs and app id, or this emulator's base address (with or without the slash).</summary>
    private static bool AcceptsAudience(HttpRequest request, string? audience)
    {
        if (Audiences.Contains(audience, StringComparer.OrdinalIgnoreCase))
            return true;
        string self = $"{request.Scheme}://{request.Host.Value}";
        return string.Equals(audience?.TrimEnd('/'), self, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>400 for an id that is no GUID, 404 for an unknown one, 403 without read access; else adds it (once).</summary>
    private static async Task<bool> CheckWorkspaceAsync(
        HttpContext context, LogAnalyticsData data, CallerClaims caller, string id, List<Workspace> targets)
    {
        if (!Guid.TryParse(id, out Guid guid))
        {
            await LogAnalyticsJson.BadArgumentAsync(context, "InvalidWorkspaceId",
                $"The workspace id '{id}' is not valid: this emulator takes workspace ids (GUIDs) only.");
            return false;
        }
        Workspace? workspace = data.Find(guid);
        if (workspace is null)
        {
            await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status404NotFound,
                LogAnalyticsJson.WorkspaceNotFoundError, LogAnalyticsJson.WorkspaceNotFoundMessage);
            return false;
        }
        if (!MayRead(caller, workspace))
        {
            await LogAnalyticsJson.WriteErrorAsync(context, StatusCodes.Status403Forbidden,
                LogAnalyticsJson.InsufficientAccessError, LogAnalyticsJson.InsufficientAccessMessage);
            return false;
        }
        if (!targets.Contains(workspace))
            targets.Add(workspace);
        return true;
    }

    /// <summary>
    /// App-only: <c>Data.Read</c> in <c>roles</c>. Delegated: <c>Data.Read</c> or
    /// <c>user_impersonation</c> in <c>scp</c>, and the user (by oid, else upn) reads the workspace.
    /// </summary>
    private static bool MayRead(CallerClaims caller, Workspace workspace)
    {
        if (!caller.IsDelegated)
            return caller.HasAnyRole([DemoWorkspace.DataReadPermission]);
        return caller.HasAnyScope(DemoWorkspace.DelegatedScopes)
            && caller.User is { } user
            && workspace.ReaderObjectIds.Contains(user.ObjectId);
    }

    /// <summary>The <c>wait=N</c> preference (0..600 s; larger is taken as 600), else 180 s.</summary>
    internal static int PreferredWaitSeconds(HttpRequest request)
    {
        foreach (string? header in request.Headers["Prefer"])
        {
            foreach (string preference in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string[] pair = preference.Split('=', 2, StringSplitOptions.TrimEntries);
                if (pair.Length == 2 && pair[0].Equals("wait", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                    return Math.Min(seconds, MaxWaitSeconds);
            }
        }
        return DefaultWaitSeconds;
    }

    /// <summary>
    /// The body's <c>timespan</c>, an ISO 8601 interval: <c>start/end</c>, <c>start/duration</c>,
    /// <c>duration/end</c> or a <c>duration</c> ending at the data's anchor (its "now"); as ticks
    /// [start, end). None: no bound.
    /// </summary>
    internal static bool TryParseTimespan(string? text, DateTimeOffset anchor, out long start, out long end, out string? error)
    {
        start = long.MinValue;
        end = long.MaxValue;
        error = null;
        if (text is null)
            return true;

        string[] parts = text.Split('/');
        try
        {
            switch (parts.Length)
            {
                case 1:
                    end = anchor.UtcTicks;
                    start = end - Duration(parts[0]).Ticks;
                    break;
                case 2 when parts[0].StartsWith('P') && parts[1].StartsWith('P'):
                    throw new FormatException("two durations make no interval");
                case 2 when parts[0].StartsWith('P'):
                    end = Instant(parts[1]);
                    start = end - Duration(parts[0]).Ticks;
                    break;
                case 2 when parts[1].StartsWith('P'):
                    start = Instant(parts[0]);
                    end = start + Duration(parts[1]).Ticks;
                    break;
                case 2:
                    start = Instant(parts[0]);
                    end = Instant(parts[1]);
                    break;
                default:
                    throw new FormatException("expected start/end, start/duration, duration/end or a duration");
            }
        }
        catch (FormatException ex)
        {
            error = $"The timespan '{text}' is not an ISO 8601 interval: {ex.Message}.";
            return false;
        }
        if (end < start)
        {
            error = $"The timespan '{text}' ends before it starts.";
            return false;
        }
        return true;
    }

    private static long Instant(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value)
            ? value.UtcTicks
            : throw new FormatException($"'{text}' is not a date and time");

    private static TimeSpan Duration(string text)
    {
        try
        {
            TimeSpan span = XmlConvert.ToTimeSpan(text);
            return span >= TimeSpan.Zero ? span : throw new FormatException($"'{text}' is negative");
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new FormatException($"'{text}' is not an ISO 8601 duration (e.g. P7D, PT12H)");
        }
    }

    /// <summary>
    /// <c>{"tables":[{"name":"PrimaryResult","columns":[…],"rows":[…]}]}</c>, the first
    /// <paramref name="keep"/> rows, with the PartialError beside the tables when rows were held back;
    /// a fault's <paramref name="shape"/> renames the table, leaves columns out, nulls cells or
    /// moves the last rows out of the window.
    /// </summary>
    private static async Task WriteResultAsync(HttpContext context, IReadOnlyList<KqlColumn> all, List<object> rows, int keep, bool partial, AnswerShape shape)
    {
        KqlColumn[] columns = all.Where(c => !shape.Dropped.Contains(c.Name)).ToArray();
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = LogAnalyticsJson.ContentType;
        await using var writer = new Utf8JsonWriter(response.Body, GraphJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("tables");
        writer.WriteStartObject();
        writer.WriteString("name", shape.TableName);
        writer.WriteStartArray("columns");
        foreach (KqlColumn column in columns)
        {
            writer.WriteStartObject();
            writer.WriteString("name", column.Name);
            writer.WriteString("type", column.TypeName);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("rows");
        for (int i = 0; i < keep; i++)
        {
            object row = rows[i];
            bool nulled = i < shape.NulledRows;
            bool moved = i >= keep - shape.MovedRows;
            writer.WriteStartArray();
            foreach (KqlColumn column in columns)
            {
                if (nulled && shape.Nulled.Contains(column.Name))
                {
                    writer.WriteNullValue();
                    continue;
                }

                if (moved && column.Type == KqlType.DateTime && column.Name is AuditLogsTable.TimeGenerated or "ActivityDateTime")
                    writer.WriteStringValue(LogAnalyticsJson.FormatDateTime(shape.MovedTo));
                else
                    LogAnalyticsJson.WriteCell(writer, column.Type, column.Get(row));
            }
            writer.WriteEndArray();
            if (writer.BytesPending > FlushThresholdBytes)
                await writer.FlushAsync(context.RequestAborted);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        if (partial)
            LogAnalyticsJson.WritePartialError(writer);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>The request body: <c>{"query","timespan","workspaces"}</c> (names case-insensitive, others ignored).</summary>
    private sealed record QueryBody(string? Query, string? Timespan, IReadOnlyList<string> Workspaces, string? ErrorCode, string? Error)
    {
        public static async Task<QueryBody> ReadAsync(HttpContext context)
        {
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Invalid("InvalidJson", $"The request body is not JSON: {ex.Message}");
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    return Invalid("InvalidJson", "The request body must be a JSON object: {\"query\": \"…\"}.");

                string? query = null, timespan = null;
                var workspaces = new List<string>();
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    switch (property.Name.ToLowerInvariant())
                    {
                        case "query":
                            if (property.Value.ValueKind != JsonValueKind.String)
                                return Invalid("InvalidQuery", "'query' must be a string.");
                            query = property.Value.GetString();
                            break;
                        case "timespan":
                            if (property.Value.ValueKind == JsonValueKind.Null)
                                break;
                            if (property.Value.ValueKind != JsonValueKind.String)
                                return Invalid("InvalidTimespan", "'timespan' must be a string (an ISO 8601 interval).") with { Query = query };
                            timespan = property.Value.GetString();
                            break;
                        case "workspaces":
                            if (property.Value.ValueKind == JsonValueKind.Null)
                                break;
                            if (property.Value.ValueKind != JsonValueKind.Array
                                || property.Value.EnumerateArray().Any(w => w.ValueKind != JsonValueKind.String))
                                return Invalid("InvalidWorkspaces", "'workspaces' must be an array of workspace ids.") with { Query = query };
                            workspaces.AddRange(property.Value.EnumerateArray().Select(w => w.GetString()!));
                            break;
                    }
                }
                if (string.IsNullOrWhiteSpace(query))
                    return new QueryBody(query, timespan, workspaces, "InvalidQuery", "'query' is required: the KQL to run.");
                return new QueryBody(query, timespan, workspaces, null, null);
            }
        }

        private static QueryBody Invalid(string code, string message) => new(null, null, [], code, message);
    }
}

/// <summary>Hands a Log Analytics request's KQL (and timespan) to its request log entry.</summary>
internal static class RequestKql
{
    private static readonly object QueryKey = new();
    private static readonly object TimespanKey = new();

    public static void Mark(HttpContext context, string kql, string? timespan)
    {
        context.Items[QueryKey] = kql;
        context.Items[TimespanKey] = timespan;
    }

    public static string? Of(HttpContext context) => context.Items.TryGetValue(QueryKey, out object? kql) ? kql as string : null;

    public static string? TimespanOf(HttpContext context) => context.Items.TryGetValue(TimespanKey, out object? span) ? span as string : null;
}

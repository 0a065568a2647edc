using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// Sends one query to the Log Analytics query API (POST /v1/workspaces/{id}/query) through an
/// Azure.Core pipeline and hands back the answer's bytes, or a failure that says what went wrong
/// in the user's terms. Retries, slicing and exactly-once are the source's; this client makes
/// one request per call.
/// </summary>
internal sealed class LogAnalyticsClient : IDisposable
{
    /// <summary>How much of an error body is read: the API's errors are small JSON objects.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    public const string WorkspaceNotFoundId = "WorkspaceNotFound";
    public const string ForbiddenId = "LogAnalyticsForbidden";
    public const string TableMissingId = "AuditLogsTableMissing";

    /// <summary>Where a 404's own words are kept, for the error that names the unknown workspaces among several.</summary>
    private const string SaidKey = "SupportAccessLogs.LogAnalytics.Said";

    /// <summary>The message property that holds where <see cref="RequestLogPolicy"/> writes.</summary>
    private const string VerboseKey = "SupportAccessLogs.LogAnalytics.Verbose";

    private readonly Uri _baseUrl;
    private readonly HttpClient _httpClient;
    private readonly HttpPipeline _pipeline;

    public LogAnalyticsClient(Uri baseUrl, AccessTokenProvider tokens)
    {
        _baseUrl = baseUrl;
        // Redirects refused, as for Graph, and no retrying middleware at all (neither Graph's
        // nor Azure.Core's): a retry, a split or a stop is the source's decision, since it
        // knows which rows were already written.
        _httpClient = HttpTransport.CreateBareClient();
        var options = new PipelineOptions { Transport = new HttpClientTransport(_httpClient) };
        options.Retry.MaxRetries = 0;
        // The request log is our own policy's, written to the read's Verbose: Azure.Core's logs to
        // a process-wide event source, which only a process-wide listener reads (one that would
        // also show every other Azure SDK's requests in the process, Az.Accounts' included).
        options.Diagnostics.IsLoggingEnabled = false;
        _pipeline = HttpPipelineBuilder.Build(options, new RequestLogPolicy(), new BearerTokenPolicy(tokens, baseUrl));
    }

    public Uri BaseUrl => _baseUrl;

    /// <summary>The URL the query for these workspaces goes to (the first one is in the path).</summary>
    public Uri QueryUrl(IReadOnlyList<string> workspaceIds) =>
        new(_baseUrl, $"v1/workspaces/{Uri.EscapeDataString(workspaceIds[0])}/query");

    /// <summary>Runs the query and returns the answer's body (a 200) in chunks of <paramref name="chunks"/>,
    /// bounded in size; the caller disposes it.</summary>
    /// <param name="verbose">Where the request log goes (the read's Verbose): method, URL, status, time.</param>
    public async Task<AnswerBytes> QueryAsync(IReadOnlyList<string> workspaceIds, string kql, string timespan, TimeSpan wait, ArrayPool<byte> chunks, Action<string>? verbose, CancellationToken cancellationToken)
    {
        Uri url = QueryUrl(workspaceIds);
        using HttpMessage message = _pipeline.CreateMessage();
        if (verbose is not null)
        {
            message.SetProperty(VerboseKey, verbose);
        }

        message.BufferResponse = false;
        message.NetworkTimeout = wait + TimeSpan.FromSeconds(10);
        Request request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(url);
        request.Headers.Add("Content-Type", "application/json");
        // The server's own time limit: as long as the client waits (3 minutes by default, 10 at most).
        request.Headers.Add("Prefer", $"wait={(int)Math.Min(600, Math.Max(1, wait.TotalSeconds))}");
        request.Content = RequestContent.Create(Body(workspaceIds, kql, timespan));
        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 0 && ex.InnerException is HttpRequestException http)
        {
            // No answer at all: name the endpoint, as for Graph.
            throw http.At(url);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ex.At(url);
        }

        Response response = message.Response;
        Stream body = response.ContentStream ?? Stream.Null;
        if (response.Status != 200)
        {
            byte[] error;
            using (AnswerBytes errorBody = await AnswerBytes.ReadAsync(body, MaxErrorBodyBytes, truncate: true, ArrayPool<byte>.Shared, cancellationToken).ConfigureAwait(false))
            {
                error = errorBody.ToArray();
            }

            response.Headers.TryGetValue("Retry-After", out string? retryAfter);
            throw Failure(response.Status, error, response.Headers.ContentType, workspaceIds).WithRetryAfter(retryAfter).At(url);
        }

        return await AnswerBytes.ReadAsync(body, ResponseLimits.Default.MaxPageBytes, truncate: false, chunks, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _httpClient.Dispose();
    }

    private static byte[] Body(IReadOnlyList<string> workspaceIds, string kql, string timespan)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("query", kql);
            writer.WriteString("timespan", timespan);
            if (workspaceIds.Count > 1)
            {
                writer.WriteStartArray("workspaces");
                foreach (string id in workspaceIds.Skip(1))
                {
                    writer.WriteStringValue(id);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>What a failed answer means to the user: the ones with a fix of their own are
    /// ModuleExceptions; the rest keep their status, for the retry policy and the error mapper.</summary>
    private static Exception Failure(int status, byte[] body, string? contentType, IReadOnlyList<string> workspaceIds)
    {
        (string code, string message, string innermost) = ErrorOf(body);
        string workspaces = string.Join(", ", workspaceIds);
        string said = ServerText.Clean(code.Length + message.Length > 0
            ? $"{(code.Length > 0 ? code + ": " : "")}{message}{(innermost.Length > 0 ? $" ({innermost})" : "")}"
            : $"HTTP {status} with {NotAnError(body, contentType)}");
        switch (status)
        {
            case 403:
                return new ModuleException(ForbiddenId, ErrorCategory.PermissionDenied,
                    $"Log Analytics refused to query workspace {workspaces} ({said}). A user needs the Log Analytics Reader (or Reader) role on each workspace; an app or managed identity needs that role too, or the Log Analytics API application permission Data.Read with admin consent. Then run the command again (for a new role, connect again).",
                    workspaces);
            case 404:
                var notFound = WorkspacesNotFound(workspaceIds, workspaceIds.Count, Array.Empty<string>(), null, said);
                notFound.Data[SaidKey] = said;
                return notFound;
            case 400 when (message + " " + innermost).Contains("Failed to resolve table or column expression named 'AuditLogs'", StringComparison.OrdinalIgnoreCase):
                return new ModuleException(TableMissingId, ErrorCategory.ObjectNotFound,
                    $"Workspace {workspaces} has no AuditLogs table ({said}). Entra sends its audit log there only through a diagnostic setting: in the Entra admin center, Monitoring > Diagnostic settings, add one that sends AuditLogs to this workspace. Rows arrive from then on; older activity is not copied.",
                    workspaces);
            default:
                if (code.Length + message.Length == 0 && body.Length > 0)
                {
                    // Not the service's words: its errors are JSON (OneAPI error objects).
                    return new RequestFailedException(status,
                        $"Log Analytics returned {status} with {NotAnError(body, contentType)}, not a Log Analytics error: a proxy or gateway between here and the service answered, not the service. Check -LogAnalyticsEndpoint (or -Environment) of Connect-SupportAccess, the network and any proxy in between; if they are right, the service behind the gateway is failing: try again later.",
                        null, null);
                }

                return new RequestFailedException(status, $"Log Analytics returned {status}: {said}", code.Length > 0 ? code : null, null);
        }
    }

    /// <summary>
    /// "Log Analytics knows no workspace …": the unknown ones only, how many of those given, and
    /// those that could not be checked. <paramref name="said"/> defaults to the service's words
    /// kept on <paramref name="notFound"/> (the 404 of the query of all of them).
    /// </summary>
    internal static ModuleException WorkspacesNotFound(IReadOnlyList<string> unknown, int given, IReadOnlyList<string> unclear, Exception? notFound, string? said = null)
    {
        said ??= notFound?.Data[SaidKey] as string ?? "WorkspaceNotFoundError";
        string which = string.Join(", ", unknown);
        string share = given > 1 ? $"{unknown.Count} of the {given} given; " : "";
        string notClear = unclear.Count > 0
            ? $" {unclear.Count} more could not be checked (no clear answer when asked alone): {string.Join(", ", unclear)}."
            : "";
        return new ModuleException(WorkspaceNotFoundId, ErrorCategory.ObjectNotFound,
            $"Log Analytics knows no workspace {which} ({share}{said}).{notClear} -WorkspaceId takes the workspace id (a GUID, 'Workspace ID' on the workspace's Overview page in the Azure portal), not its name or resource id.",
            which, notFound);
    }

    /// <summary>What a body that is no Log Analytics error is: an HTML page (a proxy's or gateway's), other bytes, or nothing.</summary>
    private static string NotAnError(byte[] body, string? contentType)
    {
        if (body.Length == 0)
        {
            return "an empty body";
        }

        bool html = (contentType ?? "").Contains("html", StringComparison.OrdinalIgnoreCase)
            || Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 256)).TrimStart().StartsWith('<');
        return html
            ? $"an HTML page ({body.Length} bytes)"
            : $"{body.Length} bytes{(string.IsNullOrEmpty(contentType) ? "" : $" of {ServerText.Clean(contentType)}")}";
    }

    /// <summary>
    /// The error's code and message, and the message of its innermost innererror: the service
    /// nests the one that says what was wrong (a semantic error's "A semantic error occurred."
    /// holds the SEM… error naming the column or table), so the innermost is the one kept.
    /// </summary>
    private static (string Code, string Message, string Innermost) ErrorOf(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out JsonElement error)
                && error.ValueKind == JsonValueKind.Object)
            {
                string innermost = "";
                JsonElement current = error;
                for (int depth = 0; depth < 16 && current.TryGetProperty("innererror", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object; depth++)
                {
                    string text = Text(inner, "message");
                    innermost = text.Length > 0 ? text : innermost;
                    current = inner;
                }

                return (Text(error, "code"), Text(error, "message"), innermost);
            }
        }
        catch (JsonException)
        {
        }

        return ("", "", "");
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private sealed class PipelineOptions : ClientOptions
    {
    }

    /// <summary>
    /// The request log of one read, what Azure.Core's own logging wrote: the method and URL (query
    /// values redacted), then the status and time taken, or the failure. Never a header (the
    /// Authorization header above all) and never a body. It writes to the sink the request carries
    /// (<see cref="VerboseKey"/>), so each read's Verbose holds its own requests and nothing else.
    /// </summary>
    private sealed class RequestLogPolicy : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!message.TryGetProperty(VerboseKey, out object? sink) || sink is not Action<string> verbose)
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                return;
            }

            string request = $"{message.Request.Method} {Redacted(message.Request.Uri.ToUri())}";
            verbose($"Log Analytics request: {request}");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                verbose($"Log Analytics request {request} ended without an answer after {watch.Elapsed.TotalSeconds:0.000} s ({(ex is OperationCanceledException ? "stopped" : ex.GetType().Name)}).");
                throw;
            }

            Response response = message.Response;
            verbose(ServerText.Clean($"Log Analytics answer: {response.Status} {response.ReasonPhrase} to {request} in {watch.Elapsed.TotalSeconds:0.000} s."));
        }

        /// <summary>scheme://host:port/path, and each query parameter's name with its value redacted.</summary>
        internal static string Redacted(Uri url)
        {
            string query = url.Query.TrimStart('?');
            if (query.Length == 0)
            {
                return url.GetLeftPart(UriPartial.Path);
            }

            IEnumerable<string> names = query.Split('&').Select(pair => pair.Split('=')[0] + "=REDACTED");
            return url.GetLeftPart(UriPartial.Path) + "?" + string.Join("&", names);
        }
    }

    /// <summary>
    /// Puts the connection's Log Analytics token on each request, to the connection's endpoint
    /// only. Azure.Core's own bearer policy refuses http outright, and the emulator (like a local
    /// proxy) is http on loopback, which the endpoint check already allows and nothing else.
    /// </summary>
    private sealed class BearerTokenPolicy : HttpPipelinePolicy
    {
        private readonly AccessTokenProvider _tokens;
        private readonly Uri _endpoint;

        public BearerTokenPolicy(AccessTokenProvider tokens, Uri endpoint)
        {
            _tokens = tokens;
            _endpoint = endpoint;
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Endpoints.SameOrigin(message.Request.Uri.ToUri(), _endpoint))
            {
                string token = await _tokens.GetTokenAsync(message.CancellationToken).ConfigureAwait(false);
                Secrets.Remember(token);
                message.Request.Headers.SetValue("Authorization", "Bearer " + token);
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Graph;

/// <summary>
/// A GET through the Graph SDK's request adapter (auth, retry and telemetry middleware stay in
/// force) that hands back the raw body stream for our own parsing. A failed status becomes an
/// <see cref="ApiException"/> with its status and headers whatever its body: Graph's JSON error
/// (an <see cref="ODataError"/>), an empty body, or a proxy's HTML page.
/// </summary>
internal static class GraphGet
{
    /// <summary>How much of an error body is read: Graph's errors are a few hundred bytes.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    /// <param name="sdkRetries">False when the caller retries whole pages itself (the audit
    /// reader must re-read a body that broke mid-way, which the SDK's handler can't see).</param>
    public static async Task<Stream> StreamAsync(IRequestAdapter adapter, Uri url, CancellationToken cancellationToken, bool sdkRetries = true)
    {
        var request = new RequestInformation { HttpMethod = Method.GET, URI = url };
        request.Headers.Add("Accept", "application/json");
        var options = new List<IRequestOption> { new ResponseHandlerOption { ResponseHandler = new BodyOrError(cancellationToken) } };
        if (!sdkRetries)
        {
            options.Add(new RetryHandlerOption { MaxRetry = 0 });
        }

        request.AddRequestOptions(options);
        try
        {
            Stream? stream = await adapter.SendPrimitiveAsync<Stream>(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            return stream ?? throw new AuditResponseFormatException("Microsoft Graph returned an empty response body.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ex.At(url);
            throw;
        }
    }

    /// <summary>
    /// Takes the response from the SDK before it parses anything: the SDK's own error parsing
    /// throws a JSON reader exception on an empty JSON body and "no factory registered" on HTML,
    /// losing the status code on the way.
    /// </summary>
    private sealed class BodyOrError : IResponseHandler
    {
        private readonly CancellationToken _cancellationToken;

        public BodyOrError(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

        public async Task<ModelType?> HandleResponseAsync<NativeResponseType, ModelType>(
            NativeResponseType response, Dictionary<string, ParsableFactory<IParsable>>? errorMappings)
        {
            var message = (HttpResponseMessage)(object)response!;
            if (message.IsSuccessStatusCode)
            {
                return (ModelType)(object)await message.Content.ReadAsStreamAsync().ConfigureAwait(false);
            }

            using (message)
            {
                throw await ErrorAsync(message).ConfigureAwait(false);
            }
        }

        private async Task<ApiException> ErrorAsync(HttpResponseMessage message)
        {
            int status = (int)message.StatusCode;
            var headers = new Dictionary<string, IEnumerable<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, IEnumerable<string>> header in message.Headers.Concat(message.Content.Headers))
            {
                headers[header.Key] = header.Value.ToArray();
            }

            byte[] body = await ReadBoundedAsync(message.Content).ConfigureAwait(false);
            string? mediaType = message.Content.Headers.ContentType?.MediaType;
            ApiException error = GraphError(body) is MainError main
                ? new ODataError { Error = main }
                : new ApiException($"the body holds no Graph error ({DescribeBody(body, mediaType)})");
            error.ResponseStatusCode = status;
            error.ResponseHeaders = headers;
            return error;
        }

        private async Task<byte[]> ReadBoundedAsync(HttpContent content)
        {
            using Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[MaxErrorBodyBytes];
            int filled = 0;
            int read;
            while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), _cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            Array.Resize(ref buffer, filled);
            return buffer;
        }

        /// <summary>Graph's documented error shape, {"error":{"code","message"}}, or null.</summary>
        private static MainError? GraphError(byte[] body)
        {
            if (body.Length == 0)
            {
                return null;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                foreach (JsonProperty member in document.RootElement.EnumerateObject())
                {
                    if (string.Equals(member.Name, "error", StringComparison.OrdinalIgnoreCase) && member.Value.ValueKind == JsonValueKind.Object)
                    {
                        return new MainError { Code = Text(member.Value, "code"), Message = Text(member.Value, "message") };
                    }
                }

                return null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string? Text(JsonElement error, string name)
        {
            foreach (JsonProperty member in error.EnumerateObject())
            {
                if (string.Equals(member.Name, name, StringComparison.OrdinalIgnoreCase) && member.Value.ValueKind == JsonValueKind.String)
                {
                    return member.Value.GetString();
                }
            }

            return null;
        }

        private static string DescribeBody(byte[] body, string? mediaType) =>
            body.Length == 0
                ? "an empty body"
                : $"{body.Length}{(body.Length == MaxErrorBodyBytes ? "+" : "")} bytes of {(string.IsNullOrEmpty(mediaType) ? "untyped content" : mediaType)}";
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace SupportAccessLogs.Graph;

/// <summary>
/// A GET through the Graph SDK's request adapter (auth, retry and telemetry middleware stay in
/// force) that hands back the raw body stream for our own parsing. Error bodies become ODataError.
/// </summary>
internal static class GraphGet
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    /// <param name="sdkRetries">False when the caller retries whole pages itself (the audit
    /// reader must re-read a body that broke mid-way, which the SDK's handler can't see).</param>
    public static async Task<Stream> StreamAsync(IRequestAdapter adapter, Uri url, CancellationToken cancellationToken, bool sdkRetries = true)
    {
        var request = new RequestInformation { HttpMethod = Method.GET, URI = url };
        request.Headers.Add("Accept", "application/json");
        if (!sdkRetries)
        {
            request.AddRequestOptions(new[] { new RetryHandlerOption { MaxRetry = 0 } });
        }

        Stream? stream = await adapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, cancellationToken).ConfigureAwait(false);
        return stream ?? throw new AuditResponseFormatException("Microsoft Graph returned an empty response body.");
    }
}

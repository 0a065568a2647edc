using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

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

    public static async Task<Stream> StreamAsync(IRequestAdapter adapter, Uri url, CancellationToken cancellationToken)
    {
        var request = new RequestInformation { HttpMethod = Method.GET, URI = url };
        request.Headers.Add("Accept", "application/json");
        Stream? stream = await adapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, cancellationToken).ConfigureAwait(false);
        return stream ?? throw new AuditResponseFormatException("Microsoft Graph returned an empty response body.");
    }
}

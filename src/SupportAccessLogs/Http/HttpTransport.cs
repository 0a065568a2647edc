using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace SupportAccessLogs.Http;

/// <summary>
/// The HttpClient behind a connection: Graph's default handlers (retry honouring Retry-After,
/// telemetry, compression) without the redirect handler. A redirect is refused instead, because
/// the redirect handler keeps the bearer token for any target on the same host name, another
/// port (another server) included.
/// </summary>
internal static class HttpTransport
{
    public static HttpClient CreateClient()
    {
        IList<DelegatingHandler> handlers = GraphClientFactory.CreateDefaultHandlers();
        for (int i = handlers.Count - 1; i >= 0; i--)
        {
            if (handlers[i] is RedirectHandler)
            {
                handlers.RemoveAt(i);
            }
        }

        handlers.Add(new RefuseRedirectsHandler());
        // Every connection's pipeline ends in the one shared transport: the client does not own it.
        return GraphClientFactory.Create(handlers, finalHandler: SharedTransport, disposeHandler: false);
    }

    /// <summary>
    /// The sockets of every connection of the process, pooled per endpoint: a hundred tenants'
    /// connections to one Graph endpoint share a few sockets rather than each holding its own,
    /// and sockets idle for half a minute are closed (docs/architecture.md, "Many tenants").
    /// It follows no redirect and leaves decompression to Graph's handler, as Graph's own
    /// transport does. It keeps no cookies: one container for the whole process would send a
    /// cookie set on one tenant's answer with every other tenant's requests and with Log
    /// Analytics queries (docs/architecture.md, "Trust boundaries"); neither API needs one.
    /// </summary>
    private static readonly HttpMessageHandler SharedTransport =
#if NET5_0_OR_GREATER
        new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
#else
        new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };
#endif

    /// <summary>
    /// An HttpClient with none of Graph's middleware, redirects refused as above: for an API
    /// whose retries the caller decides alone (a retry handler underneath would repeat a 429 or
    /// 504 unseen, where the Log Analytics source must split the slice or count the try).
    /// </summary>
    public static HttpClient CreateBareClient() =>
        new(new RefuseRedirectsHandler { InnerHandler = new NotOwned(SharedTransport) }, disposeHandler: true);

    /// <summary>Passes requests to a handler it does not own: disposing it leaves that handler alone.</summary>
    private sealed class NotOwned : DelegatingHandler
    {
        public NotOwned(HttpMessageHandler shared)
            : base(shared)
        {
        }

#pragma warning disable CA2215 // Not calling base is the point: DelegatingHandler.Dispose would dispose the shared transport.
        protected override void Dispose(bool disposing)
        {
            // The shared transport lives as long as the process; only this wrapper goes.
        }
#pragma warning restore CA2215
    }

    /// <summary>Turns a 3xx answer into a clear error (the transport follows none by itself).</summary>
    private sealed class RefuseRedirectsHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 300 and <= 399 && response.StatusCode != HttpStatusCode.NotModified)
            {
                Uri? location = response.Headers.Location;
                string where = location is null ? "" : location.IsAbsoluteUri
                    ? $" to {location.Scheme}://{location.Host}:{location.Port}{location.AbsolutePath}"
                    : $" to {location.OriginalString.Split('?')[0]}";
                string from = request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "(unknown)";
                response.Dispose();
                throw new ModuleException("GraphRedirectRefused", ErrorCategory.SecurityError,
                    ServerText.Clean($"{from} answered with a redirect ({status}){where}. The module follows no redirects, so the access token is never sent anywhere but the endpoint you connected to. Connect with -GraphEndpoint set to the final address."),
                    from);
            }

            return response;
        }
    }
}

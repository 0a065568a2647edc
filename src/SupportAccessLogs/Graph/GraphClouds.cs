using System;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Graph;

/// <summary>Graph hosts per cloud (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
internal static class GraphClouds
{
    public static Uri GraphHost(GraphEnvironment environment) => environment switch
    {
        GraphEnvironment.Global => new Uri("https://graph.microsoft.com/"),
        GraphEnvironment.USGov => new Uri("https://graph.microsoft.us/"),
        GraphEnvironment.USGovDoD => new Uri("https://dod-graph.microsoft.us/"),
        GraphEnvironment.China => new Uri("https://microsoftgraph.chinacloudapi.cn/"),
        _ => throw new ArgumentOutOfRangeException(nameof(environment)),
    };

    /// <summary>Microsoft documents v1.0 directoryAudits as unavailable in the cloud operated
    /// by 21Vianet.</summary>
    public static bool OffersDirectoryAudits(GraphEnvironment environment) => environment != GraphEnvironment.China;

    /// <summary>
    /// The v1.0 base URL for an endpoint given at connect. Only https is accepted, except on
    /// loopback (the emulator, a local proxy), so a token never crosses a network in clear text.
    /// </summary>
    public static Uri V1BaseUrl(Uri endpoint)
    {
        string path = Endpoints.WithoutVersion(Endpoints.CheckedPath(endpoint, "Graph endpoint", "https://graph.microsoft.com"), "v1.0");
        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/v1.0/");
    }
}

using System;

namespace SupportAccessLogs.Graph;

/// <summary>Which token audiences mean "Microsoft Graph".</summary>
internal static class GraphAudiences
{
    /// <summary>The application id of Microsoft Graph, the same in every cloud.</summary>
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    private static readonly string[] GraphHosts =
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
    };

    public static bool IsGraph(string audience, Uri graphBaseUrl)
    {
        if (string.Equals(audience, GraphAppId, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!Uri.TryCreate(audience, UriKind.Absolute, out Uri? uri))
        {
            return false;
        }

        // A custom endpoint (a proxy or gateway) may front Graph under its own name.
        if (string.Equals(uri.Host, graphBaseUrl.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (string host in GraphHosts)
        {
            if (string.Equals(uri.Host, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static string ResourceFor(SupportAccessLogs.GraphEnvironment environment) =>
        Graph.GraphClouds.GraphHost(environment).AbsoluteUri.TrimEnd('/');
}

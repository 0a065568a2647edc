using System;

namespace SupportAccessLogs.Graph;

/// <summary>Graph and sign-in hosts per cloud (DESIGN §2).</summary>
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

    public static Uri AuthorityHost(GraphEnvironment environment) => environment switch
    {
        GraphEnvironment.Global => new Uri("https://login.microsoftonline.com/"),
        GraphEnvironment.USGov or GraphEnvironment.USGovDoD => new Uri("https://login.microsoftonline.us/"),
        GraphEnvironment.China => new Uri("https://login.chinacloudapi.cn/"),
        _ => throw new ArgumentOutOfRangeException(nameof(environment)),
    };

    /// <summary>Microsoft's own sign-in hosts, the ones Entra's instance discovery knows.</summary>
    private static readonly string[] MicrosoftAuthorityHosts =
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    };

    public static bool IsMicrosoftAuthority(Uri authorityHost)
    {
        foreach (string host in MicrosoftAuthorityHosts)
        {
            if (string.Equals(authorityHost.Host, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Microsoft documents v1.0 directoryAudits as unavailable in the cloud operated
    /// by 21Vianet.</summary>
    public static bool OffersDirectoryAudits(GraphEnvironment environment) => environment != GraphEnvironment.China;

    /// <summary>
    /// The v1.0 base URL for an endpoint given at connect. Only https is accepted, except on
    /// loopback (the emulator, a local proxy), so a token never crosses a network in clear text.
    /// </summary>
    public static Uri V1BaseUrl(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The Graph endpoint '{endpoint}' is not an absolute URL. Give one such as https://graph.microsoft.com.");
        }

        bool https = endpoint.Scheme == Uri.UriSchemeHttps;
        bool loopbackHttp = endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback;
        if (!https && !loopbackHttp)
        {
            throw new ArgumentException(
                $"The Graph endpoint '{endpoint.GetLeftPart(UriPartial.Authority)}' must use https; plain http is accepted only on loopback (127.0.0.1, ::1, localhost).");
        }

        string path = endpoint.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1.0", StringComparison.OrdinalIgnoreCase))
        {
            path = path.Substring(0, path.Length - "/v1.0".Length);
        }

        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/v1.0/");
    }
}

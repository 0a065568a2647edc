using System;

namespace SupportAccessLogs.Graph;

/// <summary>Graph and sign-in hosts per cloud (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
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
    /// An endpoint with a user name or password in it (https://user:secret@host) is refused: the
    /// secret would be echoed in Verbose, errors and ToString(), and nextLinks drop it. The message
    /// names the host only.
    /// </summary>
    public static void RefuseUserInfo(Uri endpoint, string what)
    {
        if (endpoint.IsAbsoluteUri && endpoint.UserInfo.Length > 0)
        {
            throw new ArgumentException(
                $"The {what} {WithoutUserInfo(endpoint)} has a user name or password in it (user:password@host). Remove it: the module signs in with its own credentials, and a secret in a URL ends up in logs.");
        }
    }

    /// <summary>scheme://host:port, never the user info.</summary>
    public static string WithoutUserInfo(Uri endpoint) =>
        endpoint.IsAbsoluteUri ? $"{endpoint.Scheme}://{endpoint.Host}{(endpoint.IsDefaultPort ? "" : ":" + endpoint.Port)}" : "(not an absolute URL)";

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

        RefuseUserInfo(endpoint, "Graph endpoint");

        bool https = endpoint.Scheme == Uri.UriSchemeHttps;
        bool loopbackHttp = endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback;
        if (!https && !loopbackHttp)
        {
            throw new ArgumentException(
                $"The Graph endpoint '{WithoutUserInfo(endpoint)}' must use https; plain http is accepted only on loopback (127.0.0.1, ::1, localhost).");
        }

        string path = endpoint.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1.0", StringComparison.OrdinalIgnoreCase))
        {
            path = path.Substring(0, path.Length - "/v1.0".Length);
        }

        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/v1.0/");
    }
}

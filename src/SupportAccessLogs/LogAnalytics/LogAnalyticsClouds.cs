using System;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>The Log Analytics query API of each cloud (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
internal static class LogAnalyticsClouds
{
    public static Uri Endpoint(GraphEnvironment environment) => environment switch
    {
        GraphEnvironment.USGov or GraphEnvironment.USGovDoD => new Uri("https://api.loganalytics.us/"),
        GraphEnvironment.China => new Uri("https://api.loganalytics.azure.cn/"),
        _ => new Uri("https://api.loganalytics.io/"),
    };

    /// <summary>The token audience: the cloud's API address, as Entra issues it.</summary>
    public static string Audience(GraphEnvironment environment) => Endpoint(environment).AbsoluteUri.TrimEnd('/');

    /// <summary>The scope a credential asks for.</summary>
    public static string Scope(GraphEnvironment environment) => Audience(environment) + "/.default";

    /// <summary>
    /// The endpoint given at connect, checked as Graph's is: absolute, no user info, https except
    /// on loopback (the emulator, a local proxy). Returns scheme://host:port/path/ with a slash.
    /// </summary>
    public static Uri BaseUrl(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The Log Analytics endpoint '{endpoint}' is not an absolute URL. Give one such as https://api.loganalytics.io.");
        }

        GraphClouds.RefuseUserInfo(endpoint, "Log Analytics endpoint");
        bool https = endpoint.Scheme == Uri.UriSchemeHttps;
        bool loopbackHttp = endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback;
        if (!https && !loopbackHttp)
        {
            throw new ArgumentException(
                $"The Log Analytics endpoint '{GraphClouds.WithoutUserInfo(endpoint)}' must use https; plain http is accepted only on loopback (127.0.0.1, ::1, localhost).");
        }

        string path = endpoint.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            path = path.Substring(0, path.Length - "/v1".Length);
        }

        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/");
    }
}

using System;
using SupportAccessLogs.Http;

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
        string path = Endpoints.WithoutVersion(Endpoints.CheckedPath(endpoint, "Log Analytics endpoint", "https://api.loganalytics.io"), "v1");
        return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + "/");
    }
}

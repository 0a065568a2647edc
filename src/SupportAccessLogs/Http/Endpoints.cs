using System;

namespace SupportAccessLogs.Http;

/// <summary>
/// The checks every endpoint a token goes to passes, whichever API it is (Graph, Log Analytics,
/// the sign-in authority): where a token may go (one origin) and what an endpoint given at
/// connect may look like (docs/architecture.md, "Trust boundaries").
/// </summary>
internal static class Endpoints
{
    /// <summary>The one origin test for where a token may go: scheme, host and port all equal
    /// (a redirect or link to another port of the same host is another server).</summary>
    public static bool SameOrigin(Uri url, Uri endpoint) =>
        string.Equals(url.Scheme, endpoint.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(url.IdnHost, endpoint.IdnHost, StringComparison.OrdinalIgnoreCase)
        && url.Port == endpoint.Port;

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
    /// Checks an API endpoint given at connect: absolute, no user info, https except on loopback
    /// (the emulator, a local proxy), so a token never crosses a network in clear text. Returns
    /// its path without a trailing slash, for the API's own base URL.
    /// </summary>
    /// <param name="what">The endpoint's name in messages ("Graph endpoint").</param>
    /// <param name="example">An endpoint to suggest when the one given is not a URL.</param>
    public static string CheckedPath(Uri endpoint, string what, string example)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The {what} '{endpoint}' is not an absolute URL. Give one such as {example}.");
        }

        RefuseUserInfo(endpoint, what);
        bool https = endpoint.Scheme == Uri.UriSchemeHttps;
        bool loopbackHttp = endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback;
        if (!https && !loopbackHttp)
        {
            throw new ArgumentException(
                $"The {what} '{WithoutUserInfo(endpoint)}' must use https; plain http is accepted only on loopback (127.0.0.1, ::1, localhost).");
        }

        return endpoint.AbsolutePath.TrimEnd('/');
    }

    /// <summary>The path without a version segment it ends in ("/v1.0"), ignoring case.</summary>
    public static string WithoutVersion(string path, string version) =>
        path.EndsWith("/" + version, StringComparison.OrdinalIgnoreCase) ? path.Substring(0, path.Length - version.Length - 1) : path;
}

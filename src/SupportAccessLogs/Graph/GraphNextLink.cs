using System;
using System.Collections.Generic;
using System.Management.Automation;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Graph;

internal static class GraphNextLink
{
    /// <summary>nextLinks are followed whole (never rebuilt), but only on the connection's own
    /// scheme, host and port: credentials are not offered anywhere else.</summary>
    public static Uri Check(string nextLink, Uri graphEndpoint)
    {
        bool isHttp = Uri.TryCreate(nextLink, UriKind.Absolute, out Uri? next)
            && (next.Scheme == Uri.UriSchemeHttps || next.Scheme == Uri.UriSchemeHttp);
        if (isHttp && Endpoints.SameOrigin(next!, graphEndpoint) && next!.UserInfo.Length == 0)
        {
            return next;
        }

        string expectedAuthority = graphEndpoint.GetLeftPart(UriPartial.Authority);
        string target = isHttp ? $"'{next!.Scheme}://{next.Host}:{next.Port}'" : "something that is not an absolute http(s) URL";
        throw new ModuleException("GraphNextLinkForeign", ErrorCategory.SecurityError,
            $"Microsoft Graph returned a next-page link to {ServerText.Clean(target)}, not to {expectedAuthority}; the module stops rather than send the token there. Check -GraphEndpoint and any proxy in between.");
    }
}

/// <summary>
/// Follows one collection's nextLinks: each checked by <see cref="GraphNextLink.Check"/>, and a
/// link that was already followed stops the read, since following it again would loop for ever.
/// </summary>
internal sealed class NextLinkTracker
{
    private readonly Uri _graphEndpoint;
    private readonly HashSet<string> _followed = new(StringComparer.Ordinal);

    public NextLinkTracker(Uri graphEndpoint)
    {
        _graphEndpoint = graphEndpoint;
    }

    /// <summary>The next page's URL after <paramref name="current"/>.</summary>
    public Uri Follow(string nextLink, Uri current)
    {
        _followed.Add(current.AbsoluteUri);
        Uri next = GraphNextLink.Check(nextLink, _graphEndpoint);
        if (!_followed.Add(next.AbsoluteUri))
        {
            throw new ModuleException("GraphNextLinkRepeated", ErrorCategory.InvalidResult,
                $"Microsoft Graph returned a next-page link it had already returned ({next.GetLeftPart(UriPartial.Path)}, after {_followed.Count} pages); following it again would loop for ever, so the module stops. Activities already written stand. Check -GraphEndpoint and any proxy in between.");
        }

        return next;
    }
}

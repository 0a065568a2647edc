using System;
using System.Management.Automation;

namespace SupportAccessLogs.Graph;

internal static class GraphNextLink
{
    /// <summary>nextLinks are followed whole (never rebuilt), but only on the connection's own
    /// host: credentials are not offered anywhere else.</summary>
    public static Uri Check(string nextLink, Uri graphEndpoint)
    {
        string expectedAuthority = graphEndpoint.GetLeftPart(UriPartial.Authority);
        bool isHttp = Uri.TryCreate(nextLink, UriKind.Absolute, out Uri? next)
            && (next.Scheme == Uri.UriSchemeHttps || next.Scheme == Uri.UriSchemeHttp);
        if (isHttp && string.Equals(next!.GetLeftPart(UriPartial.Authority), expectedAuthority, StringComparison.OrdinalIgnoreCase))
        {
            return next;
        }

        string target = isHttp ? $"'{next!.GetLeftPart(UriPartial.Authority)}'" : "something that is not an absolute http(s) URL";
        throw new ModuleException("GraphNextLinkForeign", ErrorCategory.SecurityError,
            $"Microsoft Graph returned a next-page link to {target}, not to {expectedAuthority}; the module stops rather than send the token there. Check -GraphEndpoint and any proxy in between.");
    }
}

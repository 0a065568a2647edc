using System;

namespace SupportAccessLogs.Auth;

/// <summary>Sign-in hosts per cloud (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
internal static class SignInClouds
{
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
}

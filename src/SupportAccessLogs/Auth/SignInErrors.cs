using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Azure.Identity;

namespace SupportAccessLogs.Auth;

/// <summary>
/// Turns a failed sign-in into one AuthenticationError that names the Entra error code and its
/// likely fix, without the credential library's stack trace, trace ids or troubleshooting links.
/// </summary>
internal static class SignInErrors
{
    private static readonly Regex EntraCode = new(@"AADSTS(?<code>\d+)(?::\s*(?<text>[^\r\n]*))?", RegexOptions.CultureInvariant);

    /// <summary>The likely fix per Entra error code (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).</summary>
    private static readonly Dictionary<string, string> FixByCode = new()
    {
        ["7000215"] = "The client secret is wrong. Pass the secret's Value (not its Secret ID) as the password of -ClientSecretCredential, and check that it has not expired.",
        ["7000222"] = "The client secret has expired. Create a new secret for the app registration and connect with it.",
        ["700016"] = "The application was not found in this tenant. Check -ClientId and -TenantId, and that the app is registered in (or consented to by) that tenant.",
        ["90002"] = "The tenant was not found. Check -TenantId (the directory id GUID or a verified domain) and -Environment.",
        ["700027"] = "The certificate is not registered on the application. Upload its public key (.cer) to the app registration under Certificates & secrets, or sign in with the certificate that is registered.",
        ["70021"] = "No federated credential on the application matches this token. Add one whose issuer, subject and audience (api://AzureADTokenExchange) match the token, for example subject repo:<org>/<repo>:ref:refs/heads/main.",
        ["700024"] = "The federated token is expired or not yet valid. Request a fresh token from the pipeline's OIDC provider just before connecting.",
        ["65001"] = "Consent is missing. An administrator must grant consent for AuditLog.Read.All and Directory.Read.All to this application.",
        ["50076"] = "Multi-factor authentication is required. Sign in interactively or with -UseDeviceCode.",
        ["50079"] = "Multi-factor authentication registration is required. Sign in interactively or with -UseDeviceCode.",
        ["53003"] = "Conditional Access blocked the sign-in. Ask your administrator which conditions apply (device, location, app).",
        ["50126"] = "The user name or password is wrong.",
        ["50034"] = "The user account does not exist in this tenant. Check the account and -TenantId.",
        ["50020"] = "The signed-in account has no access to this tenant (no guest account or delegated admin relationship there). Ask the tenant's administrator for access, or sign in to that tenant with an account of its own.",
        ["500011"] = "Microsoft Graph is not known to this tenant's cloud. Check -Environment.",
        ["70011"] = "The requested scope is not valid for this sign-in. Check -Environment and -GraphEndpoint.",
        ["1002012"] = "The requested scope is not valid for this sign-in. Check -Environment and -GraphEndpoint.",
        ["70043"] = "The sign-in session has expired. Run Connect-SupportAccess again.",
        ["700082"] = "The sign-in session has expired. Run Connect-SupportAccess again.",
        ["50173"] = "The sign-in session was revoked. Run Connect-SupportAccess again.",
    };

    public static bool IsSignInFailure(Exception exception) =>
        exception is AuthenticationFailedException or CredentialUnavailableException or AuthenticationRequiredException;

    public static ModuleException ToModuleException(Exception exception, SignInMethod method)
    {
        string how = Describe(method);
        if (exception is AuthenticationRequiredException && !EntraCode.IsMatch(FindDetail(exception)))
        {
            // Another tenant's token asked for silently, after the one sign-in: without Entra's
            // reason, say what happened rather than Azure.Identity's advice to call Authenticate.
            return new ModuleException("SignInRequired", ErrorCategory.AuthenticationError,
                $"No token could be had {how} for this tenant without signing in again. Connect to this tenant on its own (Connect-SupportAccess -TenantId <tenant>), with an account that has access there.");
        }

        if (exception is CredentialUnavailableException unavailable and not AuthenticationRequiredException)
        {
            return new ModuleException("SignInUnavailable", ErrorCategory.AuthenticationError,
                $"Sign-in {how} is not available here: {FirstLine(unavailable.Message)} {UnavailableFix(method)}".TrimEnd());
        }

        string detail = FindDetail(exception);
        Match match = EntraCode.Match(detail);
        string message = match.Success
            ? $"Sign-in {how} failed with AADSTS{match.Groups["code"].Value}: {Sentence(match.Groups["text"].Value)}"
                + (FixByCode.TryGetValue(match.Groups["code"].Value, out string? fix) ? $" {fix}" : "")
            : $"Sign-in {how} failed: {EndSentence(Sentence(detail))}{TransportFix(exception)}";
        // No inner exception: its stack trace and the library's diagnostics stay out of the error record.
        return new ModuleException("SignInFailed", ErrorCategory.AuthenticationError, message);
    }

    private static string Describe(SignInMethod method) => method switch
    {
        SignInMethod.Interactive => "in the browser",
        SignInMethod.DeviceCode => "with a device code",
        SignInMethod.ClientSecret => "with a client secret",
        SignInMethod.Certificate => "with a certificate",
        SignInMethod.ManagedIdentity => "with the managed identity",
        SignInMethod.FederatedToken => "with a federated token",
        SignInMethod.AzureCli => "through the Azure CLI",
        _ => "with an access token",
    };

    private static string UnavailableFix(SignInMethod method) => method switch
    {
        SignInMethod.ManagedIdentity => "Run where a managed identity is enabled (Azure Automation, a VM, App Service, Functions, Arc), or sign in another way.",
        SignInMethod.AzureCli => "Install the Azure CLI and run 'az login' first, or sign in another way.",
        SignInMethod.FederatedToken => "Check the token file and the client and tenant ids.",
        _ => "",
    };

    /// <summary>The innermost message that names an Entra error, else the outermost message.</summary>
    private static string FindDetail(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (EntraCode.IsMatch(current.Message))
            {
                return current.Message;
            }
        }

        Exception innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }

    /// <summary>A TLS or network failure reaching the authority says so, rather than "authentication failed".</summary>
    private static string TransportFix(Exception exception)
    {
        if (Find<System.Security.Authentication.AuthenticationException>(exception))
        {
            return " The sign-in authority's TLS certificate is not trusted by this machine. Check -AuthorityHost, or trust its certificate authority.";
        }

        return Find<System.Net.Http.HttpRequestException>(exception)
            ? " The sign-in authority could not be reached. Check the network, any proxy, and -AuthorityHost."
            : "";
    }

    private static bool Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T)
            {
                return true;
            }
        }

        return false;
    }

    private static string EndSentence(string text) =>
        text.Length == 0 || text.EndsWith('.') ? text : text + ".";

    private static string FirstLine(string text)
    {
        int end = text.AsSpan().IndexOfAny('\r', '\n');
        return (end < 0 ? text : text.Substring(0, end)).Trim();
    }

    /// <summary>The first line, without the trace and correlation ids Entra appends.</summary>
    private static string Sentence(string text)
    {
        string line = FirstLine(text);
        int trace = line.IndexOf(" Trace ID:", StringComparison.Ordinal);
        return (trace < 0 ? line : line.Substring(0, trace)).Trim();
    }
}

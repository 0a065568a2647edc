using System;
using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace SupportAccessLogs.Auth;

/// <summary>How Connect-SupportAccess signs in; one value per parameter set.</summary>
internal enum SignInMethod
{
    AccessToken,
    Interactive,
    DeviceCode,
    ClientSecret,
    Certificate,
    ManagedIdentity,
    FederatedToken,
    AzureCli,
}

/// <summary>What Connect-SupportAccess was asked for, resolved and typed, before any credential
/// exists. Secrets stay in SecureString or certificate objects.</summary>
internal sealed class SignInRequest
{
    public SignInMethod Method { get; init; }
    public string? TenantId { get; init; }
    /// <summary>Tenants besides <see cref="TenantId"/> to connect to with the same credential
    /// (Connect-SupportAccess -TenantId with several values); empty for one tenant.</summary>
    public string[] OtherTenants { get; init; } = Array.Empty<string>();
    public string? ClientId { get; init; }
    public GraphEnvironment Environment { get; init; } = GraphEnvironment.Global;
    public Uri? GraphEndpoint { get; init; }
    /// <summary>The Log Analytics query API for -WorkspaceId; null for the cloud's.</summary>
    public Uri? LogAnalyticsEndpoint { get; init; }
    /// <summary>An authority other than the cloud's own (a private or sovereign one).</summary>
    public Uri? AuthorityHost { get; init; }
    public SecureString? ClientSecret { get; init; }
    public X509Certificate2? Certificate { get; init; }
    /// <summary>True when the module loaded <see cref="Certificate"/> (from a file or a store) and
    /// so must dispose it; false for a certificate object the caller passed in.</summary>
    public bool OwnsCertificate { get; init; }
    public string? FederatedTokenFile { get; init; }

    /// <summary>User sign-in (interactive, device code) asks for delegated scopes; every other
    /// method signs in as an application or identity and asks for the app's granted permissions.</summary>
    public bool IsDelegated => Method is SignInMethod.Interactive or SignInMethod.DeviceCode;

    /// <summary>True when one credential connects to several tenants.</summary>
    public bool IsMultiTenant => OtherTenants.Length > 0;
}

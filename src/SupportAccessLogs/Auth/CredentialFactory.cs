using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using SupportAccessLogs.Graph;

namespace SupportAccessLogs.Auth;

/// <summary>Builds the Azure.Identity credential for a sign-in request. The only place that
/// knows which credential type and which options each Connect-SupportAccess set means.</summary>
internal static class CredentialFactory
{
    /// <summary>
    /// "Microsoft Graph Command Line Tools", Microsoft's public client for Graph scripts: any
    /// tenant can consent to the delegated Graph scopes it asks for, so interactive and
    /// device-code sign-in work without registering an app. Pass -ClientId to use your own.
    /// </summary>
    public const string DefaultPublicClientId = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

    /// <summary>Azure.Identity's own environment variables for workload identity federation.</summary>
    public const string FederatedTokenFileVariable = "AZURE_FEDERATED_TOKEN_FILE";
    public const string ClientIdVariable = "AZURE_CLIENT_ID";
    public const string TenantIdVariable = "AZURE_TENANT_ID";

    public static TokenCredential Create(SignInRequest request, Action<string> showDeviceCode) => request.Method switch
    {
        SignInMethod.Interactive => new InteractiveBrowserCredential(InteractiveOptions(request)),
        SignInMethod.DeviceCode => new DeviceCodeCredential(DeviceCodeOptions(request, showDeviceCode)),
        SignInMethod.ClientSecret => new ClientSecretCredential(
            Require(request.TenantId, "-TenantId"),
            Require(request.ClientId, "-ClientSecretCredential user name (the application id)"),
            new NetworkCredential(string.Empty, request.ClientSecret).Password,
            Configure(new ClientSecretCredentialOptions(), request)),
        SignInMethod.Certificate => new ClientCertificateCredential(
            Require(request.TenantId, "-TenantId"),
            Require(request.ClientId, "-ClientId"),
            request.Certificate ?? throw new ArgumentException("A certificate is required."),
            Configure(new ClientCertificateCredentialOptions(), request)),
        SignInMethod.ManagedIdentity => new ManagedIdentityCredential(
            string.IsNullOrEmpty(request.ClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(request.ClientId)),
        SignInMethod.FederatedToken => new WorkloadIdentityCredential(WorkloadIdentityOptions(request)),
        SignInMethod.AzureCli => AzureCli(request),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.Method, "This sign-in method has no credential."),
    };

    private static AzureCliCredential AzureCli(SignInRequest request)
    {
        var options = new AzureCliCredentialOptions { TenantId = request.TenantId };
        foreach (string tenant in request.OtherTenants)
        {
            options.AdditionallyAllowedTenants.Add(tenant);
        }

        return new AzureCliCredential(options);
    }

    public static InteractiveBrowserCredentialOptions InteractiveOptions(SignInRequest request) =>
        Configure(new InteractiveBrowserCredentialOptions
        {
            ClientId = request.ClientId ?? DefaultPublicClientId,
            TenantId = request.TenantId ?? "organizations",
            // Public clients registered for desktop use redirect to a loopback listener.
            RedirectUri = new Uri("http://localhost"),
        }, request);

    public static DeviceCodeCredentialOptions DeviceCodeOptions(SignInRequest request, Action<string> showDeviceCode) =>
        Configure(new DeviceCodeCredentialOptions
        {
            ClientId = request.ClientId ?? DefaultPublicClientId,
            TenantId = request.TenantId ?? "organizations",
            DeviceCodeCallback = (info, _) =>
            {
                showDeviceCode(info.Message);
                return Task.CompletedTask;
            },
        }, request);

    public static WorkloadIdentityCredentialOptions WorkloadIdentityOptions(SignInRequest request)
    {
        string tokenFile = request.FederatedTokenFile
            ?? Environment.GetEnvironmentVariable(FederatedTokenFileVariable)
            ?? throw new ModuleException("FederatedTokenMissing", ErrorCategory.InvalidArgument,
                $"No federated token: pass -FederatedTokenFile, or set {FederatedTokenFileVariable} (as Kubernetes workload identity does).");
        if (!File.Exists(tokenFile))
        {
            throw new ModuleException("FederatedTokenFileNotFound", ErrorCategory.ObjectNotFound,
                $"The federated token file '{tokenFile}' does not exist. Write the pipeline's OIDC token there before connecting.", tokenFile);
        }

        return Configure(new WorkloadIdentityCredentialOptions
        {
            TokenFilePath = tokenFile,
            ClientId = request.ClientId ?? Environment.GetEnvironmentVariable(ClientIdVariable)
                ?? throw Missing("-ClientId", ClientIdVariable),
            TenantId = request.TenantId ?? Environment.GetEnvironmentVariable(TenantIdVariable)
                ?? throw Missing("-TenantId", TenantIdVariable),
        }, request);
    }

    /// <summary>The authority and instance discovery, the same for every credential that signs in
    /// against Entra itself.</summary>
    private static T Configure<T>(T options, SignInRequest request)
        where T : TokenCredentialOptions
    {
        Uri authority = request.AuthorityHost ?? SignInClouds.AuthorityHost(request.Environment);
        options.AuthorityHost = authority;
        // Instance discovery asks Microsoft's endpoint about the authority; a private authority
        // is unknown there and discovery would fail or leak its name.
        bool discover = SignInClouds.IsMicrosoftAuthority(authority);
        // One credential, several tenants: a token for each is asked for by tenant id, which the
        // credential refuses unless the tenant is allowed here.
        IList<string>? allowed = null;
        switch (options)
        {
            case InteractiveBrowserCredentialOptions o:
                o.DisableInstanceDiscovery = !discover;
                allowed = o.AdditionallyAllowedTenants;
                // Signed in once (the first tenant, explicitly): another tenant's token comes
                // silently or not at all, never through a second browser window.
                o.DisableAutomaticAuthentication = request.IsMultiTenant;
                break;
            case DeviceCodeCredentialOptions o:
                o.DisableInstanceDiscovery = !discover;
                allowed = o.AdditionallyAllowedTenants;
                o.DisableAutomaticAuthentication = request.IsMultiTenant;
                break;
            case ClientSecretCredentialOptions o: o.DisableInstanceDiscovery = !discover; allowed = o.AdditionallyAllowedTenants; break;
            case ClientCertificateCredentialOptions o: o.DisableInstanceDiscovery = !discover; allowed = o.AdditionallyAllowedTenants; break;
            case WorkloadIdentityCredentialOptions o: o.DisableInstanceDiscovery = !discover; allowed = o.AdditionallyAllowedTenants; break;
        }

        if (allowed is not null)
        {
            foreach (string tenant in request.OtherTenants)
            {
                allowed.Add(tenant);
            }
        }

        return options;
    }

    private static string Require(string? value, string name) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ModuleException("SignInParameterMissing", ErrorCategory.InvalidArgument, $"{name} is required for this sign-in.")
            : value!;

    private static ModuleException Missing(string parameter, string variable) =>
        new("SignInParameterMissing", ErrorCategory.InvalidArgument,
            $"Federated sign-in needs {parameter}, or the environment variable {variable}.");
}

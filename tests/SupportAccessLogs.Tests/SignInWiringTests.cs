using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// What each Connect-SupportAccess sign-in turns into before any network call: credential type,
/// client id, tenant, authority, instance discovery and scopes. The flows themselves run for real
/// against the emulator's authority in the Pester tests; interactive browser sign-in can't run
/// here, so its wiring is checked only here.
/// </summary>
public class SignInWiringTests
{
    private const string Tenant = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string AppId = "0f3c1c9e-5b7d-4e2a-9c8b-7a6d5e4f3a2b";

    private static SignInRequest Request(SignInMethod method, GraphEnvironment environment = GraphEnvironment.Global,
        string? tenantId = null, string? clientId = null, Uri? authorityHost = null) =>
        new()
        {
            Method = method,
            Environment = environment,
            TenantId = tenantId,
            ClientId = clientId,
            AuthorityHost = authorityHost,
        };

    [Theory]
    [InlineData(GraphEnvironment.Global, "https://graph.microsoft.com")]
    [InlineData(GraphEnvironment.USGov, "https://graph.microsoft.us")]
    [InlineData(GraphEnvironment.USGovDoD, "https://dod-graph.microsoft.us")]
    public void Scopes_UserSignIn_AsksForTheTwoAuditPermissionsOnTheCloudsGraph(GraphEnvironment environment, string graph)
    {
        foreach (SignInMethod method in new[] { SignInMethod.Interactive, SignInMethod.DeviceCode })
        {
            Assert.Equal(new[] { $"{graph}/AuditLog.Read.All", $"{graph}/Directory.Read.All" },
                TenantSignIn.GraphScopes(Request(method, environment)));
        }
    }

    [Theory]
    [InlineData(nameof(SignInMethod.ClientSecret))]
    [InlineData(nameof(SignInMethod.Certificate))]
    [InlineData(nameof(SignInMethod.ManagedIdentity))]
    [InlineData(nameof(SignInMethod.FederatedToken))]
    [InlineData(nameof(SignInMethod.AzureCli))]
    public void Scopes_AppSignIn_AsksForDotDefault(string methodName)
    {
        // The enum is internal, so the theory takes its name.
        var method = Enum.Parse<SignInMethod>(methodName);
        Assert.Equal(new[] { "https://graph.microsoft.com/.default" }, TenantSignIn.GraphScopes(Request(method)));
        Assert.Equal(new[] { "https://graph.microsoft.us/.default" }, TenantSignIn.GraphScopes(Request(method, GraphEnvironment.USGov)));
    }

    [Fact]
    public void InteractiveOptions_Defaults_UseGraphCommandLineToolsAndOrganizations()
    {
        InteractiveBrowserCredentialOptions options = CredentialFactory.InteractiveOptions(Request(SignInMethod.Interactive));

        Assert.Equal("14d82eec-204b-4c2f-b7e8-296a70dab67e", options.ClientId);
        Assert.Equal(CredentialFactory.DefaultPublicClientId, options.ClientId);
        Assert.Equal("organizations", options.TenantId);
        Assert.Equal(new Uri("https://login.microsoftonline.com/"), options.AuthorityHost);
        Assert.False(options.DisableInstanceDiscovery);
        Assert.Equal(new Uri("http://localhost"), options.RedirectUri);
    }

    [Fact]
    public void InteractiveOptions_OwnAppAndTenant_ArePassedThrough()
    {
        InteractiveBrowserCredentialOptions options = CredentialFactory.InteractiveOptions(
            Request(SignInMethod.Interactive, GraphEnvironment.USGov, Tenant, AppId));

        Assert.Equal(AppId, options.ClientId);
        Assert.Equal(Tenant, options.TenantId);
        Assert.Equal(new Uri("https://login.microsoftonline.us/"), options.AuthorityHost);
    }

    [Fact]
    public void InteractiveOptions_PrivateAuthority_TurnsInstanceDiscoveryOff()
    {
        var authority = new Uri("https://login.contoso-sovereign.example/");
        InteractiveBrowserCredentialOptions options = CredentialFactory.InteractiveOptions(
            Request(SignInMethod.Interactive, authorityHost: authority));

        Assert.Equal(authority, options.AuthorityHost);
        Assert.True(options.DisableInstanceDiscovery);
    }

    [Fact]
    public void Create_Interactive_IsAnInteractiveBrowserCredential()
    {
        TokenCredential credential = CredentialFactory.Create(Request(SignInMethod.Interactive), _ => { });
        Assert.IsType<InteractiveBrowserCredential>(credential);
    }

    [Fact]
    public void DeviceCodeOptions_Defaults_UseThePublicClientAndHaveAPrompt()
    {
        // The prompt itself is exercised end to end by the Pester device-code flow: Azure.Identity
        // offers no public way to build the DeviceCodeInfo it passes to the callback.
        DeviceCodeCredentialOptions options = CredentialFactory.DeviceCodeOptions(Request(SignInMethod.DeviceCode), _ => { });

        Assert.Equal(CredentialFactory.DefaultPublicClientId, options.ClientId);
        Assert.Equal("organizations", options.TenantId);
        Assert.NotNull(options.DeviceCodeCallback);
        Assert.False(options.DisableInstanceDiscovery);
    }

    [Fact]
    public void WorkloadIdentityOptions_MissingTokenFile_NamesTheFile()
    {
        string missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "token");
        var request = new SignInRequest { Method = SignInMethod.FederatedToken, TenantId = Tenant, ClientId = AppId, FederatedTokenFile = missing };

        ModuleException error = Assert.Throws<ModuleException>(() => CredentialFactory.WorkloadIdentityOptions(request));
        Assert.Equal("FederatedTokenFileNotFound", error.ErrorId);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void WorkloadIdentityOptions_TokenFile_IsUsedWithTheGivenIds()
    {
        string file = Path.GetTempFileName();
        try
        {
            var request = new SignInRequest
            {
                Method = SignInMethod.FederatedToken,
                TenantId = Tenant,
                ClientId = AppId,
                FederatedTokenFile = file,
                AuthorityHost = new Uri("https://127.0.0.1:8443/"),
            };

            WorkloadIdentityCredentialOptions options = CredentialFactory.WorkloadIdentityOptions(request);
            Assert.Equal(file, options.TokenFilePath);
            Assert.Equal(AppId, options.ClientId);
            Assert.Equal(Tenant, options.TenantId);
            Assert.True(options.DisableInstanceDiscovery);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SignIn_HttpAuthority_IsRefusedBeforeAnyRequest()
    {
        var request = new SignInRequest
        {
            Method = SignInMethod.ClientSecret,
            TenantId = Tenant,
            ClientId = AppId,
            ClientSecret = new System.Net.NetworkCredential("", "not-used").SecurePassword,
            AuthorityHost = new Uri("http://login.contoso.example/"),
        };

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(
            () => TenantSignIn.SignInAsync(request, _ => { }, CancellationToken.None));
        Assert.Equal("AuthorityHostNotHttps", error.ErrorId);
    }

    [Fact]
    public void SignInErrors_KnownEntraCode_NamesCodeAndFixWithoutTraceIds()
    {
        var failure = new AuthenticationFailedException(
            "ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value. Trace ID: 0c1d Correlation ID: 9e8f Timestamp: 2026-11-26 08:00:00Z\r\nSee the troubleshooting guide for more information. https://aka.ms/azsdk/net/identity/clientsecretcredential/troubleshoot");

        ModuleException error = SignInErrors.ToModuleException(failure, SignInMethod.ClientSecret);

        Assert.Equal("SignInFailed", error.ErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, error.Category);
        Assert.Contains("AADSTS7000215", error.Message);
        Assert.Contains("client secret", error.Message);
        Assert.Contains("Value", error.Message);
        Assert.DoesNotContain("Trace ID", error.Message);
        Assert.DoesNotContain("troubleshoot", error.Message);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public void SignInErrors_CodeInInnerException_IsFound()
    {
        var failure = new AuthenticationFailedException("ClientCertificateCredential authentication failed.",
            new InvalidOperationException("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."));

        ModuleException error = SignInErrors.ToModuleException(failure, SignInMethod.Certificate);

        Assert.Contains("AADSTS700027", error.Message);
        Assert.Contains("Upload its public key", error.Message);
    }

    [Fact]
    public void SignInErrors_CredentialUnavailable_SaysWhereItWorks()
    {
        var failure = new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint.");

        ModuleException error = SignInErrors.ToModuleException(failure, SignInMethod.ManagedIdentity);

        Assert.Equal("SignInUnavailable", error.ErrorId);
        Assert.Contains("Azure Automation", error.Message);
    }

    [Fact]
    public async Task CredentialTokenProvider_ReusesATokenUntilItIsDueThenRenews()
    {
        var credential = new CountingCredential(lifetime: TimeSpan.FromHours(1));
        var provider = new CredentialTokenProvider(credential, new[] { "https://graph.microsoft.com/.default" }, Tenant,
            SignInMethod.ClientSecret, new Uri("https://graph.microsoft.com/v1.0/"));

        string first = await provider.GetTokenAsync(CancellationToken.None);
        string again = await provider.GetTokenAsync(CancellationToken.None);
        Assert.Equal(first, again);
        Assert.Equal(1, credential.Calls);

        // A token inside the five-minute margin is due at once.
        credential.Lifetime = TimeSpan.FromMinutes(4);
        var shortLived = new CredentialTokenProvider(credential, new[] { "https://graph.microsoft.com/.default" }, Tenant,
            SignInMethod.ClientSecret, new Uri("https://graph.microsoft.com/v1.0/"));
        await shortLived.GetTokenAsync(CancellationToken.None);
        await shortLived.GetTokenAsync(CancellationToken.None);
        Assert.Equal(3, credential.Calls);
    }

    [Fact]
    public async Task CredentialTokenProvider_OtherHost_GetsNoTokenAndNoSignIn()
    {
        var credential = new CountingCredential(TimeSpan.FromHours(1));
        var provider = new CredentialTokenProvider(credential, new[] { "https://graph.microsoft.com/.default" }, Tenant,
            SignInMethod.ClientSecret, new Uri("https://graph.microsoft.com/v1.0/"));

        string token = await provider.GetAuthorizationTokenAsync(new Uri("https://evil.example/v1.0/auditLogs/directoryAudits"));

        Assert.Equal(string.Empty, token);
        Assert.Equal(0, credential.Calls);
    }

    /// <summary>An Azure.Core credential (the library's abstraction, not ours) that counts the tokens it issues.</summary>
    private sealed class CountingCredential : TokenCredential
    {
        public CountingCredential(TimeSpan lifetime) => Lifetime = lifetime;

        public TimeSpan Lifetime { get; set; }
        public int Calls { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new($"token-{++Calls}", DateTimeOffset.UtcNow + Lifetime);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}

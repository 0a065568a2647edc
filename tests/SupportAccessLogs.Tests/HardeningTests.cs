using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Commands;
using SupportAccessLogs.Connections;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;
using SupportAccessLogs.Records;
using SupportAccessLogs.Loader;
using SupportAccessLogs.Roles;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>What a security read of the code asked for: where the token may go, what a server can
/// make the module hold or print, and what the module loads and keeps.</summary>
public class HardeningTests
{
    // ---- where the token goes ----

    [Theory]
    [InlineData("http://127.0.0.1:5000/v1.0/auditLogs/directoryAudits", true)]
    [InlineData("http://127.0.0.1:5001/v1.0/auditLogs/directoryAudits", false)]
    [InlineData("https://127.0.0.1:5000/v1.0/auditLogs/directoryAudits", false)]
    [InlineData("http://localhost:5000/v1.0/auditLogs/directoryAudits", false)]
    public async Task TokenProvider_OnlyTheConnectionsSchemeHostAndPortGetTheToken(string url, bool getsToken)
    {
        var provider = new StaticAccessTokenProvider("the-token", null, new Uri("http://127.0.0.1:5000/v1.0/"));

        string token = await provider.GetAuthorizationTokenAsync(new Uri(url));

        Assert.Equal(getsToken ? "the-token" : "", token);
    }

    [Fact]
    public void NextLink_AlreadyFollowed_StopsInsteadOfLooping()
    {
        var endpoint = new Uri("http://127.0.0.1:5000/v1.0/");
        var links = new NextLinkTracker(endpoint);
        var first = new Uri(endpoint, "auditLogs/directoryAudits?$top=999");
        Uri second = links.Follow("http://127.0.0.1:5000/v1.0/auditLogs/directoryAudits?$skiptoken=a", first);
        Uri third = links.Follow("http://127.0.0.1:5000/v1.0/auditLogs/directoryAudits?$skiptoken=b", second);

        ModuleException toItself = Assert.Throws<ModuleException>(() => links.Follow(third.AbsoluteUri, third));
        ModuleException backToFirst = Assert.Throws<ModuleException>(() => new NextLinkTracker(endpoint).Follow(first.AbsoluteUri, first));

        Assert.Equal("GraphNextLinkRepeated", toItself.ErrorId);
        Assert.Equal("GraphNextLinkRepeated", backToFirst.ErrorId);
        Assert.DoesNotContain("skiptoken", toItself.Message);
    }

    [Theory]
    [InlineData("http://user:s3cret@127.0.0.1:5000/")]
    [InlineData("https://s3cret@graph.microsoft.com/")]
    public void GraphEndpoint_WithUserInfo_RefusedWithoutEchoingIt(string endpoint)
    {
        ModuleException error = Assert.Throws<ModuleException>(() =>
            TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, new Uri(endpoint)));

        Assert.Equal("GraphEndpointRefused", error.ErrorId);
        Assert.Contains("user name or password", error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.DoesNotContain("s3cret", error.Target?.ToString() ?? "");
        Assert.DoesNotContain("s3cret", ErrorRecords.ToErrorRecord(error, null).ToString());
    }

    [Fact]
    public async Task AuthorityHost_WithUserInfo_RefusedWithoutEchoingIt()
    {
        var request = new SignInRequest
        {
            Method = SignInMethod.ClientSecret,
            TenantId = DemoTenant.TenantId,
            ClientId = "11111111-2222-4333-8444-555555555555",
            AuthorityHost = new Uri("https://admin:s3cret@login.example/"),
        };

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => TenantSignIn.SignInAsync(request, _ => { }, CancellationToken.None));

        Assert.Equal("AuthorityHostRefused", error.ErrorId);
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.DoesNotContain("s3cret", error.Target?.ToString() ?? "");
    }

    // ---- what a server can make the module hold ----

    [Fact]
    public void PageReader_RecordLargerThanTheLimit_ClearErrorNotRetried()
    {
        string huge = Records.Json(additionalDetails: Records.Details(("Blob", new string('x', 300_000))));
        var reader = new AuditPageReader(new ResponseLimits(maxRecordBytes: 256 * 1024, maxPageBytes: 64L * 1024 * 1024));

        ResponseTooLargeException error = Assert.Throws<ResponseTooLargeException>(() => Read(reader, Records.Page(Records.Json(id: "small"), huge)));

        Assert.Contains("256 KiB", error.Message.Replace("262144 bytes", "256 KiB"));
        Assert.False(PageRetryPolicy.IsTransient(error, timedOut: false));
        Assert.Equal("GraphResponseTooLarge", ErrorRecords.ToErrorRecord(error, new Uri("http://127.0.0.1/v1.0/auditLogs/directoryAudits")).FullyQualifiedErrorId);
    }

    [Fact]
    public void PageReader_PageLargerThanTheLimit_ClearError()
    {
        string[] records = Enumerable.Range(0, 200).Select(i => Records.Json(id: $"rec-{i}")).ToArray();
        var reader = new AuditPageReader(new ResponseLimits(maxRecordBytes: 64 * 1024, maxPageBytes: 32 * 1024));

        Assert.Throws<ResponseTooLargeException>(() => Read(reader, Records.Page(records)));
    }

    [Fact]
    public void PageReader_RecordWithinTheLimits_ReadWhole()
    {
        string large = Records.Json(id: "large", additionalDetails: Records.Details(("Blob", new string('x', 300_000))));

        List<ParsedAuditRecord> records = Records.ReadPage(Records.Page(large), out _);

        Assert.Equal("large", Assert.Single(records).Record.Id);
    }

    [Fact]
    public void PageReader_LargeRecordArrivingByteByByte_ParsedALogarithmicNumberOfTimes()
    {
        // 200 KB arriving one byte per read: parsing again after every read (as before) would
        // parse the growing record about 200,000 times, 20 GB of scanning in all.
        string large = Records.Json(id: "large", additionalDetails: Records.Details(("Blob", new string('x', 200_000))));
        byte[] page = Encoding.UTF8.GetBytes(Records.Page(large, Records.Json(id: "after")));
        var reader = new AuditPageReader();

        List<ParsedAuditRecord> records = Read(reader, new TrickleStream(page, maxChunk: 1, seed: 1));

        Assert.Equal(new[] { "large", "after" }, records.Select(r => r.Record.Id));
        Assert.InRange(reader.ParseAttempts, 1, 64);
    }

    [Fact]
    public void PageReader_ManySmallRecordsInSmallChunks_EachStillArrives()
    {
        string[] json = Enumerable.Range(0, 300).Select(i => Records.Json(id: $"rec-{i}")).ToArray();
        byte[] page = Encoding.UTF8.GetBytes(Records.Page(json));

        List<ParsedAuditRecord> records = Read(new AuditPageReader(), new TrickleStream(page, maxChunk: 7, seed: 3));

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"rec-{i}"), records.Select(r => r.Record.Id));
    }

    [Fact]
    public async Task RoleRead_DirectoryTooSlow_TimesOutNamingTheEndpoint()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { DirectoryDelayMs = 10_000 });
        using SupportAccessConnection connection = TenantSignIn.FromAccessToken(TestTokens.DemoAdmin(), DemoTenant.TenantId, GraphEnvironment.Global, server.BaseAddress);
        var directory = new RoleDirectory(TenantClients.Of(connection).Graph, pageTimeout: TimeSpan.FromMilliseconds(500));

        ModuleException error = await Assert.ThrowsAsync<ModuleException>(() => directory.GetRoleDefinitionsAsync(CancellationToken.None));

        Assert.Equal("GraphTimeout", error.ErrorId);
        Assert.Contains("roleManagement/directory/roleDefinitions", error.Message);
    }

    // ---- role wildcards without a regex ----

    [Theory]
    [InlineData("microsoft.azure.supportTickets/allEntities/allTasks", true)]
    [InlineData("MICROSOFT.AZURE.SUPPORTTICKETS/ALLENTITIES/ALLTASKS", true)]
    [InlineData("microsoft.azure.supportTickets/*", true)]
    [InlineData("microsoft.azure.*/allEntities/allTasks", true)]
    [InlineData("*", true)]
    [InlineData("**", true)]
    [InlineData("*/*/*", true)]
    [InlineData("microsoft.azure.supportTickets/allEntities/allTasks*", true)]
    [InlineData("*allTasks", true)]
    [InlineData("microsoft.azure.supportTickets/allEntities/read", false)]
    [InlineData("microsoft.azure.supportTickets/allEntities/allTasks/x", false)]
    [InlineData("microsoft.azure.supportTicket/*", false)]
    [InlineData("microsoft.directory/*", false)]
    [InlineData("*readOnly", false)]
    [InlineData("microsoft.azure.supportTickets.allEntities.allTasks", false)]
    [InlineData("microsoft.azure.support[Tt]ickets/*", false)]
    [InlineData("microsoft.azure.supportTickets/allEntities/allTask?", false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    public void ActionCovers_GlobStarOnly_IgnoringCase(string granted, bool covers)
    {
        Assert.Equal(covers, DirectoryRoleRules.ActionCovers(granted, DirectoryRoleRules.ManageSupportAccessAction));
    }

    [Fact]
    public void ActionCovers_ManyStarsAgainstALongAction_Terminates()
    {
        // With a backtracking regex built from this text, Windows PowerShell's engine runs for
        // hours; the glob matcher takes at most length × length steps.
        string granted = string.Concat(Enumerable.Repeat("*a", 40)) + "*b";
        string required = new string('a', 5_000);

        Assert.False(DirectoryRoleRules.ActionCovers(granted, required));
        Assert.True(DirectoryRoleRules.ActionCovers(granted, required + "b"));
    }

    // ---- what the console shows of server text ----

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("red \u001b[31mRED\u001b[0m done", "red RED done")]
    [InlineData("clear\u001b[2J\u001b[Hscreen", "clearscreen")]
    [InlineData("title \u001b]0;pwned\u0007set", "title set")]
    [InlineData("title \u001b]2;pwned\u001b\\set", "title set")]
    [InlineData("c1 \u009b31mcsi", "c1 csi")]
    [InlineData("bell\u0007 back\bspace nul\0", "bell backspace nul")]
    [InlineData("over\rwrite", "over write")]
    [InlineData("line\nbreak\ttab", "line\nbreak\ttab")]
    [InlineData("bidi \u202Eevil\u202C text", "bidi evil text")]
    [InlineData("Zoë 田中 🚀", "Zoë 田中 🚀")]
    [InlineData("dangling \u001b", "dangling ")]
    [InlineData("dangling csi \u001b[31", "dangling csi ")]
    public void ServerText_ControlSequencesRemoved(string text, string shown)
    {
        Assert.Equal(shown, ServerText.Clean(text));
    }

    [Fact]
    public void ErrorRecord_ServerMessageWithEscapes_ShownClean()
    {
        var error = new ModuleException("Test", ErrorCategory.InvalidData, "Server said \u001b[2J\u001b]0;pwned\u0007\u001b[31mred\u001b[0m");

        ErrorRecord record = ErrorRecords.ToErrorRecord(error, null);

        Assert.Equal("Server said red", record.ErrorDetails.Message);
    }

    // ---- what the module loads and keeps ----

    [Theory]
    [InlineData("Azure.Core", true)]
    [InlineData("Microsoft.Graph.Core", true)]
    [InlineData("../evil", false)]
    [InlineData("..\\evil", false)]
    [InlineData("/tmp/evil", false)]
    [InlineData("C:evil", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    public void LoadContext_RefusesAssemblyNamesWithPathParts(string name, bool plain)
    {
        Assert.Equal(plain, LoadContext.IsPlainFileName(name));
    }

    [Fact]
    public void Pfx_LoadedWithAnEphemeralKeyWhereThePlatformHasOne()
    {
        Assert.Equal(
            OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet,
            CertificateLoader.PfxKeyStorage);
    }

    [Fact]
    public void Pfx_FromFile_HasItsPrivateKeyInMemory()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sal-{Guid.NewGuid():N}.pfx");
        using (RSA key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=SupportAccessLogs test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllBytes(path, created.Export(X509ContentType.Pfx));
        }

        try
        {
            using X509Certificate2 loaded = CertificateLoader.FromFile(path, null);

            Assert.True(loaded.HasPrivateKey);
            using RSA? privateKey = loaded.GetRSAPrivateKey();
            Assert.NotNull(privateKey!.SignData(new byte[] { 1, 2, 3 }, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SignIn_Fails_OnlyACertificateTheModuleLoadedIsDisposed(bool ownedByTheModule)
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 certificate = new CertificateRequest("CN=SupportAccessLogs test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var request = new SignInRequest
        {
            Method = SignInMethod.Certificate,
            TenantId = DemoTenant.TenantId,
            ClientId = "11111111-2222-4333-8444-555555555555",
            // Refused before any request: the sign-in fails where a real one might.
            AuthorityHost = new Uri("http://login.example/"),
            Certificate = certificate,
            OwnsCertificate = ownedByTheModule,
        };

        await Assert.ThrowsAsync<ModuleException>(() => TenantSignIn.SignInAsync(request, _ => { }, CancellationToken.None));

        // A disposed certificate has let go of its native handle.
        Assert.Equal(ownedByTheModule, certificate.Handle == IntPtr.Zero);
    }

    // ---- helpers ----

    private static List<ParsedAuditRecord> Read(AuditPageReader reader, string page) =>
        Read(reader, new MemoryStream(Encoding.UTF8.GetBytes(page)));

    private static List<ParsedAuditRecord> Read(AuditPageReader reader, Stream stream)
    {
        return ReadAsync().GetAwaiter().GetResult();

        async Task<List<ParsedAuditRecord>> ReadAsync()
        {
            var records = new List<ParsedAuditRecord>();
            await foreach (ParsedAuditRecord record in reader.ReadAsync(stream, CancellationToken.None))
            {
                records.Add(record);
            }

            return records;
        }
    }
}

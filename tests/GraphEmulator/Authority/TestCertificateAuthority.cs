using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace GraphEmulator;

/// <summary>
/// The throwaway certificate authority behind the emulator's HTTPS authority listener: a CA and a
/// server certificate for 127.0.0.1 and localhost that it signs, generated in memory the first
/// time a server with <see cref="EmulatorOptions.EnableAuthority"/> starts, and shared by every
/// emulator of the process. Sharing matters in process: .NET on Linux reads the trust store named
/// by <c>SSL_CERT_FILE</c> once, so a test writes <see cref="CertificatePem"/> to a file and points
/// <c>SSL_CERT_FILE</c> at it before its first TLS handshake, and every later emulator is trusted too.
/// Nothing ever accepts an untrusted certificate: clients trust this CA through the platform store.
/// </summary>
public static class TestCertificateAuthority
{
    /// <summary>Subject of the CA certificate.</summary>
    public const string CaSubject = "CN=GraphEmulator Test CA, O=SupportAccessLogs tests";

    private static readonly Lazy<Pair> s_pair = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The CA certificate in PEM (public part only), for <c>SSL_CERT_FILE</c>.</summary>
    public static string CertificatePem => s_pair.Value.CaPem;

    /// <summary>The CA certificate, public part only.</summary>
    public static X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(s_pair.Value.CaDer);

    /// <summary>The server certificate (with its private key) that the authority listener presents.</summary>
    internal static X509Certificate2 ServerCertificate => s_pair.Value.Leaf;

    private sealed record Pair(byte[] CaDer, string CaPem, X509Certificate2 Leaf);

    private static Pair Create()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;

        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest(CaSubject, caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        var caSki = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddHours(-2), now.AddDays(3));

        using RSA leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leafRequest.PublicKey, false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki));

        byte[] serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F; // a positive serial number
        using X509Certificate2 leafPublic = leafRequest.Create(ca, now.AddHours(-1), now.AddDays(2), serial);
        using X509Certificate2 leafWithKey = leafPublic.CopyWithPrivateKey(leafKey);
        // A round trip through PKCS#12 gives a certificate whose key is exportable rather than
        // the ephemeral key object. Linux (OpenSSL) serves either (tried); Windows SChannel
        // refuses ephemeral keys, so the round trip keeps the emulator portable.
        X509Certificate2 leaf = X509CertificateLoader.LoadPkcs12(
            leafWithKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

        return new Pair(ca.RawData, ca.ExportCertificatePem() + "\n", leaf);
    }
}

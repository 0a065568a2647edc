using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SupportAccessLogs.Auth;

/// <summary>Finds the certificate an app signs in with: by thumbprint in the certificate stores,
/// or from a PFX or PEM file.</summary>
internal static class CertificateLoader
{
    public static X509Certificate2 FromThumbprint(string thumbprint)
    {
        string wanted = thumbprint.Replace(" ", "").Replace(":", "").ToUpperInvariant();
        foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            X509Certificate2? found = FindInStore(location, wanted);
            if (found is not null)
            {
                return RequirePrivateKey(found, $"Cert:\\{location}\\My\\{wanted}");
            }
        }

        throw new ModuleException("CertificateNotFound", ErrorCategory.ObjectNotFound,
            $"No certificate with thumbprint {wanted} is in the CurrentUser or LocalMachine 'My' store. Import it there (with its private key), or pass -CertificatePath or -Certificate instead.",
            thumbprint);
    }

    public static X509Certificate2 FromFile(string path, SecureString? password)
    {
        if (!File.Exists(path))
        {
            throw new ModuleException("CertificateFileNotFound", ErrorCategory.ObjectNotFound,
                $"The certificate file '{path}' does not exist.", path);
        }

        try
        {
            X509Certificate2 certificate = IsPem(path) ? FromPem(path, password) : FromPfx(path, password);
            return RequirePrivateKey(certificate, path);
        }
        catch (CryptographicException ex)
        {
            throw new ModuleException("CertificateUnreadable", ErrorCategory.InvalidData,
                $"The certificate file '{path}' could not be read: {ex.Message} A PFX needs the right -CertificatePassword; a PEM file must hold the certificate and its private key.",
                path);
        }
    }

    public static X509Certificate2 RequirePrivateKey(X509Certificate2 certificate, string source)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ModuleException("CertificateWithoutPrivateKey", ErrorCategory.InvalidArgument,
                $"The certificate {certificate.Thumbprint} ({source}) has no private key, so it can't sign in. Use the PFX or store entry that includes the key.",
                source);
        }

        return certificate;
    }

    private static X509Certificate2? FindInStore(StoreLocation location, string thumbprint)
    {
        try
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            X509Certificate2Collection matches = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
            return matches.Count > 0 ? matches[0] : null;
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            // Not every platform has every store (no LocalMachine\My on Linux).
            return null;
        }
    }

    private static bool IsPem(string path)
    {
        string extension = Path.GetExtension(path);
        return extension.Equals(".pem", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".crt", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".cer", StringComparison.OrdinalIgnoreCase) && File.ReadAllText(path).Contains("-----BEGIN");
    }

#if NET5_0_OR_GREATER
    private static X509Certificate2 FromPem(string path, SecureString? password) =>
        password is null
            ? X509Certificate2.CreateFromPemFile(path)
            : X509Certificate2.CreateFromEncryptedPemFile(path, Plain(password));
#else
    // .NET Framework has no PEM reader.
    private static X509Certificate2 FromPem(string path, SecureString? password) =>
        throw new ModuleException("CertificatePemNeedsPowerShell7", System.Management.Automation.ErrorCategory.InvalidArgument,
            $"'{path}' is a PEM file, which Windows PowerShell 5.1 can't read. Convert it to a .pfx (openssl pkcs12 -export) or run the command in PowerShell 7.");
#endif

    private static X509Certificate2 FromPfx(string path, SecureString? password) =>
        new(path, password, X509KeyStorageFlags.DefaultKeySet);

    private static ReadOnlySpan<char> Plain(SecureString secret) =>
        new NetworkCredential(string.Empty, secret).Password.AsSpan();
}

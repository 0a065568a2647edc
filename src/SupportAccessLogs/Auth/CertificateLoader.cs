using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Runtime.InteropServices;
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
                return RequirePrivateKeyOrDispose(found, $"Cert:\\{location}\\My\\{wanted}");
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
            return RequirePrivateKeyOrDispose(certificate, path);
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

    /// <summary>For certificates this module created: one it can't use is disposed at once.</summary>
    private static X509Certificate2 RequirePrivateKeyOrDispose(X509Certificate2 certificate, string source)
    {
        try
        {
            return RequirePrivateKey(certificate, source);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static X509Certificate2? FindInStore(StoreLocation location, string thumbprint)
    {
        try
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            // Every certificate the store hands out is a new object holding native handles:
            // all but the one kept are disposed here.
            X509Certificate2Collection all = store.Certificates;
            X509Certificate2Collection matches = all.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
            X509Certificate2? found = matches.Count > 0 ? matches[0] : null;
            DisposeAllBut(all, found);
            DisposeAllBut(matches, found);
            return found;
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            // Not every platform has every store (no LocalMachine\My on Linux).
            return null;
        }
    }

    private static void DisposeAllBut(X509Certificate2Collection certificates, X509Certificate2? kept)
    {
        foreach (X509Certificate2 certificate in certificates)
        {
            if (!ReferenceEquals(certificate, kept))
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// How a PFX's private key is loaded: ephemeral (in memory only) where the platform allows,
    /// so that signing in leaves no key file in the user's key store. macOS has no ephemeral key
    /// set; there the default applies.
    /// </summary>
    internal static X509KeyStorageFlags PfxKeyStorage =>
        RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? X509KeyStorageFlags.DefaultKeySet : EphemeralKeySet;

#if NET5_0_OR_GREATER
    private const X509KeyStorageFlags EphemeralKeySet = X509KeyStorageFlags.EphemeralKeySet;
#else
    // .NET Framework 4.7.2 (Windows PowerShell 5.1's floor) has the flag; netstandard2.0's
    // reference assemblies don't name it.
    private const X509KeyStorageFlags EphemeralKeySet = (X509KeyStorageFlags)32;
#endif

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
        new(path, password, PfxKeyStorage);

    private static ReadOnlySpan<char> Plain(SecureString secret) =>
        new NetworkCredential(string.Empty, secret).Password.AsSpan();
}

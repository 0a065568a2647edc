using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace GraphEmulator.Authority;

/// <summary>
/// A <c>client_assertion</c> JWT, decoded: a certificate credential (header <c>x5t</c>,
/// <c>x5t#S256</c> or <c>x5c</c>, signed with the certificate's key) or a federated one (a workload
/// identity provider's token, whose signature the emulator does not check).
/// </summary>
internal sealed class ClientAssertion
{
    private ClientAssertion(string[] parts, JsonElement header, JsonElement payload)
    {
        _parts = parts;
        Header = header;
        Payload = payload;
    }

    private readonly string[] _parts;

    public JsonElement Header { get; }
    public JsonElement Payload { get; }

    public string? Algorithm => String(Header, "alg");
    public string? Issuer => String(Payload, "iss");
    public string? Subject => String(Payload, "sub");

    /// <summary>The aud claim's values (a string or an array of them).</summary>
    public IReadOnlyList<string> Audiences
    {
        get
        {
            if (!Payload.TryGetProperty("aud", out JsonElement aud))
                return [];
            if (aud.ValueKind == JsonValueKind.String)
                return [aud.GetString()!];
            if (aud.ValueKind == JsonValueKind.Array)
                return aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToArray();
            return [];
        }
    }

    public DateTimeOffset? Expires => Seconds(Payload, "exp");
    public DateTimeOffset? NotBefore => Seconds(Payload, "nbf");

    /// <summary>The header names a certificate (x5t, x5t#S256 or x5c): a certificate credential, not a federated one.</summary>
    public bool NamesCertificate =>
        Header.TryGetProperty("x5t", out _) || Header.TryGetProperty("x5t#S256", out _) || Header.TryGetProperty("x5c", out _);

    public static ClientAssertion? TryParse(string assertion)
    {
        string[] parts = assertion.Split('.');
        if (parts.Length != 3)
            return null;
        try
        {
            using JsonDocument header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using JsonDocument payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            return new ClientAssertion(parts, header.RootElement.Clone(), payload.RootElement.Clone());
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The registered certificate the header names: by SHA-1 thumbprint (x5t), SHA-256 thumbprint
    /// (x5t#S256), the leaf of x5c, or a kid holding a hex thumbprint.
    /// </summary>
    public X509Certificate2? FindCertificate(IEnumerable<X509Certificate2> registered)
    {
        byte[]? sha1 = Base64UrlBytes(String(Header, "x5t"));
        byte[]? sha256 = Base64UrlBytes(String(Header, "x5t#S256"));
        byte[]? leaf = LeafFromX5c();
        string? kid = String(Header, "kid");

        foreach (X509Certificate2 certificate in registered)
        {
            if (sha1 is not null && sha1.AsSpan().SequenceEqual(certificate.GetCertHash(HashAlgorithmName.SHA1)))
                return certificate;
            if (sha256 is not null && sha256.AsSpan().SequenceEqual(certificate.GetCertHash(HashAlgorithmName.SHA256)))
                return certificate;
            if (leaf is not null && leaf.AsSpan().SequenceEqual(certificate.RawData))
                return certificate;
            if (kid is not null
                && (string.Equals(kid, certificate.GetCertHashString(HashAlgorithmName.SHA1), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(kid, certificate.GetCertHashString(HashAlgorithmName.SHA256), StringComparison.OrdinalIgnoreCase)))
                return certificate;
        }
        return null;
    }

    /// <summary>The thumbprint the client says it signed with, in hex, for error messages.</summary>
    public string ClaimedThumbprint()
    {
        byte[]? hash = Base64UrlBytes(String(Header, "x5t")) ?? Base64UrlBytes(String(Header, "x5t#S256"));
        if (hash is not null)
            return Convert.ToHexString(hash);
        byte[]? leaf = LeafFromX5c();
        return leaf is not null ? Convert.ToHexString(SHA1.HashData(leaf)) : String(Header, "kid") ?? "";
    }

    /// <summary>Checks the signature with the certificate's public key: RS/PS 256/384/512 (RSA) or ES 256/384/512 (ECDSA).</summary>
    public bool VerifySignature(X509Certificate2 certificate)
    {
        byte[] signed = Encoding.ASCII.GetBytes(_parts[0] + "." + _parts[1]);
        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(_parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        string alg = Algorithm ?? "";
        HashAlgorithmName? hash = alg.Length == 5 ? alg[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => null,
        } : null;
        if (hash is null)
            return false;

        switch (alg[..2])
        {
            case "RS" or "PS":
            {
                using RSA? rsa = certificate.GetRSAPublicKey();
                return rsa is not null && rsa.VerifyData(signed, signature, hash.Value,
                    alg[0] == 'R' ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss);
            }
            case "ES":
            {
                using ECDsa? ecdsa = certificate.GetECDsaPublicKey();
                return ecdsa is not null && ecdsa.VerifyData(signed, signature, hash.Value);
            }
            default:
                return false;
        }
    }

    /// <summary>
    /// The leaf certificate of x5c: RFC 7515 makes x5c an array of base64 DER certificates, leaf
    /// first; MSAL.NET sends the chain as one string (certificates concatenated), so a string is
    /// read as the leaf followed by the rest.
    /// </summary>
    private byte[]? LeafFromX5c()
    {
        if (!Header.TryGetProperty("x5c", out JsonElement x5c))
            return null;
        string? first = x5c.ValueKind switch
        {
            JsonValueKind.Array when x5c.GetArrayLength() > 0 && x5c[0].ValueKind == JsonValueKind.String => x5c[0].GetString(),
            JsonValueKind.String => x5c.GetString(),
            _ => null,
        };
        if (string.IsNullOrEmpty(first))
            return null;
        try
        {
            byte[] der = Convert.FromBase64String(first);
            // Only the leaf: its own DER length, in case more certificates follow in the same string.
            AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.DER, out _, out _, out int length);
            return der[..length];
        }
        catch (Exception ex) when (ex is FormatException or AsnContentException)
        {
            return null;
        }
    }

    private static byte[]? Base64UrlBytes(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        try
        {
            return Base64Url.DecodeFromChars(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Seconds(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value))
            return null;
        // A number, or (as MSAL.NET writes nbf and exp of certificate assertions) a string of digits.
        long seconds;
        bool read = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out seconds),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds),
            _ => (seconds = 0) != 0,
        };
        // Out of DateTimeOffset's range (or fractional): treated as absent.
        return read && seconds is > -62135596800 and < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
    }
}

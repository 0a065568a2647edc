using System;
using System.Security.Cryptography;
using System.Text;

namespace SupportAccessLogs.KqlRules;

/// <summary>
/// Name-based ids (RFC 4122, section 4.3, version 5): the same name always gives the same id, so
/// a parser or rule generated again keeps its id and Sentinel updates it instead of adding another.
/// </summary>
internal static class NameBasedId
{
    /// <summary>The module's own GUID (SupportAccessLogs.psd1) as the namespace: no other tool's names collide with ours.</summary>
    public static readonly Guid ModuleNamespace = new("5d0b7e3c-2f4a-4a8e-9c61-7b3e1f2d9a40");

    public static Guid Of(Guid space, string name)
    {
        byte[] spaceBytes = space.ToByteArray();
        ToNetworkOrder(spaceBytes);
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] data = new byte[spaceBytes.Length + nameBytes.Length];
        Buffer.BlockCopy(spaceBytes, 0, data, 0, spaceBytes.Length);
        Buffer.BlockCopy(nameBytes, 0, data, spaceBytes.Length, nameBytes.Length);

        byte[] hash;
#pragma warning disable CA5350, CA1850 // RFC 4122 fixes SHA-1 for version 5: it derives an id and protects nothing; netstandard2.0 has no SHA1.HashData.
        using (var sha1 = SHA1.Create())
        {
            hash = sha1.ComputeHash(data);
        }
#pragma warning restore CA5350, CA1850

        byte[] id = new byte[16];
        Buffer.BlockCopy(hash, 0, id, 0, 16);
        id[6] = (byte)((id[6] & 0x0F) | 0x50); // version 5
        id[8] = (byte)((id[8] & 0x3F) | 0x80); // the RFC 4122 variant
        ToNetworkOrder(id); // back to Guid's own byte order
        return new Guid(id);
    }

    /// <summary>Guid stores its first three fields little-endian; RFC 4122 hashes them big-endian.</summary>
    private static void ToNetworkOrder(byte[] guid)
    {
        Array.Reverse(guid, 0, 4);
        Array.Reverse(guid, 4, 2);
        Array.Reverse(guid, 6, 2);
    }
}

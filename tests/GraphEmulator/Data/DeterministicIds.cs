using System;

namespace GraphEmulator.Data;

/// <summary>
/// GUIDs from the seed, never from Guid.NewGuid, so a seed names the same records every run.
/// </summary>
internal static class DeterministicIds
{
    public static string NextGuid(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        return AsVersion4(bytes);
    }

    /// <summary>
    /// The id of the index-th bulk record. A counter-based mix (SplitMix64) rather than a
    /// sequential Random, so any record can be produced on its own, in any order.
    /// </summary>
    public static string IndexedGuid(ulong salt, long index, int stream)
    {
        ulong state = salt ^ ((ulong)index * 0x9E3779B97F4A7C15UL) ^ ((ulong)stream << 56);
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, SplitMix64(ref state));
        BitConverter.TryWriteBytes(bytes[8..], SplitMix64(ref state));
        return AsVersion4(bytes);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // Random GUIDs as Entra issues them: version 4, RFC 4122 variant.
    private static string AsVersion4(Span<byte> bytes)
    {
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }
}

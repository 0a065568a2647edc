using System;
using System.Text;

namespace SupportAccessLogs.Records;

/// <summary>
/// The strings that repeat from record to record (the category, the logging service, activity
/// names, detail keys, target types, the same few users and apps) made once and reused, instead
/// of transcoding and allocating them again for every record. Transcoding in
/// <c>Utf8JsonReader.GetString</c> and the garbage it leaves were the largest costs of parsing
/// (tests/perf/README.md). One small table per thread, direct-mapped: a value that doesn't
/// repeat only evicts another, and correctness never depends on a hit.
/// </summary>
internal sealed class RepeatedStrings
{
    private const int Slots = 1024;
    private const int MaxBytes = 64;

    [ThreadStatic]
    private static RepeatedStrings? t_current;

    private readonly byte[]?[] _keys = new byte[Slots][];
    private readonly string?[] _values = new string[Slots];

    public static RepeatedStrings Current => t_current ??= new RepeatedStrings();

    /// <summary>The string for these UTF-8 bytes (unescaped JSON string content).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
        {
            return Decode(utf8);
        }

        // FNV-1a over the bytes.
        uint hash = 2166136261;
        foreach (byte b in utf8)
        {
            hash = (hash ^ b) * 16777619;
        }

        int slot = (int)(hash & (Slots - 1));
        if (_keys[slot] is byte[] key && utf8.SequenceEqual(key))
        {
            return _values[slot]!;
        }

        string value = Decode(utf8);
        _keys[slot] = utf8.ToArray();
        _values[slot] = value;
        return value;
    }

#if NET5_0_OR_GREATER
    private static string Decode(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);
#else
    private static string Decode(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8.ToArray());
#endif
}

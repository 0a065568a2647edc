// What the netstandard2.0 build (Windows PowerShell 5.1) lacks and the C# compiler or our code
// expects. Each piece compiles only where the framework doesn't have it.
#if !NET5_0_OR_GREATER
namespace System.Runtime.CompilerServices
{
    /// <summary>Lets init-only setters compile for netstandard2.0.</summary>
    internal static class IsExternalInit
    {
    }
}
#endif

#if !NET6_0_OR_GREATER
namespace SupportAccessLogs
{
    using System;
    using System.IO;
    using System.Runtime.InteropServices;
    using System.Threading;
    using System.Threading.Tasks;

    internal static class NetStandardPolyfills
    {
        /// <summary>Stream.ReadAsync(Memory&lt;byte&gt;), over the array the memory wraps.</summary>
        public static Task<int> ReadAsync(this Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (!MemoryMarshal.TryGetArray(buffer, out ArraySegment<byte> segment))
            {
                throw new ArgumentException("Only array-backed memory can be read into on this framework.", nameof(buffer));
            }

            return stream.ReadAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
        }

        /// <summary>Stream.DisposeAsync, which netstandard2.0 lacks; a response stream disposes synchronously.</summary>
        public static ValueTask DisposeAsync(this Stream stream)
        {
            stream.Dispose();
            return default;
        }

        /// <summary>string.Contains(char): whether <paramref name="text"/> holds <paramref name="value"/>.</summary>
        public static bool Contains(this string text, char value) => text.IndexOf(value) >= 0;

        /// <summary>string.Contains(string, StringComparison): whether IndexOf finds <paramref name="value"/>.</summary>
        public static bool Contains(this string text, string value, StringComparison comparisonType) =>
            text.IndexOf(value, comparisonType) >= 0;

        /// <summary>string.StartsWith(char), an ordinal comparison as on .NET.</summary>
        public static bool StartsWith(this string text, char value) => text.Length > 0 && text[0] == value;

        /// <summary>string.EndsWith(char), an ordinal comparison as on .NET.</summary>
        public static bool EndsWith(this string text, char value) => text.Length > 0 && text[text.Length - 1] == value;
    }
}
#endif

using System.Threading;

namespace SupportAccessLogs.Auth;

/// <summary>The process-wide default connection, shared by every runspace.</summary>
internal static class ConnectionStore
{
    private static SupportAccessConnection? _current;

    public static SupportAccessConnection? Current => Volatile.Read(ref _current);

    /// <summary>Replaces the default connection. The previous one is not disposed: a query in
    /// another runspace may still be reading through it.</summary>
    public static void Set(SupportAccessConnection? connection) =>
        Interlocked.Exchange(ref _current, connection);
}

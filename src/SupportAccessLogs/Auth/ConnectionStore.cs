using System;
using System.Management.Automation;
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

    /// <summary>The connection a command should use: the one it was given, else the default.</summary>
    public static SupportAccessConnection Resolve(SupportAccessConnection? given) =>
        given ?? Current ?? throw new ModuleException("NotConnected", ErrorCategory.ConnectionError,
            "Not connected. Run Connect-SupportAccess first (for example: Connect-SupportAccess -TenantId contoso.onmicrosoft.com), or pass -Connection.");
}

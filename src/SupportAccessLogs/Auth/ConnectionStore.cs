using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SupportAccessLogs.Auth;

/// <summary>
/// The process-wide connections, shared by every runspace: every live connection in the order
/// made, and the current one (the last made), which commands use when given none.
/// </summary>
internal static class ConnectionStore
{
    private static readonly object Gate = new();
    private static readonly List<SupportAccessConnection> Live = new();
    private static SupportAccessConnection? _current;

    public static SupportAccessConnection? Current
    {
        get
        {
            lock (Gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Every live connection, oldest first.</summary>
    public static IReadOnlyList<SupportAccessConnection> All
    {
        get
        {
            lock (Gate)
            {
                return Live.ToArray();
            }
        }
    }

    /// <summary>Adds a connection and makes it the current one. A connection to the same tenant
    /// and endpoints made before is replaced: connecting again is how a token is renewed, not how
    /// a second copy of the tenant is made (which every read would then read twice).</summary>
    public static void Add(SupportAccessConnection connection)
    {
        lock (Gate)
        {
            Live.RemoveAll(c => ReferenceEquals(c, connection) || SameTenantAndEndpoints(c, connection));
            Live.Add(connection);
            _current = connection;
        }
    }

    /// <summary>Forgets connections; without the current one there is none until the next
    /// Connect-SupportAccess. They are not disposed: a query in another runspace may still be
    /// reading through one.</summary>
    public static void Remove(IEnumerable<SupportAccessConnection> connections)
    {
        lock (Gate)
        {
            foreach (SupportAccessConnection connection in connections)
            {
                Live.Remove(connection);
                if (ReferenceEquals(_current, connection))
                {
                    _current = null;
                }
            }
        }
    }

    public static bool IsCurrent(SupportAccessConnection connection) => ReferenceEquals(Current, connection);

    /// <summary>The connections a command should use: those it was given, one per tenant (the
    /// first given), else the current one. A tenant is never read twice, whatever a script passes.</summary>
    public static IReadOnlyList<SupportAccessConnection> Resolve(IReadOnlyCollection<SupportAccessConnection> given) =>
        given.Count > 0 ? given.GroupBy(c => c.TenantId).Select(g => g.First()).ToArray() : new[] { Current ?? throw NotConnected() };

    private static bool SameTenantAndEndpoints(SupportAccessConnection a, SupportAccessConnection b) =>
        a.TenantId == b.TenantId
        && Uri.Compare(a.GraphEndpoint, b.GraphEndpoint, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && Uri.Compare(a.LogAnalyticsEndpoint, b.LogAnalyticsEndpoint, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static ModuleException NotConnected() =>
        new("NotConnected", ErrorCategory.ConnectionError,
            "Not connected. Run Connect-SupportAccess first (for example: Connect-SupportAccess -TenantId contoso.onmicrosoft.com), or pass -Connection.");
}

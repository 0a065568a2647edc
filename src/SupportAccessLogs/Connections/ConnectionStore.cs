using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace SupportAccessLogs.Connections;

/// <summary>
/// The connections of one runspace: every live connection made there, in the order made, and
/// the current one (the last made), which commands use when given none. Hosts such as
/// PowerShell Universal, Azure Functions, Start-ThreadJob and ForEach-Object -Parallel run many
/// runspaces in one process; each sees only its own connections, and uses another runspace's
/// only when handed the object (-Connection, $using:). A closed runspace's store goes with it
/// (docs/architecture.md, "Many tenants").
/// </summary>
internal sealed class ConnectionStore
{
    private static readonly ConditionalWeakTable<Runspace, ConnectionStore> PerRunspace = new();

    /// <summary>For code that runs with no runspace on its thread (the xunit tests, a host's
    /// own thread): never one a runspace uses.</summary>
    private static readonly ConnectionStore NoRunspace = new();

    private readonly object _gate = new();
    private readonly List<SupportAccessConnection> _live = new();
    private SupportAccessConnection? _current;

    /// <summary>
    /// The store of the runspace running this thread's pipeline. Only meaningful on a pipeline
    /// thread: a command resolves it in BeginProcessing or EndProcessing and keeps it, because
    /// its asynchronous work continues on thread-pool threads, whose DefaultRunspace is whatever
    /// was last set there (or none).
    /// </summary>
    public static ConnectionStore ForCurrentRunspace() => For(Runspace.DefaultRunspace);

    /// <summary>The store of <paramref name="runspace"/>; made on first use.</summary>
    public static ConnectionStore For(Runspace? runspace) =>
        runspace is null ? NoRunspace : PerRunspace.GetValue(runspace, _ => new ConnectionStore());

    /// <summary>The current connection; none once it was disconnected (also from another
    /// runspace it was handed to).</summary>
    public SupportAccessConnection? Current
    {
        get
        {
            lock (_gate)
            {
                if (_current is { IsClosed: true })
                {
                    _current = null;
                }

                return _current;
            }
        }
    }

    /// <summary>Every live connection, oldest first; a connection closed elsewhere (handed to
    /// another runspace and disconnected there) is dropped.</summary>
    public IReadOnlyList<SupportAccessConnection> All
    {
        get
        {
            lock (_gate)
            {
                _live.RemoveAll(c => c.IsClosed);
                return _live.ToArray();
            }
        }
    }

    /// <summary>Adds a connection and makes it the current one. A connection to the same tenant
    /// and endpoints made before is replaced: connecting again is how a token is renewed, not how
    /// a second copy of the tenant is made (which every read would then read twice). The replaced
    /// one is not closed: a job this runspace started may still be reading through it.</summary>
    public void Add(SupportAccessConnection connection)
    {
        lock (_gate)
        {
            _live.RemoveAll(c => ReferenceEquals(c, connection) || SameTenantAndEndpoints(c, connection));
            _live.Add(connection);
            _current = connection;
        }
    }

    /// <summary>Forgets connections (the caller closes them); without the current one there is
    /// none until the next Connect-SupportAccess.</summary>
    public void Remove(IEnumerable<SupportAccessConnection> connections)
    {
        lock (_gate)
        {
            foreach (SupportAccessConnection connection in connections)
            {
                _live.Remove(connection);
                if (ReferenceEquals(_current, connection))
                {
                    _current = null;
                }
            }
        }
    }

    public bool IsCurrent(SupportAccessConnection connection) => ReferenceEquals(Current, connection);

    /// <summary>The connections a command should use: those it was given, one per tenant (the
    /// first given), else the current one. A tenant is never read twice, whatever a script passes;
    /// a closed connection is refused before anything is read.</summary>
    public IReadOnlyList<SupportAccessConnection> Resolve(IReadOnlyCollection<SupportAccessConnection> given)
    {
        if (given.Count == 0)
        {
            return new[] { Current ?? throw NotConnected() };
        }

        SupportAccessConnection[] closed = given.Where(c => c.IsClosed).Distinct().ToArray();
        if (closed.Length > 0)
        {
            throw SupportAccessConnection.Closed(closed);
        }

        return given.GroupBy(c => c.TenantId).Select(g => g.First()).ToArray();
    }

    private static bool SameTenantAndEndpoints(SupportAccessConnection a, SupportAccessConnection b) =>
        a.TenantId == b.TenantId
        && Uri.Compare(a.GraphEndpoint, b.GraphEndpoint, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && Uri.Compare(a.LogAnalyticsEndpoint, b.LogAnalyticsEndpoint, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static ModuleException NotConnected() =>
        new("NotConnected", ErrorCategory.ConnectionError,
            "Not connected in this runspace. Run Connect-SupportAccess first (for example: Connect-SupportAccess -TenantId contoso.onmicrosoft.com), or pass -Connection. Each runspace (a thread job, a ForEach-Object -Parallel block, a hosted script) has its own connections: pass one made elsewhere with -Connection $using:connection.");
}

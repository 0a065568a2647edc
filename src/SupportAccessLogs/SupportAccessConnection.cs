using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SupportAccessLogs;

/// <summary>
/// A connection to one tenant: which tenant, account and endpoints, safe to print and to pass
/// to another runspace (-Connection, $using:). It holds no token, client or certificate: those
/// are the per-tenant clients the module keeps beside it (docs/architecture.md, "Connections"),
/// reached through <see cref="State"/>, and closed with it by Disconnect-SupportAccess.
/// </summary>
public sealed class SupportAccessConnection : IDisposable
{
    internal SupportAccessConnection(
        Guid tenantId,
        string account,
        string authenticationMethod,
        GraphEnvironment environment,
        Uri graphEndpoint,
        Uri logAnalyticsEndpoint,
        Func<SupportAccessConnection, IConnectionState> attach)
    {
        TenantId = tenantId;
        Account = account;
        AuthenticationMethod = authenticationMethod;
        Environment = environment;
        GraphEndpoint = graphEndpoint;
        LogAnalyticsEndpoint = logAnalyticsEndpoint;
        State = attach(this);
    }

    public Guid TenantId { get; }
    /// <summary>True for the current connection of the runspace that asks, the one commands
    /// there use when given none; false in any other runspace, and once disconnected.</summary>
    public bool IsCurrent => State.IsCurrent;
    /// <summary>The signed-in user's UPN, or the application's name or id.</summary>
    public string Account { get; }
    public string AuthenticationMethod { get; }
    public GraphEnvironment Environment { get; }
    /// <summary>The Graph v1.0 base URL every request of this connection goes to.</summary>
    public Uri GraphEndpoint { get; }
    /// <summary>When the current token expires, when known. A credential-based connection
    /// renews its token by itself, so this moves forward over a long run.</summary>
    public DateTimeOffset? ExpiresOn => State.ExpiresOn;

    /// <summary>The Log Analytics query API that -WorkspaceId reads through.</summary>
    public Uri LogAnalyticsEndpoint { get; }

    /// <summary>What the module keeps for this connection (its clients, tokens and certificate).</summary>
    internal IConnectionState State { get; }

    /// <summary>True once Disconnect-SupportAccess closed this connection (in any runspace).</summary>
    internal bool IsClosed => State.IsClosed;

    public override string ToString() => $"{Account} @ {TenantId} ({GraphEndpoint.GetLeftPart(UriPartial.Authority)})";

    /// <summary>Closes the connection (Disconnect-SupportAccess): its HTTP clients, its cached
    /// tokens, and its share of a certificate the module loaded. Any later use is
    /// ConnectionClosed. Closing twice does nothing.</summary>
    public void Dispose() => State.Dispose();

    /// <summary>The error for a read through connections Disconnect-SupportAccess closed.</summary>
    internal static ModuleException Closed(IReadOnlyList<SupportAccessConnection> closed)
    {
        string which = string.Join(", ", closed.Select(c => $"tenant {c.TenantId} ({c.Account})"));
        return new ModuleException("ConnectionClosed", ErrorCategory.ConnectionError,
            $"The connection to {which} was closed by Disconnect-SupportAccess, so it can't be used any more. Run Connect-SupportAccess again (with -PassThru to keep the new connection) and use that one.",
            closed.Count == 1 ? closed[0] : null);
    }
}

/// <summary>What the module keeps beside a <see cref="SupportAccessConnection"/>: the public
/// object only asks it these questions, so it needs nothing of sign-in or HTTP.</summary>
internal interface IConnectionState : IDisposable
{
    bool IsCurrent { get; }

    DateTimeOffset? ExpiresOn { get; }

    bool IsClosed { get; }
}

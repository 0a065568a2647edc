using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Connections;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>Connections per runspace (issue 23): each runspace has its own list and current
/// connection, one handed over explicitly still works, and a disconnected connection is closed
/// (its clients and certificate share released) and refused with ConnectionClosed. The cmdlets
/// in real runspaces are covered by tests/pester/Runspaces.Tests.ps1.</summary>
public class ConnectionStoreRunspaceTests
{
    private const string Contoso = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string Fabrikam = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    private static readonly Uri Loopback = new("http://127.0.0.1:5099/");

    private static SupportAccessConnection Connect(string tenant = Contoso) =>
        TenantSignIn.FromAccessToken(
            Jwt.Unsigned(new { aud = Jwt.GraphAudience, exp = Jwt.InOneHour, tid = tenant, upn = "admin@contoso.com", scp = "AuditLog.Read.All" }),
            null, GraphEnvironment.Global, Loopback,
            Jwt.Unsigned(new { aud = "https://api.loganalytics.io", exp = Jwt.InOneHour, tid = tenant }));

    // An empty session state: the test host has no console host snap-in to load, and the store
    // only needs the runspace as a key.
    private static Runspace NewRunspace() => RunspaceFactory.CreateRunspace(InitialSessionState.Create());

    /// <summary>Runs <paramref name="action"/> with <paramref name="runspace"/> as this thread's
    /// DefaultRunspace, as PowerShell sets it on a pipeline thread.</summary>
    private static void In(Runspace? runspace, Action action)
    {
        Runspace? before = Runspace.DefaultRunspace;
        Runspace.DefaultRunspace = runspace;
        try
        {
            action();
        }
        finally
        {
            Runspace.DefaultRunspace = before;
        }
    }

    [Fact]
    public void EachRunspace_HasItsOwnConnectionsAndCurrentOne()
    {
        using Runspace first = NewRunspace();
        using Runspace second = NewRunspace();
        using SupportAccessConnection contoso = Connect(Contoso);
        using SupportAccessConnection fabrikam = Connect(Fabrikam);

        In(first, () => ConnectionStore.ForCurrentRunspace().Add(contoso));
        In(second, () => ConnectionStore.ForCurrentRunspace().Add(fabrikam));

        In(first, () =>
        {
            ConnectionStore store = ConnectionStore.ForCurrentRunspace();
            Assert.Equal(new[] { contoso }, store.All);
            Assert.Same(contoso, store.Current);
            Assert.True(contoso.IsCurrent);
            Assert.False(fabrikam.IsCurrent);
            Assert.Same(contoso, Assert.Single(store.Resolve(Array.Empty<SupportAccessConnection>())));
        });
        In(second, () =>
        {
            ConnectionStore store = ConnectionStore.ForCurrentRunspace();
            Assert.Equal(new[] { fabrikam }, store.All);
            Assert.Same(fabrikam, store.Current);
            Assert.False(contoso.IsCurrent);
            // Handed over explicitly, the other runspace's connection is used.
            Assert.Same(contoso, Assert.Single(store.Resolve(new[] { contoso })));
        });
    }

    [Fact]
    public void ARunspaceThatConnectedNothing_IsNotConnected_WhateverOthersDid()
    {
        using Runspace connected = NewRunspace();
        using Runspace fresh = NewRunspace();
        using SupportAccessConnection contoso = Connect();
        In(connected, () => ConnectionStore.ForCurrentRunspace().Add(contoso));

        In(fresh, () =>
        {
            ConnectionStore store = ConnectionStore.ForCurrentRunspace();
            Assert.Empty(store.All);
            Assert.Null(store.Current);
            ModuleException ex = Assert.Throws<ModuleException>(() => store.Resolve(Array.Empty<SupportAccessConnection>()));
            Assert.Equal("NotConnected", ex.ErrorId);
        });
        // Code with no runspace on its thread has a store of its own too.
        In(null, () => Assert.DoesNotContain(contoso, ConnectionStore.ForCurrentRunspace().All));
    }

    [Fact]
    public void AClosedRunspacesConnections_AreCollected()
    {
        WeakReference connection = ConnectInAFreshRunspace();
        for (int i = 0; i < 5 && connection.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(connection.IsAlive, "the runspace is gone, so its store and connections are too");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ConnectInAFreshRunspace()
    {
        Runspace runspace = NewRunspace();
        SupportAccessConnection connection = Connect();
        ConnectionStore.For(runspace).Add(connection);
        Assert.Same(connection, ConnectionStore.For(runspace).Current);
        runspace.Dispose();
        return new WeakReference(connection);
    }

    [Fact]
    public void Dispose_ClosesTheConnection_AndEveryLaterUseIsConnectionClosed()
    {
        SupportAccessConnection connection = Connect();
        _ = TenantClients.Of(connection).LogAnalyticsClient;

        connection.Dispose();
        connection.Dispose();

        Assert.True(connection.IsClosed);
        Assert.Equal("ConnectionClosed", Assert.Throws<ModuleException>(() => TenantClients.Of(connection).Graph.RequestAdapter).ErrorId);
        Assert.Equal("ConnectionClosed", Assert.Throws<ModuleException>(() => TenantClients.Of(connection).LogAnalyticsClient).ErrorId);
        ModuleException refused = Assert.Throws<ModuleException>(() => ConnectionStore.For(null).Resolve(new[] { connection, Connect(Fabrikam) }));
        Assert.Equal("ConnectionClosed", refused.ErrorId);
        Assert.Contains(Contoso, refused.Message);
        Assert.Contains("Connect-SupportAccess", refused.Message);
    }

    [Fact]
    public void AConnectionClosedElsewhere_LeavesTheStoreThatHeldIt()
    {
        using Runspace runspace = NewRunspace();
        SupportAccessConnection connection = Connect();
        ConnectionStore store = ConnectionStore.For(runspace);
        store.Add(connection);

        // Disconnect-SupportAccess -Connection $using:connection in a thread job.
        connection.Dispose();

        Assert.Empty(store.All);
        Assert.Null(store.Current);
    }

    [Fact]
    public void AReplacedConnection_IsLeftOpen_ForWhoeverStillHoldsIt()
    {
        using Runspace runspace = NewRunspace();
        using SupportAccessConnection first = Connect();
        using SupportAccessConnection again = Connect();
        ConnectionStore store = ConnectionStore.For(runspace);
        store.Add(first);

        store.Add(again);

        Assert.Equal(new[] { again }, store.All);
        Assert.False(first.IsClosed);
        Assert.NotNull(TenantClients.Of(first).Graph.RequestAdapter);
    }

    [Fact]
    public void ACertificateSharedByATenantsSignIn_GoesWithTheLastConnection()
    {
        var certificate = new CountingDisposable();
        var shared = new SharedOwnership(certificate);
        SupportAccessConnection a = WithOwned(Contoso, shared.Share());
        SupportAccessConnection b = WithOwned(Fabrikam, shared.Share());
        shared.Release();

        a.Dispose();
        a.Dispose();
        Assert.Equal(0, certificate.Disposals);
        Assert.NotNull(TenantClients.Of(b).Graph.RequestAdapter);

        b.Dispose();
        Assert.Equal(1, certificate.Disposals);
        b.Dispose();
        Assert.Equal(1, certificate.Disposals);
    }

    private static SupportAccessConnection WithOwned(string tenant, IDisposable owned)
    {
        string token = Jwt.Unsigned(new { aud = Jwt.GraphAudience, exp = Jwt.InOneHour, tid = tenant, appid = "app" });
        return TenantClients.Open(Guid.Parse(tenant), "app", "Certificate", GraphEnvironment.Global, new Uri(Loopback, "v1.0/"),
            new StaticAccessTokenProvider(token, null, Loopback), AccessTokenClaims.Parse(token), owned);
    }

    private sealed class CountingDisposable : IDisposable
    {
        private int _disposals;

        public int Disposals => Volatile.Read(ref _disposals);

        public void Dispose() => Interlocked.Increment(ref _disposals);
    }
}

using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator.Authority;
using GraphEmulator.Endpoints;
using GraphEmulator.Faults;
using GraphEmulator.LogAnalytics;
using GraphEmulator.Paging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GraphEmulator;

/// <summary>
/// A running emulator: Kestrel on a loopback port, serving the <see cref="AuditDataSet"/> of its tenant
/// (and of each of <see cref="EmulatorOptions.OtherTenants"/>, by the token's tid).
/// Start one per test class (or per test), in process, and dispose it to stop it.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lazy<LogAnalyticsData> _logAnalytics;
    private int _disposed;

    private EmulatorServer(
        WebApplication app, Uri baseAddress, Uri? authorityAddress, ServedTenants tenants, RequestLog requests,
        TokenRequestLog tokenRequests, EmulatorOptions options, FaultSchedule faults,
        Lazy<LogAnalyticsData> logAnalytics, LogAnalyticsFaultSchedule logAnalyticsFaults)
    {
        Faults = faults;
        _logAnalytics = logAnalytics;
        LogAnalyticsFaults = logAnalyticsFaults;
        _app = app;
        BaseAddress = baseAddress;
        AuthorityAddress = authorityAddress;
        Tenants = tenants;
        DataSet = tenants.Home.DataSet;
        Requests = requests;
        TokenRequests = tokenRequests;
        Options = options;
    }

    /// <summary>Where the emulator listens, with a trailing slash: <c>http://127.0.0.1:PORT/</c>. Graph v1.0 is at <c>v1.0/</c> under it, the Log Analytics query API at <c>v1/workspaces/{id}/query</c> (the base address is the module's -LogAnalyticsEndpoint).</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// The HTTPS authority, with a trailing slash: <c>https://127.0.0.1:PORT2/</c> (Azure.Identity's
    /// <c>AuthorityHost</c>); null unless <see cref="EmulatorOptions.EnableAuthority"/>.
    /// </summary>
    public Uri? AuthorityAddress { get; }

    /// <summary>
    /// The CA that issued the authority's server certificate, in PEM, for <c>SSL_CERT_FILE</c>
    /// (the same for every emulator of the process, see <see cref="TestCertificateAuthority"/>);
    /// null unless <see cref="EmulatorOptions.EnableAuthority"/>.
    /// </summary>
    public string? AuthorityCaCertificatePem => AuthorityAddress is null ? null : TestCertificateAuthority.CertificatePem;

    /// <summary>The managed identity endpoint (IDENTITY_ENDPOINT): <c>http://127.0.0.1:PORT/msi/token</c>.</summary>
    public Uri ManagedIdentityEndpoint => new(BaseAddress, Authority.ManagedIdentityEndpoint.Path.TrimStart('/'));

    /// <summary>The served (home) tenant's data set: <see cref="EmulatorOptions.TenantId"/>'s.</summary>
    public AuditDataSet DataSet { get; }

    /// <summary>
    /// Every tenant served: the home tenant, then <see cref="EmulatorOptions.OtherTenants"/>, each with
    /// its data set, directory and consent (README.md, "Several tenants").
    /// </summary>
    public ServedTenants Tenants { get; }

    /// <summary>The data set of the served tenant with this id (the home tenant's or another's).</summary>
    /// <exception cref="ArgumentException">No served tenant has that id.</exception>
    public AuditDataSet DataSetOf(string tenantId) =>
        (Tenants.Find(tenantId) ?? throw new ArgumentException($"The emulator serves no tenant '{tenantId}' (it serves {Tenants.Ids}).", nameof(tenantId))).DataSet;

    /// <summary>The Graph and Log Analytics requests received (control requests under /_emulator and sign-in requests excluded).</summary>
    public RequestLog Requests { get; }

    /// <summary>The sign-in requests received: token, device code, managed identity (and discovery, authorize).</summary>
    public TokenRequestLog TokenRequests { get; }

    public EmulatorOptions Options { get; }

    /// <summary>
    /// The scripted faults on audit pages: <see cref="EmulatorOptions.Faults"/> and whatever was
    /// added since (here or by <c>POST /_emulator/faults</c>), with the times each has left.
    /// </summary>
    public FaultSchedule Faults { get; }

    /// <summary>
    /// The Log Analytics workspaces served at <c>v1/workspaces/{id}/query</c> under
    /// <see cref="BaseAddress"/> (built at the first query or first use here: with many bulk rows
    /// that takes a moment), with their truth. See README.md, "Log Analytics".
    /// </summary>
    public LogAnalyticsData LogAnalytics => _logAnalytics.Value;

    /// <summary>The scripted faults on Log Analytics queries (apart from <see cref="Faults"/>, which are Graph's).</summary>
    public LogAnalyticsFaultSchedule LogAnalyticsFaults { get; }

    /// <summary>Builds the data set and starts listening on 127.0.0.1 (port 0 picks a free one).</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EmulatorOptions();
        var dataSet = new AuditDataSet(options); // validates the options
        var tenants = new ServedTenants(
            ServedTenant.Home(dataSet),
            options.OtherTenants.Select(other => ServedTenant.Other(other, new AuditDataSet(options, other, dataSet.Anchor), dataSet.TenantId)));
        var requests = new RequestLog();
        var tokenRequests = new TokenRequestLog();
        var faults = new FaultSchedule(options.Faults, tenants); // refuses a rule for a tenant not served
        var throttle = new ReportingThrottle(options, TimeProvider.System);
        var logAnalyticsFaults = new LogAnalyticsFaultSchedule(options.LogAnalyticsFaults);
        var logAnalytics = new Lazy<LogAnalyticsData>(() => new LogAnalyticsData(options, dataSet), LazyThreadSafetyMode.ExecutionAndPublication);
        // Made before Kestrel starts, so a certificate problem fails the start, not the first handshake.
        X509Certificate2? serverCertificate = options.EnableAuthority ? TestCertificateAuthority.ServerCertificate : null;

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
            if (serverCertificate is not null)
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serverCertificate));
        });
        // Warnings and errors only, to stderr: stdout belongs to the CLI's "listening" line, and
        // a line per request would drown test output.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        WebApplication app = builder.Build();
        ILogger authorityLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GraphEmulator.Authority");
        var dispatcher = new RequestDispatcher(
            tenants,
            requests,
            new DirectoryAuditsEndpoint(options, new ContinuationStore(), throttle, new FaultPlanner(options, faults)),
            new DirectoryEndpoints(options),
            new ControlEndpoints(tenants, requests, tokenRequests, faults, throttle, () => logAnalytics.Value, logAnalyticsFaults),
            options.EnableAuthority ? new AuthorityEndpoints(options, tenants, tokenRequests, authorityLogger) : null,
            new ManagedIdentityEndpoint(options, dataSet.TenantId, tokenRequests),
            new LogAnalyticsEndpoint(() => logAnalytics.Value, options, logAnalyticsFaults, dataSet.TenantId),
            options.SetCookieTenant);
        app.Run(dispatcher.HandleAsync);

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        // With port 0 Kestrel binds a free port; the addresses feature reports the ones it got.
        string[] addresses = app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.ToArray();
        string address = addresses.Single(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
        string? authorityAddress = addresses.SingleOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        return new EmulatorServer(
            app,
            new Uri(address.TrimEnd('/') + "/"),
            authorityAddress is null ? null : new Uri(authorityAddress.TrimEnd('/') + "/"),
            tenants,
            requests,
            tokenRequests,
            options,
            faults,
            logAnalytics,
            logAnalyticsFaults);
    }

    /// <summary>Stops Kestrel; requests still running get a few seconds to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

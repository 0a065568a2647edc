using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator.Endpoints;
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
/// A running emulator: Kestrel on a loopback port, serving one <see cref="AuditDataSet"/>.
/// Start one per test class (or per test), in process, and dispose it to stop it.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private EmulatorServer(WebApplication app, Uri baseAddress, AuditDataSet dataSet, RequestLog requests, EmulatorOptions options)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataSet = dataSet;
        Requests = requests;
        Options = options;
    }

    /// <summary>Where the emulator listens, with a trailing slash: <c>http://127.0.0.1:PORT/</c>. Graph v1.0 is at <c>v1.0/</c> under it.</summary>
    public Uri BaseAddress { get; }

    public AuditDataSet DataSet { get; }

    /// <summary>The Graph requests received (control requests under /_emulator excluded).</summary>
    public RequestLog Requests { get; }

    public EmulatorOptions Options { get; }

    /// <summary>Builds the data set and starts listening on 127.0.0.1 (port 0 picks a free one).</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EmulatorOptions();
        var dataSet = new AuditDataSet(options); // validates the options
        var requests = new RequestLog();

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        // Warnings and errors only, to stderr: stdout belongs to the CLI's "listening" line, and
        // a line per request would drown test output.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        WebApplication app = builder.Build();
        var dispatcher = new RequestDispatcher(
            dataSet,
            requests,
            new DirectoryAuditsEndpoint(dataSet, options, new ContinuationStore()),
            new ControlEndpoints(dataSet, requests));
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

        // With port 0 Kestrel binds a free port; the addresses feature reports the one it got.
        string address = app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new EmulatorServer(app, new Uri(address.TrimEnd('/') + "/"), dataSet, requests, options);
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

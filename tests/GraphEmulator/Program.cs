using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using GraphEmulator.Cli;

namespace GraphEmulator;

/// <summary>The emulator as a process, for Pester tests and the demo (see README.md).</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        CommandLine? commandLine = CommandLine.Parse(args, out string? error);
        if (commandLine is null)
        {
            await Console.Error.WriteLineAsync(error + Environment.NewLine + Environment.NewLine + CommandLine.Usage);
            return 2;
        }
        if (commandLine.ShowHelp)
        {
            await Console.Out.WriteLineAsync(CommandLine.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, stop));
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, stop));

        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(commandLine.Options, stop.Token);
        }
        catch (Exception ex) when (ex is ArgumentException or System.IO.IOException)
        {
            await Console.Error.WriteLineAsync($"GraphEmulator could not start: {ex.Message}");
            return 1;
        }

        await using (server)
        {
            if (commandLine.AuthorityCaOut is string caPath)
            {
                try
                {
                    // Written before the "listening" line: whoever reads that line may use the file at once.
                    await System.IO.File.WriteAllTextAsync(caPath, server.AuthorityCaCertificatePem, stop.Token);
                }
                catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"GraphEmulator could not write the authority CA to '{caPath}': {ex.Message}");
                    return 1;
                }
            }

            // The first stdout line is the contract with whoever started us: they read the port from it.
            Console.Out.WriteLine($"GraphEmulator listening on {server.BaseAddress}");
            if (server.AuthorityAddress is not null)
                Console.Out.WriteLine($"GraphEmulator authority on {server.AuthorityAddress}");
            Console.Out.Flush();

            Task parentGone = commandLine.ParentPid is int pid
                ? ParentProcess.WaitForExitAsync(pid, stop.Token)
                : Task.Delay(Timeout.Infinite, stop.Token);
            try
            {
                await parentGone;
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or Ctrl+C
            }
        }
        return 0;
    }

    /// <summary>Stops the server gracefully instead of letting the runtime kill the process.</summary>
    private static void Stop(PosixSignalContext signal, CancellationTokenSource stop)
    {
        signal.Cancel = true;
        stop.Cancel();
    }
}

using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace GraphEmulator.Cli;

/// <summary>
/// Watches the process that started the emulator, so a test run that dies (or is killed) never
/// leaves an emulator behind.
/// </summary>
internal static class ParentProcess
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Completes once the process is gone (at once if it already is).</summary>
    public static async Task WaitForExitAsync(int pid, CancellationToken ct)
    {
        DateTime? startTime = StartTimeOf(pid);
        if (startTime is null)
            return;

        // Polled rather than awaited: a process that isn't our parent can't be waited on
        // portably. The start time tells a reused pid from the original process.
        while (StartTimeOf(pid) == startTime)
            await Task.Delay(PollInterval, ct);
    }

    private static DateTime? StartTimeOf(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null; // gone, or going
        }
    }
}

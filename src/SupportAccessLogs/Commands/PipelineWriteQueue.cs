using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Commands;

/// <summary>
/// Writes that other threads hand to the pipeline thread (Verbose, Warning, progress, errors),
/// run in order by the pipeline thread, which alone may call the cmdlet's Write methods.
/// </summary>
internal sealed class PipelineWriteQueue : IDisposable
{
    private readonly ConcurrentQueue<Action<PSCmdlet>> _writes = new();
    // No spinning while idle: on a two-core machine the spin would take the core that the
    // network and the task need (seen in the profile of the cmdlet as SpinWait samples).
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);

    public void Add(Action<PSCmdlet> write)
    {
        _writes.Enqueue(write);
        _wake.Set();
    }

    /// <summary>On the pipeline thread: runs the queued writes until <paramref name="task"/> completes, then those still queued.</summary>
    public void RunUntil(Task task, PSCmdlet cmdlet)
    {
        task.ContinueWith(static (_, queue) => ((PipelineWriteQueue)queue!).WakeUnlessDisposed(), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (true)
        {
            _wake.Reset();
            RunQueued(cmdlet);
            if (task.IsCompleted)
            {
                return;
            }

            _wake.Wait();
        }
    }

    /// <summary>On the pipeline thread: runs whatever is queued now.</summary>
    public void RunQueued(PSCmdlet cmdlet)
    {
        while (_writes.TryDequeue(out Action<PSCmdlet>? write))
        {
            write(cmdlet);
        }
    }

    public void Dispose() => _wake.Dispose();

    private void WakeUnlessDisposed()
    {
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // The pipeline thread saw the task complete and moved on before this ran.
        }
    }
}

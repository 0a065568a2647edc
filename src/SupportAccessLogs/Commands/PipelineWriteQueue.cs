using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;

namespace SupportAccessLogs.Commands;

/// <summary>
/// The writes a cmdlet's task hands to the pipeline thread, in order. The pipeline thread is woken
/// once per <see cref="WakeEvery"/> objects, or at once for a message, the end or a drain marker,
/// and never waits longer than <see cref="MaxDelay"/> for stragglers. Waking it per object (as a
/// BlockingCollection does when the consumer keeps up) cost a thread switch and a spin per
/// object, which the profile of `Get-SupportAccessActivity | Out-Null` showed as the largest cost
/// on a two-core machine.
/// </summary>
internal sealed class PipelineWriteQueue : IDisposable
{
    internal const int WakeEvery = 64;
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentQueue<Action<PSCmdlet>> _writes = new();
    // No spinning: the producer and the emulator or network need the other core.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private int _sinceWake;
    private volatile bool _completed;

    /// <summary>Queues a write; <paramref name="wakeNow"/> for writes that must not wait for a batch.</summary>
    public void Add(Action<PSCmdlet> write, bool wakeNow)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The pipeline no longer takes writes.");
        }

        _writes.Enqueue(write);
        if (wakeNow || Interlocked.Increment(ref _sinceWake) >= WakeEvery)
        {
            Interlocked.Exchange(ref _sinceWake, 0);
            _wake.Set();
        }
    }

    /// <summary>No more writes will come; the pipeline thread finishes what is queued.</summary>
    public void Complete()
    {
        _completed = true;
        _wake.Set();
    }

    /// <summary>On the pipeline thread: every write, in order, until <see cref="Complete"/>.</summary>
    public IEnumerable<Action<PSCmdlet>> TakeAll()
    {
        while (true)
        {
            // Reset before draining: a Set that lands after this is seen by the next Wait.
            _wake.Reset();
            bool completed = _completed;
            while (_writes.TryDequeue(out Action<PSCmdlet>? write))
            {
                yield return write;
            }

            if (completed)
            {
                yield break;
            }

            _wake.Wait(MaxDelay);
        }
    }

    public void Dispose() => _wake.Dispose();
}

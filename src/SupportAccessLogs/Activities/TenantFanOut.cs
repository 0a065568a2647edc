using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Reads several tenants side by side (docs/architecture.md, "Many tenants"): up to a limit at
/// once, each tenant's activities in its own order, all of them merged as they arrive. Graph's
/// reporting limit is per app per tenant, so tenants read at once wait on their own budgets, not
/// on each other's. A tenant whose read fails is reported and the others go on; a stop (-First
/// satisfied, Ctrl+C, an error the caller made terminating) ends every tenant's read at once.
/// </summary>
internal sealed class TenantFanOut<TTenant>
    where TTenant : class
{
    /// <summary>Activities a tenant may read ahead of the writer: about one page.</summary>
    private const int ReadAhead = 1000;

    private readonly IReadOnlyList<TTenant> _tenants;
    private readonly int _atOnce;
    private readonly ConcurrentQueue<(TTenant Tenant, Exception Failure)> _failures = new();

    public TenantFanOut(IReadOnlyList<TTenant> tenants, int atOnce)
    {
        _tenants = tenants;
        _atOnce = Math.Max(1, atOnce);
    }

    /// <summary>The tenants whose read failed, with why, in the order they failed.</summary>
    public IReadOnlyList<(TTenant Tenant, Exception Failure)> Failures => _failures.ToArray();

    /// <param name="read">One tenant's activities.</param>
    /// <param name="failed">Called (on the tenant's task) when a tenant's read fails; the others go on.</param>
    public async IAsyncEnumerable<SupportAccessActivity> ReadAsync(
        Func<TTenant, CancellationToken, IAsyncEnumerable<SupportAccessActivity>> read,
        Action<TTenant, Exception> failed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var merged = new MergeQueue(ReadAhead);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var turns = new SemaphoreSlim(_atOnce, _atOnce);
        Task[] reads = _tenants.Select(tenant => Task.Run(() => ReadTenantAsync(tenant), stop.Token)).ToArray();
        Task allRead = Task.WhenAll(reads).ContinueWith(_ => merged.Complete(), TaskScheduler.Default);
        try
        {
            while (await merged.TakeAsync(cancellationToken).ConfigureAwait(false) is SupportAccessActivity activity)
            {
                yield return activity;
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                await allRead.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Each tenant's failure was reported as it happened; the rest is cancellation.
            }
        }

        async Task ReadTenantAsync(TTenant tenant)
        {
            await turns.WaitAsync(stop.Token).ConfigureAwait(false);
            try
            {
                await foreach (SupportAccessActivity activity in read(tenant, stop.Token).WithCancellation(stop.Token).ConfigureAwait(false))
                {
                    await merged.AddAsync(activity, stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                _failures.Enqueue((tenant, ex));
                failed(tenant, ex);
            }
            finally
            {
                turns.Release();
            }
        }
    }

    /// <summary>A bounded queue from many writers to one reader (System.Threading.Channels is not
    /// in Windows PowerShell's framework, and one type isn't worth a dependency there).</summary>
    private sealed class MergeQueue : IDisposable
    {
        private readonly ConcurrentQueue<SupportAccessActivity> _items = new();
        private readonly SemaphoreSlim _space;
        private readonly SemaphoreSlim _ready = new(0);
        private int _complete;

        public MergeQueue(int capacity) => _space = new SemaphoreSlim(capacity, capacity);

        public async Task AddAsync(SupportAccessActivity activity, CancellationToken cancellationToken)
        {
            await _space.WaitAsync(cancellationToken).ConfigureAwait(false);
            _items.Enqueue(activity);
            _ready.Release();
        }

        /// <summary>No more writes: the reader gets what is queued, then null.</summary>
        public void Complete()
        {
            Volatile.Write(ref _complete, 1);
            _ready.Release();
        }

        /// <summary>The next activity, or null once every writer is done and the queue is empty.</summary>
        public async Task<SupportAccessActivity?> TakeAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (_items.TryDequeue(out SupportAccessActivity? activity))
                {
                    _space.Release();
                    return activity;
                }

                if (Volatile.Read(ref _complete) == 1)
                {
                    // Leave the signal for any later call, which must also see the end.
                    _ready.Release();
                    return null;
                }
            }
        }

        public void Dispose()
        {
            _space.Dispose();
            _ready.Dispose();
        }
    }
}

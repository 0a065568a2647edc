using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Graph;

/// <summary>
/// Keeps audit requests under Graph's reporting throttle (5 requests per 10 seconds per app per
/// tenant, DESIGN §2), so a long export normally never sees a 429. One pacer per tenant and app
/// for the whole process: parallel runspaces share the same budget, as the service counts it.
/// </summary>
internal sealed class ReportingPacer
{
    public const int DefaultRequestsPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<string, ReportingPacer> Pacers = new(StringComparer.OrdinalIgnoreCase);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<DateTimeOffset> _recent = new();

    public static ReportingPacer For(Guid tenantId, string caller) => Pacers.GetOrAdd($"{tenantId}|{caller}", _ => new ReportingPacer());

    /// <summary>Waits until one more request fits in the window; <paramref name="limit"/> 0 turns pacing off.</summary>
    public async Task<TimeSpan> WaitTurnAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return TimeSpan.Zero;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TimeSpan waited = TimeSpan.Zero;
            DateTimeOffset now = DateTimeOffset.UtcNow;
            while (_recent.Count > 0 && now - _recent.Peek() >= Window)
            {
                _recent.Dequeue();
            }

            if (_recent.Count >= limit)
            {
                // A little slack over the window, for clock granularity on either side.
                waited = _recent.Peek() + Window + TimeSpan.FromMilliseconds(50) - now;
                if (waited > TimeSpan.Zero)
                {
                    await Task.Delay(waited, cancellationToken).ConfigureAwait(false);
                }

                _recent.Dequeue();
            }

            _recent.Enqueue(DateTimeOffset.UtcNow);
            return waited > TimeSpan.Zero ? waited : TimeSpan.Zero;
        }
        finally
        {
            _gate.Release();
        }
    }
}

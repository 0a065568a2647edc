using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Graph;

/// <summary>
/// Keeps audit requests under Graph's reporting throttle (5 requests per 10 seconds per app per
/// tenant, docs/architecture.md), so a long export normally never sees a 429. One pacer per tenant and app
/// for the whole process: parallel runspaces share the same budget, as the service counts it.
/// </summary>
#pragma warning disable CA1001 // _gate holds no handle to free (nothing reads AvailableWaitHandle), and pacers live as long as the process.
internal sealed class ReportingPacer
#pragma warning restore CA1001
{
    public const int DefaultRequestsPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    // A little slack over the window, for clock granularity on either side.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50);

    private static readonly ConcurrentDictionary<string, ReportingPacer> Pacers = new(StringComparer.OrdinalIgnoreCase);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _clock = new();
    private readonly Queue<Turn> _recent = new();
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    /// <param name="window">The throttle's window.</param>
    /// <param name="time">The clock and timers; the process's pacers use <see cref="TimeProvider.System"/>, tests a fake one.</param>
    internal ReportingPacer(TimeSpan window, TimeProvider time)
    {
        _window = window;
        _time = time;
    }

    /// <summary>Graph's global limit on one app's requests across all tenants (per 10 s): the
    /// budget that tenants read side by side share above their own.</summary>
    public const int AppWideRequestsPerWindow = 130_000;

    public static ReportingPacer For(Guid tenantId, string caller) => Pacers.GetOrAdd($"{tenantId}|{caller}", _ => new ReportingPacer(Window, TimeProvider.System));

    /// <summary>The one pacer of an app across every tenant it reads.</summary>
    public static ReportingPacer ForApp(string caller) => Pacers.GetOrAdd($"*|{caller}", _ => new ReportingPacer(Window, TimeProvider.System));

    /// <summary>
    /// Waits until one more request fits in the window; <paramref name="limit"/> 0 turns pacing off.
    /// Call <see cref="Turn.Answered"/> on the result when the response arrives.
    /// </summary>
    public async Task<Turn> WaitTurnAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return Turn.Unpaced;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TimeSpan waited = TimeSpan.Zero;
            DateTimeOffset now = _time.GetUtcNow();
            lock (_clock)
            {
                while (_recent.Count > 0 && now - _recent.Peek().At >= _window)
                {
                    _recent.Dequeue();
                }

                if (_recent.Count >= limit)
                {
                    waited = _recent.Peek().At + _window + Slack - now;
                }
            }

            if (waited > TimeSpan.Zero)
            {
#if NET8_0_OR_GREATER
                await Task.Delay(waited, _time, cancellationToken).ConfigureAwait(false);
#else
                // Microsoft.Bcl.TimeProvider's TimeProviderTaskExtensions.
                await _time.Delay(waited, cancellationToken).ConfigureAwait(false);
#endif
            }

            var turn = new Turn(this, waited > TimeSpan.Zero ? waited : TimeSpan.Zero);
            lock (_clock)
            {
                if (_recent.Count >= limit)
                {
                    _recent.Dequeue();
                }

                _recent.Enqueue(turn);
            }

            return turn;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One request's place in the window. It is counted from when its response arrives, not from
    /// when it was sent: the service counts arrivals, and a slow first request (a cold connection)
    /// would otherwise let the sixth request arrive less than a window after the first.
    /// </summary>
    internal sealed class Turn
    {
        public static readonly Turn Unpaced = new(null, TimeSpan.Zero);

        private readonly ReportingPacer? _pacer;

        internal Turn(ReportingPacer? pacer, TimeSpan waited)
        {
            _pacer = pacer;
            Waited = waited;
            At = pacer?._time.GetUtcNow() ?? default;
        }

        /// <summary>How long the caller was held back for this request.</summary>
        public TimeSpan Waited { get; }

        internal DateTimeOffset At { get; private set; }

        /// <summary>Moves this request's place in the window to now, once its response (or failure) is in.</summary>
        public void Answered()
        {
            if (_pacer is null)
            {
                return;
            }

            lock (_pacer._clock)
            {
                At = _pacer._time.GetUtcNow();
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Threading;

namespace GraphEmulator.Faults;

/// <summary>
/// Graph's reporting limit: <see cref="EmulatorOptions.ThrottleLimit"/> requests per
/// <see cref="EmulatorOptions.ThrottleWindow"/> per app per tenant, a sliding window over the
/// requests it let through (refused ones don't count).
/// </summary>
internal sealed class ReportingThrottle(EmulatorOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<long>> _accepted = new(StringComparer.OrdinalIgnoreCase);

    public bool Enabled => options.Throttle;

    /// <summary>Null when the request may go ahead (and is counted); else the seconds until a slot frees (at least 1).</summary>
    public int? TryAcquire(string key)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            if (!_accepted.TryGetValue(key, out Queue<long>? window))
                _accepted[key] = window = new Queue<long>();
            while (window.Count > 0 && time.GetElapsedTime(window.Peek(), now) >= options.ThrottleWindow)
                window.Dequeue();
            if (window.Count >= options.ThrottleLimit)
            {
                TimeSpan wait = options.ThrottleWindow - time.GetElapsedTime(window.Peek(), now);
                return Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            }
            window.Enqueue(now);
            return null;
        }
    }

    /// <summary>Forgets every window (<c>DELETE /_emulator/throttle</c>).</summary>
    public void Reset()
    {
        lock (_gate)
            _accepted.Clear();
    }
}

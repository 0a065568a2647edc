using System;
using System.Collections.Generic;
using System.Threading;

namespace GraphEmulator.Faults;

/// <summary>
/// Graph's reporting limit: <see cref="EmulatorOptions.ThrottleLimit"/> requests per
/// <see cref="EmulatorOptions.ThrottleWindow"/> per app per tenant, a sliding window over the
/// requests it let through (refused ones don't count); and, with <see cref="EmulatorOptions.ThrottleAppLimit"/>,
/// a ceiling per app across every tenant over the same window.
/// </summary>
internal sealed class ReportingThrottle(EmulatorOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<long>> _accepted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<long>> _acceptedPerApp = new(StringComparer.OrdinalIgnoreCase);

    public bool Enabled => options.Throttle;

    /// <summary>The key of one tenant's window for one app: the token's tid and appid (or azp).</summary>
    public static string Key(string? tenantId, string? appId) => $"{tenantId}|{appId}";

    /// <summary>
    /// Null when the request may go ahead (and is counted in its tenant's window and its app's);
    /// else the seconds until a slot frees (at least 1) in the window that is full.
    /// </summary>
    public int? TryAcquire(string tenantId, string? appId)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            Queue<long> window = Window(_accepted, Key(tenantId, appId), now);
            if (Full(window, options.ThrottleLimit, now) is int wait)
                return wait;
            Queue<long>? appWindow = null;
            if (options.ThrottleAppLimit is int appLimit)
            {
                appWindow = Window(_acceptedPerApp, appId ?? "", now);
                if (Full(appWindow, appLimit, now) is int appWait)
                    return appWait;
            }
            window.Enqueue(now);
            appWindow?.Enqueue(now);
            return null;
        }
    }

    private Queue<long> Window(Dictionary<string, Queue<long>> windows, string key, long now)
    {
        if (!windows.TryGetValue(key, out Queue<long>? window))
            windows[key] = window = new Queue<long>();
        while (window.Count > 0 && time.GetElapsedTime(window.Peek(), now) >= options.ThrottleWindow)
            window.Dequeue();
        return window;
    }

    private int? Full(Queue<long> window, int limit, long now)
    {
        if (window.Count < limit)
            return null;
        TimeSpan wait = options.ThrottleWindow - time.GetElapsedTime(window.Peek(), now);
        return Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
    }

    /// <summary>Forgets every window (<c>DELETE /_emulator/throttle</c>).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _accepted.Clear();
            _acceptedPerApp.Clear();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Threading;

namespace GraphEmulator.Faults;

/// <summary>
/// Decides, for each audit page request that got as far as being served, which fault (if any) it
/// gets: a scripted rule of the page first, else a random one at <see cref="EmulatorOptions.RandomFaultRate"/>.
/// The random stream is drawn once per such request whatever happens, so the same seed and the
/// same request order give the same faults. A page whose previous request got a fault never
/// gets a random one, so a client that retries a few times always gets through.
/// </summary>
internal sealed class FaultPlanner(EmulatorOptions options, FaultSchedule schedule)
{
    // Page keys remembered for the "no two random faults in a row" rule; forgotten in bulk past this.
    private const int MaxRememberedPages = 100_000;

    private readonly Lock _gate = new();
    private readonly Random _random = new(options.RandomFaultSeed ?? options.Seed);
    private readonly Dictionary<string, bool> _lastFaulted = new(StringComparer.Ordinal);

    /// <param name="page">The page number within its paging sequence (1 = no $skiptoken).</param>
    /// <param name="pageKey">Names this page of this sequence: the query for page 1, the $skiptoken after
    /// (the key of the page an emptyPages nextLink leads back to, for such a link).</param>
    /// <param name="tenantId">The served tenant whose log the request reads: a scripted rule may be that tenant's alone.</param>
    public FaultRule? Next(int page, string pageKey, string tenantId)
    {
        lock (_gate)
        {
            double draw = _random.NextDouble();
            int pick = _random.Next(Math.Max(1, options.RandomFaultKinds.Count));

            FaultRule? fault = schedule.Take(page, tenantId);
            bool previousFaulted = _lastFaulted.TryGetValue(pageKey, out bool faulted) && faulted;
            if (fault is null && !previousFaulted && options.RandomFaultRate > 0 && options.RandomFaultKinds.Count > 0
                && draw < options.RandomFaultRate
                // repeatRecords repeats the page before; page 1 has none, so that draw is no fault.
                && !(options.RandomFaultKinds[pick] == FaultKind.RepeatRecords && page < 2))
                fault = new FaultRule(options.RandomFaultKinds[pick], page);

            if (_lastFaulted.Count >= MaxRememberedPages && !_lastFaulted.ContainsKey(pageKey))
                _lastFaulted.Clear();
            _lastFaulted[pageKey] = fault is not null;
            return fault;
        }
    }
}

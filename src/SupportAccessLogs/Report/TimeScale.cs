using System;
using System.Collections.Generic;
using System.Globalization;

namespace SupportAccessLogs.Report;

/// <summary>A span of time drawn across a width: where a time lands, and the ticks worth labelling.</summary>
internal sealed class TimeScale
{
    private const int MaxTicks = 8;

    /// <summary>Tick steps from an hour to a year; the first that gives at most <see cref="MaxTicks"/> ticks is taken.</summary>
    private static readonly (TimeSpan Step, int Months)[] Steps =
    {
        (TimeSpan.FromHours(1), 0), (TimeSpan.FromHours(3), 0), (TimeSpan.FromHours(6), 0), (TimeSpan.FromHours(12), 0),
        (TimeSpan.FromDays(1), 0), (TimeSpan.FromDays(2), 0), (TimeSpan.FromDays(7), 0), (TimeSpan.FromDays(14), 0),
        (TimeSpan.Zero, 1), (TimeSpan.Zero, 3), (TimeSpan.Zero, 6), (TimeSpan.Zero, 12), (TimeSpan.Zero, 24), (TimeSpan.Zero, 60),
    };

    public TimeScale(DateTime startUtc, DateTime endUtc, double left, double right)
    {
        // A span of nothing (one instant) still needs a width to draw in.
        if (endUtc <= startUtc)
        {
            endUtc = startUtc.AddHours(1);
        }

        StartUtc = startUtc;
        EndUtc = endUtc;
        Left = left;
        Right = right;
    }

    public DateTime StartUtc { get; }
    public DateTime EndUtc { get; }
    public double Left { get; }
    public double Right { get; }

    /// <summary>Where <paramref name="timeUtc"/> lands, held inside the span.</summary>
    public double X(DateTime timeUtc)
    {
        if (timeUtc <= StartUtc)
        {
            return Left;
        }

        if (timeUtc >= EndUtc)
        {
            return Right;
        }

        return Left + ((timeUtc - StartUtc).Ticks / (double)(EndUtc - StartUtc).Ticks * (Right - Left));
    }

    /// <summary>The times to label, on round hours, days, Mondays or first days of months; with their text.</summary>
    public IReadOnlyList<(DateTime Time, string Label)> Ticks()
    {
        TimeSpan span = EndUtc - StartUtc;
        foreach ((TimeSpan step, int months) in Steps)
        {
            double approximate = months > 0 ? span.TotalDays / (30.44 * months) : span.Ticks / (double)step.Ticks;
            if (approximate > MaxTicks && !(months == 60))
            {
                continue;
            }

            var ticks = new List<(DateTime, string)>();
            string format = step.Ticks > 0 && step < TimeSpan.FromDays(1) ? "yyyy-MM-dd HH:mm" : months >= 12 ? "yyyy" : months > 0 ? "yyyy-MM" : "yyyy-MM-dd";
            for (DateTime tick = First(step, months); tick <= EndUtc && ticks.Count <= MaxTicks * 2; tick = months > 0 ? tick.AddMonths(months) : tick + step)
            {
                if (tick >= StartUtc)
                {
                    ticks.Add((tick, tick.ToString(format, CultureInfo.InvariantCulture)));
                }
            }

            return ticks;
        }

        return Array.Empty<(DateTime, string)>();
    }

    private DateTime First(TimeSpan step, int months)
    {
        if (months > 0)
        {
            int years = months >= 12 ? months / 12 : 1;
            var first = new DateTime(StartUtc.Year - (StartUtc.Year % years), months >= 12 ? 1 : StartUtc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            return months < 12 ? first.AddMonths(-((first.Month - 1) % months)) : first;
        }

        if (step == TimeSpan.FromDays(7) || step == TimeSpan.FromDays(14))
        {
            return Monday(StartUtc);
        }

        return new DateTime(StartUtc.Ticks - (StartUtc.Ticks % step.Ticks), DateTimeKind.Utc);
    }

    /// <summary>The Monday 00:00 UTC that begins <paramref name="timeUtc"/>'s week (ISO 8601 weeks).</summary>
    public static DateTime Monday(DateTime timeUtc)
    {
        int sinceMonday = ((int)timeUtc.DayOfWeek + 6) % 7;
        return DateTime.SpecifyKind(timeUtc.Date.AddDays(-sinceMonday), DateTimeKind.Utc);
    }
}

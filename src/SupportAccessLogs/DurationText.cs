using System;
using System.Globalization;

namespace SupportAccessLogs;

/// <summary>
/// How the module shows a duration to people, in one place: the request table view, the HTML
/// report and the demo all call it, so access that lasted "1.10:13:59.3375469" reads "1d 10:13"
/// everywhere. Objects keep the TimeSpan itself (AccessDuration) for sorting and arithmetic.
/// </summary>
public static class DurationText
{
    /// <summary>Whole days, then hours and minutes ("24d 07:50", "0d 00:05"); empty for none. Seconds are dropped, not rounded up: access shown as "0d 00:00" lasted under a minute.</summary>
    /// <param name="duration">A duration (a negative one is shown as its size with a leading minus).</param>
    public static string Format(TimeSpan? duration)
    {
        if (duration is not TimeSpan span)
        {
            return "";
        }

        string sign = span < TimeSpan.Zero ? "-" : "";
        // TimeSpan.MinValue has no positive counterpart; one tick less shows the same.
        TimeSpan size = span == TimeSpan.MinValue ? TimeSpan.MaxValue : span.Duration();
        return string.Format(CultureInfo.InvariantCulture, "{0}{1}d {2:00}:{3:00}", sign, size.Days, size.Hours, size.Minutes);
    }
}

using System;
using System.Globalization;
using System.Management.Automation;

namespace SupportAccessLogs.Commands;

/// <summary>
/// How an activity is handed to PowerShell. ActivityDateTime stays a real [datetime] for
/// scripts (comparisons, Sort-Object, ConvertTo-Json), but its text is ISO 8601 UTC, so
/// Export-Csv and the table views don't render it in the host's culture.
/// </summary>
public static class ActivityOutput
{
    private static readonly PSCodeMethod IsoToString =
        new("ToString", typeof(ActivityOutput).GetMethod(nameof(FormatIso))!);

    /// <summary>
    /// The ActivityDateTime code property of SupportAccessLogs.Types.ps1xml (public for it only):
    /// the activity's time as a [datetime] whose ToString is ISO 8601 UTC.
    /// </summary>
    public static object GetActivityDateTime(PSObject instance)
    {
        var time = new PSObject(((SupportAccessActivity)instance.BaseObject).ActivityDateTime);
        time.Members.Add(IsoToString);
        return time;
    }

    /// <summary>The ToString of the wrapped ActivityDateTime (public for PSCodeMethod only).</summary>
    public static string FormatIso(PSObject instance) =>
        ((DateTime)instance.BaseObject).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

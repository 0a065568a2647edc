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

    internal static PSObject ToPSObject(SupportAccessActivity activity)
    {
        var time = new PSObject(activity.ActivityDateTime);
        time.Members.Add(IsoToString);
        var output = new PSObject(activity);
        // An instance member shadows the adapted property of the same name.
        output.Properties.Add(new PSNoteProperty(nameof(SupportAccessActivity.ActivityDateTime), time));
        return output;
    }

    /// <summary>The ToString of the wrapped ActivityDateTime (public for PSCodeMethod only).</summary>
    public static string FormatIso(PSObject instance) =>
        ((DateTime)instance.BaseObject).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

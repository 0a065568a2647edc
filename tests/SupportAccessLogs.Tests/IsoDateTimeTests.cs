using System;
using System.Management.Automation;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>ActivityDateTime as PowerShell sees it: a DateTime whose text is ISO 8601 UTC.</summary>
public class IsoDateTimeTests
{
    [Theory]
    [InlineData(2026, 11, 2, 10, 15, 30, 1234567, "2026-11-02T10:15:30.1234567Z")]
    [InlineData(2026, 11, 2, 10, 15, 30, 0, "2026-11-02T10:15:30Z")]
    [InlineData(2026, 1, 9, 0, 0, 0, 5000000, "2026-01-09T00:00:00.5Z")]
    public void IsoDateTime_ADateTimeWhoseTextIsIso(int y, int mo, int d, int h, int mi, int s, int ticks, string iso)
    {
        DateTime time = new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc).AddTicks(ticks);

        PSObject value = IsoDateTime.Wrap(time);

        Assert.Equal(time, value.BaseObject);
        Assert.Equal(iso, value.ToString());
        Assert.Equal(iso, value.ToString());
    }

    [Fact]
    public void ActivityDateTime_TheActivitysTimeWithIsoText()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created"));

        var value = Assert.IsType<PSObject>(activity.ActivityDateTime);

        Assert.Equal(activity.ActivityTime, value.BaseObject);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)value.BaseObject).Kind);
        Assert.Equal("2026-11-02T10:15:30.1234567Z", value.ToString());
    }

    [Fact]
    public void ActivityDateTime_DeclaredFirst_SoItIsTheFirstColumn()
    {
        Assert.Equal("ActivityDateTime", typeof(UserInitiatedActivity).GetProperties()[0].Name);
        Assert.Equal("Id", typeof(UserInitiatedActivity).GetProperties()[1].Name);
    }

    [Fact]
    public void ToStringWithAFormat_FormatsAsADateTimeDoes()
    {
        var time = new DateTime(2026, 11, 2, 10, 15, 30, DateTimeKind.Utc);
        PSObject value = IsoDateTime.Wrap(time);
        PSMethodInfo toString = value.Methods["ToString"];

        Assert.Equal("2026-11", toString.Invoke("yyyy-MM"));
        Assert.Equal("2026-11", toString.Invoke(new PSObject("yyyy-MM")));
        Assert.Equal(time.ToString(System.Globalization.CultureInfo.InvariantCulture), toString.Invoke(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2026/11/02", toString.Invoke("yyyy'/'MM'/'dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2026-11-02T10:15:30Z", toString.Invoke());
        // What "{0}" -f $value and string interpolation ask: no format.
        Assert.Equal("2026-11-02T10:15:30Z", toString.Invoke(null, System.Globalization.CultureInfo.CurrentCulture));
        Assert.Equal("2026-11-02T10:15:30Z", toString.Invoke(new object?[] { null }));
        Assert.Equal("2026-11-02T10:15:30Z", string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", value));
    }
}

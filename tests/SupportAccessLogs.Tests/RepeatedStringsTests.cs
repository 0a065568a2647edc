using System.Text;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The reader's table of repeated strings: a hit is the same text, a miss never wrong.</summary>
public class RepeatedStringsTests
{
    [Fact]
    public void SameBytes_SameStringInstance()
    {
        var strings = new RepeatedStrings();

        string first = strings.Get(Encoding.UTF8.GetBytes("MicrosoftSupportAccessManagement"));
        string second = strings.Get(Encoding.UTF8.GetBytes("MicrosoftSupportAccessManagement"));

        Assert.Equal("MicrosoftSupportAccessManagement", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void ManyDifferentValues_EachDecodedCorrectly()
    {
        var strings = new RepeatedStrings();

        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 5000; i++)
            {
                string text = $"value-{i}-Zoë-田中";
                Assert.Equal(text, strings.Get(Encoding.UTF8.GetBytes(text)));
            }
        }
    }

    [Fact]
    public void LongValue_DecodedNotKept()
    {
        var strings = new RepeatedStrings();
        string text = new string('x', 200);

        string first = strings.Get(Encoding.UTF8.GetBytes(text));
        string second = strings.Get(Encoding.UTF8.GetBytes(text));

        Assert.Equal(text, first);
        Assert.NotSame(first, second);
    }
}

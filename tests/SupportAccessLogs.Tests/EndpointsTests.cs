using System;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;
using SupportAccessLogs.LogAnalytics;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>Http/Endpoints: where a token may go, and what an endpoint given at connect may be,
/// for Graph and Log Analytics alike.</summary>
public sealed class EndpointsTests
{
    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0/auditLogs?$top=1", "https://graph.microsoft.com/v1.0/", true)]
    [InlineData("https://GRAPH.microsoft.com:443/x", "https://graph.microsoft.com/", true)]
    [InlineData("https://graph.microsoft.com:8443/x", "https://graph.microsoft.com/", false)]
    [InlineData("http://graph.microsoft.com/x", "https://graph.microsoft.com/", false)]
    [InlineData("https://graph.microsoft.com.evil.example/x", "https://graph.microsoft.com/", false)]
    [InlineData("https://api.loganalytics.io/v1/workspaces/w/query", "https://api.loganalytics.io/", true)]
    [InlineData("https://api.loganalytics.io/v1/x", "https://graph.microsoft.com/", false)]
    public void SameOrigin_IsSchemeHostAndPort(string url, string endpoint, bool same) =>
        Assert.Equal(same, Endpoints.SameOrigin(new Uri(url), new Uri(endpoint)));

    [Fact]
    public void UserInfo_IsRefused_AndNeverShown()
    {
        var error = Assert.Throws<ArgumentException>(() => Endpoints.RefuseUserInfo(new Uri("https://admin:s3cret@proxy.example/"), "Graph endpoint"));
        Assert.Contains("https://proxy.example", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.Equal("https://proxy.example:8443", Endpoints.WithoutUserInfo(new Uri("https://u:p@proxy.example:8443/a?b")));
    }

    [Theory]
    [InlineData("https://graph.microsoft.com", "https://graph.microsoft.com/v1.0/")]
    [InlineData("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/v1.0/")]
    [InlineData("https://gateway.example/graph/V1.0/", "https://gateway.example/graph/v1.0/")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/v1.0/")]
    public void GraphBaseUrl_EndsInOneVersionSegment(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), GraphClouds.V1BaseUrl(new Uri(endpoint)));

    [Theory]
    [InlineData("https://api.loganalytics.io", "https://api.loganalytics.io/")]
    [InlineData("https://api.loganalytics.io/v1", "https://api.loganalytics.io/")]
    [InlineData("https://gateway.example/la/v1/", "https://gateway.example/la/")]
    [InlineData("http://localhost:5000/", "http://localhost:5000/")]
    public void LogAnalyticsBaseUrl_HasNoVersionSegment(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), LogAnalyticsClouds.BaseUrl(new Uri(endpoint)));

    [Theory]
    [InlineData("http://graph.example/", "must use https")]
    [InlineData("http://10.0.0.5:8080/", "must use https")]
    [InlineData("https://u:p@graph.example/", "user name or password")]
    public void BothApis_RefuseTheSameEndpoints(string endpoint, string why)
    {
        Assert.Contains(why, Assert.Throws<ArgumentException>(() => GraphClouds.V1BaseUrl(new Uri(endpoint))).Message, StringComparison.Ordinal);
        Assert.Contains(why, Assert.Throws<ArgumentException>(() => LogAnalyticsClouds.BaseUrl(new Uri(endpoint))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeEndpoint_SaysWhatToGive()
    {
        string message = Assert.Throws<ArgumentException>(() => Endpoints.CheckedPath(new Uri("graph", UriKind.Relative), "Graph endpoint", "https://graph.microsoft.com")).Message;
        Assert.Contains("not an absolute URL", message, StringComparison.Ordinal);
        Assert.Contains("https://graph.microsoft.com", message, StringComparison.Ordinal);
    }
}

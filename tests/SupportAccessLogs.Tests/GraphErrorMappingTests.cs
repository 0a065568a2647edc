using System;
using System.Collections.Generic;
using System.Management.Automation;
using Microsoft.Graph.Models.ODataErrors;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Commands;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The one error-mapping place: status to category, a stable FullyQualifiedErrorId, the
/// Graph error code and trace ids in the message, and a target URL without its query.</summary>
public class GraphErrorMappingTests
{
    private static readonly Uri AuditUrl = new("https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$filter=initiatedBy%2Fuser%2FuserPrincipalName%20eq%20%27secret%40contoso.com%27&$skiptoken=abc");

    private static ODataError GraphError(int status, string code, string message) => new()
    {
        ResponseStatusCode = status,
        Error = new MainError { Code = code, Message = message },
        ResponseHeaders = new Dictionary<string, IEnumerable<string>>
        {
            ["request-id"] = new[] { "11111111-2222-3333-4444-555555555555" },
            ["client-request-id"] = new[] { "66666666-7777-8888-9999-000000000000" },
            ["Date"] = new[] { "Thu, 26 Nov 2026 09:00:00 GMT" },
        },
    };

    [Theory]
    [InlineData(400, "BadRequest", "GraphBadRequest", ErrorCategory.InvalidArgument)]
    [InlineData(401, "InvalidAuthenticationToken", "GraphUnauthorized", ErrorCategory.AuthenticationError)]
    [InlineData(403, "Authorization_RequestDenied", "GraphForbidden", ErrorCategory.PermissionDenied)]
    [InlineData(404, "Request_ResourceNotFound", "GraphNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData(429, "TooManyRequests", "GraphThrottled", ErrorCategory.LimitsExceeded)]
    [InlineData(500, "InternalServerError", "GraphUnavailable", ErrorCategory.ResourceUnavailable)]
    [InlineData(503, "ServiceUnavailable", "GraphUnavailable", ErrorCategory.ResourceUnavailable)]
    [InlineData(504, "GatewayTimeout", "GraphUnavailable", ErrorCategory.ResourceUnavailable)]
    public void ToErrorRecord_MapsStatusToCategoryAndStableId(int status, string code, string errorId, ErrorCategory category)
    {
        ErrorRecord record = ErrorRecords.ToErrorRecord(GraphError(status, code, "What Graph said."), AuditUrl);

        Assert.Equal(errorId, record.FullyQualifiedErrorId);
        Assert.Equal(category, record.CategoryInfo.Category);
        string message = record.Exception.Message;
        Assert.Contains(code, message);
        Assert.Contains("What Graph said.", message);
        Assert.Contains("request-id 11111111-2222-3333-4444-555555555555", message);
        Assert.Contains("client-request-id 66666666-7777-8888-9999-000000000000", message);
        Assert.Contains("Thu, 26 Nov 2026 09:00:00 GMT", message);
        Assert.DoesNotContain("secret", message);
        Assert.DoesNotContain("skiptoken", message);
        var exception = Assert.IsType<GraphRequestException>(record.Exception);
        Assert.Equal(status, exception.StatusCode);
        Assert.Equal(code, exception.GraphErrorCode);
    }

    [Fact]
    public void ToErrorRecord_RetriesExhausted_KeepsTheLastFailuresIdAndSaysHowManyTries()
    {
        ErrorRecord record = ErrorRecords.ToErrorRecord(new RetriesExhaustedException(6, GraphError(503, "ServiceUnavailable", "Try later.")), AuditUrl);

        Assert.Equal("GraphUnavailable", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, record.CategoryInfo.Category);
        Assert.StartsWith("Gave up after 6 tries", record.Exception.Message);
        Assert.Contains("request-id", record.Exception.Message);
    }

    [Fact]
    public void ToErrorRecord_HtmlBody_SaysAProxyMayBeInTheWay()
    {
        var html = new AuditResponseFormatException("The endpoint returned HTML instead of Graph JSON (status 200, first characters: <!DOCTYPE html>). Is a proxy in the way?");
        ErrorRecord record = ErrorRecords.ToErrorRecord(html, AuditUrl);

        Assert.Equal("GraphResponseMalformed", record.FullyQualifiedErrorId);
        Assert.Contains("<!DOCTYPE html>", record.Exception.Message);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(record.Exception.Message, "proxy"));
    }
}

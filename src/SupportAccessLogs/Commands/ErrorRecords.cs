using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Http;
using SupportAccessLogs.LogAnalytics;

namespace SupportAccessLogs.Commands;

/// <summary>
/// The one place that turns failures into PowerShell error records: category, stable
/// FullyQualifiedErrorId, Graph error code, request-id and a target URL without any token.
/// </summary>
internal static class ErrorRecords
{
    /// <param name="requestUrl">Where the failure happened when the exception doesn't say
    /// (<see cref="FailedRequest"/>): the endpoint the command was using.</param>
    public static ErrorRecord ToErrorRecord(Exception exception, Uri? requestUrl)
    {
        ErrorRecord record = Map(exception, FailedRequest.UrlOf(exception) ?? requestUrl);
        if (Secrets.AnyIn(record.Exception))
        {
            // A server echoed a token into a message: the exceptions that carry it stay out of
            // $Error and transcripts; the record keeps its id, category and the cleaned message.
            record = new ErrorRecord(new InvalidOperationException(ServerText.Clean(record.Exception.Message)), record.FullyQualifiedErrorId, record.CategoryInfo.Category, record.TargetObject)
            {
                ErrorDetails = record.ErrorDetails is null ? null : new System.Management.Automation.ErrorDetails(ServerText.Clean(record.ErrorDetails.Message)) { RecommendedAction = record.ErrorDetails.RecommendedAction },
            };
        }

        // Server text reaches messages in many ways (Graph's error message, an HTML page's first
        // characters, a sign-in error); what the console shows is cleaned here, once.
        string message = record.Exception.Message;
        string clean = ServerText.Clean(message);
        if (!ReferenceEquals(clean, message))
        {
            record.ErrorDetails = new System.Management.Automation.ErrorDetails(clean);
        }

        return record;
    }

    /// <summary>
    /// One tenant's failure among several (a connection that could not be made, a tenant that
    /// could not be read): the same error id, category and advice, the message naming the tenant
    /// first, the original failure inside, the tenant as the target.
    /// </summary>
    public static ErrorRecord ForTenant(Exception exception, string tenant, string? account, Uri? requestUrl)
    {
        ErrorRecord record = ToErrorRecord(exception, requestUrl);
        string message = $"Tenant {tenant}{(account is null ? "" : $" ({account})")}: {record.ErrorDetails?.Message ?? record.Exception.Message}";
        Exception inner = Secrets.AnyIn(exception) ? record.Exception : exception;
        return new ErrorRecord(new TenantFailedException(message, inner), record.FullyQualifiedErrorId, record.CategoryInfo.Category, tenant)
        {
            ErrorDetails = new System.Management.Automation.ErrorDetails(message) { RecommendedAction = record.ErrorDetails?.RecommendedAction },
        };
    }

    /// <summary>A tenant's failure among several, carrying the original one.</summary>
    private sealed class TenantFailedException : Exception
    {
        public TenantFailedException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }

    private static ErrorRecord Map(Exception exception, Uri? requestUrl)
    {
        switch (exception)
        {
            case ModuleException known:
                return new ErrorRecord(known, known.ErrorId, known.Category, known.Target ?? requestUrl);

            case AccessTokenExpiredException expired:
                return new ErrorRecord(expired, "AccessTokenExpired", ErrorCategory.AuthenticationError, requestUrl);

            case ApiException api:
                return FromGraphResponse(api, requestUrl);

            case RetriesExhaustedException exhausted when exhausted.InnerException is not null:
                ErrorRecord last = Map(exhausted.InnerException, requestUrl);
                return new ErrorRecord(
                    new InvalidOperationException($"Gave up after {exhausted.Attempts} tries; activities already written stand. {last.Exception.Message}", last.Exception),
                    last.FullyQualifiedErrorId, last.CategoryInfo.Category, requestUrl);

            case AuditResponseFormatException format when IsLogAnalytics(requestUrl):
                return new ErrorRecord(
                    new InvalidOperationException($"{format.Message} Nothing of that answer was written; activities written before stand. Check -LogAnalyticsEndpoint (or -Environment) of Connect-SupportAccess and any proxy in between, then run the command again. (request {Describe(requestUrl)})", format),
                    "LogAnalyticsResponseMalformed", ErrorCategory.InvalidResult, requestUrl);

            case AuditResponseFormatException format:
                return new ErrorRecord(
                    new InvalidOperationException($"{format.Message} Request: {Describe(requestUrl)}." + (format.Message.Contains("proxy") ? "" : " Is a proxy in the way?"), format),
                    "GraphResponseMalformed", ErrorCategory.InvalidResult, requestUrl);

            case ResponseTooLargeException tooLarge:
                return new ErrorRecord(
                    new InvalidOperationException($"{tooLarge.Message} Request: {Describe(requestUrl)}. Check -GraphEndpoint and any proxy in between.", tooLarge),
                    "GraphResponseTooLarge", ErrorCategory.LimitsExceeded, requestUrl);

            case HttpRequestException http when IsLogAnalytics(requestUrl):
                return new ErrorRecord(
                    new InvalidOperationException($"Could not reach Log Analytics at {Describe(requestUrl)}: {http.Message} Check -LogAnalyticsEndpoint (or -Environment) of Connect-SupportAccess, the network and any proxy in between.", http),
                    "LogAnalyticsUnreachable", ErrorCategory.ConnectionError, requestUrl);

            case HttpRequestException http:
                return new ErrorRecord(
                    new InvalidOperationException($"Could not reach Microsoft Graph at {Describe(requestUrl)}: {http.Message} Check -GraphEndpoint (or -Environment) of Connect-SupportAccess, the network and any proxy in between.", http),
                    "GraphUnreachable", ErrorCategory.ConnectionError, requestUrl);

            case Azure.RequestFailedException failed:
                (ErrorCategory category, string id) = failed.Status switch
                {
                    401 => (ErrorCategory.AuthenticationError, "LogAnalyticsUnauthorized"),
                    429 => (ErrorCategory.LimitsExceeded, "LogAnalyticsThrottled"),
                    400 => (ErrorCategory.InvalidArgument, "LogAnalyticsBadRequest"),
                    >= 500 => (ErrorCategory.ResourceUnavailable, "LogAnalyticsUnavailable"),
                    _ => (ErrorCategory.NotSpecified, "LogAnalyticsError"),
                };
                string advice = failed.Status == 401
                    ? " The token was refused: connect again (with -AccessToken, pass a fresh -LogAnalyticsAccessToken)."
                    : "";
                return new ErrorRecord(
                    new InvalidOperationException($"{ServerText.Clean(failed.Message)}{advice} (request {Describe(requestUrl)})", failed),
                    id, category, requestUrl);

            case PartialAnswerException partial:
                return new ErrorRecord(
                    new InvalidOperationException($"Log Analytics kept answering incompletely even for the smallest slice ({partial.Message}). Activities already written stand; narrow the window or the filters and run the command again. (request {Describe(requestUrl)})", partial),
                    "LogAnalyticsIncomplete", ErrorCategory.LimitsExceeded, requestUrl);

            case TimeoutException timeout:
                return new ErrorRecord(
                    new InvalidOperationException($"{timeout.Message} Activities already written stand; run the command again later, or raise -PageTimeoutSeconds. (request {Describe(requestUrl)})", timeout),
                    "LogAnalyticsTimeout", ErrorCategory.OperationTimeout, requestUrl);

            default:
                return new ErrorRecord(exception, "UnexpectedError", ErrorCategory.NotSpecified, requestUrl);
        }
    }

    private static ErrorRecord FromGraphResponse(ApiException api, Uri? requestUrl)
    {
        int status = api.ResponseStatusCode;
        (ErrorCategory category, string errorId, string advice) = status switch
        {
            401 => (ErrorCategory.AuthenticationError, "GraphUnauthorized", "The token was refused. Connect again with a valid Microsoft Graph token."),
            403 => (ErrorCategory.PermissionDenied, "GraphForbidden", ForbiddenAdvice(requestUrl)),
            404 => (ErrorCategory.ObjectNotFound, "GraphNotFound", "The resource was not found at this endpoint."),
            429 => (ErrorCategory.LimitsExceeded, "GraphThrottled", "Microsoft Graph throttled the request. Wait and run it again."),
            400 => (ErrorCategory.InvalidArgument, "GraphBadRequest", "Microsoft Graph refused the request as sent."),
            >= 500 => (ErrorCategory.ResourceUnavailable, "GraphUnavailable", "Microsoft Graph is unavailable. Try again later."),
            _ => (ErrorCategory.NotSpecified, "GraphError", ""),
        };

        string graphCode = "";
        string graphMessage = "";
        if (api is ODataError odata)
        {
            graphCode = ServerText.Clean(odata.Error?.Code);
            graphMessage = ServerText.Clean(odata.Error?.Message);
        }
        else
        {
            // GraphGet's own description of a body that is no Graph error (empty, HTML, …).
            graphMessage = ServerText.Clean(api.Message);
        }

        string requestId = ServerText.Clean(FailedRequest.Header(api.ResponseHeaders, "request-id"));
        string clientRequestId = ServerText.Clean(FailedRequest.Header(api.ResponseHeaders, "client-request-id"));
        string date = ServerText.Clean(FailedRequest.Header(api.ResponseHeaders, "Date"));

        string message = $"Microsoft Graph returned {status}"
            + (graphCode.Length > 0 ? $" {graphCode}" : "")
            + (graphMessage.Length > 0 ? $": {graphMessage}" : ".")
            + (advice.Length > 0 ? $" {advice}" : "")
            + $" (request {Describe(requestUrl)}"
            + (requestId.Length > 0 ? $", request-id {requestId}" : "")
            + (clientRequestId.Length > 0 ? $", client-request-id {clientRequestId}" : "")
            + (date.Length > 0 ? $", date {date}" : "")
            + ")";

        var record = new ErrorRecord(new GraphRequestException(message, status, graphCode, requestId, api), errorId, category, requestUrl);
        return record;
    }

    private static string ForbiddenAdvice(Uri? requestUrl) =>
        requestUrl is not null && requestUrl.AbsolutePath.EndsWith("/auditLogs/directoryAudits", StringComparison.OrdinalIgnoreCase)
            ? $"Reading directory audit logs needs the Graph permission {Roles.DirectoryRoleRules.AuditReadPermission} (for an app or managed identity: the application permission, with admin consent) and, for a signed-in user, one of the directory roles {Roles.DirectoryRoleRules.ReaderRoleNames}. Assign one, or activate it in Privileged Identity Management, then run Connect-SupportAccess again."
            : "The caller lacks a permission or directory role for this request.";


    private static bool IsLogAnalytics(Uri? url) =>
        url is not null && url.AbsolutePath.Contains("/v1/workspaces/", StringComparison.OrdinalIgnoreCase);

    /// <summary>A URL fit for messages: no query string, which may hold filter values.</summary>
    private static string Describe(Uri? url) => url is null ? "(none)" : url.GetLeftPart(UriPartial.Path);
}

using System;
using System.Globalization;
using System.Threading.Tasks;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator.LogAnalytics;

/// <summary>The Log Analytics query API's error bodies and value formats (README.md, "Log Analytics").</summary>
public static class LogAnalyticsJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public const string BadArgumentError = "BadArgumentError";
    public const string InvalidPropertiesMessage = "The request had some invalid properties";
    /// <summary>The middle innererror of a semantic error, which says nothing of what was wrong.</summary>
    public const string SemanticErrorMessage = "A semantic error occurred.";
    /// <summary>The innermost innererror's code of every semantic error here (the service has several, SEM0100 for a name that does not resolve).</summary>
    public const string SemanticErrorDetailCode = "SEM0100";
    public const string AuthorizationRequiredError = "AuthorizationRequiredError";
    public const string AuthorizationRequiredMessage = "Valid authentication was not provided";
    public const string InvalidTokenError = "InvalidTokenError";
    public const string InvalidTokenMessage = "The provided authentication is not valid for this resource";
    public const string InsufficientAccessError = "InsufficientAccessError";
    public const string InsufficientAccessMessage = "The provided credentials have insufficient access to perform the requested operation";
    public const string WorkspaceNotFoundError = "WorkspaceNotFoundError";
    public const string WorkspaceNotFoundMessage = "The workspace could not be found";
    public const string PathNotFoundError = "PathNotFoundError";
    public const string ThrottledError = "ThrottledError";
    public const string ThrottledMessage = "Your request was throttled: too many queries are running or queued for this user. Retry after the time in the Retry-After header.";
    public const string GatewayTimeout = "GatewayTimeout";
    public const string GatewayTimeoutMessage = "The query did not complete within the time allowed (the Prefer: wait header, 180 s by default).";

    /// <summary>What a gateway in front of the service (here nginx's stock page) answers when the service behind it fails: <c>html502</c>.</summary>
    public const string BadGatewayPage =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    public const string PartialError = "PartialError";
    public const string PartialErrorMessage = "There were some errors when processing your query.";
    public const string EngineError = "EngineError";
    public const string RecordCountLimitMessage = "Query result set has exceeded the internal record count limit";
    public const string ResultSetTooLargeCode = "-2133196797";
    public const string ResultSetTooLargeMessage = "E_QUERY_RESULT_SET_TOO_LARGE";

    /// <summary>A datetime value: UTC, 7 fractional digits, Z — <c>2026-09-01T10:00:00.1234567Z</c>.</summary>
    public static string FormatDateTime(long utcTicks) =>
        new DateTime(utcTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// One cell of a result row, as the query API writes it: a string, datetime (7 fractional
    /// digits, Z), guid or timespan as a JSON string, a number or bool as itself, a dynamic value
    /// as its JSON text in a string (an empty cell as ""), a null as null.
    /// </summary>
    internal static void WriteCell(Utf8JsonWriter writer, Kql.KqlType type, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case DateTime time:
                writer.WriteStringValue(FormatDateTime(time.Ticks));
                break;
            case long number when type == Kql.KqlType.Real:
                writer.WriteNumberValue((double)number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case DynamicValue dynamic:
                if (dynamic.Text is string json)
                    writer.WriteStringValue(json);
                else
                    writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(Kql.KqlValues.ToText(value));
                break;
        }
    }

    /// <summary><c>{"error":{"code","message","correlationId"[,"innererror":{…}]}}</c> with the status.</summary>
    internal static async Task WriteErrorAsync(
        HttpContext context, int status, string code, string message, Action<Utf8JsonWriter>? innerError = null)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        await using var writer = new Utf8JsonWriter(response.Body, GraphJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("code", code);
        writer.WriteString("message", message);
        writer.WriteString("correlationId", response.Headers[GraphErrors.RequestIdHeader].ToString());
        if (innerError is not null)
        {
            writer.WriteStartObject("innererror");
            innerError(writer);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>400 BadArgumentError, "The request had some invalid properties", with an innererror saying which and why.</summary>
    internal static Task BadArgumentAsync(HttpContext context, string innerCode, string innerMessage) =>
        WriteErrorAsync(context, StatusCodes.Status400BadRequest, BadArgumentError, InvalidPropertiesMessage, inner =>
        {
            inner.WriteString("code", innerCode);
            inner.WriteString("message", innerMessage);
        });

    /// <summary>The <c>error</c> member of a 200 with partial results: the record count limit was hit (or a fault says so).</summary>
    internal static void WritePartialError(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("error");
        writer.WriteString("code", PartialError);
        writer.WriteString("message", PartialErrorMessage);
        writer.WriteStartArray("details");
        writer.WriteStartObject();
        writer.WriteString("code", EngineError);
        writer.WriteString("message", RecordCountLimitMessage);
        writer.WriteStartObject("innererror");
        writer.WriteString("code", ResultSetTooLargeCode);
        writer.WriteString("message", ResultSetTooLargeMessage);
        writer.WriteNumber("severity", 2);
        writer.WriteString("severityName", "Error");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

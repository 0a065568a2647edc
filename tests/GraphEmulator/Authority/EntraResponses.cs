using System;
using System.Globalization;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator.Authority;

/// <summary>
/// How the Microsoft identity platform answers: JSON bodies with no-store caching headers, and
/// its error body <c>{"error","error_description","error_codes","timestamp","trace_id",
/// "correlation_id","error_uri"}</c> whose description starts with the AADSTS code and ends with
/// trace id, correlation id and timestamp lines.
/// </summary>
internal static class EntraResponses
{
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>An error answer; the log scope records its code. invalid_client is 401, the rest 400, as Entra does.</summary>
    public static Task ErrorAsync(HttpContext context, TokenLogScope? log, string error, int aadsts, string message, int? status = null)
    {
        int statusCode = status ?? (error == "invalid_client" ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest);
        if (log is not null)
        {
            log.Error = "AADSTS" + aadsts.ToString(CultureInfo.InvariantCulture);
            log.OAuthError = error;
        }

        string traceId = Guid.NewGuid().ToString();
        string correlationId = CorrelationId(context);
        DateTime now = DateTime.UtcNow;
        string timestamp = now.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string code = aadsts.ToString(CultureInfo.InvariantCulture);
        string description = $"AADSTS{code}: {message}\r\nTrace ID: {traceId}\r\nCorrelation ID: {correlationId}\r\nTimestamp: {timestamp}";
        context.Response.Headers["x-ms-request-id"] = traceId;
        return WriteJsonAsync(context, statusCode, json =>
        {
            json.WriteString("error", error);
            json.WriteString("error_description", description);
            json.WriteStartArray("error_codes");
            json.WriteNumberValue(aadsts);
            json.WriteEndArray();
            json.WriteString("timestamp", timestamp);
            json.WriteString("trace_id", traceId);
            json.WriteString("correlation_id", correlationId);
            json.WriteString("error_uri", $"https://login.microsoftonline.com/error?code={code}");
        });
    }

    /// <summary>A JSON object answer, written by <paramref name="writeProperties"/> between the braces.</summary>
    public static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> writeProperties)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.Headers.CacheControl = "no-store, no-cache";
        response.Headers.Pragma = "no-cache";
        if (!response.Headers.ContainsKey("x-ms-request-id"))
            response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        await using var writer = new Utf8JsonWriter(response.Body, GraphJson.WriterOptions);
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>The client's <c>client-request-id</c> (MSAL sends one), echoed as Entra does; else a new GUID.</summary>
    public static string CorrelationId(HttpContext context)
    {
        string sent = context.Request.Headers[GraphErrors.ClientRequestIdHeader].ToString();
        return Guid.TryParse(sent, out Guid id) ? id.ToString() : Guid.NewGuid().ToString();
    }
}

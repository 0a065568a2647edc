using System;
using System.Globalization;
using System.Threading.Tasks;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace GraphEmulator;

/// <summary>Graph's error body and response headers, shared by every /v1.0 answer.</summary>
internal static class GraphErrors
{
    /// <summary>Graph's Content-Type for JSON, byte for byte: some clients sniff the odata parameters.</summary>
    public const string ContentType =
        "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

    public const string RequestIdHeader = "request-id";
    public const string ClientRequestIdHeader = "client-request-id";

    public const string BadRequest = "BadRequest";
    public const string InvalidAuthenticationToken = "InvalidAuthenticationToken";
    public const string ResourceNotFound = "Request_ResourceNotFound";

    public static Task BadRequestAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, BadRequest, message);

    public static async Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;

        await using var writer = new Utf8JsonWriter(response.BodyWriter, GraphJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("code", code);
        writer.WriteString("message", message);
        writer.WriteStartObject("innerError");
        // Graph writes this date without an offset; it is UTC.
        writer.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        writer.WriteString("request-id", response.Headers[RequestIdHeader].ToString());
        writer.WriteString("client-request-id", response.Headers[ClientRequestIdHeader].ToString());
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}

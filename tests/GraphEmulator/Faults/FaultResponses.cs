using System;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace GraphEmulator.Faults;

/// <summary>Marks a Graph request's log entry with the fault it got.</summary>
internal static class RequestFault
{
    /// <summary>The log's name for a refusal by the reporting throttle (<see cref="EmulatorOptions.Throttle"/>).</summary>
    public const string Throttle = "throttle";

    private static readonly object ItemKey = new();

    public static void Mark(HttpContext context, string fault) => context.Items[ItemKey] = fault;

    public static string? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out object? fault) ? fault as string : null;
}

/// <summary>
/// The answers of the faults that are whole responses (429, 503, 504, 401, 500, an empty 500, 302,
/// an HTML page). Public for its constants, so tests can compare what they got with what was sent.
/// </summary>
public static class FaultResponses
{
    public const string TooManyRequestsCode = "TooManyRequests";
    public const string TooManyRequestsMessage = "Too many requests";
    public const string ServiceUnavailableCode = "ServiceUnavailable";
    public const string GatewayTimeoutCode = "GatewayTimeout";
    public const string ExpiredMessage = "Lifetime validation failed, the token is expired.";
    public const string ExpiredChallenge = "Bearer error=\"invalid_token\", error_description=\"The token is expired\"";
    public const string InternalServerErrorCode = "InternalServerError";

    /// <summary>
    /// The message of <see cref="FaultKind.Escape500"/>: ESC[2J (clear the screen), an OSC title
    /// set (ESC]0;pwned BEL), a colour and a reset. A client that writes a service's message to a
    /// terminal as it is lets the service drive that terminal; it should neutralise them first.
    /// </summary>
    public const string Escape500Message = "Internal error \u001b[2J\u001b]0;pwned\u0007\u001b[31mred\u001b[0m done";

    public const string ProxySignInPage = """
        <!DOCTYPE html><html><head><title>Sign in to Contoso Web Proxy</title>
        <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body><h1>Contoso Web Proxy</h1>
        <p>Your session has expired. Sign in to continue to the requested site.</p>
        <form method="post" action="/proxy/login"><label>User name <input name="username"></label>
        <label>Password <input name="password" type="password"></label><button type="submit">Sign in</button></form>
        </body></html>
        """;

    internal static Task TooManyRequestsAsync(HttpContext context, int retryAfterSeconds, bool asDate)
    {
        SetRetryAfter(context, retryAfterSeconds, asDate);
        return GraphErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, TooManyRequestsCode, TooManyRequestsMessage);
    }

    internal static Task TransientAsync(HttpContext context, int status, FaultRule fault)
    {
        if (fault.RetryAfterSeconds is int seconds)
            SetRetryAfter(context, seconds, fault.RetryAfterDate);
        return status == StatusCodes.Status503ServiceUnavailable
            ? GraphErrors.WriteAsync(context, status, ServiceUnavailableCode,
                "The service is currently unavailable. Please try again later.")
            : GraphErrors.WriteAsync(context, status, GatewayTimeoutCode,
                "The request timed out waiting for the service to respond. Please try again later.");
    }

    internal static Task ExpiredTokenAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = ExpiredChallenge;
        return GraphErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, GraphErrors.InvalidAuthenticationToken, ExpiredMessage);
    }

    /// <summary>The message goes out JSON-escaped (\u001B, \u0007), as any control character must; parsed, it is the raw sequences again.</summary>
    internal static Task EscapeSequencesAsync(HttpContext context) =>
        GraphErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, InternalServerErrorCode, Escape500Message);

    /// <summary>400 BadRequest whose message is "Bad token: " and the request's Authorization header, as sent.</summary>
    internal static Task EchoTokenAsync(HttpContext context) =>
        GraphErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "BadRequest", "Bad token: " + context.Request.Headers.Authorization.ToString());

    /// <summary>
    /// 500 with nothing in it: Content-Length: 0 and no Content-Type, as a proxy or a failing
    /// front end may send. Graph's correlation headers (request-id, client-request-id) stay, as on every answer.
    /// </summary>
    internal static Task EmptyInternalServerErrorAsync(HttpContext context)
    {
        // Labelled JSON but empty, as a failing front end sends it: a client that parses every
        // JSON-labelled error body finds nothing to parse.
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>302 Found to the rule's location, no body: nothing a client could mistake for a page.</summary>
    internal static Task RedirectAsync(HttpContext context, FaultRule fault)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = fault.Location;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    internal static async Task ProxySignInPageAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(ProxySignInPage, context.RequestAborted);
    }

    /// <summary>Retry-After in seconds, or as an HTTP date at least that many seconds ahead (rounded up to a whole second).</summary>
    private static void SetRetryAfter(HttpContext context, int seconds, bool asDate)
    {
        if (!asDate)
        {
            context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
            return;
        }
        DateTimeOffset at = DateTimeOffset.UtcNow.AddSeconds(seconds);
        long ticksIntoSecond = at.Ticks % TimeSpan.TicksPerSecond;
        if (ticksIntoSecond != 0)
            at = at.AddTicks(TimeSpan.TicksPerSecond - ticksIntoSecond);
        context.Response.Headers[HeaderNames.RetryAfter] = at.ToString("R", CultureInfo.InvariantCulture);
    }
}

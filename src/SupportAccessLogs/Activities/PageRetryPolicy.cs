using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using Microsoft.Kiota.Abstractions;

namespace SupportAccessLogs.Activities;

/// <summary>
/// Which failures of a page are worth another try of the same whole nextLink, and how long to
/// wait first: Retry-After when the service names it, else exponential backoff with jitter.
/// </summary>
internal sealed class PageRetryPolicy
{
    public const int DefaultMaxRetries = 5;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);
    private static readonly int[] TransientStatuses = { 429, 502, 503, 504 };

    private readonly Random _jitter = new();

    public PageRetryPolicy(int maxRetries) => MaxRetries = maxRetries;

    public int MaxRetries { get; }

    /// <summary>Transient: throttling, a gateway or service hiccup, a reset or truncated body, a
    /// timeout, or a non-JSON body (a proxy page may clear).</summary>
    public static bool IsTransient(Exception exception, bool timedOut) => timedOut || exception switch
    {
        ApiException api => TransientStatuses.Contains(api.ResponseStatusCode),
        AuditResponseFormatException => true,
        HttpRequestException or IOException => true,
        _ => false,
    };

    public static bool IsThrottle(Exception exception) => exception is ApiException { ResponseStatusCode: 429 };

    public TimeSpan DelayBefore(int retry, Exception exception)
    {
        if (exception is ApiException api && RetryAfter(api) is TimeSpan asked)
        {
            return asked > MaxDelay ? MaxDelay : asked;
        }

        double exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, retry - 1);
        double jittered = exponential * (0.75 + (_jitter.NextDouble() * 0.5));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }

    /// <summary>Retry-After in seconds or as an HTTP date, as RFC 9110 allows both.</summary>
    public static TimeSpan? RetryAfter(ApiException api)
    {
        string value = ErrorRecords.Header(api.ResponseHeaders, "Retry-After");
        if (value.Length == 0)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
        {
            TimeSpan wait = at - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}

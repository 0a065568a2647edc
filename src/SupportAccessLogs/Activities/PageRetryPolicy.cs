using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Activities;

/// <summary>What a source does after a failed request.</summary>
internal enum FailureAction
{
    /// <summary>Ask again in the source's other documented way (Graph's loggedByService filter, a smaller Log Analytics slice).</summary>
    FallBack,
    /// <summary>Sign in again and repeat the request at once.</summary>
    RenewToken,
    /// <summary>Repeat the request after <see cref="FailureStep.Delay"/>.</summary>
    Retry,
    /// <summary>Give up: the failure (or the retries spent) ends the query.</summary>
    Fail,
}

/// <summary>The decision, and for a retry how long to wait first.</summary>
internal readonly struct FailureStep
{
    public FailureStep(FailureAction action, TimeSpan delay = default)
    {
        Action = action;
        Delay = delay;
    }

    public FailureAction Action { get; }
    public TimeSpan Delay { get; }
}

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
        Azure.RequestFailedException { Status: > 0 } azure => TransientStatuses.Contains(azure.Status),
        Azure.RequestFailedException => true,
        AuditResponseFormatException => true,
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// The one decision both sources make after a failed request, with no side effects: fall
    /// back when the source says its fallback applies, sign in again once on a 401 (a credential
    /// can; a caller's own token can't), retry a transient failure while tries remain, else fail.
    /// </summary>
    /// <param name="attempt">Tries made so far of this request, the failed one included.</param>
    /// <param name="canFallBack">The source's own judgement that this failure has a fallback.</param>
    /// <param name="canRenewToken">Whether signing in again is still on offer for this request.</param>
    public FailureStep Decide(Exception failure, bool timedOut, int attempt, bool canFallBack, bool canRenewToken)
    {
        if (canFallBack)
        {
            return new FailureStep(FailureAction.FallBack);
        }

        if (canRenewToken && StatusOf(failure) == 401)
        {
            return new FailureStep(FailureAction.RenewToken);
        }

        if (!IsTransient(failure, timedOut) || attempt > MaxRetries)
        {
            return new FailureStep(FailureAction.Fail);
        }

        return new FailureStep(FailureAction.Retry, DelayBefore(attempt, failure));
    }

    /// <summary>The HTTP status of a failure that got an answer, or null.</summary>
    public static int? StatusOf(Exception failure) => failure switch
    {
        ApiException api => api.ResponseStatusCode,
        Azure.RequestFailedException azure when azure.Status > 0 => azure.Status,
        _ => null,
    };

    public static bool IsThrottle(Exception exception) => StatusOf(exception) == 429;

    public TimeSpan DelayBefore(int retry, Exception exception)
    {
        if (RetryAfter(exception) is TimeSpan asked)
        {
            return asked > MaxDelay ? MaxDelay : asked;
        }

        double exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, retry - 1);
        double jittered = exponential * (0.75 + (_jitter.NextDouble() * 0.5));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }

    /// <summary>Retry-After in seconds or as an HTTP date, as RFC 9110 allows both.</summary>
    public static TimeSpan? RetryAfter(Exception failure)
    {
        string value = failure switch
        {
            ApiException api => FailedRequest.Header(api.ResponseHeaders, "Retry-After"),
            _ => FailedRequest.RetryAfterOf(failure),
        };
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

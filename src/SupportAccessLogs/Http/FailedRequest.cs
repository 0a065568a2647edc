using System;
using System.Collections.Generic;
using System.Linq;

namespace SupportAccessLogs.Http;

/// <summary>
/// The URL a failure happened on travels with the exception itself, so an error record can name
/// it wherever the failure is caught (a role lookup, a page, a retry given up) without a side
/// channel on the service. Query strings are left out when it is shown (they may hold filter values).
/// </summary>
internal static class FailedRequest
{
    private const string UrlKey = "SupportAccessLogs.RequestUrl";

    /// <summary>Records the URL on the exception (the first one recorded stands) and returns it.</summary>
    public static TException At<TException>(this TException exception, Uri url)
        where TException : Exception
    {
        if (!exception.Data.Contains(UrlKey))
        {
            exception.Data[UrlKey] = url;
        }

        return exception;
    }

    private const string RetryAfterKey = "SupportAccessLogs.RetryAfter";

    /// <summary>Records the answer's Retry-After header on the exception, for the retry policy.</summary>
    public static TException WithRetryAfter<TException>(this TException exception, string? retryAfter)
        where TException : Exception
    {
        if (!string.IsNullOrEmpty(retryAfter))
        {
            exception.Data[RetryAfterKey] = retryAfter;
        }

        return exception;
    }

    /// <summary>The Retry-After header recorded on the exception, or "".</summary>
    public static string RetryAfterOf(Exception exception) =>
        exception.Data.Contains(RetryAfterKey) && exception.Data[RetryAfterKey] is string value ? value : "";

    /// <summary>The URL recorded on the exception or on one it wraps, or null.</summary>
    public static Uri? UrlOf(Exception? exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current.Data.Contains(UrlKey) && current.Data[UrlKey] is Uri url)
            {
                return url;
            }
        }

        return null;
    }

    /// <summary>A response header's first value, or "" (header names ignore case).</summary>
    public static string Header(IDictionary<string, IEnumerable<string>>? headers, string name)
    {
        if (headers is null)
        {
            return "";
        }

        foreach (KeyValuePair<string, IEnumerable<string>> header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value.FirstOrDefault() ?? "";
            }
        }

        return "";
    }
}

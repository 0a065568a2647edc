using System;

namespace SupportAccessLogs;

/// <summary>A Graph request failed; carries what support needs to trace it.</summary>
public sealed class GraphRequestException : Exception
{
    internal GraphRequestException(string message, int statusCode, string graphErrorCode, string requestId, Exception inner)
        : base(message, inner)
    {
        StatusCode = statusCode;
        GraphErrorCode = graphErrorCode;
        RequestId = requestId;
    }

    public int StatusCode { get; }
    public string GraphErrorCode { get; }
    public string RequestId { get; }
}

using System;

namespace SupportAccessLogs.Http;

/// <summary>How much of a response the readers hold before they give up: a server (or anything
/// posing as one) must not be able to make the module hold an unbounded body.</summary>
internal sealed class ResponseLimits
{
    public static readonly ResponseLimits Default = new(maxRecordBytes: 4 * 1024 * 1024, maxPageBytes: 256L * 1024 * 1024);

    public ResponseLimits(int maxRecordBytes, long maxPageBytes)
    {
        MaxRecordBytes = maxRecordBytes;
        MaxPageBytes = maxPageBytes;
    }

    /// <summary>One audit record (a real one is a few kilobytes).</summary>
    public int MaxRecordBytes { get; }

    /// <summary>One page (999 records of a few kilobytes each is a few megabytes).</summary>
    public long MaxPageBytes { get; }
}

/// <summary>A response went past <see cref="ResponseLimits"/>. Not transient: the same request
/// would bring the same body.</summary>
internal sealed class ResponseTooLargeException : Exception
{
    private ResponseTooLargeException(string message) : base(message) { }

    public static ResponseTooLargeException Record(int limit) =>
        new($"One record in the response is larger than {Size(limit)}, far beyond any audit record; the module stops rather than hold it.");

    public static ResponseTooLargeException Page(long limit) =>
        new($"The response is larger than {Size(limit)}, far beyond a page of audit records; the module stops rather than hold it.");

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";
}

using System;

namespace SupportAccessLogs;

/// <summary>The response body was not the JSON page Graph sends.</summary>
internal sealed class AuditResponseFormatException : Exception
{
    public AuditResponseFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

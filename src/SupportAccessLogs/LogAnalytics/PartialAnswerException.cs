using System;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>A 200 answer that carries an error beside its rows (Log Analytics' PartialError): never complete.</summary>
internal sealed class PartialAnswerException : Exception
{
    public PartialAnswerException(string message)
        : base(message)
    {
    }
}

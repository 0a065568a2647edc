using System;

namespace SupportAccessLogs.Activities;

/// <summary>A page kept failing with transient errors until the retries ran out.</summary>
internal sealed class RetriesExhaustedException : Exception
{
    public RetriesExhaustedException(int attempts, Exception lastFailure)
        : base($"A page failed {attempts} times in a row; the last failure follows.", lastFailure)
    {
        Attempts = attempts;
    }

    public int Attempts { get; }
}

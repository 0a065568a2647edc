using System;
using System.Management.Automation;

namespace SupportAccessLogs;

/// <summary>
/// A failure the module understands, with the PowerShell category and stable error id it is
/// reported under. Messages say what was wrong and what to do; they never carry a secret.
/// </summary>
internal sealed class ModuleException : Exception
{
    public ModuleException(string errorId, ErrorCategory category, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    /// <summary>Stable FullyQualifiedErrorId prefix that scripts can match on.</summary>
    public string ErrorId { get; }
    public ErrorCategory Category { get; }
    public object? Target { get; }
}

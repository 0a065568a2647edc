namespace SupportAccessLogs.KqlRules;

/// <summary>
/// A generated KQL function: its name, its parameters in KQL's own syntax, and its body (a
/// tabular expression over the AuditLogs table). Every format (KqlFormats) is
/// this one function, wrapped as the engine or the tool wants it.
/// </summary>
internal sealed class KqlFunction
{
    public KqlFunction(string name, string parameters, string body, string description)
    {
        Name = name;
        Parameters = parameters;
        Body = body;
        Description = description;
    }

    /// <summary>The function's name (-FunctionName).</summary>
    public string Name { get; }

    /// <summary>The parameter list with its parentheses, e.g. "(starttime:datetime=datetime(null), endtime:datetime=datetime(null))".</summary>
    public string Parameters { get; }

    /// <summary>The body: a tabular expression that begins with the table it reads.</summary>
    public string Body { get; }

    /// <summary>One sentence for the function's docstring and display name.</summary>
    public string Description { get; }
}

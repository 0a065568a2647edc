using System.Linq;
using System.Management.Automation;

namespace SupportAccessLogs.KqlRules;

/// <summary>The generated function of each <see cref="KqlKind"/>, under the name asked for.</summary>
internal static class KqlFunctions
{
    public const string RequestDefaultName = "SupportAccessRequest";

    public static string DefaultName(KqlKind kind) => kind == KqlKind.Request ? RequestDefaultName : ActivityKql.DefaultName;

    /// <summary>The function of <paramref name="kind"/> named <paramref name="name"/>; a
    /// <see cref="ModuleException"/> for a name no format can carry.</summary>
    public static KqlFunction Of(KqlKind kind, string name)
    {
        if (!IsIdentifier(name))
        {
            throw new ModuleException("KqlFunctionNameInvalid", ErrorCategory.InvalidArgument,
                $"-FunctionName '{name}' is not a name a KQL function can have everywhere it is deployed: use letters, digits and underscores, beginning with a letter or an underscore, at most 1024 characters (for example {DefaultName(kind)}).",
                name);
        }

        return kind == KqlKind.Request ? RequestLifecycleKql.Function(name) : ActivityKql.Function(name);
    }

    /// <summary>
    /// What every format can carry as a name as it is: Kusto's let and .create-or-alter, a Sentinel
    /// FunctionName (^[a-zA-Z_][a-zA-Z0-9_]*$) and a workspace function's alias. Kusto allows
    /// entity names up to 1024 characters.
    /// </summary>
    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 1024
        && !(name[0] is >= '0' and <= '9')
        && name.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}

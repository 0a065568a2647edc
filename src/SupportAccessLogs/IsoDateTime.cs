using System;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;

namespace SupportAccessLogs;

/// <summary>
/// A [datetime] whose text is ISO 8601 UTC: Export-Csv writes each value's ToString(), which for
/// a DateTime is the host culture's format. The value stays a DateTime for comparisons,
/// Sort-Object and ConvertTo-Json (which writes ISO by itself).
/// </summary>
/// <remarks>
/// Why not a PSCodeMethod: PowerShell copies a member into each object it is added to, and a
/// PSCodeMethod copy compiles a new invoker on its first call, about 50 µs per object: nine
/// tenths of what Export-Csv cost on our objects before (tests/perf/README.md, "Output
/// objects"). This member formats directly.
/// </remarks>
internal sealed class IsoDateTime : PSMethodInfo
{
    private readonly DateTime _time;

    private IsoDateTime(DateTime time)
    {
        _time = time;
        SetMemberName("ToString");
    }

    public static PSObject Wrap(DateTime time)
    {
        var wrapped = new PSObject(time);
        wrapped.Members.Add(new IsoDateTime(time), preValidated: true);
        return wrapped;
    }

    public static string Format(DateTime time) =>
        time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>No arguments, or no format: the ISO text. With a format or a provider
    /// (ToString('yyyy-MM')), what DateTime itself gives, so the value still formats as a
    /// [datetime] does. "{0}" -f $time asks with a null format and a provider: the ISO text.</summary>
    public override object Invoke(params object[] arguments)
    {
        object?[] given = Array.ConvertAll(arguments ?? Array.Empty<object>(), a => a is PSObject wrapped ? wrapped.BaseObject : a);
        return given.Length switch
        {
            0 => Format(_time),
            1 or 2 when given[0] is null or "" && (given.Length == 1 || given[1] is null or IFormatProvider) => Format(_time),
            1 when given[0] is string format => _time.ToString(format, CultureInfo.CurrentCulture),
            1 when given[0] is IFormatProvider provider => _time.ToString(provider),
            2 when given[0] is string format && given[1] is IFormatProvider provider => _time.ToString(format, provider),
            _ => throw new MethodException($"Cannot find an overload for \"ToString\" and the argument count: \"{given.Length}\"."),
        };
    }

    public override Collection<string> OverloadDefinitions => new()
    {
        "string ToString()",
        "string ToString(string format)",
        "string ToString(System.IFormatProvider provider)",
        "string ToString(string format, System.IFormatProvider provider)",
    };

    public override PSMemberInfo Copy() => new IsoDateTime(_time);

    public override PSMemberTypes MemberType => PSMemberTypes.CodeMethod;

    public override string TypeNameOfValue => typeof(string).FullName!;

    public override string ToString() => "string ToString()";
}

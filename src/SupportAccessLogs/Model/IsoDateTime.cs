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

    public override object Invoke(params object[] arguments) => Format(_time);

    public override Collection<string> OverloadDefinitions => new() { "string ToString()" };

    public override PSMemberInfo Copy() => new IsoDateTime(_time);

    public override PSMemberTypes MemberType => PSMemberTypes.CodeMethod;

    public override string TypeNameOfValue => typeof(string).FullName!;

    public override string ToString() => "string ToString()";
}

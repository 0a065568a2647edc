using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// The built-in scalar functions this emulator runs, each as Kusto documents it (the page is
/// named beside each; KqlEngineExamplesTests runs the page's example). Anything else is refused
/// as "Unknown function".
/// </summary>
internal static class KqlFunctions
{
    private delegate Bound Binder(KqlScope scope, CallExpr call, Bound[] arguments);

    private static readonly Dictionary<string, Binder> Functions = new(StringComparer.Ordinal)
    {
        // https://learn.microsoft.com/kusto/query/isnull-function: strings are never null.
        ["isnull"] = (s, c, a) => Unary(s, c, a, KqlType.Bool, x => x is null),
        // https://learn.microsoft.com/kusto/query/isnotnull-function
        ["isnotnull"] = (s, c, a) => Unary(s, c, a, KqlType.Bool, x => x is not null),
        // https://learn.microsoft.com/kusto/query/isnotempty-function: not null and not "".
        ["isnotempty"] = (s, c, a) => Unary(s, c, a, KqlType.Bool, x => x is not null && (x is not string text || text.Length > 0)),
        // https://learn.microsoft.com/kusto/query/not-function
        ["not"] = (s, c, a) => Typed(s, c, a, [KqlType.Bool], KqlType.Bool, v => KqlOperators.Not(v[0])),
        // https://learn.microsoft.com/kusto/query/tostring-function
        ["tostring"] = (s, c, a) => Unary(s, c, a, KqlType.String, KqlValues.ToText),
        // https://learn.microsoft.com/kusto/query/toguid-function: the first 32 hex digits (hyphens between the groups skipped), the rest ignored; else null.
        ["toguid"] = (s, c, a) => Unary(s, c, a, KqlType.Guid, x => x is Guid g ? g : ToGuid(KqlValues.ToText(x))),
        // https://learn.microsoft.com/kusto/query/todynamic-function (parse_json): a dynamic as it is; text that is no JSON a dynamic string.
        ["todynamic"] = ToDynamic,
        ["parse_json"] = ToDynamic,
        // https://learn.microsoft.com/kusto/query/trim-function: leading and trailing matches of the regex removed.
        ["trim"] = (s, c, a) => Typed(s, c, a, [KqlType.String, KqlType.String], KqlType.String, v => Trim((string)v[0]!, (string)v[1]!), regex: 0,
            constant: a[0] is ConstantNode { Value: string regex } ? Trimming(regex, end: true) : null),
        // https://learn.microsoft.com/kusto/query/trim-start-function: the leading matches removed.
        ["trim_start"] = (s, c, a) => Typed(s, c, a, [KqlType.String, KqlType.String], KqlType.String, v => TrimStart((string)v[0]!, (string)v[1]!), regex: 0,
            constant: a[0] is ConstantNode { Value: string regex } ? Trimming(regex, end: false) : null),
        // https://learn.microsoft.com/kusto/query/replace-regex-function: \1 … \9 in the rewrite are the groups.
        ["replace_regex"] = (s, c, a) => Typed(s, c, a, [KqlType.String, KqlType.String, KqlType.String], KqlType.String,
            v => KqlRegex.Get((string)v[1]!).Replace((string)v[0]!, KqlRegex.Rewrite((string)v[2]!)), regex: 1,
            constant: a[1] is ConstantNode { Value: string regex } && a[2] is ConstantNode { Value: string rewrite } ? Replacing(regex, rewrite) : null),
        // https://learn.microsoft.com/kusto/query/strcat-function: 1..64 values, each as tostring() writes it.
        ["strcat"] = (s, c, a) => Variadic(s, c, a, 1, 64, KqlType.String, v => string.Concat(v.Select(KqlValues.ToText))),
        // https://learn.microsoft.com/kusto/query/strcat-array-function
        ["strcat_array"] = (s, c, a) => Typed(s, c, a, [KqlType.Dynamic, KqlType.String], KqlType.String, v => StrcatArray(v[0] as DynamicValue, (string)v[1]!)),
        // https://learn.microsoft.com/kusto/query/pack-array-function
        ["pack_array"] = (s, c, a) => Variadic(s, c, a, 1, 64, KqlType.Dynamic, v => KqlValues.Array(v)),
        // https://learn.microsoft.com/kusto/query/coalesce-function: the first not null (for strings, not empty).
        ["coalesce"] = Coalesce,
        // https://learn.microsoft.com/kusto/query/iff-function
        ["iff"] = Iff,
        ["iif"] = Iff,
        // https://learn.microsoft.com/kusto/query/case-function
        ["case"] = Case,
        // https://learn.microsoft.com/kusto/query/now-function: the same instant wherever a query calls it.
        ["now"] = (s, c, a) =>
        {
            Arity(s, c, 0, 0);
            return new ConstantNode(KqlType.DateTime, s.Now);
        },
        // https://learn.microsoft.com/kusto/query/row-number-function: the row's index from 1, in a serialized row set.
        ["row_number"] = (s, c, a) =>
        {
            Arity(s, c, 0, 0);
            RowCounter counter = s.RowCounter ?? throw s.Semantic(c.Offset, c.Function.Name,
                "Function 'row_number' cannot be invoked in current context: the row set must be serialized (this emulator runs it in extend, the rows ordered by order by and not summarized since)");
            return new CallNode(KqlType.Long, "row_number", (_, _) => counter.Value, a);
        },
        // hash(x, m): README.md, "The KQL accepted" (FNV-1a, not Kusto's xxhash64).
        ["hash"] = Hash,
    };

    public static Bound Bind(KqlScope scope, CallExpr call, Bound[] arguments) =>
        Functions.TryGetValue(call.Function.Name, out Binder? binder)
            ? binder(scope, call, arguments)
            : throw scope.Semantic(call.Offset, call.Function.Name, call.Function.Name == "bin"
                ? "bin() is only understood in 'summarize … by bin(column, timespan)' by this emulator"
                : $"Unknown function: '{call.Function.Name}'");

    private static void Arity(KqlScope scope, CallExpr call, int min, int max)
    {
        if (call.Arguments.Count < min || call.Arguments.Count > max)
            throw scope.Semantic(call.Offset, call.Function.Name, min == max
                ? $"The function '{call.Function.Name}' takes {min} argument(s), not {call.Arguments.Count}"
                : $"The function '{call.Function.Name}' takes {min} to {max} arguments, not {call.Arguments.Count}");
    }

    private static KqlException WrongType(KqlScope scope, CallExpr call, int index, string expected, Bound argument) =>
        scope.Semantic(call.Arguments[index].Offset, call.Arguments[index].Text,
            $"The function '{call.Function.Name}' expects {expected} as argument {index + 1}, not a {KqlColumn.TypeNameOf(argument.Type)}");

    private static Bound Unary(KqlScope scope, CallExpr call, Bound[] arguments, KqlType result, Func<object?, object?> f)
    {
        Arity(scope, call, 1, 1);
        return new CallNode(result, call.Function.Name, (row, a) => f(a[0].Eval(row)), arguments);
    }

    /// <summary>Arguments of exactly these types (numbers of either width), evaluated first.</summary>
    /// <param name="regex">Which argument is a regular expression: a constant one is checked here.</param>
    /// <param name="constant">Made only once the arguments are checked: what computes the value
    /// from the one argument that is not a constant (the regular expressions and rewrite compiled
    /// once, not looked up per row); null where they are not constants.</param>
    private static Bound Typed(KqlScope scope, CallExpr call, Bound[] arguments, KqlType[] types, KqlType result, Func<object?[], object?> f, int regex = -1,
        Func<Func<string, string>>? constant = null)
    {
        Arity(scope, call, types.Length, types.Length);
        for (int i = 0; i < types.Length; i++)
        {
            if (!KqlOperators.SameKind(arguments[i].Type, types[i]))
                throw WrongType(scope, call, i, "a " + KqlColumn.TypeNameOf(types[i]), arguments[i]);
        }
        if (regex >= 0 && arguments[regex] is ConstantNode { Value: string pattern })
        {
            try
            {
                KqlRegex.Get(pattern);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                throw scope.Semantic(call.Arguments[regex].Offset, call.Arguments[regex].Text, $"{call.Function.Name}(): the regular expression is not one this emulator runs: {ex.Message}");
            }
        }
        if (constant is not null)
        {
            // The text is the argument that is not the regex (trim(regex, text), replace_regex(text, regex, rewrite)).
            Func<string, string> compute = constant();
            Bound text = arguments[regex == 0 ? 1 : 0];
            return new CallNode(result, call.Function.Name, (row, _) => compute((string)text.Eval(row)!), arguments);
        }
        return new CallNode(result, call.Function.Name, (row, a) => f(EvalAll(a, row)), arguments);
    }

    private static object?[] EvalAll(Bound[] arguments, object row)
    {
        var values = new object?[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            values[i] = arguments[i].Eval(row);
        return values;
    }

    /// <summary>trim / trim_start of a constant regex: its leading (and trailing) matches removed, the regexes compiled once.</summary>
    private static Func<Func<string, string>> Trimming(string regex, bool end) => () =>
    {
        Regex leading = KqlRegex.Get(@"\A(?:" + regex + ")+");
        if (!end)
            return text => leading.Replace(text, "", 1);
        Regex trailing = KqlRegex.Get("(?:" + regex + @")+\z");
        return text => trailing.Replace(leading.Replace(text, "", 1), "", 1);
    };

    /// <summary>replace_regex of a constant regex and rewrite, both translated once.</summary>
    private static Func<Func<string, string>> Replacing(string regex, string rewrite) => () =>
    {
        string replacement = KqlRegex.Rewrite(rewrite);
        Regex compiled = KqlRegex.ForReplacement(regex, replacement);
        return text => compiled.Replace(text, replacement);
    };

    private static Bound Variadic(KqlScope scope, CallExpr call, Bound[] arguments, int min, int max, KqlType result, Func<object?[], object?> f)
    {
        Arity(scope, call, min, max);
        return new CallNode(result, call.Function.Name, (row, a) => f(EvalAll(a, row)), arguments);
    }

    private static Bound ToDynamic(KqlScope scope, CallExpr call, Bound[] arguments)
    {
        Arity(scope, call, 1, 1);
        if (arguments[0].Type == KqlType.Dynamic)
            return arguments[0];
        if (arguments[0].Type != KqlType.String)
            throw WrongType(scope, call, 0, "a string or a dynamic", arguments[0]);
        return new CallNode(KqlType.Dynamic, call.Function.Name, (row, a) => ParseJson((string)a[0].Eval(row)!), arguments);
    }

    /// <summary>
    /// toguid() as its page says: "takes the first 32 characters of the input, ignoring properly
    /// located hyphens, validates that the characters are between 0-9 or a-f … The rest of the
    /// string is ignored." A hyphen is taken where a group of the GUID may end (after 8, 12, 16 or
    /// 20 digits), one at a time; A-F are taken as a-f (the page names a-f only). So unlike .NET's
    /// Guid.TryParse: no braces or parentheses, no leading spaces, and text after the 32 digits is ignored.
    /// </summary>
    internal static Guid? ToGuid(string text)
    {
        Span<char> digits = stackalloc char[32];
        int count = 0;
        for (int i = 0; i < text.Length && count < 32; i++)
        {
            char c = text[i];
            if (char.IsAsciiHexDigit(c))
                digits[count++] = c;
            else if (c == '-' && count is 8 or 12 or 16 or 20 && text[i - 1] != '-')
                continue;
            else
                return null;
        }
        return count == 32 ? Guid.ParseExact(digits, "N") : null;
    }

    private static DynamicValue? ParseJson(string text)
    {
        // The isnull page: isnull(parse_json("")) is true.
        if (text.Length == 0)
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return DynamicValue.OfElement(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            using var document = JsonDocument.Parse(JsonSerializer.Serialize(text));
            return DynamicValue.OfElement(document.RootElement.Clone());
        }
    }

    private static string Trim(string regex, string text)
    {
        Regex leading = KqlRegex.Get(@"\A(?:" + regex + ")+"), trailing = KqlRegex.Get("(?:" + regex + @")+\z");
        return trailing.Replace(leading.Replace(text, "", 1), "", 1);
    }

    private static string TrimStart(string regex, string text) => KqlRegex.Get(@"\A(?:" + regex + ")+").Replace(text, "", 1);

    private static string StrcatArray(DynamicValue? array, string delimiter) =>
        array?.Element is { ValueKind: JsonValueKind.Array } elements
            ? string.Join(delimiter, elements.EnumerateArray().Select(e => KqlValues.ToText(DynamicValue.OfElement(e))))
            : "";

    private static Bound Coalesce(KqlScope scope, CallExpr call, Bound[] arguments)
    {
        Arity(scope, call, 2, 64);
        KqlType type = arguments[0].Type;
        for (int i = 1; i < arguments.Length; i++)
        {
            if (!KqlOperators.SameKind(arguments[i].Type, type))
                throw WrongType(scope, call, i, "a " + KqlColumn.TypeNameOf(type) + " (as argument 1)", arguments[i]);
        }
        return new CallNode(type, "coalesce", (row, a) =>
        {
            object? last = null;
            foreach (Bound argument in a)
            {
                last = argument.Eval(row);
                if (last is not null && last is not "")
                    return last;
            }
            return last;
        }, arguments);
    }

    private static Bound Iff(KqlScope scope, CallExpr call, Bound[] arguments)
    {
        Arity(scope, call, 3, 3);
        if (arguments[0].Type != KqlType.Bool)
            throw WrongType(scope, call, 0, "a bool", arguments[0]);
        KqlType type = ResultType(scope, call, arguments, [1, 2]);
        // A null predicate takes the else branch.
        return new CallNode(type, call.Function.Name, (row, a) => a[0].Eval(row) is true ? a[1].Eval(row) : a[2].Eval(row), arguments);
    }

    private static Bound Case(KqlScope scope, CallExpr call, Bound[] arguments)
    {
        if (arguments.Length < 3 || arguments.Length % 2 == 0)
            throw scope.Semantic(call.Offset, "case", "case() takes pairs of predicate and value, then the else value (an odd number of at least 3 arguments)");
        var values = new List<int>();
        for (int i = 0; i + 1 < arguments.Length; i += 2)
        {
            if (arguments[i].Type != KqlType.Bool)
                throw WrongType(scope, call, i, "a bool", arguments[i]);
            values.Add(i + 1);
        }
        values.Add(arguments.Length - 1);
        KqlType type = ResultType(scope, call, arguments, [.. values]);
        return new CallNode(type, "case", (row, a) =>
        {
            for (int i = 0; i + 1 < a.Length; i += 2)
            {
                if (a[i].Eval(row) is true)
                    return a[i + 1].Eval(row);
            }
            return a[^1].Eval(row);
        }, arguments);
    }

    /// <summary>The type of the values of iff() and case(): all one type (or numbers, then real if any is).</summary>
    private static KqlType ResultType(KqlScope scope, CallExpr call, Bound[] arguments, int[] values)
    {
        KqlType type = arguments[values[0]].Type;
        foreach (int i in values)
        {
            if (!KqlOperators.SameKind(arguments[i].Type, type))
                throw WrongType(scope, call, i, "a " + KqlColumn.TypeNameOf(type) + " like the other values", arguments[i]);
            if (arguments[i].Type == KqlType.Real || (arguments[i].Type == KqlType.Long && type == KqlType.Int))
                type = arguments[i].Type;
        }
        return type;
    }

    private static Bound Hash(KqlScope scope, CallExpr call, Bound[] arguments)
    {
        Arity(scope, call, 2, 2);
        if (arguments[0].Type != KqlType.String)
            throw WrongType(scope, call, 0, "a string", arguments[0]);
        if (arguments[1] is not ConstantNode { Value: long modulus })
            throw WrongType(scope, call, 1, "a whole-number literal", arguments[1]);
        if (modulus < 1)
            throw scope.Semantic(call.Arguments[1].Offset, call.Arguments[1].Text, "hash(): the modulus must be a positive number");
        return new CallNode(KqlType.Long, "hash", (row, a) => KqlHash.Bucket((string)a[0].Eval(row)!, (ulong)modulus), arguments);
    }
}

/// <summary>
/// Kusto's regular expressions are RE2 (learn.microsoft.com/kusto/query/re2); this emulator runs
/// them with .NET's, translated where the two differ for what it accepts: \s, \d and \w are
/// ASCII in RE2 (\s is [\t\n\f\r ]), \x{…} is a code point, $ is the end of the text (.NET's \z);
/// the flags i and s ((?i), (?s), (?is), (?i:…)) are the same in both, m and U are refused;
/// lookaround and backreferences, which RE2 has not, are refused. A rewrite's \0 … \9 are the groups, \\ a backslash.
/// </summary>
internal static class KqlRegex
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The pattern compiled; non-backtracking, as RE2 is (linear time, no backreferences or lookaround).</summary>
    public static Regex Get(string pattern) =>
        Cache.GetOrAdd(pattern, p => new Regex(Translate(p), Options));

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static readonly ConcurrentDictionary<(string Pattern, string Replacement), Regex> ReplacementCache = new();

    /// <summary>
    /// The pattern compiled for one .NET replacement: a Regex keeps the last replacement it parsed,
    /// so one instance per replacement (not one shared by "" and "$1", as _ToGuid's two calls would) parses it once.
    /// </summary>
    public static Regex ForReplacement(string pattern, string replacement) =>
        ReplacementCache.GetOrAdd((pattern, replacement), key => new Regex(Translate(key.Pattern), Options));

    public static string Translate(string pattern)
    {
        var net = new StringBuilder(pattern.Length + 16);
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char next = pattern[++i];
                string? ascii = next switch
                {
                    's' => @"\t\n\f\r ",
                    'd' => "0-9",
                    'w' => "0-9A-Za-z_",
                    _ => null,
                };
                if (ascii is not null)
                {
                    net.Append(inClass ? ascii : "[" + ascii + "]");
                }
                else if (next is 'S' or 'D' or 'W')
                {
                    if (inClass)
                        throw new ArgumentException($@"\{next} inside a character class is not supported by this emulator.");
                    net.Append(next switch { 'S' => @"[^\t\n\f\r ]", 'D' => "[^0-9]", _ => "[^0-9A-Za-z_]" });
                }
                else if (next == 'x' && i + 1 < pattern.Length && pattern[i + 1] == '{')
                {
                    int close = pattern.IndexOf('}', i + 2);
                    int code = Convert.ToInt32(pattern[(i + 2)..close], 16);
                    net.Append(@"\u").Append(code.ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    i = close;
                }
                else if (char.IsAsciiDigit(next) && !inClass)
                {
                    throw new ArgumentException($@"RE2 has no backreferences (\{next}).");
                }
                else
                {
                    net.Append('\\').Append(next);
                }
                continue;
            }
            if (!inClass && c == '(' && (pattern.AsSpan(i).StartsWith("(?=") || pattern.AsSpan(i).StartsWith("(?!")
                || pattern.AsSpan(i).StartsWith("(?<=") || pattern.AsSpan(i).StartsWith("(?<!")))
                throw new ArgumentException("RE2 has no lookaround.");
            if (!inClass && c == '(' && FlagGroup(pattern, i) is { } flags)
            {
                // RE2's flags: i (ignore case) and s (. matches \n) mean the same in .NET; m would
                // change what $ (translated to \z) means, U has no .NET twin; others RE2 has not.
                foreach (char flag in flags)
                {
                    if (flag is not ('i' or 's' or '-'))
                        throw new ArgumentException(flag is 'm' or 'U'
                            ? $"The RE2 flag '{flag}' is not supported by this emulator (i and s are)."
                            : $"RE2 has no flag '{flag}'.");
                }
            }
            if (c == '[' && !inClass)
            {
                inClass = true;
                net.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    net.Append(pattern[++i]);
                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    // A ']' first in a class stands for itself.
                    net.Append(@"\]");
                    i++;
                }
                continue;
            }
            if (c == ']' && inClass)
                inClass = false;
            // RE2's $ is the end of the text (\z), never before a final line break as .NET's is.
            if (c == '$' && !inClass)
            {
                net.Append(@"\z");
                continue;
            }
            net.Append(c);
        }
        return net.ToString();
    }

    /// <summary>The flags of <c>(?flags)</c> or <c>(?flags:…)</c> starting at <paramref name="at"/>; null if no such group starts there.</summary>
    private static string? FlagGroup(string pattern, int at)
    {
        if (at + 2 >= pattern.Length || pattern[at + 1] != '?' || !(char.IsAsciiLetter(pattern[at + 2]) || pattern[at + 2] == '-'))
            return null;
        int end = at + 2;
        while (end < pattern.Length && (char.IsAsciiLetter(pattern[end]) || pattern[end] == '-'))
            end++;
        return end < pattern.Length && pattern[end] is ')' or ':' ? pattern[(at + 2)..end] : null;
    }

    /// <summary>An RE2 rewrite (\1, \\) as a .NET replacement ($1, with $ itself doubled).</summary>
    public static string Rewrite(string rewrite)
    {
        var net = new StringBuilder(rewrite.Length + 8);
        for (int i = 0; i < rewrite.Length; i++)
        {
            char c = rewrite[i];
            if (c == '\\' && i + 1 < rewrite.Length)
            {
                char next = rewrite[++i];
                if (char.IsAsciiDigit(next))
                    net.Append("${").Append(next).Append('}');
                else
                    net.Append(next == '$' ? "$$" : next.ToString());
                continue;
            }
            net.Append(c == '$' ? "$$" : c.ToString());
        }
        return net.ToString();
    }
}

/// <summary>
/// <c>hash(x, m)</c>: 64-bit FNV-1a over the string's UTF-8 bytes, modulo m (unsigned), so every
/// string falls in exactly one of the buckets 0..m−1, the same one on every run and machine.
/// (Kusto's own hash() is xxhash64; the buckets differ from the service's, the partition doesn't.)
/// </summary>
public static class KqlHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Fnv1a64(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ulong hash = OffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }

    /// <summary>The bucket of <paramref name="value"/> among <paramref name="modulus"/> (≥ 1).</summary>
    public static long Bucket(string value, ulong modulus) => (long)(Fnv1a64(value) % modulus);
}

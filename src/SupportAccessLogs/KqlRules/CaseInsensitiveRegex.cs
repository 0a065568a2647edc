using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace SupportAccessLogs.KqlRules;

/// <summary>
/// RE2 patterns (for KQL's <c>matches regex</c>) that match at least what the module's own
/// case-insensitive comparisons match: an -InitiatedBy wildcard as PowerShell's WildcardPattern
/// matches it, a -Result as OrdinalIgnoreCase compares it (docs/architecture.md, "Filters in the
/// workspace"). At least, never less: the module filters every row again, so a pattern a little
/// wider costs a row on the wire, one narrower would lose an activity.
/// </summary>
/// <remarks>
/// Case is not left to RE2's <c>(?i)</c>, whose folding is Unicode's simple folding, not .NET's:
/// each letter becomes the class of every character .NET lowers or uppers to the same one, in the
/// invariant culture and the current one (WildcardPattern lowers in the current culture).
/// </remarks>
internal static class CaseInsensitiveRegex
{
    /// <summary>The pattern for a PowerShell wildcard (-InitiatedBy), anchored at both ends, or
    /// null when it can't be written so that it matches at least what WildcardPattern does (a
    /// character outside the Basic Multilingual Plane): the module then filters it alone.</summary>
    public static string? Wildcard(string pattern)
    {
        if (pattern.Any(char.IsSurrogate))
        {
            return null;
        }

        // (?s): * and ? match line breaks too, as in a wildcard.
        var regex = new StringBuilder("(?s)^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    AppendLiteral(regex, pattern[++i]);
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    // One UTF-16 unit for PowerShell, one code point for RE2: a character outside the
                    // BMP is two of PowerShell's, so a run of k ? is k code points or as few as half.
                    int run = 1;
                    while (i + 1 < pattern.Length && pattern[i + 1] == '?')
                    {
                        run++;
                        i++;
                    }

                    regex.Append(run == 1 ? "." : FormattableString.Invariant($".{{{(run + 1) / 2},{run}}}"));
                    break;
                case '[':
                    int end = BracketEnd(pattern, i);
                    regex.Append(Bracket(pattern.Substring(i, end - i + 1)));
                    i = end;
                    break;
                default:
                    AppendLiteral(regex, c);
                    break;
            }
        }

        return regex.Append('$').ToString();
    }

    /// <summary>One of the values, whole, as OrdinalIgnoreCase compares them (-Result), or null
    /// when a value holds a character outside the Basic Multilingual Plane.</summary>
    public static string? AnyOf(IEnumerable<string> values)
    {
        var regex = new StringBuilder("^(?:");
        bool first = true;
        foreach (string value in values)
        {
            if (value.Any(char.IsSurrogate))
            {
                return null;
            }

            if (!first)
            {
                regex.Append('|');
            }

            first = false;
            foreach (char c in value)
            {
                AppendLiteral(regex, c);
            }
        }

        return regex.Append(")$").ToString();
    }

    /// <summary>The index of the ] that closes the bracket expression opened at <paramref name="start"/>
    /// (a backtick escapes the character after it, as WildcardPattern reads it).</summary>
    private static int BracketEnd(string pattern, int start)
    {
        for (int i = start + 1; i < pattern.Length; i++)
        {
            if (pattern[i] == '`')
            {
                i++;
            }
            else if (pattern[i] == ']')
            {
                return i;
            }
        }

        // ActivityQuery.CheckInitiatedBy refuses an unclosed bracket before any query is built.
        throw new ArgumentException($"The wildcard pattern '{pattern}' has a [ that is not closed.", nameof(pattern));
    }

    private static readonly ConcurrentDictionary<(string Culture, string Bracket), string> Brackets = new();

    /// <summary>
    /// A bracket expression as the class of every character WildcardPattern itself matches with it
    /// (ranges and case as PowerShell reads them, asked of PowerShell); one that matches half of a
    /// surrogate pair may match part of a character RE2 sees whole, so it stands for any or none.
    /// </summary>
    private static string Bracket(string bracket) =>
        Brackets.GetOrAdd((CultureInfo.CurrentCulture.Name, bracket), key =>
        {
            WildcardPattern wildcard = WildcardPattern.Get(key.Bracket, WildcardOptions.IgnoreCase);
            var members = new List<char>();
            for (int c = char.MinValue; c <= char.MaxValue; c++)
            {
                if (wildcard.IsMatch(((char)c).ToString()))
                {
                    if (char.IsSurrogate((char)c))
                    {
                        return ".?";
                    }

                    members.Add((char)c);
                }
            }

            // A bracket matches at least the characters written in it; none would be no class at all.
            return members.Count == 0 ? ".?" : Class(members);
        });

    private static readonly ConcurrentDictionary<string, Dictionary<char, char[]>> Folds = new();

    /// <summary>A character, or the class of every character that compares equal to it ignoring case.</summary>
    private static void AppendLiteral(StringBuilder regex, char c)
    {
        Dictionary<char, char[]> folds = Folds.GetOrAdd(CultureInfo.CurrentCulture.Name, _ => FoldsOf(CultureInfo.CurrentCulture.TextInfo));
        if (folds.TryGetValue(c, out char[]? alike))
        {
            regex.Append(Class(alike));
        }
        else
        {
            AppendEscaped(regex, c);
        }
    }

    /// <summary>For each character that has others equal to it ignoring case, all of them (itself included).</summary>
    private static Dictionary<char, char[]> FoldsOf(TextInfo current)
    {
        TextInfo invariant = CultureInfo.InvariantCulture.TextInfo;
        var byKey = new Dictionary<int, List<char>>();
        for (int i = char.MinValue; i <= char.MaxValue; i++)
        {
            char c = (char)i;
            if (char.IsSurrogate(c))
            {
                continue;
            }

            foreach (int key in Keys(c, current, invariant))
            {
                if (!byKey.TryGetValue(key, out List<char>? list))
                {
                    byKey[key] = list = new List<char>(2);
                }

                list.Add(c);
            }
        }

        var folds = new Dictionary<char, char[]>();
        for (int i = char.MinValue; i <= char.MaxValue; i++)
        {
            char c = (char)i;
            if (char.IsSurrogate(c))
            {
                continue;
            }

            char[] alike = Keys(c, current, invariant).SelectMany(k => byKey[k]).Distinct().OrderBy(x => x).ToArray();
            if (alike.Length > 1)
            {
                folds[c] = alike;
            }
        }

        return folds;
    }

    /// <summary>What a character is compared by, ignoring case: lowered and uppered, in both cultures
    /// (which of the four in the high bits, the character in the low 16).</summary>
    private static IEnumerable<int> Keys(char c, TextInfo current, TextInfo invariant)
    {
        yield return current.ToLower(c);
        yield return (1 << 16) | current.ToUpper(c);
        yield return (2 << 16) | invariant.ToLower(c);
        yield return (3 << 16) | invariant.ToUpper(c);
    }

    /// <summary>A class of the characters, runs of three or more written as ranges.</summary>
    private static string Class(IReadOnlyList<char> members)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < members.Count;)
        {
            int run = i;
            while (run + 1 < members.Count && members[run + 1] == members[run] + 1)
            {
                run++;
            }

            AppendEscaped(text, members[i]);
            if (run - i >= 2)
            {
                text.Append('-');
                AppendEscaped(text, members[run]);
                i = run + 1;
            }
            else
            {
                i++;
            }
        }

        return text.Append(']').ToString();
    }

    /// <summary>A letter or digit as itself, other ASCII punctuation after a backslash, anything else as \x{…}.</summary>
    private static void AppendEscaped(StringBuilder regex, char c)
    {
        if (c < 128 && char.IsLetterOrDigit(c))
        {
            regex.Append(c);
        }
        else if (c < 128 && (char.IsPunctuation(c) || char.IsSymbol(c)))
        {
            regex.Append('\\').Append(c);
        }
        else
        {
            regex.Append("\\x{").Append(((int)c).ToString("X", CultureInfo.InvariantCulture)).Append('}');
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace GraphEmulator.LogAnalytics.Kql;

internal enum KqlTokenKind
{
    Identifier,
    /// <summary>A string literal; <see cref="KqlToken.Value"/> is its decoded text.</summary>
    String,
    /// <summary>A whole number; <see cref="KqlToken.Value"/> is its long value.</summary>
    Integer,
    /// <summary>A number with a fraction and no unit (parsed, then refused where it is used).</summary>
    Real,
    /// <summary>A timespan literal such as <c>1h</c>, <c>30m</c>, <c>1.5d</c>; <see cref="KqlToken.Value"/> is a TimeSpan.</summary>
    Timespan,
    /// <summary><c>datetime(…)</c> whole; <see cref="KqlToken.Value"/> is the text between the parentheses, trimmed.</summary>
    DateTime,
    /// <summary><c>guid(…)</c> whole; <see cref="KqlToken.Value"/> is the text between the parentheses, trimmed.</summary>
    Guid,
    /// <summary>Punctuation or an operator: <c>| ( ) [ ] , . == != =~ !~ &lt; &lt;= &gt; &gt;= = ~ !</c> and other single characters.</summary>
    Symbol,
    End,
}

/// <param name="Offset">Where the token starts in the query text (0-based).</param>
/// <param name="Text">The token as written.</param>
internal sealed record KqlToken(KqlTokenKind Kind, string Text, int Offset, object? Value = null)
{
    public bool IsSymbol(string symbol) => Kind == KqlTokenKind.Symbol && Text == symbol;

    public bool IsIdentifier(string name) => Kind == KqlTokenKind.Identifier && Text == name;

    /// <summary>How an error message names the token.</summary>
    public string Display => Kind == KqlTokenKind.End ? "<end of query>" : Text;
}

/// <summary>
/// Splits KQL text into tokens, as Kusto reads them: identifiers, string literals ("…" and '…'
/// with backslash escapes, verbatim @"…" with doubled quotes, obfuscated h"…"), numbers and
/// timespans (1h, 30m, 10s, 1d, 100ms), <c>datetime(…)</c>, <c>guid(…)</c>, operators; whitespace, newlines and
/// <c>//</c> comments between tokens. Errors are <see cref="KqlException"/> syntax errors with the position.
/// </summary>
internal static class KqlLexer
{
    private static readonly string[] TwoCharSymbols = ["==", "!=", "=~", "!~", "<=", ">=", "=>"];

    // Units Kusto accepts after a number in a timespan literal.
    private static readonly Dictionary<string, long> TimespanUnits = new(StringComparer.Ordinal)
    {
        ["d"] = TimeSpan.TicksPerDay, ["day"] = TimeSpan.TicksPerDay, ["days"] = TimeSpan.TicksPerDay,
        ["h"] = TimeSpan.TicksPerHour, ["hr"] = TimeSpan.TicksPerHour, ["hrs"] = TimeSpan.TicksPerHour,
        ["hour"] = TimeSpan.TicksPerHour, ["hours"] = TimeSpan.TicksPerHour,
        ["m"] = TimeSpan.TicksPerMinute, ["min"] = TimeSpan.TicksPerMinute, ["minute"] = TimeSpan.TicksPerMinute,
        ["minutes"] = TimeSpan.TicksPerMinute,
        ["s"] = TimeSpan.TicksPerSecond, ["sec"] = TimeSpan.TicksPerSecond, ["second"] = TimeSpan.TicksPerSecond,
        ["seconds"] = TimeSpan.TicksPerSecond,
        ["ms"] = TimeSpan.TicksPerMillisecond, ["milli"] = TimeSpan.TicksPerMillisecond,
        ["millis"] = TimeSpan.TicksPerMillisecond, ["millisecond"] = TimeSpan.TicksPerMillisecond,
        ["milliseconds"] = TimeSpan.TicksPerMillisecond,
        ["microsecond"] = 10, ["microseconds"] = 10,
        ["tick"] = 1, ["ticks"] = 1,
    };

    public static List<KqlToken> Tokenize(string text)
    {
        var tokens = new List<KqlToken>();
        int i = 0;
        while (true)
        {
            i = SkipTrivia(text, i);
            if (i >= text.Length)
            {
                tokens.Add(new KqlToken(KqlTokenKind.End, "", text.Length));
                return tokens;
            }

            char c = text[i];
            int start = i;
            if (IsQuote(c) || (c == '@' && i + 1 < text.Length && IsQuote(text[i + 1]))
                || ((c == 'h' || c == 'H') && i + 1 < text.Length && (IsQuote(text[i + 1]) || (text[i + 1] == '@' && i + 2 < text.Length && IsQuote(text[i + 2])))))
            {
                tokens.Add(ReadString(text, ref i));
            }
            else if (IsIdentifierStart(c))
            {
                while (i < text.Length && IsIdentifierPart(text[i]))
                    i++;
                string name = text[start..i];
                int open = SkipTrivia(text, i);
                if (name is "datetime" or "guid" && open < text.Length && text[open] == '(')
                {
                    // The literal's text is not tokens (a GUID's groups would read as numbers with units).
                    int close = text.IndexOf(')', open + 1);
                    if (close < 0)
                        throw KqlException.Syntax(text, start, name, $"{name}( has no closing ')'");
                    i = close + 1;
                    tokens.Add(new KqlToken(name == "guid" ? KqlTokenKind.Guid : KqlTokenKind.DateTime, text[start..i], start, text[(open + 1)..close].Trim()));
                }
                else
                {
                    tokens.Add(new KqlToken(KqlTokenKind.Identifier, name, start));
                }
            }
            else if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(text, ref i));
            }
            else
            {
                string symbol = i + 1 < text.Length && Array.IndexOf(TwoCharSymbols, text.Substring(i, 2)) >= 0
                    ? text.Substring(i, 2)
                    : c.ToString();
                i += symbol.Length;
                tokens.Add(new KqlToken(KqlTokenKind.Symbol, symbol, start));
            }
        }
    }

    private static int SkipTrivia(string text, int i)
    {
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                    i++;
            }
            else
            {
                break;
            }
        }
        return i;
    }

    private static bool IsQuote(char c) => c is '"' or '\'';

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == '$';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static KqlToken ReadNumber(string text, ref int i)
    {
        int start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
            i++;
        bool fraction = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            fraction = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
        }
        string number = text[start..i];
        int unitStart = i;
        while (i < text.Length && IsIdentifierPart(text[i]))
            i++;
        string unit = text[unitStart..i];

        if (unit.Length > 0)
        {
            if (!TimespanUnits.TryGetValue(unit, out long ticksPerUnit))
                throw KqlException.Syntax(text, start, text[start..i], $"'{unit}' is not a timespan unit (d, h, m, s, ms, microsecond, tick)");
            decimal amount = decimal.Parse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            return new KqlToken(KqlTokenKind.Timespan, text[start..i], start, TimeSpan.FromTicks((long)(amount * ticksPerUnit)));
        }
        if (fraction)
            return new KqlToken(KqlTokenKind.Real, number, start, double.Parse(number, CultureInfo.InvariantCulture));
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            throw KqlException.Syntax(text, start, number, "the number is too large for a long");
        return new KqlToken(KqlTokenKind.Integer, number, start, value);
    }

    private static KqlToken ReadString(string text, ref int i)
    {
        int start = i;
        if (text[i] is 'h' or 'H')
            i++; // obfuscated: the same literal, hidden from Kusto's own logs
        bool verbatim = text[i] == '@';
        if (verbatim)
            i++;
        char quote = text[i++];
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
                throw KqlException.Syntax(text, start, text[start..], "the string literal has no closing quote");
            char c = text[i];
            if (c is '\n' or '\r')
                throw KqlException.Syntax(text, start, text[start..i], "a string literal can't span lines (write \\n)");
            if (c == quote)
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }
                i++;
                return new KqlToken(KqlTokenKind.String, text[start..i], start, value.ToString());
            }
            if (c == '\\' && !verbatim)
            {
                if (i + 1 >= text.Length)
                    throw KqlException.Syntax(text, start, text[start..], "the string literal has no closing quote");
                char escaped = text[i + 1];
                switch (escaped)
                {
                    case '\\': value.Append('\\'); break;
                    case '"': value.Append('"'); break;
                    case '\'': value.Append('\''); break;
                    case 't': value.Append('\t'); break;
                    case 'n': value.Append('\n'); break;
                    case 'r': value.Append('\r'); break;
                    case 'u' when i + 5 < text.Length
                        && ushort.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code):
                        value.Append((char)code);
                        i += 4;
                        break;
                    default:
                        throw KqlException.Syntax(text, i, "\\" + escaped, $"unknown escape sequence '\\{escaped}' in a string literal (use \\\\, \\\", \\', \\t, \\n, \\r or \\uXXXX)");
                }
                i += 2;
                continue;
            }
            value.Append(c);
            i++;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text;

namespace GraphEmulator.OData;

internal enum TokenKind
{
    /// <summary>A name or a path: <c>category</c>, <c>initiatedBy/user/id</c>, <c>and</c>, <c>t</c>.</summary>
    Identifier,

    /// <summary>A quoted string, with <c>''</c> already turned into <c>'</c>.</summary>
    String,

    /// <summary>Anything unquoted that starts with a digit or a sign: dates, numbers.</summary>
    Literal,

    OpenParen,
    CloseParen,
    Comma,
    Colon,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool IsKeyword(string keyword) =>
        Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        TokenKind.End => "end of filter",
        TokenKind.String => $"string '{Text}'",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits a $filter into tokens. String literals are read whole first, so nothing inside quotes
/// (an <c>and</c>, an <c>or</c>, a parenthesis) can ever be taken for syntax.
/// </summary>
internal static class FilterLexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            int start = i;
            switch (c)
            {
                case '\'':
                    tokens.Add(new Token(TokenKind.String, ReadString(text, ref i), start));
                    continue;
                case '(':
                    tokens.Add(new Token(TokenKind.OpenParen, "(", start));
                    break;
                case ')':
                    tokens.Add(new Token(TokenKind.CloseParen, ")", start));
                    break;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", start));
                    break;
                case ':':
                    tokens.Add(new Token(TokenKind.Colon, ":", start));
                    break;
                default:
                    if (char.IsAsciiLetter(c) || c == '_')
                    {
                        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '/' or '.'))
                            i++;
                        tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
                        continue;
                    }
                    if (char.IsAsciiDigit(c) || c is '-' or '+')
                    {
                        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is ':' or '.' or '-' or '+'))
                            i++;
                        tokens.Add(new Token(TokenKind.Literal, text[start..i], start));
                        continue;
                    }
                    throw new FilterException($"unexpected character '{c}' at position {i}");
            }
            i++;
        }

        tokens.Add(new Token(TokenKind.End, "", text.Length));
        return tokens;
    }

    private static string ReadString(string text, ref int i)
    {
        int start = i;
        var value = new StringBuilder();
        i++; // opening quote
        while (i < text.Length)
        {
            if (text[i] == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i += 2;
                    continue;
                }
                i++; // closing quote
                return value.ToString();
            }
            value.Append(text[i++]);
        }
        throw new FilterException($"unterminated string literal starting at position {start}");
    }
}

/// <summary>A $filter the emulator can't accept; the message completes "Invalid filter clause: ".</summary>
internal sealed class FilterException(string what) : Exception(what);

using System;

namespace GraphEmulator.LogAnalytics.Kql;

/// <summary>
/// A query the emulator refuses, as the service does with 400 <c>BadArgumentError</c>:
/// <see cref="Code"/> is the innererror code (<c>SyntaxError</c> or <c>SemanticError</c>),
/// the message names what was not understood and where (line and position, 1-based).
/// </summary>
internal sealed class KqlException : Exception
{
    public const string SyntaxErrorCode = "SyntaxError";
    public const string SemanticErrorCode = "SemanticError";

    private KqlException(string code, string message, int line, int position, string token) : base(message)
    {
        Code = code;
        Line = line;
        Position = position;
        Token = token;
    }

    public string Code { get; }

    /// <summary>1-based line of the offending token.</summary>
    public int Line { get; }

    /// <summary>1-based position of the offending token within its line.</summary>
    public int Position { get; }

    public string Token { get; }

    /// <summary>Kusto's wording, "Query could not be parsed at 'X' on line [L,P]", then what was expected.</summary>
    public static KqlException Syntax(string text, int offset, string token, string detail)
    {
        (int line, int position) = Locate(text, offset);
        return new KqlException(SyntaxErrorCode,
            $"Query could not be parsed at '{token}' on line [{line},{position}]: {detail}.", line, position, token);
    }

    /// <summary>A query that parses but names something unknown or mixes types, e.g. "Failed to resolve scalar expression named 'X'".</summary>
    public static KqlException Semantic(string text, int offset, string token, string message)
    {
        (int line, int position) = Locate(text, offset);
        return new KqlException(SemanticErrorCode, $"{message} (at '{token}' on line [{line},{position}]).", line, position, token);
    }

    private static (int Line, int Position) Locate(string text, int offset)
    {
        int line = 1, lineStart = 0;
        for (int i = 0; i < Math.Min(offset, text.Length); i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, offset - lineStart + 1);
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace SupportAccessLogs;

/// <summary>
/// Text that came from a server (an error message, an activity name, a header) and is about to be
/// shown on a console: terminal escape sequences and other control characters are removed, so a
/// hostile or broken endpoint can't recolour, hide or rewrite what the user sees. Line feeds and
/// tabs stay; a carriage return becomes a space (it could overwrite the line before it).
/// </summary>
internal static class ServerText
{
    private const char Escape = '\u001B';

    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        text = Secrets.Redact(text!);
        if (!NeedsCleaning(text))
        {
            return text;
        }

        var clean = new StringBuilder(text!.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == Escape || c == '\u009B')
            {
                i = EndOfEscapeSequence(text, i);
                continue;
            }

            if (c == '\r')
            {
                clean.Append(' ');
            }
            else if (c == '\n' || c == '\t' || !IsControl(c))
            {
                clean.Append(c);
            }
        }

        return clean.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        foreach (char c in text)
        {
            if (IsControl(c) && c != '\n' && c != '\t')
            {
                return true;
            }
        }

        return false;
    }

    // C0, DEL and C1 controls; the bidirectional overrides too, which reorder what follows them.
    private static bool IsControl(char c) =>
        c < ' ' || (c >= '\u007F' && c <= '\u009F') || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

    /// <summary>The index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
    private static int EndOfEscapeSequence(string text, int start)
    {
        int i = start + 1;
        bool csi = text[start] == '\u009B';
        if (!csi && i < text.Length)
        {
            char kind = text[i];
            if (kind == '[')
            {
                csi = true;
                i++;
            }
            else if (kind == ']' || kind == 'P' || kind == '_' || kind == '^')
            {
                // OSC, DCS, APC, PM: up to BEL or ESC \ (string terminator).
                for (i++; i < text.Length; i++)
                {
                    if (text[i] == '\u0007')
                    {
                        return i;
                    }

                    if (text[i] == Escape && i + 1 < text.Length && text[i + 1] == '\\')
                    {
                        return i + 1;
                    }
                }

                return text.Length - 1;
            }
            else
            {
                // A two-character escape (ESC c, ESC 7, ...).
                return i;
            }
        }

        if (csi)
        {
            // Parameters and intermediates, then one final byte in @..~.
            for (; i < text.Length; i++)
            {
                if (text[i] >= '@' && text[i] <= '~')
                {
                    return i;
                }
            }

            return text.Length - 1;
        }

        return start;
    }
}

/// <summary>
/// Tokens never reach a stream, an error or a file, even when a server echoes them back (a
/// gateway answering "Bad token: Bearer eyJ…"): every text from a server passes through
/// <see cref="ServerText.Clean"/>, which replaces the tokens this process holds and anything shaped
/// like a bearer token or a JWT.
/// </summary>
internal static class Secrets
{
    public const string Replacement = "[redacted]";

    /// <summary>The latest tokens handed out, so an opaque (non-JWT) one is recognised too.</summary>
    private const int Remembered = 64;

    private static readonly Regex Shaped = new(
        @"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{16,}=*|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    private static readonly object Gate = new();
    private static readonly LinkedList<string> Held = new();

    /// <summary>A token this process sends: text that contains it is redacted from now on.</summary>
    public static void Remember(string? token)
    {
        if (string.IsNullOrEmpty(token) || token!.Length < 16)
        {
            return;
        }

        lock (Gate)
        {
            if (Held.First?.Value == token)
            {
                return;
            }

            Held.Remove(token);
            Held.AddFirst(token);
            if (Held.Count > Remembered)
            {
                Held.RemoveLast();
            }
        }
    }

    public static string Redact(string text)
    {
        string redacted = text;
        lock (Gate)
        {
            foreach (string token in Held)
            {
                if (redacted.Contains(token))
                {
                    redacted = redacted.Replace(token, Replacement);
                }
            }
        }

        try
        {
            return Shaped.IsMatch(redacted) ? Shaped.Replace(redacted, m => m.Value.StartsWith("eyJ", StringComparison.Ordinal) ? Replacement : m.Value.Substring(0, 6) + " " + Replacement) : redacted;
        }
        catch (RegexMatchTimeoutException)
        {
            return "[text withheld: it could not be checked for tokens]";
        }
    }

    /// <summary>True when any message of the exception or its inner ones holds a token.</summary>
    public static bool AnyIn(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (Redact(e.Message) != e.Message)
            {
                return true;
            }
        }

        return false;
    }
}

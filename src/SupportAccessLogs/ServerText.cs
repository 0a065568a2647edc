using System.Text;

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
        if (string.IsNullOrEmpty(text) || !NeedsCleaning(text!))
        {
            return text ?? "";
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

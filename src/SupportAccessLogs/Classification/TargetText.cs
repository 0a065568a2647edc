using System;
using System.Collections.Generic;
using System.Text;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Classification;

/// <summary>
/// The one-line text of an activity's target resources (<see cref="SupportAccessActivity.TargetResources"/>),
/// written and read back (docs/architecture.md, "Support request lifecycle"). Per resource
/// <c>type displayName &lt;upn&gt; (groupType) [id] {name: old -&gt; new, ...}</c>, each part
/// only when it has text, resources joined by <c>" | "</c>.
/// </summary>
/// <remarks>
/// Values are written as they are, except that a backslash escapes the characters that would
/// otherwise read as structure: in every value <c>\ [ ] &lt; &gt; ( ) { } |</c>; in the type
/// also a space (a type is one word); in a modified property's name also <c>:</c> and <c>,</c>,
/// in its values also <c>,</c>. A resource with a display name and no type writes <c>-</c> for
/// the type (and a type that is <c>-</c> is written <c>\-</c>). So ordinary names read as they
/// always did, and <see cref="Read"/> is the exact inverse of <see cref="Append"/>: the text of a
/// name can never pose as an id, another part or another resource. Text that does not follow the
/// grammar (an earlier version's unescaped text, or an edited file) reads as nothing at all.
/// </remarks>
internal static class TargetText
{
    internal static readonly char[] ValueSpecials = "\\[]<>(){}|".ToCharArray();
    internal static readonly char[] TypeSpecials = "\\[]<>(){}| ".ToCharArray();
    internal static readonly char[] NoTypeSpecials = "\\[]<>(){}| -".ToCharArray();
    internal static readonly char[] PropertyNameSpecials = "\\[]<>(){}|:,".ToCharArray();
    internal static readonly char[] PropertyValueSpecials = "\\[]<>(){}|,".ToCharArray();
    internal const string NoType = "-";

    /// <summary>Appends the text of <paramref name="targets"/> (null entries are skipped).</summary>
    public static void Append(StringBuilder text, List<AuditTargetResource?>? targets)
    {
        if (targets is null)
        {
            return;
        }

        bool firstResource = true;
        foreach (AuditTargetResource? target in targets)
        {
            if (target is null)
            {
                continue;
            }

            if (!firstResource)
            {
                text.Append(" | ");
            }

            firstResource = false;
            int resourceStart = text.Length;
            if (HasText(target.Type))
            {
                AppendEscaped(text, target.Type!, target.Type == NoType ? NoTypeSpecials : TypeSpecials);
            }
            else if (HasText(target.DisplayName))
            {
#pragma warning disable CA1834 // Appended by name: Read compares a type against the same NoType.
                text.Append(NoType);
#pragma warning restore CA1834
            }

            AppendPart(text, resourceStart, target.DisplayName, "", "");
            AppendPart(text, resourceStart, target.UserPrincipalName, "<", ">");
            AppendPart(text, resourceStart, target.GroupType, "(", ")");
            AppendPart(text, resourceStart, target.Id, "[", "]");
            if (target.ModifiedProperties is { Count: > 0 } modified)
            {
                if (text.Length > resourceStart)
                {
                    text.Append(' ');
                }

                text.Append('{');
                bool firstChange = true;
                foreach (AuditModifiedProperty? property in modified)
                {
                    if (property is null)
                    {
                        continue;
                    }

                    if (!firstChange)
                    {
                        text.Append(", ");
                    }

                    firstChange = false;
                    AppendEscaped(text, property.DisplayName, PropertyNameSpecials);
                    text.Append(": ");
                    AppendEscaped(text, property.OldValue, PropertyValueSpecials);
                    text.Append(" -> ");
                    AppendEscaped(text, property.NewValue, PropertyValueSpecials);
                }

                text.Append('}');
            }
        }
    }

    /// <summary>
    /// The id of the support access request's own target resource (<see cref="LifecycleRules.IsRequestTarget"/>)
    /// among <paramref name="targets"/>: the first such resource with an id, trimmed; else null.
    /// </summary>
    public static string? RequestTargetId(List<AuditTargetResource?>? targets)
    {
        if (targets is null)
        {
            return null;
        }

        foreach (AuditTargetResource? target in targets)
        {
            if (target is not null && LifecycleRules.IsRequestTarget(target.DisplayName) && HasText(target.Id))
            {
                return target.Id!.Trim();
            }
        }

        return null;
    }

    /// <summary>The same answer as <see cref="RequestTargetId(List{AuditTargetResource})"/>, from
    /// the text (an activity read back from a CSV or JSON file); null also when the text does not
    /// follow the grammar.</summary>
    public static string? RequestTargetId(string? text)
    {
        List<FlatTarget>? targets = Read(text);
        if (targets is null)
        {
            return null;
        }

        foreach (FlatTarget target in targets)
        {
            if (LifecycleRules.IsRequestTarget(target.DisplayName) && HasText(target.Id))
            {
                return target.Id!.Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// The resources <paramref name="text"/> holds, each part as it was written (a part not
    /// written is null); an empty list for empty text; null when the text does not follow the
    /// grammar, so that it names nothing rather than something it might not mean.
    /// </summary>
    public static List<FlatTarget>? Read(string? text)
    {
        var targets = new List<FlatTarget>();
        if (string.IsNullOrEmpty(text))
        {
            return targets;
        }

        int start = 0;
        while (true)
        {
            int bar = IndexOfUnescaped(text!, '|', start, text!.Length);
            if (bar < 0)
            {
                return ReadResource(text, start, text.Length, targets) ? targets : null;
            }

            // " | " between resources: a '|' of a value is escaped.
            if (bar == start || text[bar - 1] != ' ' || bar + 1 >= text.Length || text[bar + 1] != ' '
                || !ReadResource(text, start, bar - 1, targets))
            {
                return null;
            }

            start = bar + 2;
        }
    }

    private static bool ReadResource(string text, int start, int end, List<FlatTarget> targets)
    {
        if (EndsInLoneBackslash(text, start, end))
        {
            return false;
        }

        int opener = IndexOfUnescapedAny(text, "<([{", start, end);
        int bareEnd = opener < 0 ? end : opener;
        if (opener > start)
        {
            if (text[opener - 1] != ' ')
            {
                return false;
            }

            bareEnd = opener - 1;
        }

        if (IndexOfUnescapedAny(text, ">)]}", start, bareEnd) >= 0 || !TrySplitBare(text, start, bareEnd, out string? type, out string? displayName))
        {
            return false;
        }

        string? upn = null, groupType = null, id = null;
        List<FlatChange>? changes = null;
        // At the space before the first part (none when the resource begins with it).
        int at = opener < 0 ? end : bareEnd;
        int lastKind = -1;
        while (at < end)
        {
            if (at > start)
            {
                // A space before each part but the resource's first.
                if (text[at] != ' ' || at + 1 >= end)
                {
                    return false;
                }

                at++;
            }

            int kind = "<([{".IndexOf(text[at]);
            if (kind <= lastKind)
            {
                // Parts come once each, in order; anything else is not what Append wrote.
                return false;
            }

            lastKind = kind;
            char closer = ">)]}"[kind];
            int close = IndexOfUnescaped(text, closer, at + 1, end);
            if (close < 0 || IndexOfUnescapedAny(text, "<([{", at + 1, close) >= 0)
            {
                return false;
            }

            switch (kind)
            {
                case 0: upn = Unescape(text, at + 1, close); break;
                case 1: groupType = Unescape(text, at + 1, close); break;
                case 2: id = Unescape(text, at + 1, close); break;
                default:
                    if (!TryReadChanges(text, at + 1, close, out changes))
                    {
                        return false;
                    }

                    break;
            }

            at = close + 1;
        }

        targets.Add(new FlatTarget(type, displayName, upn, groupType, id, changes));
        return true;
    }

    /// <summary>"type displayName": the type is one word (its spaces are escaped), "-" when there is none.</summary>
    private static bool TrySplitBare(string text, int start, int end, out string? type, out string? displayName)
    {
        type = null;
        displayName = null;
        if (end <= start)
        {
            return true;
        }

        if (EndsInLoneBackslash(text, start, end))
        {
            return false;
        }

        int space = IndexOfUnescaped(text, ' ', start, end);
        int typeEnd = space < 0 ? end : space;
        string word = text.Substring(start, typeEnd - start);
        type = word == NoType ? null : Unescape(text, start, typeEnd);
        if (space >= 0)
        {
            displayName = Unescape(text, space + 1, end);
        }

        return true;
    }

    /// <summary>"name: old -> new, ...": ',' and ':' of a name and ',' of a value are escaped, and
    /// '>' of any of them, so each separator is the first unescaped one of its kind.</summary>
    private static bool TryReadChanges(string text, int start, int end, out List<FlatChange>? changes)
    {
        changes = new List<FlatChange>();
        int at = start;
        while (at < end)
        {
            int comma = IndexOfUnescaped(text, ',', at, end);
            int itemEnd = comma < 0 ? end : comma;
            int colon = IndexOfUnescaped(text, ':', at, itemEnd);
            if (colon < 0 || colon + 1 >= itemEnd || text[colon + 1] != ' ')
            {
                return false;
            }

            // " -> ": the old value may be empty, and so may the new one.
            int arrow = IndexOfUnescaped(text, '>', colon + 2, itemEnd);
            if (arrow < colon + 4 || text[arrow - 1] != '-' || text[arrow - 2] != ' ' || arrow + 1 >= itemEnd || text[arrow + 1] != ' '
                || EndsInLoneBackslash(text, colon + 2, arrow - 2))
            {
                return false;
            }

            changes.Add(new FlatChange(Unescape(text, at, colon), Unescape(text, colon + 2, arrow - 2), Unescape(text, arrow + 2, itemEnd)));
            if (comma < 0)
            {
                return true;
            }

            if (comma + 2 >= end || text[comma + 1] != ' ')
            {
                return false;
            }

            at = comma + 2;
        }

        return true;
    }

    private static void AppendPart(StringBuilder text, int resourceStart, string? value, string before, string after)
    {
        if (!HasText(value))
        {
            return;
        }

        if (text.Length > resourceStart)
        {
            text.Append(' ');
        }

        text.Append(before);
        AppendEscaped(text, value!, ValueSpecials);
        text.Append(after);
    }

    private static void AppendEscaped(StringBuilder text, string? value, char[] specials)
    {
        if (value is null)
        {
            return;
        }

        if (value.IndexOfAny(specials) < 0)
        {
            text.Append(value);
            return;
        }

        foreach (char c in value)
        {
            if (Array.IndexOf(specials, c) >= 0)
            {
                text.Append('\\');
            }

            text.Append(c);
        }
    }

    private static string Unescape(string text, int start, int end)
    {
        int slash = text.IndexOf('\\', start, end - start);
        if (slash < 0)
        {
            return text.Substring(start, end - start);
        }

        var value = new StringBuilder(end - start);
        for (int i = start; i < end; i++)
        {
            if (text[i] == '\\' && i + 1 < end)
            {
                i++;
            }

            value.Append(text[i]);
        }

        return value.ToString();
    }

    private static int IndexOfUnescaped(string text, char wanted, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == wanted)
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfUnescapedAny(string text, string wanted, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (wanted.Contains(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>True when text[start..end) ends in a backslash that escapes nothing (Append never writes one).</summary>
    private static bool EndsInLoneBackslash(string text, int start, int end)
    {
        int slashes = 0;
        for (int i = end - 1; i >= start && text[i] == '\\'; i--)
        {
            slashes++;
        }

        return slashes % 2 == 1;
    }

    private static bool HasText(string? value) => !string.IsNullOrWhiteSpace(value);
}

/// <summary>One resource read back from <see cref="TargetText"/>: each part as written, null when not written.</summary>
internal sealed record FlatTarget(string? Type, string? DisplayName, string? UserPrincipalName, string? GroupType, string? Id, List<FlatChange>? ModifiedProperties);

/// <summary>One modified property read back: its name, old and new value as written (empty when the record had none).</summary>
internal sealed record FlatChange(string DisplayName, string OldValue, string NewValue);

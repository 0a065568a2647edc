using System;
using System.Text;

namespace SupportAccessLogs.KqlRules;

/// <summary>Values as KQL literals: the generated text holds the rules' strings as data, never as query text.</summary>
internal static class KqlLiteral
{
    /// <summary>A double-quoted string literal with \, " and control characters escaped.</summary>
    public static string String(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                case '\t': text.Append(@"\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        text.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>A UTC time as a datetime literal, with all seven fractional digits.</summary>
    public static string DateTime(System.DateTime utc) =>
        "datetime(" + utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture) + ")";

    /// <summary>A dynamic array of string literals: dynamic(["a", "b"]).</summary>
    public static string StringArray(System.Collections.Generic.IEnumerable<string> values) =>
        "dynamic([" + string.Join(", ", System.Linq.Enumerable.Select(values, String)) + "])";
}

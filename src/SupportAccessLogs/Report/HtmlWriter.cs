using System.Globalization;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace SupportAccessLogs.Report;

/// <summary>
/// Writes markup: the report's own tags as they are (<see cref="Raw"/>), and every other text
/// through the HTML encoder (<see cref="Text"/>, <see cref="Attribute"/>). Every string from the
/// audit log is attacker-influenced (names, UPNs, details), so nothing from it is ever written
/// raw; the encoder is .NET's, never string replacement (docs/architecture.md, "The report").
/// </summary>
internal sealed class HtmlWriter
{
    /// <summary>All of Unicode stays readable in the file; what HTML gives a meaning to
    /// (&lt; &gt; &amp; quotes), what the encoder never lets through (controls, unpaired
    /// surrogates) and the bidirectional controls are written as character references. The page
    /// shows a bidi override as the browser would anyway (isolated in its cell or &lt;bdi&gt;),
    /// but the file's source no longer reads in another order than it runs.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(Settings());

    private static TextEncoderSettings Settings()
    {
        var settings = new TextEncoderSettings(UnicodeRanges.All);
        settings.ForbidCharacters('\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069');
        return settings;
    }

    private readonly TextWriter _writer;

    public HtmlWriter(TextWriter writer) => _writer = writer;

    /// <summary>The report's own markup; never text from the records.</summary>
    public HtmlWriter Raw(string markup)
    {
        _writer.Write(markup);
        return this;
    }

    /// <summary>Text, encoded.</summary>
    public HtmlWriter Text(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            Encoder.Encode(_writer, text!);
        }

        return this;
    }

    /// <summary>A number, as digits.</summary>
    public HtmlWriter Number(long value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    /// <summary> name="value", the value encoded (an attribute value is quoted, so quotes are encoded too).</summary>
    public HtmlWriter Attribute(string name, string? value)
    {
        _writer.Write(' ');
        _writer.Write(name);
        _writer.Write("=\"");
        Text(value);
        _writer.Write('"');
        return this;
    }

    /// <summary>An SVG coordinate or length, with one decimal at most and a '.' in every culture.</summary>
    public HtmlWriter Coordinate(string name, double value) =>
        Raw(" " + name + "=\"" + value.ToString("0.#", CultureInfo.InvariantCulture) + "\"");

    /// <summary>&lt;title&gt; with the text: a browser shows it on hover, a screen reader reads it.</summary>
    public HtmlWriter Title(string text) => Raw("<title>").Text(text).Raw("</title>");
}

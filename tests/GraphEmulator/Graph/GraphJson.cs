using System.Text.Encodings.Web;
using System.Text.Json;

namespace GraphEmulator;

internal static class GraphJson
{
    // Graph sends non-ASCII text as UTF-8, not \u escapes; clients must cope with both, and the
    // raw form is the one that catches encoding bugs.
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };
}

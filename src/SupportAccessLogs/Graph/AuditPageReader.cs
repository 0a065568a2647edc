using SupportAccessLogs.Http;
using SupportAccessLogs.Records;
using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Graph;

/// <summary>
/// Reads one page of a Graph collection response ({"value":[...],"@odata.nextLink":...}) from
/// the response stream, yielding each record as soon as its bytes have arrived. The page is never
/// held whole: only the bytes of the record being parsed are buffered.
/// </summary>
internal sealed class AuditPageReader
{
    private const int InitialBufferSize = 64 * 1024;

    private enum Phase
    {
        BeforeRoot,
        InRoot,
        ExpectValueArray,
        InValueArray,
        ExpectNextLink,
        SkipPropertyValue,
        Done,
    }

    private readonly ResponseLimits _limits;
    private Phase _phase = Phase.BeforeRoot;

    public AuditPageReader(ResponseLimits? limits = null)
    {
        _limits = limits ?? ResponseLimits.Default;
    }

    /// <summary>The page's @odata.nextLink, known once the records have been enumerated.</summary>
    public string? NextLink { get; private set; }

    /// <summary>How many times the buffer was parsed: a measure of the reading's cost that the
    /// tests hold linear (a record arriving a byte at a time must not be parsed once per byte).</summary>
    internal int ParseAttempts { get; private set; }

    public async IAsyncEnumerable<ParsedAuditRecord> ReadAsync(
        Stream stream,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        int filled = 0;
        long pageBytes = 0;
        bool endOfStream = false;
        // An incomplete item is parsed again from its start. Waiting until the bytes held have
        // doubled before the next try keeps a large record linear to read, not quadratic.
        int parseWhenFilled = 0;
        JsonReaderState state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        List<ParsedAuditRecord> parsed = new();
        try
        {
            while (true)
            {
                if (!endOfStream)
                {
                    if (filled == buffer.Length)
                    {
                        // One item is larger than the buffer: grow it, within bounds.
                        if (filled >= _limits.MaxRecordBytes)
                        {
                            throw ResponseTooLargeException.Record(_limits.MaxRecordBytes);
                        }

                        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _limits.MaxRecordBytes));
                        Buffer.BlockCopy(buffer, 0, larger, 0, filled);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        endOfStream = true;
                    }

                    filled += read;
                    pageBytes += read;
                    if (pageBytes > _limits.MaxPageBytes)
                    {
                        throw ResponseTooLargeException.Page(_limits.MaxPageBytes);
                    }
                }

                if (!endOfStream && filled < parseWhenFilled && filled < buffer.Length)
                {
                    continue;
                }

                if (_phase == Phase.BeforeRoot)
                {
                    ThrowIfMarkup(buffer, filled);
                }

                ParseAttempts++;
                int consumed = Parse(new ReadOnlySpan<byte>(buffer, 0, filled), endOfStream, ref state, parsed);
                foreach (ParsedAuditRecord record in parsed)
                {
                    yield return record;
                }

                parsed.Clear();
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                parseWhenFilled = filled * 2;
                if (_phase == Phase.Done)
                {
                    yield break;
                }

                if (endOfStream)
                {
                    throw new AuditResponseFormatException(
                        "The response body ended before the JSON page was complete (truncated response).");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A proxy's sign-in page or an error page arrives as HTML with status 200; say so
    /// plainly rather than report a JSON syntax error.</summary>
    private static void ThrowIfMarkup(byte[] buffer, int filled)
    {
        int start = 0;
        while (start < filled && (buffer[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
        {
            start++;
        }

        if (start < filled && buffer[start] == (byte)'<')
        {
            string text = Encoding.UTF8.GetString(buffer, start, Math.Min(200, filled - start)).Replace('\r', ' ').Replace('\n', ' ');
            throw new AuditResponseFormatException(
                $"The endpoint returned HTML instead of Graph JSON (status 200, first characters: {text}). Is a proxy in the way?");
        }
    }

    /// <summary>Parses every complete item in <paramref name="data"/> and returns how many
    /// bytes were consumed; the rest is kept for the next call.</summary>
    private int Parse(ReadOnlySpan<byte> data, bool isFinalBlock, ref JsonReaderState state, List<ParsedAuditRecord> parsed)
    {
        Utf8JsonReader reader = new(data, isFinalBlock, state);
        try
        {
            while (_phase != Phase.Done)
            {
                // A copy of the reader is a checkpoint: when a token or record is incomplete we
                // rewind to it and wait for more bytes.
                Utf8JsonReader checkpoint = reader;
                if (!reader.Read())
                {
                    break;
                }

                switch (_phase)
                {
                    case Phase.BeforeRoot:
                        Expect(reader, JsonTokenType.StartObject, "a JSON object");
                        _phase = Phase.InRoot;
                        break;

                    case Phase.InRoot:
                        if (reader.TokenType == JsonTokenType.EndObject)
                        {
                            _phase = Phase.Done;
                        }
                        else if (JsonName.Is(ref reader, "value"u8))
                        {
                            _phase = Phase.ExpectValueArray;
                        }
                        else if (reader.ValueTextEquals("@odata.nextLink"u8))
                        {
                            _phase = Phase.ExpectNextLink;
                        }
                        else
                        {
                            _phase = Phase.SkipPropertyValue;
                        }

                        break;

                    case Phase.ExpectValueArray:
                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            _phase = Phase.InRoot;
                            break;
                        }

                        Expect(reader, JsonTokenType.StartArray, "an array in \"value\"");
                        _phase = Phase.InValueArray;
                        break;

                    case Phase.InValueArray:
                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            _phase = Phase.InRoot;
                            break;
                        }

                        Expect(reader, JsonTokenType.StartObject, "an object in \"value\"");
                        int start = (int)reader.TokenStartIndex;
                        if (!AuditRecordJson.TryReadRecord(ref reader, out AuditRecord record))
                        {
                            // The record's bytes haven't all arrived: parse it again, whole, next time.
                            reader = checkpoint;
                            return Checkpoint(ref state, reader);
                        }

                        int end = (int)reader.BytesConsumed;
                        parsed.Add(new ParsedAuditRecord(record, data.Slice(start, end - start).ToArray()));
                        break;

                    case Phase.ExpectNextLink:
                        NextLink = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        _phase = Phase.InRoot;
                        break;

                    case Phase.SkipPropertyValue:
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            Utf8JsonReader skip = reader;
                            if (!skip.TrySkip())
                            {
                                reader = checkpoint;
                                return Checkpoint(ref state, reader);
                            }

                            reader = skip;
                        }

                        _phase = Phase.InRoot;
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new AuditResponseFormatException($"The response is not valid Graph JSON: {ex.Message}", ex);
        }

        return Checkpoint(ref state, reader);
    }

    private static int Checkpoint(ref JsonReaderState state, Utf8JsonReader reader)
    {
        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    private static void Expect(Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
        {
            throw new AuditResponseFormatException($"Expected {what} in the Graph response but found {reader.TokenType}.");
        }
    }
}

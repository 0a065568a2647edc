using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.LogAnalytics;

/// <summary>
/// One answer's bytes, read into pooled chunks of <see cref="ChunkSize"/> and parsed where they
/// lie as one <see cref="ReadOnlySequence{T}"/>. An answer is several megabytes: read into one
/// array that grows as it fills, each answer cost the copies of every doubling and large-object
/// heap arrays that are only freed by full collections, so the process grew with the rows read
/// (tests/perf/README.md, "The workspace path"). Dispose hands the chunks back to the pool they
/// came from: one per read (<see cref="NewPool"/>), so a long read reuses the same few hundred
/// chunks and leaves nothing behind when it ends.
/// </summary>
internal sealed class AnswerBytes : IDisposable
{
    /// <summary>Below the large-object heap's threshold (85,000 bytes), a size the shared pool keeps.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Chunks a pool keeps for reuse: the answers read side by side and the one being
    /// written, at a few megabytes each; more than that are left to the garbage collector.</summary>
    private const int ChunksKept = 512;

    private readonly ArrayPool<byte> _pool;
    private Chunk? _first;
    private Chunk? _last;

    private AnswerBytes(ArrayPool<byte> pool)
    {
        _pool = pool;
    }

    /// <summary>A pool for one read's answers.</summary>
    public static ArrayPool<byte> NewPool() => ArrayPool<byte>.Create(ChunkSize, ChunksKept);

    public long Length { get; private set; }

    /// <summary>The bytes read; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySequence<byte> Bytes =>
        _first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_first, 0, _last!, _last!.Memory.Length);

    /// <summary>Reads the stream to its end. More than <paramref name="limit"/> bytes is a
    /// <see cref="ResponseTooLargeException"/>, or with <paramref name="truncate"/> the first
    /// <paramref name="limit"/> bytes (an error body, read only to be described).</summary>
    public static async Task<AnswerBytes> ReadAsync(Stream stream, long limit, bool truncate, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        var answer = new AnswerBytes(pool);
        try
        {
            while (true)
            {
                byte[] chunk = pool.Rent(ChunkSize);
                int filled = 0;
                int read;
                while (filled < chunk.Length
                    && (read = await stream.ReadAsync(chunk.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                if (answer.Length + filled > limit)
                {
                    if (!truncate)
                    {
                        pool.Return(chunk);
                        throw ResponseTooLargeException.Page(limit);
                    }

                    filled = (int)(limit - answer.Length);
                }

                answer.Append(chunk, filled);
                if (filled < chunk.Length)
                {
                    return answer;
                }
            }
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    public byte[] ToArray() => Bytes.ToArray();

    public void Dispose()
    {
        for (Chunk? chunk = _first; chunk is not null; chunk = (Chunk?)chunk.Next)
        {
            _pool.Return(chunk.Array);
        }

        _first = _last = null;
        Length = 0;
    }

    private void Append(byte[] array, int count)
    {
        if (count == 0 && _first is not null)
        {
            _pool.Return(array);
            return;
        }

        var chunk = new Chunk(array, count, Length);
        if (_last is null)
        {
            _first = chunk;
        }
        else
        {
            _last.SetNext(chunk);
        }

        _last = chunk;
        Length += count;
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(byte[] array, int count, long runningIndex)
        {
            Array = array;
            Memory = new ReadOnlyMemory<byte>(array, 0, count);
            RunningIndex = runningIndex;
        }

        public byte[] Array { get; }

        public void SetNext(Chunk next) => Next = next;
    }
}

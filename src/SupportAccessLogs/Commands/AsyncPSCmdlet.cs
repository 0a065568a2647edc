using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Commands;

/// <summary>
/// A cmdlet whose work is asynchronous (sign-in, Graph requests). The pipeline thread pulls each
/// object from the producer and writes it itself; while the producer waits for the network it
/// runs the producer's queued Verbose, Warning and progress writes (a device code shows while
/// sign-in polls). Objects already in a response buffer are parsed and written on the pipeline
/// thread with no thread switch, and the producer can't read ahead of the pipeline: when a
/// downstream Select-Object -First is satisfied or Ctrl+C is pressed, no further page has been
/// asked for. (Handing each object from a task to the pipeline thread instead cost two thread
/// switches per object, more than reading and classifying it.)
/// </summary>
public abstract class AsyncPSCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The objects to write; <paramref name="messages"/> takes Verbose, Warning and progress from any thread.</summary>
    protected abstract IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, CancellationToken cancellationToken);

    /// <summary>Turns a failure of the producer into the error record the cmdlet reports.</summary>
    protected virtual ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, null);

    protected override void ProcessRecord() => RunProducer();

    /// <summary>What the pipeline thread does with each object produced: writes it, unless the
    /// command makes something of it first (a file, after ShouldProcess).</summary>
    protected virtual void WriteProduced(object item) => WriteObject(item);

    /// <summary>Runs <see cref="ProduceAsync"/> to its end on this (the pipeline) thread: a
    /// command that first gathers its pipeline input calls this from EndProcessing instead.</summary>
    protected void RunProducer()
    {
        using var queue = new PipelineWriteQueue();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var messages = new AsyncPipeline(queue, linked.Token);
        IAsyncEnumerator<object> items = ProduceAsync(messages, linked.Token).GetAsyncEnumerator(linked.Token);
        Exception? producerFailure = null;
        try
        {
            while (true)
            {
#pragma warning disable CA2012 // Each ValueTask is read once, when complete: after AsTask, next is a new one over the task.
                ValueTask<bool> next = items.MoveNextAsync();
#pragma warning restore CA2012
                if (!next.IsCompleted)
                {
                    // Waiting for the network: write the producer's messages meanwhile.
                    Task<bool> pending = next.AsTask();
                    queue.RunUntil(pending, this);
                    next = new ValueTask<bool>(pending);
                }

                bool more;
                try
                {
                    more = next.GetAwaiter().GetResult();
                }
                catch (Exception ex)
                {
                    producerFailure = ex;
                    break;
                }

                queue.RunQueued(this);
                if (!more)
                {
                    break;
                }

                WriteProduced(items.Current);
            }
        }
        catch
        {
            // A write on this thread failed: the pipeline is stopping under us (downstream
            // -First, Ctrl+C) or a preference said Stop. End the producer before PowerShell moves
            // on, so nothing keeps running.
            linked.Cancel();
            DisposeQuietly(items);
            throw;
        }

        DisposeQuietly(items);
        if (producerFailure is null)
        {
            return;
        }

        // What the producer said before it failed (retries, throttling) comes before the error.
        queue.RunQueued(this);
        if (producerFailure is OperationCanceledException && _stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        if (producerFailure is PipelineStoppedException)
        {
            throw producerFailure;
        }

        ThrowTerminatingError(ToErrorRecord(producerFailure));
    }

    /// <summary>Runs the producer's finally blocks (the response stream is closed there). Nothing in
    /// the producer waits for this thread, so a blocking wait can't deadlock.</summary>
    private static void DisposeQuietly(IAsyncEnumerator<object> items)
    {
        try
        {
            items.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The producer's failure (if any) is reported already; its clean-up can't add to it.
        }
    }
}

/// <summary>
/// The producer's side of <see cref="AsyncPSCmdlet"/>: queues Verbose, Warning, progress and
/// errors from any thread for the pipeline thread, the only thread that may write to the pipeline.
/// </summary>
public sealed class AsyncPipeline : SupportAccessLogs.IMessageSink
{
    private readonly PipelineWriteQueue _queue;
    private readonly CancellationToken _cancellation;

    internal AsyncPipeline(PipelineWriteQueue queue, CancellationToken cancellation)
    {
        _queue = queue;
        _cancellation = cancellation;
    }

    // Messages quote server text (activity names, error bodies, sign-in prompts): cleaned here,
    // the one way onto these streams.
    public void WriteVerbose(string message)
    {
        string clean = ServerText.Clean(message);
        Enqueue(c => c.WriteVerbose(clean));
    }

    public void WriteWarning(string message)
    {
        string clean = ServerText.Clean(message);
        Enqueue(c => c.WriteWarning(clean));
    }

    void SupportAccessLogs.IMessageSink.Verbose(string message) => WriteVerbose(message);

    void SupportAccessLogs.IMessageSink.Warning(string message) => WriteWarning(message);

    public void WriteProgress(ProgressRecord progress) => Enqueue(c => c.WriteProgress(progress));

    public void WriteError(ErrorRecord error) => Enqueue(c => c.WriteError(error));

    private void Enqueue(Action<PSCmdlet> write)
    {
        _cancellation.ThrowIfCancellationRequested();
        _queue.Add(write);
    }
}

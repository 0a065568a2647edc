using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Commands;

/// <summary>
/// Runs a cmdlet's work as a task off the pipeline thread while the pipeline thread writes
/// what the task produces. Stopping (Ctrl+C, or Select-Object -First downstream) cancels the task.
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

    protected override void ProcessRecord() => RunOnPipelineThread(ProcessRecordAsync);

    protected abstract Task ProcessRecordAsync(AsyncPipeline pipeline, CancellationToken cancellationToken);

    private void RunOnPipelineThread(Func<AsyncPipeline, CancellationToken, Task> work)
    {
        using var queue = new PipelineWriteQueue();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var pipeline = new AsyncPipeline(queue, linked.Token);

        Task task = Task.Run(async () =>
        {
            try
            {
                await work(pipeline, linked.Token).ConfigureAwait(false);
            }
            finally
            {
                queue.Complete();
            }
        });

        try
        {
            foreach (Action<PSCmdlet> write in queue.TakeAll())
            {
                write(this);
            }
        }
        catch
        {
            // The pipeline is stopping under us (downstream -First, Ctrl+C, a terminating error
            // from a write): end the task before PowerShell moves on, so nothing keeps running.
            linked.Cancel();
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
            }

            throw;
        }

        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
        }
    }

    /// <summary>Turns a failure of the task into the error record the cmdlet reports.</summary>
    protected virtual ErrorRecord ToErrorRecord(Exception exception) =>
        SupportAccessLogs.Graph.GraphErrors.ToErrorRecord(exception, null);
}

/// <summary>The task side of <see cref="AsyncPSCmdlet"/>: queues writes for the pipeline thread.</summary>
public sealed class AsyncPipeline : SupportAccessLogs.Graph.IMessageSink
{
    /// <summary>
    /// How many objects may wait for the pipeline thread (a quarter of a Graph page). Past that the
    /// task waits, so a slow consumer (Export-Csv to a network share) holds reading back rather
    /// than memory growing. Handing objects over one at a time instead, each waiting for the
    /// last, cost two thread switches per object: more than reading and classifying it.
    /// </summary>
    internal const int MaxPendingObjects = 256;

    private readonly PipelineWriteQueue _queue;
    private readonly CancellationToken _cancellation;
    // Objects queued and not yet written. A counter rather than a SemaphoreSlim: the semaphore's
    // lock, taken by both threads for every object, showed in the profile as contention.
    private int _pending;
    private readonly object _roomGate = new();
    private TaskCompletionSource<bool>? _roomFreed;

    internal AsyncPipeline(PipelineWriteQueue queue, CancellationToken cancellation)
    {
        _queue = queue;
        _cancellation = cancellation;
    }

    /// <summary>Queues an object for the pipeline; waits only while <see cref="MaxPendingObjects"/> are queued.</summary>
    public Task WriteObjectAsync(object value)
    {
        Enqueue(cmdlet =>
        {
            cmdlet.WriteObject(value);
            ObjectWritten();
        }, null, wakeNow: false);
        return Interlocked.Increment(ref _pending) < MaxPendingObjects ? Task.CompletedTask : WaitForRoomAsync();
    }

    /// <summary>Completes once everything queued so far has been passed on by the pipeline thread.</summary>
    public Task DrainAsync(CancellationToken cancellationToken)
    {
        var drained = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(_ => drained.TrySetResult(true), drained, wakeNow: true);
        // The pipeline thread stops taking writes when the pipeline stops; the token ends the wait then.
        return drained.Task.WaitAsync(cancellationToken);
    }

    public void WriteVerbose(string message) => Enqueue(c => c.WriteVerbose(message), null, wakeNow: true);

    public void WriteWarning(string message) => Enqueue(c => c.WriteWarning(message), null, wakeNow: true);

    void SupportAccessLogs.Graph.IMessageSink.Verbose(string message) => WriteVerbose(message);

    void SupportAccessLogs.Graph.IMessageSink.Warning(string message) => WriteWarning(message);

    public void WriteProgress(ProgressRecord progress) => Enqueue(c => c.WriteProgress(progress), null, wakeNow: true);

    public void WriteError(ErrorRecord error) => Enqueue(c => c.WriteError(error), null, wakeNow: true);

    private Task WaitForRoomAsync()
    {
        TaskCompletionSource<bool> roomFreed;
        lock (_roomGate)
        {
            if (Volatile.Read(ref _pending) < MaxPendingObjects)
            {
                return Task.CompletedTask;
            }

            roomFreed = _roomFreed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // A write that lands before _roomFreed is set misses it, but then at least
        // MaxPendingObjects - 1 writes are still queued, and the next one sees it.
        return roomFreed.Task.WaitAsync(_cancellation);
    }

    private void ObjectWritten()
    {
        int pending = Interlocked.Decrement(ref _pending);
        if (pending < MaxPendingObjects && Volatile.Read(ref _roomFreed) is not null)
        {
            lock (_roomGate)
            {
                _roomFreed?.TrySetResult(true);
                _roomFreed = null;
            }
        }
    }

    private void Enqueue(Action<PSCmdlet> write, TaskCompletionSource<bool>? completion, bool wakeNow)
    {
        _cancellation.ThrowIfCancellationRequested();
        try
        {
            _queue.Add(write, wakeNow);
        }
        catch (InvalidOperationException)
        {
            completion?.TrySetCanceled();
            throw new OperationCanceledException(_cancellation);
        }
    }
}

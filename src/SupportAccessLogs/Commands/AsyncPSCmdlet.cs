using System;
using System.Collections.Concurrent;
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
        using var queue = new BlockingCollection<Action<PSCmdlet>>();
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
                queue.CompleteAdding();
            }
        });

        try
        {
            foreach (Action<PSCmdlet> write in queue.GetConsumingEnumerable())
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
    private readonly BlockingCollection<Action<PSCmdlet>> _queue;
    private readonly CancellationToken _cancellation;

    internal AsyncPipeline(BlockingCollection<Action<PSCmdlet>> queue, CancellationToken cancellation)
    {
        _queue = queue;
        _cancellation = cancellation;
    }

    /// <summary>Writes an object and waits until the pipeline thread has passed it on, so a slow
    /// consumer (Export-Csv to a network share) holds back reading rather than memory growing.</summary>
    public Task WriteObjectAsync(object value)
    {
        var written = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(cmdlet =>
        {
            try
            {
                cmdlet.WriteObject(value);
                written.TrySetResult(true);
            }
            catch (Exception ex)
            {
                written.TrySetException(ex);
                throw;
            }
        }, written);
        return written.Task.WaitAsync(_cancellation);
    }

    public void WriteVerbose(string message) => Enqueue(c => c.WriteVerbose(message), null);

    public void WriteWarning(string message) => Enqueue(c => c.WriteWarning(message), null);

    void SupportAccessLogs.Graph.IMessageSink.Verbose(string message) => WriteVerbose(message);

    void SupportAccessLogs.Graph.IMessageSink.Warning(string message) => WriteWarning(message);

    public void WriteProgress(ProgressRecord progress) => Enqueue(c => c.WriteProgress(progress), null);

    public void WriteError(ErrorRecord error) => Enqueue(c => c.WriteError(error), null);

    private void Enqueue(Action<PSCmdlet> write, TaskCompletionSource<bool>? completion)
    {
        _cancellation.ThrowIfCancellationRequested();
        try
        {
            _queue.Add(write, _cancellation);
        }
        catch (InvalidOperationException)
        {
            completion?.TrySetCanceled();
            throw new OperationCanceledException(_cancellation);
        }
    }
}

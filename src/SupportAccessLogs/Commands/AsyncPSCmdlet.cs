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

/// <summary>
/// The task side of <see cref="AsyncPSCmdlet"/> and <see cref="AsyncStreamPSCmdlet"/>: queues
/// writes for the pipeline thread, the only thread that may write to the pipeline.
/// </summary>
public sealed class AsyncPipeline : SupportAccessLogs.Graph.IMessageSink
{
    private readonly PipelineWriteQueue _queue;
    private readonly CancellationToken _cancellation;

    internal AsyncPipeline(PipelineWriteQueue queue, CancellationToken cancellation)
    {
        _queue = queue;
        _cancellation = cancellation;
    }

    /// <summary>
    /// Queues an object for the pipeline. For a few objects (a connection, role rows); a stream
    /// of them goes through <see cref="AsyncStreamPSCmdlet"/>, where the pipeline thread pulls.
    /// </summary>
    public Task WriteObjectAsync(object value)
    {
        Enqueue(cmdlet => cmdlet.WriteObject(value));
        return Task.CompletedTask;
    }

    public void WriteVerbose(string message) => Enqueue(c => c.WriteVerbose(message));

    public void WriteWarning(string message) => Enqueue(c => c.WriteWarning(message));

    void SupportAccessLogs.Graph.IMessageSink.Verbose(string message) => WriteVerbose(message);

    void SupportAccessLogs.Graph.IMessageSink.Warning(string message) => WriteWarning(message);

    public void WriteProgress(ProgressRecord progress) => Enqueue(c => c.WriteProgress(progress));

    public void WriteError(ErrorRecord error) => Enqueue(c => c.WriteError(error));

    private void Enqueue(Action<PSCmdlet> write)
    {
        _cancellation.ThrowIfCancellationRequested();
        try
        {
            _queue.Add(write);
        }
        catch (InvalidOperationException)
        {
            throw new OperationCanceledException(_cancellation);
        }
    }
}

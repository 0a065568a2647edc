using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Requests;

namespace SupportAccessLogs.Commands;

/// <summary>
/// One object per support request: reads the window's activities (as Get-SupportAccessActivity
/// does) or takes activities from the pipeline, groups them and walks each request's lifecycle.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessRequest", DefaultParameterSetName = ReadSet)]
[OutputType(typeof(SupportAccessRequest))]
public sealed class GetSupportAccessRequestCommand : SupportAccessQueryCommand
{
    private const string ReadSet = "Read";
    private const string InputSet = "InputObject";
    private readonly RequestBook _book = new();
    private bool _fromInput;
    private long _nullInputs;
    private string[] _readParametersGiven = Array.Empty<string>();

    /// <summary>Activities to group (from Get-SupportAccessActivity, or read back from its CSV or
    /// JSON). A null is ignored, as an empty pipeline is (-Verbose counts them).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [AllowEmptyCollection]
    [AllowNull]
    public PSObject?[]? InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>
    /// The base's -Connection, but a null from the pipeline is ignored as other nulls are
    /// (PowerShell offers a piped $null to -Connection first, and the base refuses it with a
    /// validation error about -Connection that says nothing of the null given). A null given by
    /// name is still refused, in <see cref="BeginProcessing"/>: it is a mistake, never "the
    /// current connection".
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    public new SupportAccessConnection?[]? Connection
    {
        get => base.Connection;
        set => base.Connection = value?.OfType<SupportAccessConnection>().ToArray();
    }

    /// <summary>Only requests in these states.</summary>
    [Parameter]
    public RequestState[]? State { get; set; }

    /// <summary>Only requests whose access to the tenant is active now.</summary>
    [Parameter]
    public SwitchParameter Active { get; set; }

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.TryGetValue(nameof(Connection), out object? given)
            && (given is null || (given is Array list && Array.IndexOf(list, null) >= 0)))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentNullException(nameof(Connection), "-Connection is null, or holds a null. Give connections from Connect-SupportAccess -PassThru or Get-SupportAccessConnection, or leave -Connection out to read the current connection."),
                "ConnectionIsNull", ErrorCategory.InvalidArgument, null));
        }

        // What was given on the command line (pipeline input is not bound yet).
        _readParametersGiven = QueryParameterNames.Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
        PrepareQuery((startUtc, endUtc) => WindowQuery(startUtc, endUtc) with { RequestStates = State, ActiveRequestsOnly = Active });
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != InputSet)
        {
            // Connections, by parameter or from the pipeline: read once all are in.
            if (MyInvocation.ExpectingInput && Connection is not { Length: > 0 })
            {
                _nullInputs++;
            }

            GatherConnections();
            return;
        }

        foreach (PSObject? input in InputObject ?? new PSObject?[] { null })
        {
            if (input is null || input.BaseObject is null)
            {
                // As an empty pipeline: nothing to group ($null | Get-SupportAccessRequest, or an
                // empty variable piped in), never "read the current connection instead".
                _nullInputs++;
                continue;
            }

            // Connections piped in are to be read, whichever parameter PowerShell bound them to.
            if (input.BaseObject is SupportAccessConnection connection)
            {
                GatherConnection(connection);
                continue;
            }

            if (!_fromInput)
            {
                _fromInput = true;
                RefuseReadParameters();
            }

            try
            {
                _book.Add(ActivityFacts.Of(input));
            }
            catch (ModuleException ex)
            {
                // One bad object is reported and the rest still grouped.
                WriteError(ErrorRecords.ToErrorRecord(ex, null));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_nullInputs > 0)
        {
            WriteVerbose($"Ignored {_nullInputs} null input{(_nullInputs == 1 ? "" : "s")}: a null is no activity.");
        }

        if (_fromInput)
        {
            if (GatheredAny)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("Both activities and connections came through the pipeline. Pipe activities to group them, or connections to read them, not both."),
                    "ActivitiesAndConnectionsPiped", ErrorCategory.InvalidArgument, null));
            }

            foreach (SupportAccessRequest request in Requests(new CmdletMessageSink(this)))
            {
                WriteObject(request);
            }

            return;
        }

        if (MyInvocation.ExpectingInput && !GatheredAny)
        {
            // An empty pipeline (no activities, no connections) groups nothing; it never
            // means "read the current connection instead".
            WriteVerbose("Nothing came through the pipeline: no requests to write.");
            return;
        }

        ReadGatheredConnections();
    }

    /// <summary>With activities from the pipeline, reading parameters would be silently ignored: refuse them.</summary>
    private void RefuseReadParameters()
    {
        if (_readParametersGiven.Length > 0)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-{string.Join(", -", _readParametersGiven)} appl{(_readParametersGiven.Length == 1 ? "ies" : "y")} when Get-SupportAccessRequest reads the activities itself. With activities from the pipeline, choose them upstream (for example Get-SupportAccessActivity -StartTime ... | Get-SupportAccessRequest), or leave the pipeline out."),
                "ReadParameterWithInput", ErrorCategory.InvalidArgument, _readParametersGiven));
        }
    }

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (SupportAccessActivity activity in ReadActivitiesAsync(messages, cancellationToken).ConfigureAwait(false))
        {
            _book.Add(ActivityFacts.Of(activity));
        }

        foreach (SupportAccessRequest request in Requests(messages))
        {
            yield return request;
        }
    }

    private IEnumerable<SupportAccessRequest> Requests(IMessageSink reporter)
    {
        reporter.Verbose($"Grouping {_book.ActivitiesAdded} activities into {_book.RequestCount} support requests.");
        HashSet<RequestState>? states = State is null ? null : new HashSet<RequestState>(State);
        return _book.Close(DateTime.UtcNow, reporter)
            .Where(r => (states is null || states.Contains(r.State)) && (!Active || r.IsAccessActive));
    }
}

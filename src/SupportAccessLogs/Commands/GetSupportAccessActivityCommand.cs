using SupportAccessLogs.Activities;
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Commands;

[Cmdlet(VerbsCommon.Get, "SupportAccessActivity", SupportsPaging = true)]
[OutputType(typeof(UserInitiatedActivity), typeof(AutomatedActivity), typeof(CrossTenantActivity))]
public sealed class GetSupportAccessActivityCommand : ActivityFilterCommand
{
    protected override void BeginProcessing()
    {
        if (PagingParameters.First == 0)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-First 0 asks for no activities. Give -First 1 or more, or leave -First out to read them all."),
                "FirstIsZero", ErrorCategory.InvalidArgument, 0));
        }

        PrepareQuery((startUtc, endUtc) => FilteredQuery(startUtc, endUtc) with
        {
            Skip = PagingParameters.Skip,
            First = PagingParameters.First == ulong.MaxValue ? null : PagingParameters.First,
        });
    }

    protected override void ProcessRecord() => GatherConnections();

    protected override void EndProcessing() => ReadGatheredConnections();

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (SupportAccessActivity activity in ReadActivitiesAsync(messages, cancellationToken).ConfigureAwait(false))
        {
            yield return activity;
        }

        if (PagingParameters.IncludeTotalCount)
        {
            (ulong count, double accuracy) = TotalCount();
            yield return PagingParameters.NewTotalCount(count, accuracy);
        }
    }
}

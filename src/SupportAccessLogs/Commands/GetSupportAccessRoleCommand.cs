using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using SupportAccessLogs.Auth;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Roles;

namespace SupportAccessLogs.Commands;

/// <summary>
/// Which directory roles can read the support-access logs or manage support access requests,
/// and which of them the caller holds.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SupportAccessRole", DefaultParameterSetName = RelevantSet)]
[OutputType(typeof(SupportAccessRole), ParameterSetName = new[] { RelevantSet, AssignedSet, AllSet })]
[OutputType(typeof(SupportAccessRoleSummary), ParameterSetName = new[] { SummarySet })]
public sealed class GetSupportAccessRoleCommand : AsyncPSCmdlet
{
    private const string RelevantSet = "Relevant";
    private const string AssignedSet = "Assigned";
    private const string AllSet = "All";
    private const string SummarySet = "Summary";

    /// <summary>Only the roles the caller holds.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AssignedSet)]
    public SwitchParameter Assigned { get; set; }

    /// <summary>Every role, including those that can do neither.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>One answer for the caller: can they read, can they manage, through which roles.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SummarySet)]
    public SwitchParameter Summary { get; set; }

    [Parameter]
    [ValidateNotNull]
    public SupportAccessConnection? Connection { get; set; }

    private SupportAccessConnection _connection = null!;

    protected override void BeginProcessing()
    {
        try
        {
            _connection = ConnectionStore.Resolve(Connection);
        }
        catch (ModuleException ex)
        {
            ThrowTerminatingError(ErrorRecords.ToErrorRecord(ex, null));
        }
    }

    protected override ErrorRecord ToErrorRecord(Exception exception) =>
        ErrorRecords.ToErrorRecord(exception, _connection?.GraphEndpoint);

    protected override async IAsyncEnumerable<object> ProduceAsync(AsyncPipeline messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RoleCatalog catalog = await RoleCatalog.LoadAsync(_connection, messages, cancellationToken).ConfigureAwait(false);
        if (Summary)
        {
            yield return catalog.Summarize();
            yield break;
        }

        foreach (SupportAccessRole role in catalog.Roles)
        {
            bool wanted = ParameterSetName switch
            {
                AssignedSet => role.AssignedToCaller,
                AllSet => true,
                _ => role.CanReadActivityLogs || role.CanManageSupportAccess,
            };
            if (wanted)
            {
                yield return role;
            }
        }
    }
}

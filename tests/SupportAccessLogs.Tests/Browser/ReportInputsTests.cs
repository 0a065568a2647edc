using System;
using System.Linq;
using System.Threading.Tasks;
using GraphEmulator;
using Xunit;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// The report tests' inputs hold what those tests take for granted: the demo read has active and
/// ended requests on both sides, and the hostile text reaches the activities and requests whole
/// (were the reader to drop or clean it, "shown as text" would prove nothing).
/// </summary>
public sealed class ReportInputsTests
{
    [Fact]
    public async Task DemoRead_HasActiveAndEndedRequests_AndTheirActivities()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions());

        ReportInput input = await ReportInputs.ReadAsync(server);

        Assert.Equal(server.DataSet.TruthRecords.Count, input.Activities.Count);
        Assert.Contains(input.Requests, r => r.IsAccessActive);
        Assert.Contains(input.Requests, r => !r.IsAccessActive);
        Assert.Contains(input.Requests, r => r.SupportRequestId == "2611200010000001" && r.IsAccessActive);
        Assert.Contains(input.Requests, r => r.SupportRequestId == "2611200010000002" && r.State == RequestState.Revoked);
        Assert.Contains(input.Requests, r => r.TenantRole == TenantRole.ResourceTenant);
        Assert.Equal(input.Activities.Count, input.Requests.Sum(r => r.ActivityCount));
    }

    [Fact]
    public void HostileInput_KeepsEveryTextWhole_InRequestsAndActivities()
    {
        ReportInput input = HostileText.Input(DateTime.UtcNow);

        Assert.Equal(HostileText.All.Count, input.Requests.Count(r => r.GroupedBy == RequestGrouping.SupportRequestId));
        foreach (string text in HostileText.All)
        {
            SupportAccessRequest request = Assert.Single(input.Requests, r => r.SupportRequestId == text);
            Assert.Equal(text, request.DecidedBy);
            Assert.Contains(input.Activities, a => a.ActivityDisplayName == text && a.InitiatedBy == text && a.ResultReason == text);
        }

        Assert.Equal(Enumerable.Range(0, HostileText.All.Count).Count(HostileText.KeepsAccess), input.Active.Count);
        Assert.Contains(input.Requests, r => r.SupportRequestId == HostileText.LongName && r.IsAccessActive);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// Record shapes as Graph writes them: the published example responses (Corpus/README.md) and
/// the shapes real payloads vary in that our emulator does not produce. Each is read by the
/// module's page reader and classifier, and checked against an outcome written by hand.
/// </summary>
public class DocumentedShapesTests
{
    private const string Zero = "00000000-0000-0000-0000-000000000000";

    private static SupportAccessActivity ClassifyCorpus(string file, Func<string, string>? edit = null)
    {
        string json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file));
        List<ParsedAuditRecord> records = Records.ReadPage(edit is null ? json : edit(json), out string? nextLink);
        Assert.Null(nextLink);
        ParsedAuditRecord parsed = Assert.Single(records);
        return new ActivityClassifier(Guid.Parse(Records.CallerTenant)).Classify(parsed.Record, parsed.Raw);
    }

    // ---- the published examples ----

    [Fact]
    public void ListExample1_CapitalType_TargetsKeepTheirType()
    {
        SupportAccessActivity activity = ClassifyCorpus("list-example-1.json");

        Assert.IsType<UserInitiatedActivity>(activity);
        Assert.Equal(Activity.RequestApproved, activity.Activity);
        Assert.Equal("id", activity.Id);
        Assert.Equal(InitiatorType.User, activity.InitiatorType);
        Assert.Equal("bob@wingtiptoysonline.com", activity.InitiatedBy);
        Assert.Equal("728309ae-1a37-4937-9afe-e35d964db09b", activity.InitiatorId);
        Assert.Equal("127.0.0.1", activity.InitiatorIpAddress);
        Assert.Equal(
            "Group Example.com (unifiedGroups) [ef7e527d-6c92-4234-8c6d-cf6fdfb57f95] {Action Client Name:  -> DirectorySync} | User <bob@contoso.com> [1f0e98f5-3161-4c6b-9b50-d488572f2bb7]",
            activity.TargetResources);
        Assert.Equal("Additional Detail Name=Additional Detail Value", activity.AdditionalDetails);
        Assert.Equal(new DateTime(2026, 11, 9, 21, 20, 2, DateTimeKind.Utc).AddTicks(7215374), activity.ActivityTime);
        Assert.Equal("initiatedBy.user.userPrincipalName names a user", activity.ClassificationReason);
    }

    [Fact]
    public void ListExample2_PlaceholderUserRemovesAccess_RemovedOnClosureNotByHand()
    {
        SupportAccessActivity activity = ClassifyCorpus("list-example-2.json");

        Assert.IsType<AutomatedActivity>(activity);
        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
        Assert.Equal(InitiatorType.None, activity.InitiatorType);
        Assert.Equal("", activity.InitiatedBy);
        Assert.Equal("", activity.InitiatorId);
        Assert.Equal("", activity.InitiatorIpAddress);
        Assert.Equal("SSGM_b662f17a-4e4d-4e1c-9248-cdec180024b2_MCDC4_88453290", activity.Id);
        Assert.Equal("N/A [00000000-0000-0000-0000-000000000000]", activity.TargetResources);
        Assert.Equal("", activity.AdditionalDetails);
        Assert.Equal("no user initiator: initiatedBy.user is a placeholder (all-zero id, no userPrincipalName)", activity.ClassificationReason);
        // The annotation beside "value" is skipped; the record's own bytes are kept whole.
        Assert.Contains("\"homeTenantName\": null", activity.GetRawRecord());
    }

    [Theory]
    [InlineData("Request created", Activity.RequestCreated)]
    [InlineData("Request canceled", Activity.RequestCanceled)]
    [InlineData("Approval removed", Activity.AccessRemovedOnClosure)]
    [InlineData("Access approved", Activity.ApprovalCreated)]
    [InlineData("Request approved", Activity.RequestApproved)]
    public void ListExample2_PlaceholderUser_NeverUserInitiated(string name, Activity expected)
    {
        SupportAccessActivity activity = ClassifyCorpus("list-example-2.json", json => json.Replace("\"Access removed\"", $"\"{name}\""));

        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(expected, activity.Activity);
        Assert.Equal(InitiatorType.None, activity.InitiatorType);
        Assert.Equal("", activity.InitiatedBy);
    }

    [Fact]
    public void GetExample_SingularTargetResource_NotReadButKeptInTheRawRecord()
    {
        SupportAccessActivity activity = ClassifyCorpus("get-example.json");

        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal(Activity.RequestRejected, activity.Activity);
        Assert.Equal("bob@wingtiptoysonline.com", activity.InitiatedBy);
        Assert.Equal("", activity.TargetResources);
        Assert.Contains("\"targetResource\": [{", activity.GetRawRecord());
        Assert.Contains("example@contoso.com", activity.GetRawRecord());
    }

    // ---- placeholders and the initiator rule ----

    [Theory]
    [InlineData(Zero)]
    [InlineData("{00000000-0000-0000-0000-000000000000}")]
    [InlineData(" 00000000000000000000000000000000 ")]
    public void PlaceholderUserId_AnyGuidSpelling_NotAUser(string id)
    {
        string user = $$"""{"user":{"id":"{{id}}","displayName":"Microsoft Support","userPrincipalName":null,"ipAddress":"10.0.0.0"},"app":null}""";

        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", user));

        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
        Assert.Equal("", activity.InitiatedBy);
    }

    [Fact]
    public void ZeroIdWithUpn_TheUpnIdentifiesTheUser()
    {
        string user = $$"""{"user":{"id":"{{Zero}}","displayName":null,"userPrincipalName":"ops@contoso.com","ipAddress":"203.0.113.9"},"app":null}""";

        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", user));

        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal(Activity.AccessRemovedManually, activity.Activity);
        Assert.Equal("ops@contoso.com", activity.InitiatedBy);
        Assert.Equal("", activity.InitiatorId);
        Assert.Equal("203.0.113.9", activity.InitiatorIpAddress);
    }

    [Fact]
    public void PlaceholderUserBesideNamedApp_TheAppInitiated()
    {
        string initiator = $$$"""{"user":{"id":"{{{Zero}}}","displayName":null,"userPrincipalName":null},"app":{"appId":"a0b1c2d3-0000-4000-8000-000000000001","displayName":"Microsoft Support Access","servicePrincipalId":null,"servicePrincipalName":null}}""";

        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", initiator));

        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
        Assert.Equal(InitiatorType.App, activity.InitiatorType);
        Assert.Equal("Microsoft Support Access", activity.InitiatedBy);
    }

    [Fact]
    public void PlaceholderAppWithoutName_NobodyInitiated()
    {
        string initiator = $$$"""{"user":null,"app":{"appId":"{{{Zero}}}","displayName":null,"servicePrincipalId":null,"servicePrincipalName":null}}""";

        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", initiator));

        Assert.Equal(InitiatorType.None, activity.InitiatorType);
        Assert.Equal("", activity.InitiatedBy);
        Assert.Equal("", activity.InitiatorId);
        Assert.Equal("no user initiator: initiatedBy.user is absent", activity.ClassificationReason);
    }

    [Fact]
    public void PlaceholderAppWithName_TheAppWithoutAnId()
    {
        string initiator = $$$"""{"user":null,"app":{"appId":"{{{Zero}}}","displayName":"Azure Support Center","servicePrincipalId":"{{{Zero}}}","servicePrincipalName":null}}""";

        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", initiator));

        Assert.Equal(InitiatorType.App, activity.InitiatorType);
        Assert.Equal("Azure Support Center", activity.InitiatedBy);
        Assert.Equal("", activity.InitiatorId);
    }

    [Fact]
    public void PlaceholderUserInResourceTenant_CrossTenantRemovalOnClosure()
    {
        string user = $$"""{"user":{"id":"{{Zero}}","displayName":null,"userPrincipalName":null},"app":null}""";

        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", user, Records.Details(("SupportRequestTenantId", Records.OtherTenant))));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
        Assert.Equal(TenantRole.ResourceTenant, activity.TenantRole);
        Assert.Equal(
            "additionalDetails.SupportRequestTenantId is another tenant; no user initiator: initiatedBy.user is a placeholder (all-zero id, no userPrincipalName)",
            activity.ClassificationReason);
    }

    // ---- member names as Graph may write them ----

    [Fact]
    public void MemberNamesInAnyCase_AllRead()
    {
        string json = $$"""
            {"ID":"rec-9","Category":"MicrosoftSupportAccessManagement","CORRELATIONID":"c-9","Result":"success","ResultReason":"r",
             "ActivityDisplayName":"Access removed","ActivityDateTime":"2026-11-02T10:15:30Z","LoggedByService":"Core Directory","OperationType":"Delete",
             "InitiatedBy":{"User":{"Id":"3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61","UserPrincipalName":"admin@contoso.com","IPADDRESS":"203.0.113.7"},"App":null},
             "TargetResources":[{"Id":"t-1","DisplayName":"Ticket","TYPE":"Other","ModifiedProperties":[{"DisplayName":"Status","OldValue":"a","NewValue":"b"}]}],
             "AdditionalDetails":[{"Key":"SupportRequestTenantId","Value":"{{Records.OtherTenant}}"},{"KEY":"TicketId","VALUE":"T-9"}]}
            """;

        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal("rec-9", activity.Id);
        Assert.Equal("c-9", activity.CorrelationId);
        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Activity.AccessRemovedManually, activity.Activity);
        Assert.Equal("admin@contoso.com", activity.InitiatedBy);
        Assert.Equal("203.0.113.7", activity.InitiatorIpAddress);
        Assert.Equal("Other Ticket [t-1] {Status: a -> b}", activity.TargetResources);
        Assert.Equal("T-9", activity.SupportRequestId);
        Assert.Equal(Records.OtherTenant, activity.OtherTenantId);
        Assert.Equal("Delete", activity.OperationType);
    }

    [Fact]
    public void SameMemberTwiceInOtherCase_ANullDoesNotEraseTheValue()
    {
        string targets = """[{"id":"t-1","type":"User","Type":null,"displayName":"Zoe"}]""";

        SupportAccessActivity activity = Records.Classify(Records.Json(targetResources: targets));

        Assert.Equal("User Zoe [t-1]", activity.TargetResources);
    }

    [Fact]
    public void EscapedMemberName_Read()
    {
        string targets = """[{"id":"t-1","\u0074ype":"Group","displayName":"G"}]""";

        SupportAccessActivity activity = Records.Classify(Records.Json(targetResources: targets));

        Assert.Equal("Group G [t-1]", activity.TargetResources);
    }

    [Fact]
    public void AnnotationsAnywhere_Skipped()
    {
        string json = """
            {"@odata.type":"#microsoft.graph.directoryAudit","id@odata.type":"#String","id":"rec-a","category":"MicrosoftSupportAccessManagement",
             "activityDisplayName":"Request approved","activityDateTime@odata.type":"#DateTimeOffset","activityDateTime":"2026-11-02T10:15:30Z",
             "initiatedBy":{"@odata.type":"#microsoft.graph.auditActivityInitiator","user":{"@odata.type":"#microsoft.graph.userIdentity","id":"3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61","userPrincipalName":"admin@contoso.com"},"app":null},
             "targetResources@odata.type":"#Collection(microsoft.graph.targetResource)",
             "targetResources":[{"@odata.type":"#microsoft.graph.targetResourceGroup","id":"g-1","type":"Group","@microsoft.graph.tips":{"nested":[1,2,{"x":null}]}}],
             "additionalDetails":[{"@odata.type":"#microsoft.graph.keyValue","key":"TicketId","value":"T-1"}],
             "@microsoft.graph.tips":"Use $select"}
            """;

        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal("rec-a", activity.Id);
        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal("admin@contoso.com", activity.InitiatedBy);
        Assert.Equal("Group [g-1]", activity.TargetResources);
        Assert.Equal("TicketId=T-1", activity.AdditionalDetails);
        Assert.Equal("T-1", activity.SupportRequestId);
    }

    // ---- nulls, empties, missing and unknown members ----

    [Fact]
    public void NullsEverywhere_OtherAndAutomated_NothingThrows()
    {
        string json = """
            {"id":null,"category":"MicrosoftSupportAccessManagement","correlationId":null,"result":null,"resultReason":null,
             "activityDisplayName":null,"activityDateTime":null,"loggedByService":null,"operationType":null,
             "initiatedBy":{"user":{"id":null,"displayName":null,"userPrincipalName":null,"ipAddress":null,"userType":null,"homeTenantId":null,"homeTenantName":null},"app":null},
             "targetResources":[null,{"id":null,"displayName":null,"type":null,"userPrincipalName":null,"groupType":null,"modifiedProperties":[null]}],
             "additionalDetails":[null,{"key":null,"value":null}]}
            """;

        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(Activity.Other, activity.Activity);
        Assert.Equal("", activity.Id);
        Assert.Equal(default, activity.ActivityTime);
        Assert.Equal(InitiatorType.None, activity.InitiatorType);
        Assert.Equal("no user initiator: initiatedBy.user has no id or userPrincipalName; activity name not in the rules", activity.ClassificationReason);
    }

    [Fact]
    public void EmptyArraysAndEmptyInitiator_Automated()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", initiatedBy: """{"user":{},"app":{}}""", additionalDetails: "[]", targetResources: "[]"));

        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
        Assert.Equal(InitiatorType.None, activity.InitiatorType);
        Assert.Equal("", activity.TargetResources);
        Assert.Equal("", activity.AdditionalDetails);
    }

    [Fact]
    public void OnlyTheMinimalMembers_Classified()
    {
        SupportAccessActivity activity = Records.Classify("""{"id":"rec-m","category":"MicrosoftSupportAccessManagement","activityDisplayName":"Access removed"}""");

        Assert.Equal("rec-m", activity.Id);
        Assert.Equal(Category.Automated, activity.Category);
        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
        Assert.Equal("no user initiator: initiatedBy is absent", activity.ClassificationReason);
    }

    [Fact]
    public void UnknownMembersOfEveryShape_SkippedAndKeptRaw()
    {
        string json = """
            {"futureNumber":1.5e3,"futureArray":[[],{"a":[true,false,null]}],"id":"rec-u","category":"MicrosoftSupportAccessManagement",
             "activityDisplayName":"Request created","activityDateTime":"2026-11-02T10:15:30Z",
             "initiatedBy":{"user":null,"app":{"appId":"a-1","displayName":"Svc","agentType":{"kind":"notAgentic"}},"unknownInitiator":{"id":"x"}},
             "targetResources":[{"id":"t","type":"Other","futureTargetMember":[1,2,3]}],
             "additionalDetails":[{"key":"K","value":"V","futureDetailMember":"x"}],"trailingFuture":"end"}
            """;

        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal("rec-u", activity.Id);
        Assert.Equal(InitiatorType.App, activity.InitiatorType);
        Assert.Equal("Svc", activity.InitiatedBy);
        Assert.Equal("Other [t]", activity.TargetResources);
        Assert.Equal("K=V", activity.AdditionalDetails);
        Assert.Contains("\"trailingFuture\":\"end\"", activity.GetRawRecord());
    }
}

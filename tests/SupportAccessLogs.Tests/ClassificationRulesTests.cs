using System;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Records;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>The classification rules (docs/architecture.md), one case per rule, through <see cref="ActivityClassifier.Classify"/> on
/// records read by the module's own page reader.</summary>
public class ClassificationRulesTests
{
    private static readonly string CrossTenantDetails = Records.Details(("TargetTenantId", Records.OtherTenant));

    // ---- Rule 1: activity names ----

    [Theory]
    [InlineData("Request created", Activity.RequestCreated)]
    [InlineData("Request approved", Activity.RequestApproved)]
    [InlineData("Request rejected", Activity.RequestRejected)]
    [InlineData("Request canceled", Activity.RequestCanceled)]
    [InlineData("Request cancelled", Activity.RequestCanceled)]
    [InlineData("Approval approved", Activity.ApprovalCreated)]
    [InlineData("Access approved", Activity.ApprovalCreated)]
    [InlineData("Approval removed", Activity.AccessRemovedManually)]
    [InlineData("Access removed", Activity.AccessRemovedManually)]
    public void Classify_KnownNameByUser_MapsToActivity(string name, Activity expected)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, Records.UserInitiator));

        Assert.Equal(expected, activity.Activity);
        Assert.Equal(name, activity.ActivityDisplayName);
    }

    [Theory]
    [InlineData("Request created", Activity.RequestCreated)]
    [InlineData("Request approved", Activity.RequestApproved)]
    [InlineData("Request rejected", Activity.RequestRejected)]
    [InlineData("Request cancelled", Activity.RequestCanceled)]
    [InlineData("Approval approved", Activity.ApprovalCreated)]
    [InlineData("Access approved", Activity.ApprovalCreated)]
    [InlineData("Approval removed", Activity.AccessRemovedOnClosure)]
    [InlineData("Access removed", Activity.AccessRemovedOnClosure)]
    public void Classify_KnownNameByApp_MapsToActivity(string name, Activity expected)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, Records.AppInitiator));

        Assert.Equal(expected, activity.Activity);
    }

    [Theory]
    [InlineData("  Request created  ", Activity.RequestCreated)]
    [InlineData("request CREATED", Activity.RequestCreated)]
    [InlineData("\tACCESS APPROVED\n", Activity.ApprovalCreated)]
    [InlineData(" request Cancelled", Activity.RequestCanceled)]
    [InlineData("approval REMOVED ", Activity.AccessRemovedManually)]
    public void Classify_NameWithSpacesOrOtherCase_StillMatches(string name, Activity expected)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, Records.UserInitiator));

        Assert.Equal(expected, activity.Activity);
        Assert.Equal(name, activity.ActivityDisplayName);
    }

    [Theory]
    [InlineData("Access removed")]
    [InlineData("Approval removed")]
    public void Classify_RemovalByUser_IsManualRemoval(string name)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, Records.UserInitiator));

        Assert.Equal(Activity.AccessRemovedManually, activity.Activity);
        Assert.Equal(InitiatorType.User, activity.InitiatorType);
    }

    [Theory]
    [InlineData(Records.AppInitiator)]
    [InlineData(Records.NoInitiator)]
    [InlineData("""{"user":null,"app":null}""")]
    [InlineData("""{}""")]
    [InlineData("""{"user":{"id":null,"displayName":"Someone","userPrincipalName":""},"app":null}""")]
    public void Classify_RemovalWithoutUser_IsRemovalOnClosure(string initiatedBy)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", initiatedBy));

        Assert.Equal(Activity.AccessRemovedOnClosure, activity.Activity);
    }

    [Theory]
    [InlineData("Request escalated")]
    [InlineData("Access granted")]
    [InlineData("")]
    [InlineData("Request created and approved")]
    public void Classify_UnknownName_IsOtherAndKeepsRawName(string name)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, Records.UserInitiator));

        Assert.Equal(Activity.Other, activity.Activity);
        Assert.Equal(name, activity.ActivityDisplayName);
        Assert.False(ActivityClassifier.IsKnownActivityName(name));
    }

    [Fact]
    public void Classify_MissingActivityName_IsOtherWithEmptyName()
    {
        string json = Records.Json("x").Replace("\"activityDisplayName\":\"x\",", "");
        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal(Activity.Other, activity.Activity);
        Assert.Equal("", activity.ActivityDisplayName);
    }

    [Theory]
    [InlineData("Request created")]
    [InlineData(" access REMOVED ")]
    [InlineData("Request cancelled")]
    public void IsKnownActivityName_KnownName_True(string name) =>
        Assert.True(ActivityClassifier.IsKnownActivityName(name));

    [Fact]
    public void IsKnownActivityName_Null_False() =>
        Assert.False(ActivityClassifier.IsKnownActivityName(null));

    // ---- Rule 2: cross-tenant evidence ----

    [Theory]
    [InlineData("TargetTenantId")]
    [InlineData("ResourceTenantId")]
    [InlineData("targettenantid")]
    [InlineData("SUPPORTREQUESTTENANTID")]
    [InlineData("TenantId")]
    public void Classify_TenantIdKeyWithOtherGuid_IsCrossTenant(string key)
    {
        SupportAccessActivity activity = Records.Classify(
            Records.Json("Request created", Records.UserInitiator, Records.Details((key, Records.OtherTenant))));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Records.OtherTenant, activity.OtherTenantId);
    }

    [Fact]
    public void Classify_OtherTenantGuidInUpperCase_IsReportedAsGuid()
    {
        SupportAccessActivity activity = Records.Classify(
            Records.Json("Request created", Records.AppInitiator, Records.Details(("TargetTenantId", Records.OtherTenant.ToUpperInvariant()))));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Guid.Parse(Records.OtherTenant), Guid.Parse(activity.OtherTenantId));
    }

    [Theory]
    [InlineData(Records.CallerTenant)]
    [InlineData("aaaaaaaa-1111-4111-8111-bbbbbbbbbbbb ")]
    [InlineData("{aaaaaaaa-1111-4111-8111-bbbbbbbbbbbb}")]
    [InlineData("AAAAAAAA-1111-4111-8111-BBBBBBBBBBBB")]
    public void Classify_TenantIdOfCaller_IsNotCrossTenant(string value)
    {
        SupportAccessActivity activity = Records.Classify(
            Records.Json("Request created", Records.UserInitiator, Records.Details(("TargetTenantId", value))));

        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal("", activity.OtherTenantId);
    }

    [Theory]
    [InlineData("contoso.onmicrosoft.com")]
    [InlineData("not-a-guid")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void Classify_TenantIdKeyWithoutOtherGuid_IsNotCrossTenant(string? value)
    {
        SupportAccessActivity activity = Records.Classify(
            Records.Json("Request created", Records.UserInitiator, Records.Details(("TargetTenantId", value))));

        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal("", activity.OtherTenantId);
    }

    [Theory]
    [InlineData("TenantIdentifier")]
    [InlineData("OtherTenant")]
    [InlineData("TargetTenant")]
    [InlineData("TenantId2")]
    public void Classify_GuidUnderOtherKey_IsNotCrossTenant(string key)
    {
        SupportAccessActivity activity = Records.Classify(
            Records.Json("Request created", Records.UserInitiator, Records.Details((key, Records.OtherTenant))));

        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal("", activity.OtherTenantId);
    }

    [Fact]
    public void Classify_SameRecordForEachTenant_IsCrossTenantOnlyForTheOtherTenant()
    {
        string json = Records.Json("Request created", Records.UserInitiator, CrossTenantDetails);

        Assert.Equal(Category.CrossTenant, Records.Classify(json, Records.CallerTenant).Category);
        Assert.Equal(Category.UserInitiated, Records.Classify(json, Records.OtherTenant).Category);
    }

    [Fact]
    public void Classify_CallerTenantFirstThenOtherTenant_FindsTheOtherTenant()
    {
        string details = Records.Details(("HomeTenantId", Records.CallerTenant), ("TargetTenantId", Records.OtherTenant));
        SupportAccessActivity activity = Records.Classify(Records.Json("Access approved", Records.AppInitiator, details));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Records.OtherTenant, activity.OtherTenantId);
    }

    // ---- Rule 3: category ----

    [Theory]
    [InlineData("""{"user":{"id":"3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61"}}""")]
    [InlineData("""{"user":{"userPrincipalName":"admin@contoso.com"}}""")]
    [InlineData("""{"user":{"id":"3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61","userPrincipalName":"admin@contoso.com"},"app":{"appId":"x","displayName":"y"}}""")]
    public void Classify_UserWithIdOrUpn_IsUserInitiated(string initiatedBy)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request approved", initiatedBy));

        Assert.Equal(Category.UserInitiated, activity.Category);
        Assert.Equal(InitiatorType.User, activity.InitiatorType);
    }

    [Theory]
    [InlineData(Records.AppInitiator)]
    [InlineData(Records.NoInitiator)]
    [InlineData("""{"user":null,"app":null}""")]
    [InlineData("""{"user":{"displayName":"No id nor UPN","ipAddress":"203.0.113.9"}}""")]
    [InlineData("""{"user":{"id":"  ","userPrincipalName":""}}""")]
    public void Classify_NoUserWithIdOrUpn_IsAutomated(string initiatedBy)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request approved", initiatedBy));

        Assert.Equal(Category.Automated, activity.Category);
        Assert.NotEqual(InitiatorType.User, activity.InitiatorType);
    }

    [Fact]
    public void Classify_CrossTenantEvidenceAndUser_IsCrossTenant()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request approved", Records.UserInitiator, CrossTenantDetails));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(InitiatorType.User, activity.InitiatorType);
        Assert.Equal("admin@contoso.com", activity.InitiatedBy);
    }

    [Fact]
    public void Classify_CrossTenantRemovalByUser_IsManualRemoval()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", Records.UserInitiator, CrossTenantDetails));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Activity.AccessRemovedManually, activity.Activity);
    }

    [Theory]
    [InlineData(Records.UserInitiator, Category.UserInitiated, typeof(UserInitiatedActivity))]
    [InlineData(Records.AppInitiator, Category.Automated, typeof(AutomatedActivity))]
    [InlineData(Records.NoInitiator, Category.Automated, typeof(AutomatedActivity))]
    public void Classify_OutputType_MatchesCategory(string initiatedBy, Category category, Type type)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", initiatedBy));

        Assert.Equal(category, activity.Category);
        Assert.IsType(type, activity);
    }

    [Fact]
    public void Classify_CrossTenant_OutputTypeIsCrossTenantActivity()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.AppInitiator, CrossTenantDetails));

        Assert.IsType<CrossTenantActivity>(activity);
        Assert.Equal(Category.CrossTenant, activity.Category);
    }

    // ---- Rule 4: tenant role ----

    [Theory]
    [InlineData("Request created", TenantRole.SupportRequestTenant)]
    [InlineData("Request approved", TenantRole.SupportRequestTenant)]
    [InlineData("Request rejected", TenantRole.SupportRequestTenant)]
    [InlineData("Request canceled", TenantRole.SupportRequestTenant)]
    [InlineData("Approval approved", TenantRole.ResourceTenant)]
    [InlineData("Access approved", TenantRole.ResourceTenant)]
    [InlineData("Approval removed", TenantRole.ResourceTenant)]
    [InlineData("Access removed", TenantRole.ResourceTenant)]
    [InlineData(" access removed", TenantRole.ResourceTenant)]
    public void Classify_CrossTenant_TenantRoleFromNamePrefix(string name, TenantRole expected)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, Records.AppInitiator, CrossTenantDetails));

        Assert.Equal(expected, activity.TenantRole);
    }

    [Theory]
    [InlineData("Request created", Records.UserInitiator)]
    [InlineData("Access approved", Records.AppInitiator)]
    [InlineData("Access removed", Records.NoInitiator)]
    public void Classify_NotCrossTenant_NoTenantRole(string name, string initiatedBy)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json(name, initiatedBy));

        Assert.Null(activity.TenantRole);
    }

    [Fact]
    public void Classify_CrossTenantUnknownName_NoTenantRole()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Ticket escalated", Records.AppInitiator, CrossTenantDetails));

        Assert.Equal(Category.CrossTenant, activity.Category);
        Assert.Equal(Activity.Other, activity.Activity);
        Assert.Null(activity.TenantRole);
    }

    // ---- Rule 5: support request id ----

    [Theory]
    [InlineData("SupportRequestId")]
    [InlineData("SupportTicketId")]
    [InlineData("TicketId")]
    [InlineData("RequestId")]
    [InlineData("supportrequestid")]
    [InlineData("TICKETID")]
    [InlineData("requestID")]
    public void Classify_SupportRequestIdKey_SetsSupportRequestId(string key)
    {
        SupportAccessActivity activity = Records.Classify(
            Records.Json("Request created", Records.UserInitiator, Records.Details(("Reason", "diag"), (key, "2611020040001234"))));

        Assert.Equal("2611020040001234", activity.SupportRequestId);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""[{"key":"SupportRequest","value":"1"},{"key":"RequestIdentifier","value":"2"},{"key":"CorrelationRequestId","value":"3"}]""")]
    [InlineData("""[{"key":"SupportRequestId","value":""}]""")]
    public void Classify_NoSupportRequestIdKey_EmptySupportRequestId(string details)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.UserInitiator, details));

        Assert.Equal("", activity.SupportRequestId);
    }

    [Fact]
    public void Classify_SeveralIdKeys_PrefersSupportRequestId()
    {
        string details = Records.Details(("RequestId", "r-3"), ("TicketId", "t-2"), ("SupportRequestId", "sr-1"));
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.UserInitiator, details));

        Assert.Equal("sr-1", activity.SupportRequestId);
    }

    // ---- Flattening and the other output properties ----

    [Fact]
    public void Classify_TargetResources_FlattenedWithEveryValue()
    {
        const string targets = """
            [{"id":"f3b1e0c2-0000-4000-8000-00000000abcd","displayName":"Support request 2611020040001234","type":"Other",
              "userPrincipalName":"engineer@support.example","groupType":null,
              "modifiedProperties":[{"displayName":"Status","oldValue":"\"Pending\"","newValue":"\"Approved\""},
                                    {"displayName":"Scope","oldValue":null,"newValue":"Identity diagnostics"}]},
             {"id":"second-target","displayName":"Contoso","type":"Directory","modifiedProperties":[]}]
            """;
        SupportAccessActivity activity = Records.Classify(Records.Json("Request approved", Records.UserInitiator, targetResources: targets));

        foreach (string expected in new[]
                 {
                     "f3b1e0c2-0000-4000-8000-00000000abcd", "Support request 2611020040001234", "Other",
                     "engineer@support.example", "Status", "\"Pending\"", "\"Approved\"", "Scope",
                     "Identity diagnostics", "second-target", "Contoso", "Directory",
                 })
        {
            Assert.Contains(expected, activity.TargetResources);
        }

        Assert.True(activity.TargetResources.IndexOf("Support request", StringComparison.Ordinal)
            < activity.TargetResources.IndexOf("second-target", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[null]")]
    public void Classify_NoTargetResources_EmptyString(string targets)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request approved", Records.UserInitiator, targetResources: targets));

        Assert.Equal("", activity.TargetResources);
    }

    [Fact]
    public void Classify_TargetResourcesMissing_EmptyString()
    {
        string json = Records.Json("Request approved").Replace("\"targetResources\":[],", "");
        Assert.DoesNotContain("targetResources", json);

        Assert.Equal("", Records.Classify(json).TargetResources);
    }

    [Fact]
    public void Classify_AdditionalDetails_FlattenedWithEveryKeyAndValue()
    {
        string details = Records.Details(("SupportRequestId", "2611020040001234"), ("TargetTenantId", Records.OtherTenant), ("Reason", "Sign-in diagnostics"));
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.UserInitiator, details));

        Assert.Equal(
            $"SupportRequestId=2611020040001234; TargetTenantId={Records.OtherTenant}; Reason=Sign-in diagnostics",
            activity.AdditionalDetails);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[null]")]
    public void Classify_NoAdditionalDetails_EmptyString(string details)
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.UserInitiator, details));

        Assert.Equal("", activity.AdditionalDetails);
    }

    [Fact]
    public void Classify_AdditionalDetailsMissing_EmptyString()
    {
        string json = Records.Json("Request created").Replace(",\"additionalDetails\":[]", "");
        Assert.DoesNotContain("additionalDetails", json);

        Assert.Equal("", Records.Classify(json).AdditionalDetails);
    }

    [Theory]
    [InlineData("He said \"approve\" and 'go'")]
    [InlineData("line one\nline two\r\nline three")]
    [InlineData("Zoë Ångström — 日本語 — 🙂")]
    [InlineData("a=b; c=d | e -> f")]
    public void Classify_AwkwardValues_KeptVerbatimInFlattenedStrings(string value)
    {
        string details = Records.Details(("Note", value));
        string targets = $$"""[{"displayName":{{System.Text.Json.JsonSerializer.Serialize(value)}},"modifiedProperties":[{"displayName":"p","oldValue":{{System.Text.Json.JsonSerializer.Serialize(value)}},"newValue":null}]}]""";
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.UserInitiator, details, targets));

        Assert.Contains(value, activity.AdditionalDetails);
        // Target text escapes what would read as its structure ('|', '>' ...), and reads back as the value.
        Assert.Contains(value.Replace("|", "\\|").Replace(">", "\\>"), activity.TargetResources);
        FlatTarget target = Assert.Single(TargetText.Read(activity.TargetResources)!);
        Assert.Equal((value, value), (target.DisplayName, Assert.Single(target.ModifiedProperties!).OldValue));
    }

    [Fact]
    public void Classify_UserInitiator_FillsInitiatorProperties()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", Records.UserInitiator));

        Assert.Equal(InitiatorType.User, activity.InitiatorType);
        Assert.Equal("admin@contoso.com", activity.InitiatedBy);
        Assert.Equal("3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61", activity.InitiatorId);
        Assert.Equal("203.0.113.7", activity.InitiatorIpAddress);
    }

    [Fact]
    public void Classify_AppInitiator_FillsInitiatorProperties()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", Records.AppInitiator));

        Assert.Equal(InitiatorType.App, activity.InitiatorType);
        Assert.Equal("Microsoft Support Access", activity.InitiatedBy);
        Assert.Equal("a0b1c2d3-0000-4000-8000-000000000001", activity.InitiatorId);
        Assert.Equal("", activity.InitiatorIpAddress);
    }

    [Fact]
    public void Classify_NoInitiator_InitiatorTypeNone()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Access removed", Records.NoInitiator));

        Assert.Equal(InitiatorType.None, activity.InitiatorType);
        Assert.Equal("", activity.InitiatedBy);
        Assert.Equal("", activity.InitiatorId);
    }

    [Fact]
    public void Classify_ScalarProperties_CopiedFromRecord()
    {
        SupportAccessActivity activity = Records.Classify(Records.Json("Request created", id: "Directory_ABC_123"));

        Assert.Equal("Directory_ABC_123", activity.Id);
        Assert.Equal("corr-1", activity.CorrelationId);
        Assert.Equal("success", activity.Result);
        Assert.Equal("", activity.ResultReason);
        Assert.Equal("Core Directory", activity.LoggedByService);
        Assert.Equal("Add", activity.OperationType);
        Assert.Equal(new DateTime(2026, 11, 2, 10, 15, 30, DateTimeKind.Utc).AddTicks(1234567), activity.ActivityTime);
        Assert.Equal(DateTimeKind.Utc, activity.ActivityTime.Kind);
    }

    [Fact]
    public void Classify_TimeWithOffset_ConvertedToUtc()
    {
        string json = Records.Json("Request created").Replace("2026-11-02T10:15:30.1234567Z", "2026-11-02T12:15:30+02:00");
        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal(new DateTime(2026, 11, 2, 10, 15, 30, DateTimeKind.Utc), activity.ActivityTime);
        Assert.Equal(DateTimeKind.Utc, activity.ActivityTime.Kind);
    }

    [Fact]
    public void Classify_RawRecord_IsTheRecordAsReceived()
    {
        string json = Records.Json("Request created", Records.UserInitiator, CrossTenantDetails);
        SupportAccessActivity activity = Records.Classify(json);

        Assert.Equal(json, activity.GetRawRecord());
    }

    [Theory]
    [InlineData("MicrosoftSupportAccessManagement", true)]
    [InlineData("microsoftsupportaccessmanagement", true)]
    [InlineData("UserManagement", false)]
    [InlineData("", false)]
    public void IsSupportAccessRecord_ChecksCategory(string category, bool expected)
    {
        ParsedAuditRecord parsed = Records.ParseOne(Records.Json(category: category));

        Assert.Equal(expected, ActivityClassifier.IsSupportAccessRecord(parsed.Record));
    }
}

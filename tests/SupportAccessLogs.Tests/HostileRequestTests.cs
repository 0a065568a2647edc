using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using SupportAccessLogs.Classification;
using SupportAccessLogs.Records;
using SupportAccessLogs.Requests;
using Xunit;
using static SupportAccessLogs.Activity;

namespace SupportAccessLogs.Tests;

/// <summary>
/// Issue 22, "what a second hostile run found", for Get-SupportAccessRequest: each case as the
/// run found it, on activities classified from Graph-shaped records by the module's own reader
/// and classifier (typed), and read back by property names (as Import-Csv and ConvertFrom-Json
/// hand them over). The same cases through the built module in real pwsh:
/// tests/pester/HostileRequests.Tests.ps1.
/// </summary>
public class HostileRequestTests
{
    private const string Tenant = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    private const string TargetA = "5a000000-000a-4000-8000-000000000000";
    private const string TargetB = "5a000000-000b-4000-8000-000000000000";
    private const string RequestName = "Microsoft Support access request";
    private static readonly DateTime T0 = new(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    // 1. Access granted again after a removal.

    [Fact]
    public void AccessGrantedAgainAfterItsRemoval_IsActiveAgain_AndVerboseSaysSo()
    {
        var sink = new Sink();
        SupportAccessRequest request = Assert.Single(Close(sink,
            Step(RequestCreated, 0, "a1"),
            Step(RequestApproved, 60, "a2", by: "admin@contoso.com"),
            Step(ApprovalCreated, 61, "a3"),
            Step(AccessRemovedManually, 24 * 60, "a4", by: "admin@contoso.com"),
            Step(ApprovalCreated, 3 * 24 * 60, "a5")));

        Assert.Equal(RequestState.Approved, request.State);
        Assert.True(request.IsAccessActive);
        // The access fields describe the grant in force; the earlier one is counted.
        Assert.Equal(T0.AddMinutes(3 * 24 * 60), request.AccessGrantedTime);
        Assert.Null(request.AccessRemovedTime);
        Assert.Equal(RemovalKind.None, request.RemovalKind);
        Assert.Equal(Now - T0.AddMinutes(3 * 24 * 60), request.AccessDuration);
        Assert.Equal(5, request.ActivityCount);
        Assert.Equal(2, request.AccessGrantCount);
        string said = Assert.Single(sink.Verbose, v => v.Contains("granted again", StringComparison.Ordinal));
        Assert.Contains("a5", said);
        Assert.Contains("2026-11-02T09:00:00Z", said);
        Assert.Empty(sink.Warnings);
    }

    [Fact]
    public void AccessGrantedAgain_ThenRemovedAgain_EndsWithTheLatestRemoval()
    {
        SupportAccessRequest request = Assert.Single(Close(new Sink(),
            Step(RequestCreated, 0), Step(RequestApproved, 1, by: "admin@contoso.com"), Step(ApprovalCreated, 2),
            Step(AccessRemovedManually, 100, by: "admin@contoso.com"), Step(ApprovalCreated, 200), Step(AccessRemovedOnClosure, 300)));

        Assert.Equal(RequestState.Completed, request.State);
        Assert.False(request.IsAccessActive);
        Assert.Equal((T0.AddMinutes(200), T0.AddMinutes(300), RemovalKind.Closure), (request.AccessGrantedTime, request.AccessRemovedTime, request.RemovalKind));
        Assert.Equal(TimeSpan.FromMinutes(100), request.AccessDuration);
    }

    // 2. A target's display name moves an activity into another request.

    [Fact]
    public void ATargetNamedLikeAnotherRequest_StaysWithItsOwnId_Typed()
    {
        List<SupportAccessActivity> activities = HostileTargetStory();

        List<SupportAccessRequest> requests = Close(new Sink(), activities.Select(ActivityFacts.Of).ToArray());

        AssertHostileTargetStory(requests);
    }

    [Fact]
    public void ATargetNamedLikeAnotherRequest_StaysWithItsOwnId_ReadBackByName()
    {
        // As Import-Csv hands the rows back: every property as text.
        List<SupportAccessRequest> requests = Close(new Sink(), HostileTargetStory().Select(a => ActivityFacts.Of(Row(a))).ToArray());

        AssertHostileTargetStory(requests);
    }

    [Theory]
    [InlineData("Microsoft Support access request [B] {x: a -> b}")]
    [InlineData("Microsoft Support access request [B]")]
    [InlineData("x | Other Microsoft Support access request [B]")]
    [InlineData("Microsoft Support access request <a@b> (c) [B] {d: e -> f} | Other Microsoft Support access request [C]")]
    [InlineData("back\\slash [ends in a backslash\\")]
    [InlineData("Microsoft Support access request \\[B\\]")]
    public void TheTextOfAnyName_ReadsBackAsThatName_AndTheIdAsTheId(string displayName)
    {
        var targets = new List<AuditTargetResource?>
        {
            new() { Type = "User", DisplayName = displayName, Id = "u-1", UserPrincipalName = displayName, GroupType = displayName,
                    ModifiedProperties = new() { new() { DisplayName = displayName, OldValue = displayName, NewValue = displayName } } },
            new() { Type = "Other", DisplayName = RequestName + displayName, Id = TargetA },
            new() { Type = "Other", DisplayName = displayName, Id = TargetB },
        };

        string text = ActivityClassifier.FlattenTargets(targets);
        List<FlatTarget>? read = TargetText.Read(text);

        Assert.NotNull(read);
        Assert.Equal(3, read!.Count);
        Assert.Equal(("User", displayName, displayName, displayName, "u-1"), (read[0].Type, read[0].DisplayName, read[0].UserPrincipalName, read[0].GroupType, read[0].Id));
        FlatChange change = Assert.Single(read[0].ModifiedProperties!);
        Assert.Equal((displayName, displayName, displayName), (change.DisplayName, change.OldValue, change.NewValue));
        Assert.Equal((RequestName + displayName, TargetA), (read[1].DisplayName, read[1].Id));
        Assert.Equal((displayName, TargetB), (read[2].DisplayName, read[2].Id));
        // The first target named as the request is: the first one when the name begins like it.
        string expected = displayName.StartsWith(RequestName, StringComparison.Ordinal) ? "u-1" : TargetA;
        Assert.Equal(expected, TargetText.RequestTargetId(targets));
        Assert.Equal(expected, TargetText.RequestTargetId(text));
    }

    [Theory]
    // Every part of a resource, any of them missing, and the type that is "-" or has a space.
    [InlineData("Other", RequestName, null, null, TargetA, "Other Microsoft Support access request [" + TargetA + "]")]
    [InlineData(null, RequestName, null, null, TargetA, "- Microsoft Support access request [" + TargetA + "]")]
    [InlineData("-", "Alex", null, null, "u-1", "\\- Alex [u-1]")]
    [InlineData("Service Principal", "App", null, null, "s-1", "Service\\ Principal App [s-1]")]
    [InlineData("Group", null, null, "Unified", "g-1", "Group (Unified) [g-1]")]
    [InlineData(null, null, "zoe@contoso.com", null, "u-2", "<zoe@contoso.com> [u-2]")]
    [InlineData("User", " Alex ", null, null, null, "User  Alex ")]
    public void EachPart_IsWrittenReadably_AndReadBackExactly(string? type, string? name, string? upn, string? groupType, string? id, string expected)
    {
        var targets = new List<AuditTargetResource?> { new() { Type = type, DisplayName = name, UserPrincipalName = upn, GroupType = groupType, Id = id } };

        string text = ActivityClassifier.FlattenTargets(targets);
        FlatTarget read = Assert.Single(TargetText.Read(text)!);

        Assert.Equal(expected, text);
        Assert.Equal((type, name, upn, groupType, id), (read.Type, read.DisplayName, read.UserPrincipalName, read.GroupType, read.Id));
    }

    [Fact]
    public void ReadingBack_IsTheExactInverse_ForAnyText()
    {
        // Values drawn from the characters that could pose as structure, and a few others.
        const string Alphabet = "ab -\\[]<>(){}|:,>\"'\t\nZ";
        var random = new Random(22);
        string? Value() => random.Next(6) == 0 ? null
            : new string(Enumerable.Range(0, random.Next(0, 9)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
        string? Written(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

        for (int i = 0; i < 5000; i++)
        {
            var targets = Enumerable.Range(0, random.Next(1, 4)).Select(_ => new AuditTargetResource
            {
                Type = Value(), DisplayName = random.Next(4) == 0 ? RequestName + Value() : Value(), UserPrincipalName = Value(), GroupType = Value(), Id = Value(),
                ModifiedProperties = random.Next(3) == 0 ? null
                    : Enumerable.Range(0, random.Next(0, 3)).Select(_ => new AuditModifiedProperty { DisplayName = Value(), OldValue = Value(), NewValue = Value() }).ToList<AuditModifiedProperty?>(),
            }).ToList<AuditTargetResource?>();

            string text = ActivityClassifier.FlattenTargets(targets);
            List<FlatTarget>? read = TargetText.Read(text);

            Assert.True(read is not null, $"'{text}' does not read back");
            // Empty text is no resource; otherwise one per target, an empty one too.
            Assert.Equal(text.Length == 0 ? 0 : targets.Count, read!.Count);
            for (int t = 0; t < read.Count; t++)
            {
                AuditTargetResource given = targets[t]!;
                Assert.Equal((Written(given.Type), Written(given.DisplayName), Written(given.UserPrincipalName), Written(given.GroupType), Written(given.Id)),
                    (read[t].Type, read[t].DisplayName, read[t].UserPrincipalName, read[t].GroupType, read[t].Id));
                Assert.Equal(
                    given.ModifiedProperties is { Count: > 0 } changes ? changes.Select(c => (c!.DisplayName ?? "", c.OldValue ?? "", c.NewValue ?? "")).ToList() : null,
                    read[t].ModifiedProperties?.Select(c => (c.DisplayName, c.OldValue, c.NewValue)).ToList());
            }

            Assert.Equal(TargetText.RequestTargetId(targets), TargetText.RequestTargetId(text));
        }
    }

    [Theory]
    // An earlier version's unescaped text of {id: A, displayName: "...request [B] {x: a -> b}"}: it reads two ways, so it names nothing.
    [InlineData("Other Microsoft Support access request [B] {x: a -> b} [A]")]
    [InlineData("Other Microsoft Support access request [B] [A]")]
    [InlineData("Other Microsoft Support access request (x) <y> [A]")]
    [InlineData("Other Microsoft Support access request [A]x")]
    [InlineData("Other Microsoft Support access request] [A]")]
    [InlineData("Other Microsoft Support access request [A] |")]
    [InlineData("Other Microsoft Support access request\\ [A]")]
    [InlineData("Other Microsoft Support access request [A] {x: y}")]
    public void TextThatReadsTwoWays_NamesNoRequest(string text)
    {
        Assert.Null(TargetText.Read(text));
        Assert.Null(TargetText.RequestTargetId(text));
    }

    [Fact]
    public void ANameThatMerelyContainsTheRequestsName_IsNotTheRequest()
    {
        var targets = new List<AuditTargetResource?>
        {
            new() { Type = "User", DisplayName = "Not a " + RequestName, Id = "u-1" },
            new() { Type = "Other", DisplayName = RequestName, Id = " " },
            new() { Type = "Other", DisplayName = "  microsoft SUPPORT access request", Id = " " + TargetB + " " },
        };

        Assert.Equal(TargetB, TargetText.RequestTargetId(targets));
        Assert.Equal(TargetB, TargetText.RequestTargetId(ActivityClassifier.FlattenTargets(targets)));
    }

    // 3. One tenant in two letter cases.

    [Fact]
    public void OneTenantInTwoLetterCases_IsOneTenant()
    {
        SupportAccessRequest request = Assert.Single(Close(new Sink(),
            Step(RequestCreated, 0, "a1", tenant: Tenant.ToUpperInvariant()),
            Step(RequestApproved, 5, "a2", by: "admin@contoso.com", tenant: Tenant)));

        Assert.Equal((RequestState.Approved, false, 2), (request.State, request.IsTruncated, request.ActivityCount));
        Assert.Equal(Tenant, request.TenantId);
    }

    [Fact]
    public void OneTenantInTwoLetterCases_ReadBack_IsOneTenant()
    {
        PSObject created = RowOf(("Id", "a1"), ("ActivityDateTime", "2026-11-01T09:00:00Z"), ("Activity", "RequestCreated"), ("SupportRequestId", "R1"), ("TenantId", Tenant.ToUpperInvariant()));
        PSObject approved = RowOf(("Id", "a2"), ("ActivityDateTime", "2026-11-01T09:05:00Z"), ("Activity", "RequestApproved"), ("SupportRequestId", "R1"), ("TenantId", "{" + Tenant + "}"));

        SupportAccessRequest request = Assert.Single(Close(new Sink(), ActivityFacts.Of(created), ActivityFacts.Of(approved)));

        Assert.Equal((RequestState.Approved, false, Tenant), (request.State, request.IsTruncated, request.TenantId));
    }

    // 4. Unclear input.

    [Fact]
    public void AHashtable_IsReadByKey()
    {
        var table = new Hashtable { ["id"] = "a1", ["ActivityDateTime"] = "2026-11-01T09:00:00Z", ["Activity"] = "RequestCreated", ["SupportRequestId"] = "R1", ["TenantId"] = Tenant };

        ActivityFacts facts = ActivityFacts.Of(new PSObject(table));

        Assert.Equal(("a1", T0, RequestCreated, "R1", (Guid?)Guid.Parse(Tenant)), (facts.Id, facts.Time, facts.Activity, facts.SupportRequestId, facts.TenantId));
    }

    [Theory]
    [InlineData("12/06/2026 02:52:00")]
    [InlineData("06.12.2026 02:52")]
    [InlineData("Sunday, December 6, 2026")]
    public void ADateTextThatDependsOnTheCulture_IsRefused_Clearly(string text)
    {
        ModuleException error = Assert.Throws<ModuleException>(() => ActivityFacts.Of(RowOf(("Id", "a1"), ("ActivityDateTime", text), ("Activity", "RequestCreated"))));

        Assert.Equal("InputNotAnActivity", error.ErrorId);
        Assert.Contains($"ActivityDateTime '{text}'", error.Message);
        Assert.Contains("ISO 8601", error.Message);
    }

    [Theory]
    [InlineData("2026-12-06T02:52:00Z", "2026-12-06T02:52:00Z")]
    [InlineData("2026-12-06T02:52:00.1234567Z", "2026-12-06T02:52:00.1234567Z")]
    [InlineData("2026-12-06T03:52:00+01:00", "2026-12-06T02:52:00Z")]
    [InlineData("2026-12-06T02:52:00", "2026-12-06T02:52:00Z")]
    [InlineData("2026-12-06 02:52:00Z", "2026-12-06T02:52:00Z")]
    [InlineData("2026-12-06T02:52Z", "2026-12-06T02:52:00Z")]
    [InlineData("/Date(1796525520000)/", "2026-12-06T02:52:00Z")]
    public void ISO8601AndRoundTripForms_AreRead_WhateverTheCulture(string text, string utc)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            ActivityFacts facts = ActivityFacts.Of(RowOf(("Id", "a1"), ("ActivityDateTime", text), ("Activity", "RequestCreated")));

            Assert.Equal(DateTime.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), facts.Time);
            Assert.Equal(DateTimeKind.Utc, facts.Time.Kind);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void SeveralSupportRequestIds_AreRefused_AndOneInAListIsTaken()
    {
        ModuleException error = Assert.Throws<ModuleException>(() => ActivityFacts.Of(RowOf(
            ("Id", "a1"), ("ActivityDateTime", "2026-11-01T09:00:00Z"), ("Activity", "RequestCreated"), ("SupportRequestId", new object[] { "R1", "R2" }))));

        Assert.Equal("InputNotAnActivity", error.ErrorId);
        Assert.Contains("SupportRequestId holds 2 values", error.Message);
        Assert.DoesNotContain("System.Object[]", error.Message);

        ActivityFacts one = ActivityFacts.Of(RowOf(("Id", "a1"), ("ActivityDateTime", "2026-11-01T09:00:00Z"), ("Activity", "RequestCreated"), ("SupportRequestId", new object[] { "R1" })));
        Assert.Equal("R1", one.SupportRequestId);
    }

    [Fact]
    public void TheSameIdWithDifferentContent_Warns_AndCountsOnce()
    {
        var sink = new Sink();

        List<SupportAccessRequest> requests = Close(sink,
            Step(RequestCreated, 0, "a1"),
            Step(RequestApproved, 5, "a2", by: "admin@contoso.com"),
            Step(RequestApproved, 5, "a2", by: "mallory@contoso.com"),
            Step(AccessRemovedManually, 9, "a1", by: "mallory@contoso.com", request: "R2"));

        SupportAccessRequest request = Assert.Single(requests);
        Assert.Equal(("a1;a2", "admin@contoso.com", RequestState.Approved), (request.ActivityIds, request.DecidedBy, request.State));
        string warning = Assert.Single(sink.Warnings);
        Assert.Contains("2 activities", warning);
        Assert.Contains("same Id", warning);
        Assert.Contains("a1", warning);
        Assert.Contains("a2", warning);
    }

    [Fact]
    public void TheSameActivityTwice_CountsOnce_WithoutAWarning()
    {
        var sink = new Sink();

        SupportAccessRequest request = Assert.Single(Close(sink, Step(RequestCreated, 0, "a1"), Step(RequestApproved, 5, "a2", by: "x@contoso.com"), Step(RequestCreated, 0, "a1")));

        Assert.Equal(("a1;a2", 2), (request.ActivityIds, request.ActivityCount));
        Assert.Empty(sink.Warnings);
    }

    // 5. Request states.

    [Fact]
    public void CanceledAfterAccessGranted_WithNoRemovalSeen_MayStillHaveAccess()
    {
        var sink = new Sink();

        SupportAccessRequest request = Assert.Single(Close(sink,
            Step(RequestCreated, 0, "a1"), Step(RequestApproved, 5, "a2", by: "x@contoso.com"), Step(ApprovalCreated, 6, "a3"), Step(RequestCanceled, 60, "a4")));

        Assert.Equal(RequestState.Canceled, request.State);
        Assert.True(request.IsAccessActive);
        Assert.Equal(Now - T0.AddMinutes(6), request.AccessDuration);
        Assert.Contains(sink.Verbose, v => v.Contains("no removal", StringComparison.Ordinal) && v.Contains("may still", StringComparison.Ordinal));
    }

    [Fact]
    public void CanceledAfterAccessGranted_AndRemoved_HasNoAccess()
    {
        SupportAccessRequest request = Assert.Single(Close(new Sink(),
            Step(RequestCreated, 0), Step(RequestApproved, 5, by: "x@contoso.com"), Step(ApprovalCreated, 6), Step(RequestCanceled, 60), Step(AccessRemovedOnClosure, 61)));

        Assert.Equal((RequestState.Canceled, false, RemovalKind.Closure), (request.State, request.IsAccessActive, request.RemovalKind));
    }

    [Fact]
    public void AccessGrantedInTheFuture_LastsNoTime_NeverANegativeOne()
    {
        var sink = new Sink();
        TimeSpan ahead = (Now - T0) + TimeSpan.FromDays(2);

        SupportAccessRequest request = Assert.Single(Close(sink,
            Step(RequestCreated, 0, "a1"), Step(ApprovalCreated, (int)ahead.TotalMinutes, "a2")));

        Assert.True(request.IsAccessActive);
        Assert.Equal(TimeSpan.Zero, request.AccessDuration);
        Assert.Contains(sink.Verbose, v => v.Contains("a2", StringComparison.Ordinal) && v.Contains("later than now", StringComparison.Ordinal));
    }

    /// <summary>
    /// Request B (its target B): created, approved, access granted, still active. Request A (its
    /// target A): created, approved, access granted, then access removed by hand, logged with
    /// target A renamed to look like B's flattened text. No activity names a support request id.
    /// </summary>
    private static List<SupportAccessActivity> HostileTargetStory()
    {
        string hostile = RequestName + " [" + TargetB + "] {x: a -> b}";
        return new List<SupportAccessActivity>
        {
            Classified("b1", 0, "Request created", TargetB, RequestName, "corr-b"),
            Classified("b2", 10, "Request approved", TargetB, RequestName, "corr-b"),
            Classified("b3", 11, "Access approved", TargetB, RequestName, "corr-b"),
            Classified("a1", 20, "Request created", TargetA, RequestName, "corr-a"),
            Classified("a2", 30, "Request approved", TargetA, RequestName, "corr-a"),
            Classified("a3", 31, "Access approved", TargetA, RequestName, "corr-a"),
            Classified("a4", 90, "Access removed", TargetA, hostile, "corr-a"),
        };
    }

    private static void AssertHostileTargetStory(List<SupportAccessRequest> requests)
    {
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(RequestGrouping.TargetResourceId, r.GroupedBy));
        SupportAccessRequest b = Assert.Single(requests, r => r.ActivityIds.StartsWith("b1", StringComparison.Ordinal));
        Assert.Equal((TargetB, "b1;b2;b3", RequestState.Approved, true), (b.GroupKey, b.ActivityIds, b.State, b.IsAccessActive));
        SupportAccessRequest a = Assert.Single(requests, r => r.ActivityIds.StartsWith("a1", StringComparison.Ordinal));
        Assert.Equal((TargetA, "a1;a2;a3;a4", RequestState.Revoked, false), (a.GroupKey, a.ActivityIds, a.State, a.IsAccessActive));
    }

    /// <summary>A Graph directoryAudit record through the module's reader and classifier.</summary>
    private static SupportAccessActivity Classified(string id, int minutes, string name, string targetId, string targetName, string correlation)
    {
        string initiator = name.StartsWith("Request created", StringComparison.Ordinal) || name == "Access approved" ? Records.AppInitiator : Records.UserInitiator;
        string time = T0.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string json = $$"""
            {"id":{{JsonSerializer.Serialize(id)}},"category":"MicrosoftSupportAccessManagement","correlationId":{{JsonSerializer.Serialize(correlation)}},"result":"success","resultReason":"","activityDisplayName":{{JsonSerializer.Serialize(name)}},"activityDateTime":"{{time}}","loggedByService":"Core Directory","operationType":"Other","initiatedBy":{{initiator}},"targetResources":[{"id":{{JsonSerializer.Serialize(targetId)}},"displayName":{{JsonSerializer.Serialize(targetName)}},"type":"Other","modifiedProperties":[{"displayName":"Activity","oldValue":"","newValue":{{JsonSerializer.Serialize("\"" + name + "\"")}}}]}],"additionalDetails":[{"key":"RequestedAccess","value":"Read"}]}
            """;
        return Records.Classify(json, Tenant);
    }

    /// <summary>An activity as Import-Csv gives it back: each property's text.</summary>
    private static PSObject Row(SupportAccessActivity activity)
    {
        var row = new PSObject();
        foreach (PSPropertyInfo property in new PSObject(activity).Properties)
        {
            object? value = property.Value is PSObject wrapped ? wrapped.ToString() : property.Value;
            row.Properties.Add(new PSNoteProperty(property.Name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
        }

        return row;
    }

    private static PSObject RowOf(params (string Name, object Value)[] properties)
    {
        var row = new PSObject();
        foreach ((string name, object value) in properties)
        {
            row.Properties.Add(new PSNoteProperty(name, value));
        }

        return row;
    }

    private static ActivityFacts Step(
        Activity activity, int minutes, string? id = null, string by = "", string request = "R1", TenantRole? side = null, string tenant = Tenant) =>
        ActivityFacts.Of(RowOf(
            ("Id", id ?? $"{activity}-{minutes}"),
            ("TenantId", tenant),
            ("ActivityDateTime", T0.AddMinutes(minutes)),
            ("Activity", activity.ToString()),
            ("TenantRole", side?.ToString() ?? ""),
            ("InitiatedBy", by),
            ("SupportRequestId", request)));

    private static List<SupportAccessRequest> Close(Sink sink, params ActivityFacts[] steps)
    {
        var book = new RequestBook();
        foreach (ActivityFacts step in steps)
        {
            book.Add(step);
        }

        return book.Close(Now, sink);
    }

    private sealed class Sink : IMessageSink
    {
        public List<string> Verbose { get; } = new();
        public List<string> Warnings { get; } = new();

        void IMessageSink.Verbose(string message) => Verbose.Add(message);

        public void Warning(string message) => Warnings.Add(message);
    }
}

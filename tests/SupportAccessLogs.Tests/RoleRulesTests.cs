using System;
using System.Linq;
using SupportAccessLogs.Roles;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>Which roles read the logs and which manage support access (docs/architecture.md, "Facts from Microsoft's documentation"), and how granted
/// resource actions are matched, wildcards included.</summary>
public class RoleRulesTests
{
    private const string Manage = "microsoft.azure.supportTickets/allEntities/allTasks";

    [Theory]
    [InlineData("microsoft.azure.supportTickets/allEntities/allTasks", true)]
    [InlineData("Microsoft.Azure.SupportTickets/AllEntities/AllTasks", true)]
    [InlineData("microsoft.azure.supportTickets/*", true)]
    [InlineData("microsoft.azure.*/allEntities/allTasks", true)]
    [InlineData("microsoft.azure.*", true)]
    [InlineData("*", true)]
    [InlineData(" microsoft.azure.supportTickets/allEntities/allTasks ", true)]
    [InlineData("microsoft.office365.supportTickets/allEntities/allTasks", false)]
    [InlineData("microsoft.azure.supportTickets/allEntities/read", false)]
    [InlineData("microsoft.azure.supportTickets", false)]
    [InlineData("microsoft.azure.serviceHealth/allEntities/allTasks", false)]
    [InlineData("microsoft.azure.supportTickets/allEntities/allTasks/extra", false)]
    [InlineData("microsoft.azure.supportTickets.allEntities.allTasks", false)]
    [InlineData("microsoft.azure.support?ickets/allEntities/allTasks", false)]
    [InlineData("", false)]
    public void ActionCovers_ManageSupportAccess(string granted, bool expected)
    {
        Assert.Equal(expected, DirectoryRoleRules.ActionCovers(granted, Manage));
    }

    [Fact]
    public void CanManageSupportAccess_AnyCoveringActionIsEnough()
    {
        Assert.True(DirectoryRoleRules.CanManageSupportAccess(new[] { "microsoft.directory/users/standard/read", "microsoft.azure.supportTickets/*" }));
        Assert.False(DirectoryRoleRules.CanManageSupportAccess(new[] { "microsoft.directory/auditLogs/allProperties/read" }));
        Assert.False(DirectoryRoleRules.CanManageSupportAccess(Array.Empty<string>()));
    }

    [Theory]
    [InlineData("4a5d8f65-41da-4de4-8968-e035b65339cf", true)]  // Reports Reader
    [InlineData("5d6b6bb7-de71-4623-b4af-96380a352509", true)]  // Security Reader
    [InlineData("194ae4cb-b126-40b2-bd5b-6091b380977d", true)]  // Security Administrator
    [InlineData("F2EF992C-3AFB-46B9-B7CF-A126EE74C451", true)]  // Global Reader, any case
    [InlineData("62e90394-69f5-4237-9190-012177145e10", true)]  // Global Administrator
    [InlineData("729827e3-9c14-49f7-bb1b-9608f156bbb8", false)] // Helpdesk Administrator
    [InlineData("f023fd81-a637-4b56-95fd-791ac0226033", false)] // Service Support Administrator
    public void CanReadActivityLogs_OnlyTheReaderRoles(string templateId, bool expected)
    {
        Assert.Equal(expected, DirectoryRoleRules.CanReadActivityLogs(templateId));
    }

    [Fact]
    public void Snapshot_HoldsTheManagerRolesOnceEach_WithTheAdminReadersAmongThem()
    {
        var ids = BuiltInRoleSnapshot.SupportTicketManagers.Values.ToList();
        Assert.Equal(44, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _), id));
        Assert.Equal("f023fd81-a637-4b56-95fd-791ac0226033", BuiltInRoleSnapshot.SupportTicketManagers["Service Support Administrator"]);
        Assert.Equal("729827e3-9c14-49f7-bb1b-9608f156bbb8", BuiltInRoleSnapshot.SupportTicketManagers["Helpdesk Administrator"]);
        // Security Administrator and Global Administrator both read logs and manage support access;
        // Global Reader, Security Reader and Reports Reader only read.
        Assert.Contains("194ae4cb-b126-40b2-bd5b-6091b380977d", ids);
        Assert.Contains("62e90394-69f5-4237-9190-012177145e10", ids);
        Assert.DoesNotContain("f2ef992c-3afb-46b9-b7cf-a126ee74c451", ids);
        Assert.DoesNotContain("5d6b6bb7-de71-4623-b4af-96380a352509", ids);
        Assert.DoesNotContain("4a5d8f65-41da-4de4-8968-e035b65339cf", ids);
        Assert.True(DateTime.TryParse(BuiltInRoleSnapshot.PublishedOn, out _));
    }
}

using System.Collections.Generic;

namespace SupportAccessLogs.Roles;

/// <summary>
/// The module's snapshot of the Entra built-in roles that matter here, used only when the live role
/// definitions can't be read. Source: <see cref="Source"/>, as published on <see cref="PublishedOn"/>.
/// </summary>
internal static class BuiltInRoleSnapshot
{
    public const string Source = "https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference";

    /// <summary>The ms.date of the page the snapshot was taken from.</summary>
    public const string PublishedOn = "2026-01-20";

    /// <summary>Every built-in role whose permissions include microsoft.azure.supportTickets/allEntities/allTasks, by display name, as template id.</summary>
    public static IReadOnlyDictionary<string, string> SupportTicketManagers { get; } = new Dictionary<string, string>
    {
        ["Agent ID Administrator"] = "db506228-d27e-4b7d-95e5-295956d6615f",
        ["AI Administrator"] = "d2562ede-74db-457e-a7b6-544e236ebb61",
        ["Application Administrator"] = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        ["Authentication Administrator"] = "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        ["Authentication Policy Administrator"] = "0526716b-113d-4c15-b2c8-68e3c22b9f80",
        ["Azure Information Protection Administrator"] = "7495fdc4-34c4-4d15-a289-98788ce399fd",
        ["Billing Administrator"] = "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        ["Cloud Application Administrator"] = "158c047a-c907-4556-b7ef-446551a6b5f7",
        ["Compliance Administrator"] = "17315797-102d-40b4-93e0-432062caca18",
        ["Compliance Data Administrator"] = "e6d1a23a-da11-4be4-9570-befc86d067a7",
        ["Desktop Analytics Administrator"] = "38a96431-2bdf-4b4c-8b6e-5d3d8abac1a4",
        ["Dragon Administrator"] = "e93e3737-fa85-474a-aee4-7d3fb86510f3",
        ["Dynamics 365 Administrator"] = "44367163-eba1-44c3-98af-f5787879f96a",
        ["Exchange Administrator"] = "29232cdf-9323-42fd-ade2-1d097af3e4de",
        ["Exchange Backup Administrator"] = "49eb8f75-97e9-4e37-9b2b-6c3ebfcffa31",
        ["Fabric Administrator"] = "a9ea8996-122f-4c74-9520-8edcd192826c",
        ["Global Administrator"] = "62e90394-69f5-4237-9190-012177145e10",
        ["Global Secure Access Administrator"] = "ac434307-12b9-4fa1-a708-88bf58caabc1",
        ["Groups Administrator"] = "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        ["Helpdesk Administrator"] = "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        ["Hybrid Identity Administrator"] = "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        ["Insights Administrator"] = "eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c",
        ["Intune Administrator"] = "3a2c62db-5318-420d-8d74-23affee5d9d5",
        ["Microsoft 365 Backup Administrator"] = "1707125e-0aa2-4d4d-8655-a7c786c76a25",
        ["Microsoft Graph Data Connect Administrator"] = "ee67aa9c-e510-4759-b906-227085a7fd4d",
        ["Office Apps Administrator"] = "2b745bdf-0803-4d80-aa65-822c4493daac",
        ["Organizational Data Source Administrator"] = "9d70768a-0cbc-4b4c-aea3-2e124b2477f4",
        ["Partner Tier1 Support"] = "4ba39ca4-527c-499a-b93d-d9b492c50246",
        ["Partner Tier2 Support"] = "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8",
        ["Power Platform Administrator"] = "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
        ["Privileged Authentication Administrator"] = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        ["Security Administrator"] = "194ae4cb-b126-40b2-bd5b-6091b380977d",
        ["Security Operator"] = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
        ["Service Support Administrator"] = "f023fd81-a637-4b56-95fd-791ac0226033",
        ["SharePoint Administrator"] = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        ["SharePoint Advanced Management Administrator"] = "99009c4a-3b3f-4957-82a9-9d35e12db77e",
        ["SharePoint Backup Administrator"] = "9d3e04ba-3ee4-4d1b-a3a7-9aef423a09be",
        ["Skype for Business Administrator"] = "75941009-915a-4869-abe7-691bff18279e",
        ["Teams Administrator"] = "69091246-20e8-4a56-aa4d-066075b2a7a8",
        ["Teams Communications Administrator"] = "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
        ["Teams Telephony Administrator"] = "aa38014f-0993-46e9-9b45-30501a20909d",
        ["User Administrator"] = "fe930be7-5e62-47db-91af-98c3a49a38b1",
        ["Viva Glint Tenant Administrator"] = "0ec3f692-38d6-4d14-9e69-0377ca7797ad",
        ["Windows 365 Administrator"] = "11451d60-acb2-45eb-a7d6-43d0f0125c13",
    };
}

using System.Collections.Generic;

namespace GraphEmulator;

/// <summary>
/// The Log Analytics workspaces the emulator serves at <c>POST /v1/workspaces/{id}/query</c>
/// (README.md, "Log Analytics"). Their ids never depend on the seed; their rows do.
/// </summary>
public static class DemoWorkspace
{
    /// <summary>
    /// The demo tenant's workspace: 180 days of <c>AuditLogs</c> ending at the anchor, several
    /// categories, rows of the demo tenant and of a second tenant (<see cref="ForeignTenantId"/>).
    /// Its support-access rows of the served tenant in the last 30 days are exactly the Graph
    /// emulator's records; beside them, Fabrikam's side of story S8 (README.md, "Stories").
    /// </summary>
    public const string WorkspaceId = "b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e";

    public const string WorkspaceName = "law-contoso-audit";

    /// <summary>
    /// A second workspace holding a small set of another tenant's rows
    /// (<see cref="SecondWorkspaceTenantId"/>), so a query naming both in <c>workspaces</c> gets the union.
    /// </summary>
    public const string SecondWorkspaceId = "e7f9a1b3-5c4d-4e6f-8a0b-2c3d4e5f6a7b";

    public const string SecondWorkspaceName = "law-woodgrove-audit";

    /// <summary>A workspace without an <c>AuditLogs</c> table (Entra's diagnostic setting never sent it there).</summary>
    public const string EmptyWorkspaceId = "0a2b4c6d-8e9f-4a1b-9c3d-5e7f9a1b3c5d";

    public const string EmptyWorkspaceName = "law-contoso-empty";

    /// <summary>
    /// The workspace of <see cref="EmulatorOptions.LogAnalyticsCorpus"/>'s rows, served only when
    /// there are some; read by the users of <see cref="WorkspaceReaders"/>.
    /// </summary>
    public const string CorpusWorkspaceId = "c0c0a5e5-0b5e-4c0d-9e0f-a1b2c3d4e5f6";

    public const string CorpusWorkspaceName = "law-corpus";

    /// <summary>
    /// The second tenant whose rows also land in <see cref="WorkspaceId"/> (Fabrikam, or Woodgrove
    /// when the emulator serves Fabrikam): other categories at any time, support access only
    /// older than 30 days, but for its side of story S8 (two rows, 7 and 8 days back) while the
    /// demo tenant is served.
    /// </summary>
    public const string ForeignTenantId = DemoTenant.PartnerTenantId;

    /// <summary>The tenant of <see cref="SecondWorkspaceId"/>'s rows (Woodgrove, or Fabrikam when the emulator serves Woodgrove).</summary>
    public const string SecondWorkspaceTenantId = DemoTenant.SecondPartnerTenantId;

    /// <summary>How many days of rows the workspaces hold, ending at the anchor.</summary>
    public const int TableDays = 180;

    /// <summary>The days before the anchor in which the demo workspace's support-access rows are the Graph emulator's records.</summary>
    public const int GraphDays = 30;

    /// <summary>The application permission (<c>roles</c>) an app-only token needs.</summary>
    public const string DataReadPermission = "Data.Read";

    /// <summary>Delegated scopes (<c>scp</c>) that let a user query (with read access to the workspace).</summary>
    public static IReadOnlyList<string> DelegatedScopes { get; } = [DataReadPermission, "user_impersonation"];

    /// <summary>Users (by <see cref="DemoUser.Key"/>) with read access to <see cref="WorkspaceId"/> (Log Analytics Reader).</summary>
    public static IReadOnlyList<string> WorkspaceReaders { get; } = ["admin", "reportsReader", "securityReader", "securityAdmin", "globalAdmin"];

    /// <summary>Users with read access to <see cref="SecondWorkspaceId"/> and <see cref="EmptyWorkspaceId"/>.</summary>
    public static IReadOnlyList<string> OtherWorkspaceReaders { get; } = ["admin", "reportsReader"];
}

using System.Collections.Generic;

namespace GraphEmulator;

/// <summary>
/// The fixed cast of the seeded data set. These ids never depend on the seed, so tests and the
/// demo script can name them; only record ids, correlation ids and times come from the seed.
/// </summary>
public static class DemoTenant
{
    /// <summary>The tenant the emulator serves (the caller's own tenant in every scenario).</summary>
    public const string TenantId = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
    public const string TenantName = "Contoso";

    public const string AdminUpn = "admin@contoso.onmicrosoft.com";
    public const string AdminObjectId = "3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61";
    public const string AdminDisplayName = "Contoso Admin";

    /// <summary>The app registration of app-only (automation) tokens, e.g. a runbook's.</summary>
    public const string AutomationAppId = "0d4f6a8c-2e1b-4c3d-9a5f-7b8c9d0e1f2a";

    /// <summary>The service principal object id of <see cref="AutomationAppId"/> (the oid of its tokens).</summary>
    public const string AutomationAppObjectId = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f";

    /// <summary>Other tenant of the cross-tenant scenarios (Fabrikam).</summary>
    public const string PartnerTenantId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    public const string PartnerTenantName = "Fabrikam";

    /// <summary>Second other tenant of the cross-tenant scenarios (Woodgrove).</summary>
    public const string SecondPartnerTenantId = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";
    public const string SecondPartnerTenantName = "Woodgrove";

    /// <summary>Every tenant id the cross-tenant scenarios use, the serving tenant excluded.</summary>
    public static IReadOnlyList<string> PartnerTenantIds { get; } = [PartnerTenantId, SecondPartnerTenantId];
}

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;

namespace GraphEmulator;

/// <summary>
/// A tenant the emulator serves beside its own (<see cref="EmulatorOptions.TenantId"/>): a customer
/// of a managed service provider, read with a token whose <c>tid</c> is this tenant. It has its own
/// audit data set (the scenario table, with a seed of its own and no stories), its own directory (the
/// demo admin, when they have access there) and its own consent for the pipeline app. See README.md,
/// "Several tenants".
/// </summary>
/// <param name="TenantId">The tenant's id (a GUID); not the served tenant's, not another other tenant's.</param>
public sealed record OtherTenant(string TenantId)
{
    /// <summary>The tenant's display name (in AADSTS messages, the truth, <c>homeTenantName</c>); default <see cref="DefaultName"/>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Extra support-access records cloned from this tenant's scenarios (0..10,000,000, default 0).</summary>
    public int BulkRecordCount { get; init; }

    /// <summary>
    /// The pipeline app (<see cref="DemoTenant.PipelineAppId"/>) has a service principal here with
    /// Graph's application permissions (admin consent). False: client credentials for this tenant
    /// are AADSTS700016, as Entra answers for an app not installed in a tenant. Default true.
    /// </summary>
    public bool PipelineAppConsented { get; init; } = true;

    /// <summary>
    /// The demo admin (<see cref="DemoTenant.AdminUpn"/>) can sign in here, as a guest or a GDAP
    /// delegated admin would: their refresh token redeemed at this tenant gives this tenant's token.
    /// False: AADSTS50020. Default true.
    /// </summary>
    public bool AdminHasAccess { get; init; } = true;

    /// <summary>
    /// The built-in roles (template ids, <see cref="DemoDirectory"/>) the demo admin holds here, in
    /// their tokens' <c>wids</c> and this tenant's directory reads. Default Global Reader; empty: none.
    /// Ignored when <see cref="AdminHasAccess"/> is false.
    /// </summary>
    public IReadOnlyList<string> AdminRoleTemplateIds { get; init; } = [DemoDirectory.GlobalReader];

    /// <summary><see cref="DisplayName"/>, or the default name for this id.</summary>
    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? DefaultName(TenantId) : DisplayName;

    /// <summary>
    /// The name of a tenant the demo cast knows (Contoso, Fabrikam, Woodgrove, Northwind Traders,
    /// Tailspin Toys), else "Tenant" and the id's first eight characters.
    /// </summary>
    public static string DefaultName(string tenantId)
    {
        string? known = DemoTenant.KnownTenantName(tenantId);
        if (known is not null)
            return known;
        return "Tenant " + (tenantId.Length >= 8 ? tenantId[..8] : tenantId);
    }

    /// <summary>
    /// The seed of this tenant's data set: the first four bytes (little-endian) of SHA-256 over the
    /// emulator's seed (four bytes, little-endian) and the tenant id's 16 bytes (<see cref="Guid.ToByteArray()"/>).
    /// Same seed and tenant, same records; another tenant, other ids and times.
    /// </summary>
    public static int SeedFor(int seed, string tenantId)
    {
        Span<byte> input = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(input, seed);
        Guid.Parse(tenantId).TryWriteBytes(input[4..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadInt32LittleEndian(hash);
    }

    /// <summary>
    /// Reads a tenant as the command line writes it: <c>&lt;guid or preset&gt;[:name=…][:bulk=n][:consent=true|false][:access=true|false][:roles=…]</c>.
    /// A preset name (<c>fabrikam</c>, <c>woodgrove</c>, <c>northwind</c>, <c>tailspin</c>) starts from
    /// <see cref="DemoTenant.CustomerTenants"/>' settings for it; options override. Roles are built-in role
    /// display names (spaces optional, case ignored) or template ids, joined by <c>+</c>; <c>none</c> or
    /// nothing for no role.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static OtherTenant Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string[] parts = value.Split(':');
        string head = parts[0].Trim();
        OtherTenant? tenant = DemoTenant.CustomerTenants.FirstOrDefault(t => string.Equals(PresetKey(t), head, StringComparison.OrdinalIgnoreCase));
        if (tenant is null)
        {
            if (!Guid.TryParse(head, out Guid id))
                throw new FormatException($"'{head}' is neither a tenant id (GUID) nor a preset ({string.Join(", ", DemoTenant.CustomerTenants.Select(PresetKey))}).");
            tenant = new OtherTenant(id.ToString("D"));
        }

        foreach (string option in parts.Skip(1))
        {
            int equals = option.IndexOf('=');
            string name = (equals < 0 ? option : option[..equals]).Trim().ToLowerInvariant();
            string text = equals < 0 ? "" : option[(equals + 1)..].Trim();
            tenant = name switch
            {
                "name" => tenant with { DisplayName = text.Length == 0 ? null : text },
                "bulk" => tenant with { BulkRecordCount = int.Parse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture) },
                "consent" => tenant with { PipelineAppConsented = Bool(name, text) },
                "access" => tenant with { AdminHasAccess = Bool(name, text) },
                "roles" => tenant with { AdminRoleTemplateIds = ParseRoles(text) },
                _ => throw new FormatException($"unknown option '{name}' in '{value}': use name=, bulk=, consent=, access=, roles=."),
            };
        }
        return tenant;
    }

    /// <summary>
    /// Built-in roles by display name (spaces and case ignored: <c>Global Reader</c>, <c>globalreader</c>)
    /// or template id, joined by <c>+</c> or <c>,</c>; <c>none</c> or nothing for none.
    /// </summary>
    /// <exception cref="FormatException">A name or id that is no served built-in role.</exception>
    public static IReadOnlyList<string> ParseRoles(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Length == 0 || string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
            return [];
        var roles = new List<string>();
        foreach (string item in text.Split(['+', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string squeezed = item.Replace(" ", "", StringComparison.Ordinal);
            DemoRoleDefinition? role = DemoDirectory.RoleDefinitions.FirstOrDefault(r => r.IsBuiltIn
                && (string.Equals(r.TemplateId, item, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(r.DisplayName.Replace(" ", "", StringComparison.Ordinal), squeezed, StringComparison.OrdinalIgnoreCase)));
            if (role is null)
                throw new FormatException($"'{item}' is no built-in role the emulator serves (a display name such as 'Global Reader' or a template id).");
            if (!roles.Contains(role.TemplateId))
                roles.Add(role.TemplateId);
        }
        return roles;
    }

    /// <summary>The name a preset is known by on the command line: its display name's first word, in lower case (fabrikam, woodgrove, northwind, tailspin).</summary>
    public static string PresetKey(OtherTenant tenant) => tenant.Name.Split(' ')[0].ToLowerInvariant();

    private static bool Bool(string name, string text) =>
        bool.TryParse(text, out bool value) ? value : throw new FormatException($"{name}= takes true or false, not '{text}'.");

    internal void Validate(string servedTenantId)
    {
        if (!Guid.TryParse(TenantId, out Guid id))
            throw new ArgumentException($"OtherTenants: '{TenantId}' is not a GUID.", nameof(EmulatorOptions.OtherTenants));
        if (id == Guid.Parse(servedTenantId))
            throw new ArgumentException($"OtherTenants: '{TenantId}' is the served tenant (TenantId) itself.", nameof(EmulatorOptions.OtherTenants));
        if (BulkRecordCount is < 0 or > 10_000_000)
            throw new ArgumentOutOfRangeException(nameof(EmulatorOptions.OtherTenants), BulkRecordCount, $"OtherTenants: {TenantId}'s BulkRecordCount must be 0..10000000.");
        if (AdminRoleTemplateIds is null)
            throw new ArgumentNullException(nameof(EmulatorOptions.OtherTenants), $"OtherTenants: {TenantId}'s AdminRoleTemplateIds must not be null.");
        foreach (string role in AdminRoleTemplateIds)
        {
            if (DemoDirectory.FindRole(role ?? "") is not { IsBuiltIn: true })
                throw new ArgumentException($"OtherTenants: {TenantId}'s role '{role}' is no built-in role template id the emulator serves.", nameof(EmulatorOptions.OtherTenants));
        }
    }
}

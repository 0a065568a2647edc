using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GraphEmulator.Auth;

/// <summary>
/// The claims of an accepted bearer token that authorization looks at. A token with an
/// <c>scp</c> claim is delegated (a signed-in user); without one it is app-only.
/// </summary>
/// <param name="Scopes">The <c>scp</c> claim split on spaces; null when the claim is absent.</param>
/// <param name="Roles">The <c>roles</c> claim (application permissions); empty when absent.</param>
/// <param name="Wids">The <c>wids</c> claim (directory role template ids); null when absent.</param>
internal sealed record CallerClaims(
    string? ObjectId,
    string? UserPrincipalName,
    IReadOnlyList<string>? Scopes,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string>? Wids)
{
    public bool IsDelegated => Scopes is not null;

    /// <summary>The <c>tid</c> claim.</summary>
    public string? TenantId { get; init; }

    /// <summary>The client application: the <c>appid</c> claim (v1 tokens), else <c>azp</c> (v2).</summary>
    public string? AppId { get; init; }

    /// <summary>The delegated token carries one of these scopes (case-insensitive).</summary>
    public bool HasAnyScope(IEnumerable<string> permissions) =>
        Scopes is not null && permissions.Any(p => Scopes.Contains(p, StringComparer.OrdinalIgnoreCase));

    /// <summary>The app-only token carries one of these application permissions (case-insensitive).</summary>
    public bool HasAnyRole(IEnumerable<string> permissions) =>
        permissions.Any(p => Roles.Contains(p, StringComparer.OrdinalIgnoreCase));

    /// <summary>The delegated scopes or, for an app-only token, the application permissions hold one of these.</summary>
    public bool HasAnyPermission(IEnumerable<string> permissions) =>
        IsDelegated ? HasAnyScope(permissions) : HasAnyRole(permissions);

    /// <summary>
    /// The demo directory's user behind a delegated token: by <c>oid</c>, or by <c>upn</c> when the
    /// token has no <c>oid</c> (hand-made test tokens); null when neither names a known user.
    /// </summary>
    public DemoUser? User =>
        !IsDelegated ? null
        : ObjectId is not null ? DemoTenant.FindUserByObjectId(ObjectId)
        : UserPrincipalName is not null ? DemoTenant.FindUserByUpn(UserPrincipalName)
        : null;

    /// <summary>
    /// The user behind a delegated token in <paramref name="tenant"/>'s directory (by <c>oid</c>, else
    /// <c>upn</c>); null for an app-only token or a user that directory doesn't hold.
    /// </summary>
    public DemoUser? UserIn(ServedTenant tenant) =>
        !IsDelegated ? null
        : ObjectId is not null ? tenant.FindUserByObjectId(ObjectId)
        : UserPrincipalName is not null ? tenant.FindUserByUpn(UserPrincipalName)
        : null;

    public static CallerClaims From(JsonElement payload) => new(
        String(payload, "oid"),
        String(payload, "upn"),
        String(payload, "scp")?.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Strings(payload, "roles") ?? [],
        Strings(payload, "wids"))
    {
        TenantId = String(payload, "tid"),
        AppId = String(payload, "appid") ?? String(payload, "azp"),
    };

    private static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyList<string>? Strings(JsonElement payload, string name)
    {
        if (!payload.TryGetProperty(name, out JsonElement value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.Array => value.EnumerateArray()
                .Where(v => v.ValueKind == JsonValueKind.String)
                .Select(v => v.GetString()!)
                .ToArray(),
            JsonValueKind.String => [value.GetString()!],
            _ => [],
        };
    }
}

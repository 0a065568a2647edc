using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace SupportAccessLogs.Auth;

/// <summary>
/// The claims of an Entra access token that the module reads (docs/architecture.md, "Facts from Microsoft's documentation"). The token is decoded,
/// not validated: Graph validates it; we only need to know whose it is and what it allows.
/// </summary>
internal sealed class AccessTokenClaims
{
    private AccessTokenClaims() { }

    /// <summary>False for opaque (non-JWT) tokens; every other member is then empty.</summary>
    public bool IsJwt { get; private init; }
    public string? TenantId { get; private init; }
    public string? ObjectId { get; private init; }
    public string? UserPrincipalName { get; private init; }
    public string? AppId { get; private init; }
    public string? AppDisplayName { get; private init; }
    public string? Audience { get; private init; }
    public DateTimeOffset? ExpiresOn { get; private init; }
    public IReadOnlyList<string> Scopes { get; private init; } = Array.Empty<string>();
    public IReadOnlyList<string> AppRoles { get; private init; } = Array.Empty<string>();
    public IReadOnlyList<string> DirectoryRoleTemplateIds { get; private init; } = Array.Empty<string>();
    /// <summary>True when the token carries a wids claim at all (Entra leaves it out of some tokens).</summary>
    public bool HasDirectoryRoleClaim { get; private init; }

    /// <summary>App-only tokens carry application permissions in "roles" and no "scp".</summary>
    public bool IsAppOnly => IsJwt && Scopes.Count == 0;

    // DateTimeOffset.MaxValue in Unix seconds: a larger exp is garbage, not an expiry.
    private const long MaxUnixSeconds = 253_402_300_799;

    // scp holds the delegated permissions separated by spaces.
    private static readonly char[] ScopeSeparator = { ' ' };

    public static AccessTokenClaims Parse(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || !TryDecodeBase64Url(parts[1], out byte[] payload))
        {
            return new AccessTokenClaims();
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new AccessTokenClaims();
            }

            return new AccessTokenClaims
            {
                IsJwt = true,
                TenantId = String(root, "tid"),
                ObjectId = String(root, "oid"),
                UserPrincipalName = String(root, "upn") ?? String(root, "preferred_username") ?? String(root, "unique_name"),
                AppId = String(root, "appid") ?? String(root, "azp"),
                AppDisplayName = String(root, "app_displayname"),
                Audience = String(root, "aud"),
                ExpiresOn = root.TryGetProperty("exp", out JsonElement exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out long seconds)
                    && seconds is >= 0 and <= MaxUnixSeconds
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null,
                Scopes = (String(root, "scp") ?? "").Split(ScopeSeparator, StringSplitOptions.RemoveEmptyEntries),
                AppRoles = Strings(root, "roles"),
                DirectoryRoleTemplateIds = Strings(root, "wids"),
                HasDirectoryRoleClaim = root.TryGetProperty("wids", out JsonElement wids) && wids.ValueKind == JsonValueKind.Array,
            };
        }
        catch (JsonException)
        {
            return new AccessTokenClaims();
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static IReadOnlyList<string> Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Array)
        {
            return Array.Empty<string>();
        }

        List<string> values = new();
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is string text)
            {
                values.Add(text);
            }
        }

        return values;
    }

    private static bool TryDecodeBase64Url(string text, out byte[] bytes)
    {
        string base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        try
        {
            bytes = Convert.FromBase64String(base64);
            return true;
        }
        catch (FormatException)
        {
            bytes = Array.Empty<byte>();
            return false;
        }
    }
}

using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GraphEmulator.Auth;

/// <summary>
/// What Graph checks before it looks at a request: a bearer token that is a well-formed JWT, not
/// expired, for Graph's audience, issued in the tenant being read. Signatures are not checked
/// (the tokens are minted unsigned). Permissions and roles are checked afterwards, per
/// endpoint, by <see cref="GraphAuthorization"/>.
/// </summary>
internal static class BearerCheck
{
    private static readonly string[] GraphAudiences =
        ["https://graph.microsoft.com", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000"];

    private const string NoDots =
        "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. " +
        "(JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.Ciphertext.EncodedAuthenticationTag'.";

    /// <summary>The refusal of a request without a bearer token (no header, another scheme, or nothing after "Bearer").</summary>
    public const string EmptyTokenMessage = "Access token is empty.";

    private const string Undecodable = "IDX14102: Unable to decode the header or payload of the token as Base64Url-encoded JSON.";

    /// <summary>Null when the header carries an acceptable token, else the message of Graph's 401.</summary>
    public static string? Validate(string? authorizationHeader, DateTimeOffset now, string servedTenantId) =>
        Authenticate(authorizationHeader, now, servedTenantId, out _);

    /// <summary>
    /// Null when the header carries an acceptable token (its claims in <paramref name="caller"/>),
    /// else the message of Graph's 401.
    /// </summary>
    public static string? Authenticate(string? authorizationHeader, DateTimeOffset now, string servedTenantId, out CallerClaims? caller) =>
        Authenticate(authorizationHeader, now, servedTenantId, IsGraphAudience, out caller);

    /// <summary>An <c>aud</c> Graph accepts: its URL (with or without the trailing slash) or its app id.</summary>
    public static bool IsGraphAudience(string? audience) => GraphAudiences.Contains(audience, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The same checks for another API (Log Analytics): <paramref name="acceptsAudience"/> says
    /// which <c>aud</c> values that API takes. Null when the token is acceptable, else why not.
    /// </summary>
    public static string? Authenticate(
        string? authorizationHeader, DateTimeOffset now, string servedTenantId, Func<string?, bool> acceptsAudience, out CallerClaims? caller) =>
        Authenticate(authorizationHeader, now, [servedTenantId], acceptsAudience, out caller);

    /// <summary>
    /// Graph's checks when the emulator serves several tenants: the token's <c>tid</c> must be one of
    /// <paramref name="servedTenantIds"/> (the caller's <see cref="CallerClaims.TenantId"/> says which).
    /// </summary>
    public static string? Authenticate(
        string? authorizationHeader, DateTimeOffset now, IReadOnlyList<string> servedTenantIds, Func<string?, bool> acceptsAudience, out CallerClaims? caller)
    {
        caller = null;
        string token = ExtractBearer(authorizationHeader);
        if (token.Length == 0)
            return EmptyTokenMessage;

        string[] parts = token.Split('.');
        if (parts.Length == 1)
            return NoDots;
        if (parts.Length != 3 || !TryReadJsonObject(parts[0], out _) || !TryReadJsonObject(parts[1], out JsonElement payload))
            return Undecodable;

        if (!payload.TryGetProperty("exp", out JsonElement exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out long expSeconds))
            return "Lifetime validation failed, the token is missing an Expiration Time.";
        // No clock skew allowance: a test that mints an expired token means it.
        if (DateTimeOffset.FromUnixTimeSeconds(expSeconds) <= now)
            return "Lifetime validation failed, the token is expired.";

        if (!payload.TryGetProperty("aud", out JsonElement aud) || aud.ValueKind != JsonValueKind.String
            || !acceptsAudience(aud.GetString()))
            return "Invalid audience.";

        // Graph reads the tenant from the token; a token of another tenant can never read this one's logs.
        string? tid = payload.TryGetProperty("tid", out JsonElement tidClaim) && tidClaim.ValueKind == JsonValueKind.String
            ? tidClaim.GetString()
            : null;
        if (!Guid.TryParse(tid, out Guid tokenTenant) || !servedTenantIds.Any(served => tokenTenant == Guid.Parse(served)))
            return servedTenantIds.Count == 1
                ? $"The token's tenant ('{tid}') is not the tenant this endpoint serves ('{servedTenantIds[0]}')."
                : $"The token's tenant ('{tid}') is not a tenant this endpoint serves ('{string.Join("', '", servedTenantIds)}').";

        caller = CallerClaims.From(payload);
        return null;
    }

    private static string ExtractBearer(string? header)
    {
        const string scheme = "Bearer";
        if (string.IsNullOrWhiteSpace(header))
            return "";
        string value = header.Trim();
        if (value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && (value.Length == scheme.Length || char.IsWhiteSpace(value[scheme.Length])))
            return value[scheme.Length..].Trim();
        // Not a bearer scheme: Graph treats it as having no usable token.
        return "";
    }

    private static bool TryReadJsonObject(string base64Url, out JsonElement element)
    {
        element = default;
        try
        {
            byte[] bytes = Base64Url.DecodeFromChars(base64Url);
            using JsonDocument document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return false;
            element = document.RootElement.Clone();
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }
}

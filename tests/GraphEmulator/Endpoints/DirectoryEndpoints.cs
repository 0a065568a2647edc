using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GraphEmulator.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace GraphEmulator.Endpoints;

/// <summary>
/// The directory reads behind a role pre-flight check: the signed-in user, their directory roles,
/// the tenant's role definitions (paged) and a principal's role assignments, over the directory of
/// the tenant the token names (<see cref="ServedTenant"/>: the demo directory, <see cref="DemoTenant.Users"/>
/// and <see cref="DemoDirectory"/>, at home). Callers have passed authentication; each handler checks
/// the permissions its API documents.
/// </summary>
internal sealed partial class DirectoryEndpoints(EmulatorOptions options)
{
    public const string MePath = "/v1.0/me";
    public const string TransitiveMemberOfRolesPath = "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole";
    public const string RoleDefinitionsPath = "/v1.0/roleManagement/directory/roleDefinitions";
    public const string RoleAssignmentsPath = "/v1.0/roleManagement/directory/roleAssignments";

    private const string MetadataBase = "https://graph.microsoft.com/v1.0/$metadata#";
    private const string SkipTokenPrefix = "roleDefinitions:";
    private static readonly string[] DirectoryRoleProperties = ["id", "deletedDateTime", "description", "displayName", "roleTemplateId"];

    [GeneratedRegex(@"^\s*principalId\s+eq\s+'((?:[^']|'')*)'\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalIdFilter();

    /// <summary>The paths this class serves, as <see cref="RequestDispatcher"/> matches them.</summary>
    public static readonly string[] Paths = [MePath, TransitiveMemberOfRolesPath, RoleDefinitionsPath, RoleAssignmentsPath];

    /// <summary>
    /// Waits <see cref="EmulatorOptions.DirectoryDelayMs"/> before a directory read is answered
    /// at all (a 401, 403 or 405 too), so a client's timeout on its role check can be tested.
    /// False when the client gave up during the wait: there is no one left to answer.
    /// </summary>
    public async Task<bool> DelayAsync(HttpContext context)
    {
        if (options.DirectoryDelayMs is not int delay || delay == 0)
            return true;
        try
        {
            await Task.Delay(delay, context.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>GET /v1.0/me: the signed-in user's default properties.</summary>
    public async Task MeAsync(HttpContext context, CallerClaims caller, ServedTenant tenant)
    {
        if (await DeniedAsync(context, GraphAuthorization.Me(caller, GraphAuthorization.MeScopes)))
            return;
        Dictionary<string, string>? query = await ReadOptionsAsync(context, "me", ["$select"]);
        if (query is null)
            return;
        DemoUser? user = await SignedInUserAsync(context, caller, tenant);
        if (user is null)
            return;
        string[]? select = null;
        if (query.TryGetValue("$select", out string? selectValue))
        {
            select = await ReadSelectAsync(context, selectValue, UserProperties, "microsoft.graph.user");
            if (select is null)
                return;
        }

        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", MetadataBase + "users/$entity");
            WriteUser(writer, user, select);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// GET /v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole: the caller's built-in roles
    /// as activated directoryRole objects (custom roles never appear here, as in Entra). With a
    /// permission that lists memberships but can't read directory roles (User.Read, …), each role
    /// comes with limited information: @odata.type and id, other properties null.
    /// </summary>
    public async Task TransitiveMemberOfRolesAsync(HttpContext context, CallerClaims caller, ServedTenant tenant)
    {
        if (await DeniedAsync(context, GraphAuthorization.Me(caller, GraphAuthorization.TransitiveMemberOfScopes)))
            return;
        Dictionary<string, string>? query = await ReadOptionsAsync(context, "me/transitiveMemberOf/microsoft.graph.directoryRole", ["$select"]);
        if (query is null)
            return;
        DemoUser? user = await SignedInUserAsync(context, caller, tenant);
        if (user is null)
            return;
        string[]? select = null;
        if (query.TryGetValue("$select", out string? selectValue))
        {
            select = await ReadSelectAsync(context, selectValue, DirectoryRoleProperties, "microsoft.graph.directoryRole");
            if (select is null)
                return;
        }

        bool limited = !caller.HasAnyScope(GraphAuthorization.DirectoryRoleReadScopes);
        DemoRoleDefinition[] roles = user.RoleTemplateIds.Select(id => DemoDirectory.FindRole(id)!).ToArray();
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", MetadataBase + "directoryRoles");
            writer.WriteStartArray("value");
            foreach (DemoRoleDefinition role in roles)
                WriteDirectoryRole(writer, role, limited, select);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// GET /v1.0/roleManagement/directory/roleDefinitions: every served definition, in pages of
    /// min($top, RolePageSize) linked by an absolute @odata.nextLink.
    /// </summary>
    public async Task RoleDefinitionsAsync(HttpContext context, CallerClaims caller, ServedTenant tenant)
    {
        if (await DeniedAsync(context, GraphAuthorization.AnyPermission(caller, GraphAuthorization.RoleDefinitionPermissions)))
            return;
        Dictionary<string, string>? query = await ReadOptionsAsync(context, "roleManagement/directory/roleDefinitions", ["$top", "$skiptoken"]);
        if (query is null)
            return;

        int? top = null;
        if (query.TryGetValue("$top", out string? topValue))
        {
            if (!int.TryParse(topValue, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) || parsed is < 1 or > 999)
            {
                await GraphErrors.BadRequestAsync(context, $"Invalid value '{topValue}' for $top: it must be an integer from 1 to 999.");
                return;
            }
            top = parsed;
        }

        int offset = 0;
        if (query.TryGetValue("$skiptoken", out string? skipToken))
        {
            if (!TryReadSkipToken(skipToken, out offset, out int? tokenTop) || offset >= tenant.RoleDefinitions.Count)
            {
                await GraphErrors.BadRequestAsync(context, "Invalid $skiptoken: follow @odata.nextLink as returned.");
                return;
            }
            if (tokenTop != top)
            {
                await GraphErrors.BadRequestAsync(context,
                    "The query options sent with this $skiptoken differ from those of the @odata.nextLink that issued it. Follow @odata.nextLink whole.");
                return;
            }
        }

        int pageSize = Math.Min(top ?? options.RolePageSize, options.RolePageSize);
        DemoRoleDefinition[] page = tenant.RoleDefinitions.Skip(offset).Take(pageSize).ToArray();
        int next = offset + page.Length;
        string? nextLink = next < tenant.RoleDefinitions.Count ? RoleDefinitionsNextLink(context.Request, next, top) : null;

        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", MetadataBase + "roleManagement/directory/roleDefinitions");
            writer.WriteStartArray("value");
            foreach (DemoRoleDefinition role in page)
                WriteRoleDefinition(writer, role);
            writer.WriteEndArray();
            if (nextLink is not null)
                writer.WriteString("@odata.nextLink", nextLink);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// GET /v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '…': the
    /// principal's active assignments (built-in and custom roles, scope "/"). The filter is required.
    /// </summary>
    public async Task RoleAssignmentsAsync(HttpContext context, CallerClaims caller, ServedTenant tenant)
    {
        if (await DeniedAsync(context, GraphAuthorization.AnyPermission(caller, GraphAuthorization.RoleAssignmentPermissions)))
            return;
        Dictionary<string, string>? query = await ReadOptionsAsync(context, "roleManagement/directory/roleAssignments", ["$filter"]);
        if (query is null)
            return;

        Match match = query.TryGetValue("$filter", out string? filter) ? PrincipalIdFilter().Match(filter) : Match.Empty;
        if (!match.Success)
        {
            await GraphErrors.BadRequestAsync(context, filter is null
                ? "This emulator lists role assignments only with $filter=principalId eq '{id}'."
                : $"Invalid filter clause: this emulator supports only principalId eq '{{id}}' on roleAssignments, not '{filter}'.");
            return;
        }

        string principalId = match.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal);
        DemoUser? user = tenant.FindUserByObjectId(principalId);
        IEnumerable<string> roleIds = user is null ? [] : user.RoleTemplateIds.Concat(user.CustomRoleIds);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", MetadataBase + "roleManagement/directory/roleAssignments");
            writer.WriteStartArray("value");
            foreach (string roleId in roleIds)
            {
                writer.WriteStartObject();
                writer.WriteString("id", RoleAssignmentId(roleId, user!.ObjectId));
                writer.WriteString("principalId", user.ObjectId);
                writer.WriteString("directoryScopeId", "/");
                writer.WriteString("roleDefinitionId", roleId);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// The id Entra gives a role assignment: base64url of the role definition id's bytes, then of
    /// the principal id's bytes, then "-1" (e.g. lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1).
    /// </summary>
    public static string RoleAssignmentId(string roleDefinitionId, string principalId) =>
        Base64Url.EncodeToString(Guid.Parse(roleDefinitionId).ToByteArray())
        + Base64Url.EncodeToString(Guid.Parse(principalId).ToByteArray()) + "-1";

    /// <summary>The object id of the activated directoryRole for a template: fixed, derived from the template id.</summary>
    public static string DirectoryRoleObjectId(string roleTemplateId)
    {
        byte[] hash = MD5.HashData(Encoding.UTF8.GetBytes("directoryRole:" + roleTemplateId.ToLowerInvariant()));
        hash[7] = (byte)((hash[7] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash).ToString("D");
    }

    private static readonly string[] UserProperties =
    [
        "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
        "preferredLanguage", "surname", "userPrincipalName", "id",
    ];

    private static void WriteUser(Utf8JsonWriter writer, DemoUser user, string[]? select)
    {
        foreach (string property in select ?? UserProperties)
        {
            switch (property)
            {
                case "businessPhones": writer.WriteStartArray(property); writer.WriteEndArray(); break;
                case "displayName": writer.WriteString(property, user.DisplayName); break;
                case "mail": writer.WriteString(property, user.UserPrincipalName); break;
                case "userPrincipalName": writer.WriteString(property, user.UserPrincipalName); break;
                case "id": writer.WriteString(property, user.ObjectId); break;
                default: writer.WriteNull(property); break;
            }
        }
    }

    private static void WriteDirectoryRole(Utf8JsonWriter writer, DemoRoleDefinition role, bool limited, string[]? select)
    {
        writer.WriteStartObject();
        writer.WriteString("@odata.type", "#microsoft.graph.directoryRole");
        foreach (string property in select ?? DirectoryRoleProperties)
        {
            switch (property)
            {
                case "id": writer.WriteString(property, DirectoryRoleObjectId(role.TemplateId)); break;
                case "description" when !limited: writer.WriteString(property, role.Description); break;
                case "displayName" when !limited: writer.WriteString(property, role.DisplayName); break;
                case "roleTemplateId" when !limited: writer.WriteString(property, role.TemplateId); break;
                default: writer.WriteNull(property); break;
            }
        }
        writer.WriteEndObject();
    }

    private static void WriteRoleDefinition(Utf8JsonWriter writer, DemoRoleDefinition role)
    {
        writer.WriteStartObject();
        writer.WriteString("id", role.Id);
        writer.WriteString("description", role.Description);
        writer.WriteString("displayName", role.DisplayName);
        writer.WriteBoolean("isBuiltIn", role.IsBuiltIn);
        writer.WriteBoolean("isEnabled", true);
        writer.WriteStartArray("resourceScopes");
        writer.WriteStringValue("/");
        writer.WriteEndArray();
        writer.WriteString("templateId", role.TemplateId);
        if (role.IsBuiltIn)
            writer.WriteString("version", "1");
        else
            writer.WriteNull("version");
        writer.WriteStartArray("rolePermissions");
        writer.WriteStartObject();
        writer.WriteStartArray("allowedResourceActions");
        foreach (string action in role.AllowedResourceActions)
            writer.WriteStringValue(action);
        writer.WriteEndArray();
        writer.WriteNull("condition");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string RoleDefinitionsNextLink(HttpRequest request, int offset, int? top)
    {
        var link = new StringBuilder()
            .Append(request.Scheme).Append("://").Append(request.Host.Value).Append(RoleDefinitionsPath).Append('?');
        if (top is int t)
            link.Append("$top=").Append(t.ToString(CultureInfo.InvariantCulture)).Append('&');
        string token = SkipTokenPrefix + offset.ToString(CultureInfo.InvariantCulture) + ":"
                       + (top ?? 0).ToString(CultureInfo.InvariantCulture);
        link.Append("$skiptoken=").Append(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token)));
        return link.ToString();
    }

    private static bool TryReadSkipToken(string skipToken, out int offset, out int? top)
    {
        offset = 0;
        top = null;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(skipToken));
        }
        catch (FormatException)
        {
            return false;
        }
        if (!text.StartsWith(SkipTokenPrefix, StringComparison.Ordinal))
            return false;
        string[] parts = text[SkipTokenPrefix.Length..].Split(':');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 1
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int tokenTop))
            return false;
        top = tokenTop == 0 ? null : tokenTop;
        return true;
    }

    /// <summary>
    /// The $-options of the request, or null after answering 400 for a repeated or unsupported
    /// one. Parameters without '$' are ignored, as Graph does.
    /// </summary>
    private static async Task<Dictionary<string, string>?> ReadOptionsAsync(HttpContext context, string resource, string[] supported)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, StringValues values) in context.Request.Query)
        {
            if (!name.StartsWith('$'))
                continue;
            string? problem = values.Count > 1 ? $"Query option '{name}' was specified more than once."
                : !supported.Contains(name, StringComparer.OrdinalIgnoreCase) ? $"Query option '{name}' is not supported by this emulator for {resource}."
                : null;
            if (problem is not null)
            {
                await GraphErrors.BadRequestAsync(context, problem);
                return null;
            }
            options[name] = values[0] ?? "";
        }
        return options;
    }

    private static async Task<string[]?> ReadSelectAsync(HttpContext context, string value, string[] known, string typeName)
    {
        string[] asked = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var properties = new List<string>();
        foreach (string property in asked)
        {
            string? canonical = known.FirstOrDefault(k => string.Equals(k, property, StringComparison.OrdinalIgnoreCase));
            if (canonical is null)
            {
                await GraphErrors.BadRequestAsync(context, $"Could not find a property named '{property}' on type '{typeName}'.");
                return null;
            }
            if (!properties.Contains(canonical))
                properties.Add(canonical);
        }
        if (properties.Count == 0)
        {
            await GraphErrors.BadRequestAsync(context, "Invalid $select: name at least one property.");
            return null;
        }
        return properties.ToArray();
    }

    private static async Task<DemoUser?> SignedInUserAsync(HttpContext context, CallerClaims caller, ServedTenant tenant)
    {
        DemoUser? user = caller.UserIn(tenant);
        if (user is null)
        {
            string who = caller.ObjectId ?? caller.UserPrincipalName ?? "";
            await GraphErrors.WriteAsync(context, StatusCodes.Status404NotFound, GraphErrors.ResourceNotFound,
                $"Resource '{who}' does not exist or one of its queried reference-property objects are not present.");
        }
        return user;
    }

    private static async Task<bool> DeniedAsync(HttpContext context, Denial? denial)
    {
        if (denial is null)
            return false;
        await GraphErrors.WriteAsync(context, denial.Status, denial.Code, denial.Message);
        return true;
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GraphErrors.ContentType;
        await using var writer = new Utf8JsonWriter(response.Body, GraphJson.WriterOptions);
        write(writer);
        await writer.FlushAsync(context.RequestAborted);
    }
}

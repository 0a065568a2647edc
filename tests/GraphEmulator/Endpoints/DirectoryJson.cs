using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GraphEmulator.Endpoints;

/// <summary><c>GET /_emulator/users</c> and <c>GET /_emulator/roles</c>: the demo directory and the hand-written role expectations.</summary>
internal static class DirectoryJson
{
    /// <summary>The users of <paramref name="tenant"/>'s directory (the demo directory at home).</summary>
    public static void WriteUsers(Utf8JsonWriter writer, ServedTenant tenant)
    {
        writer.WriteStartArray();
        foreach (DemoUser user in tenant.Users)
        {
            writer.WriteStartObject();
            writer.WriteString("key", user.Key);
            writer.WriteString("objectId", user.ObjectId);
            writer.WriteString("userPrincipalName", user.UserPrincipalName);
            writer.WriteString("displayName", user.DisplayName);
            WriteStrings(writer, "roleTemplateIds", user.RoleTemplateIds);
            WriteStrings(writer, "customRoleIds", user.CustomRoleIds);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public static void WriteRoleExpectations(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        WriteStrings(writer, "readerRoleTemplateIds", DemoDirectory.ReaderRoleTemplateIds);
        WriteStrings(writer, "supportTicketManagerTemplateIds", DemoDirectory.SupportTicketManagerTemplateIds);
        writer.WriteStartArray("customRoles");
        foreach (DemoCustomRoleExpectation role in DemoDirectory.CustomRoles)
        {
            writer.WriteStartObject();
            writer.WriteString("id", role.Id);
            writer.WriteString("displayName", role.DisplayName);
            writer.WriteBoolean("canManageSupportAccess", role.CanManageSupportAccess);
            writer.WriteBoolean("canReadActivityLogs", role.CanReadActivityLogs);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        WriteStrings(writer, "neitherTemplateIds", DemoDirectory.NeitherTemplateIds);
        writer.WriteNumber("roleDefinitionCount", DemoDirectory.RoleDefinitions.Count);
        writer.WriteString("memberUserRoleTemplateId", DemoDirectory.MemberUserRoleTemplateId);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SupportAccessLogs.Graph;

/// <summary>
/// Reads one directoryAudit object straight off a <see cref="Utf8JsonReader"/> into an
/// <see cref="AuditRecord"/>. Written by hand rather than through JsonSerializer: the profile of
/// the query service showed the serializer's per-object machinery (read stack, property lookup)
/// and the separate completeness scan before it as the largest cost after the transfer itself.
/// Every method returns false when the bytes run out before the value ends; the caller then
/// rewinds to the record's start and tries again once more bytes have arrived.
/// Member names are matched as Graph sends them (camelCase); unknown members are skipped here and
/// survive in the raw record bytes.
/// </summary>
internal static class AuditRecordJson
{
    private delegate bool MemberReader<in T>(ref Utf8JsonReader reader, T target);

    /// <summary>Reads a value whose first token the reader is on.</summary>
    private delegate bool ValueReader<T>(ref Utf8JsonReader reader, out T? value);

    /// <summary>Reads the record whose StartObject token the reader is on.</summary>
    public static bool TryReadRecord(ref Utf8JsonReader reader, out AuditRecord record)
    {
        record = new AuditRecord();
        return TryReadMembers(ref reader, record, RecordMember);
    }

    private static bool RecordMember(ref Utf8JsonReader reader, AuditRecord record)
    {
        if (reader.ValueTextEquals("id"u8))
        {
            return TryReadString(ref reader, out record.Id);
        }

        if (reader.ValueTextEquals("category"u8))
        {
            return TryReadString(ref reader, out record.Category);
        }

        if (reader.ValueTextEquals("correlationId"u8))
        {
            return TryReadString(ref reader, out record.CorrelationId);
        }

        if (reader.ValueTextEquals("result"u8))
        {
            return TryReadString(ref reader, out record.Result);
        }

        if (reader.ValueTextEquals("resultReason"u8))
        {
            return TryReadString(ref reader, out record.ResultReason);
        }

        if (reader.ValueTextEquals("activityDisplayName"u8))
        {
            return TryReadString(ref reader, out record.ActivityDisplayName);
        }

        if (reader.ValueTextEquals("activityDateTime"u8))
        {
            return TryReadDateTime(ref reader, out record.ActivityDateTime);
        }

        if (reader.ValueTextEquals("loggedByService"u8))
        {
            return TryReadString(ref reader, out record.LoggedByService);
        }

        if (reader.ValueTextEquals("operationType"u8))
        {
            return TryReadString(ref reader, out record.OperationType);
        }

        if (reader.ValueTextEquals("initiatedBy"u8))
        {
            return TryReadObject(ref reader, "initiatedBy", InitiatorMember, out record.InitiatedBy);
        }

        if (reader.ValueTextEquals("targetResources"u8))
        {
            return TryReadArray(ref reader, "targetResources", TargetResource, out record.TargetResources);
        }

        if (reader.ValueTextEquals("additionalDetails"u8))
        {
            return TryReadArray(ref reader, "additionalDetails", KeyValue, out record.AdditionalDetails);
        }

        return reader.TrySkip();
    }

    private static bool InitiatorMember(ref Utf8JsonReader reader, AuditInitiator initiator)
    {
        if (reader.ValueTextEquals("user"u8))
        {
            return TryReadObject(ref reader, "initiatedBy.user", UserMember, out initiator.User);
        }

        if (reader.ValueTextEquals("app"u8))
        {
            return TryReadObject(ref reader, "initiatedBy.app", AppMember, out initiator.App);
        }

        return reader.TrySkip();
    }

    private static bool UserMember(ref Utf8JsonReader reader, AuditUser user)
    {
        if (reader.ValueTextEquals("id"u8))
        {
            return TryReadString(ref reader, out user.Id);
        }

        if (reader.ValueTextEquals("displayName"u8))
        {
            return TryReadString(ref reader, out user.DisplayName);
        }

        if (reader.ValueTextEquals("userPrincipalName"u8))
        {
            return TryReadString(ref reader, out user.UserPrincipalName);
        }

        if (reader.ValueTextEquals("ipAddress"u8))
        {
            return TryReadString(ref reader, out user.IpAddress);
        }

        return reader.TrySkip();
    }

    private static bool AppMember(ref Utf8JsonReader reader, AuditApp app)
    {
        if (reader.ValueTextEquals("appId"u8))
        {
            return TryReadString(ref reader, out app.AppId);
        }

        if (reader.ValueTextEquals("displayName"u8))
        {
            return TryReadString(ref reader, out app.DisplayName);
        }

        if (reader.ValueTextEquals("servicePrincipalId"u8))
        {
            return TryReadString(ref reader, out app.ServicePrincipalId);
        }

        if (reader.ValueTextEquals("servicePrincipalName"u8))
        {
            return TryReadString(ref reader, out app.ServicePrincipalName);
        }

        return reader.TrySkip();
    }

    private static bool TargetResource(ref Utf8JsonReader reader, out AuditTargetResource? target) =>
        TryReadObjectHere(ref reader, "targetResources[]", TargetMember, out target);

    private static bool TargetMember(ref Utf8JsonReader reader, AuditTargetResource target)
    {
        if (reader.ValueTextEquals("id"u8))
        {
            return TryReadString(ref reader, out target.Id);
        }

        if (reader.ValueTextEquals("displayName"u8))
        {
            return TryReadString(ref reader, out target.DisplayName);
        }

        if (reader.ValueTextEquals("type"u8))
        {
            return TryReadString(ref reader, out target.Type);
        }

        if (reader.ValueTextEquals("userPrincipalName"u8))
        {
            return TryReadString(ref reader, out target.UserPrincipalName);
        }

        if (reader.ValueTextEquals("groupType"u8))
        {
            return TryReadString(ref reader, out target.GroupType);
        }

        if (reader.ValueTextEquals("modifiedProperties"u8))
        {
            return TryReadArray(ref reader, "modifiedProperties", ModifiedProperty, out target.ModifiedProperties);
        }

        return reader.TrySkip();
    }

    private static bool ModifiedProperty(ref Utf8JsonReader reader, out AuditModifiedProperty? property) =>
        TryReadObjectHere(ref reader, "modifiedProperties[]", ModifiedPropertyMember, out property);

    private static bool ModifiedPropertyMember(ref Utf8JsonReader reader, AuditModifiedProperty property)
    {
        if (reader.ValueTextEquals("displayName"u8))
        {
            return TryReadString(ref reader, out property.DisplayName);
        }

        if (reader.ValueTextEquals("oldValue"u8))
        {
            return TryReadString(ref reader, out property.OldValue);
        }

        if (reader.ValueTextEquals("newValue"u8))
        {
            return TryReadString(ref reader, out property.NewValue);
        }

        return reader.TrySkip();
    }

    private static bool KeyValue(ref Utf8JsonReader reader, out AuditKeyValue? pair) =>
        TryReadObjectHere(ref reader, "additionalDetails[]", KeyValueMember, out pair);

    private static bool KeyValueMember(ref Utf8JsonReader reader, AuditKeyValue pair)
    {
        if (reader.ValueTextEquals("key"u8))
        {
            return TryReadString(ref reader, out pair.Key);
        }

        if (reader.ValueTextEquals("value"u8))
        {
            return TryReadString(ref reader, out pair.Value);
        }

        return reader.TrySkip();
    }

    // ---- building blocks ----

    /// <summary>Reads members until the object's EndObject; the reader is on its StartObject.</summary>
    private static bool TryReadMembers<T>(ref Utf8JsonReader reader, T target, MemberReader<T> member)
    {
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            if (!member(ref reader, target))
            {
                return false;
            }
        }
    }

    /// <summary>Reads an object or null; the reader is on the member's name.</summary>
    private static bool TryReadObject<T>(ref Utf8JsonReader reader, string what, MemberReader<T> member, out T? value)
        where T : class, new()
    {
        value = null;
        return reader.Read() && TryReadObjectHere(ref reader, what, member, out value);
    }

    /// <summary>Reads an object or null whose first token the reader is on.</summary>
    private static bool TryReadObjectHere<T>(ref Utf8JsonReader reader, string what, MemberReader<T> member, out T? value)
        where T : class, new()
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        Expect(ref reader, JsonTokenType.StartObject, what, "an object");
        var target = new T();
        if (!TryReadMembers(ref reader, target, member))
        {
            return false;
        }

        value = target;
        return true;
    }

    /// <summary>Reads an array of objects (or nulls), or null; the reader is on the member's name.</summary>
    private static bool TryReadArray<T>(ref Utf8JsonReader reader, string what, ValueReader<T> element, out List<T?>? values)
        where T : class
    {
        values = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        Expect(ref reader, JsonTokenType.StartArray, what, "an array");
        var list = new List<T?>();
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                values = list;
                return true;
            }

            if (!element(ref reader, out T? item))
            {
                return false;
            }

            list.Add(item);
        }
    }

    private static bool TryReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            value = reader.GetString();
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            throw WrongType(ref reader, "a string");
        }

        return true;
    }

    private static bool TryReadDateTime(ref Utf8JsonReader reader, out DateTimeOffset? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            if (!reader.TryGetDateTimeOffset(out DateTimeOffset time))
            {
                throw new AuditResponseFormatException($"activityDateTime is not an ISO 8601 date and time: \"{reader.GetString()}\".");
            }

            value = time;
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            throw WrongType(ref reader, "a date and time");
        }

        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what, string expected)
    {
        if (reader.TokenType != type)
        {
            throw new AuditResponseFormatException($"Expected {expected} for \"{what}\" in the Graph response but found {reader.TokenType}.");
        }
    }

    private static AuditResponseFormatException WrongType(ref Utf8JsonReader reader, string expected) =>
        new($"Expected {expected} in the Graph response but found {reader.TokenType}.");
}

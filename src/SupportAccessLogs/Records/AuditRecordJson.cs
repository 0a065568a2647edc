using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SupportAccessLogs.Records;

/// <summary>
/// Reads one directoryAudit object straight off a <see cref="Utf8JsonReader"/> into an
/// <see cref="AuditRecord"/>. Written by hand rather than through JsonSerializer: the profile of
/// the query service showed the serializer's per-object machinery (read stack, property lookup)
/// and the separate completeness scan before it as the largest cost after the transfer itself.
/// Every method returns false when the bytes run out before the value ends; the caller then
/// rewinds to the record's start and tries again once more bytes have arrived.
/// Member names are matched ignoring case (Graph's own examples write a target's "Type"), and
/// unknown members, annotations (@odata.*, @microsoft.graph.*, name@odata.type) among them, are
/// skipped here and survive in the raw record bytes.
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

    /// <summary>
    /// Reads one of the record's structured members from JSON text of its own: how a Log Analytics
    /// row carries initiatedBy, targetResources and additionalDetails (dynamic columns). The same
    /// member readers as for a Graph record, so both sources fill the model alike.
    /// </summary>
    public static void ReadStructuredMember(ReadOnlySpan<byte> json, string member, AuditRecord record)
    {
        var reader = new Utf8JsonReader(json);
        bool complete = member switch
        {
            "initiatedBy" => TryReadObject(ref reader, "initiatedBy", InitiatorMember, ref record.InitiatedBy),
            "targetResources" => TryReadArray(ref reader, "targetResources", TargetResource, ref record.TargetResources),
            "additionalDetails" => TryReadArray(ref reader, "additionalDetails", KeyValue, ref record.AdditionalDetails),
            _ => throw new ArgumentOutOfRangeException(nameof(member), member, "Not a structured member of the record."),
        };
        if (!complete)
        {
            throw new AuditResponseFormatException($"{member} is not complete JSON.");
        }
    }

    private static bool RecordMember(ref Utf8JsonReader reader, AuditRecord record)
    {
        if (JsonName.Is(ref reader, "id"u8))
        {
            return TryReadString(ref reader, ref record.Id);
        }

        if (JsonName.Is(ref reader, "category"u8))
        {
            return TryReadRepeatedString(ref reader, ref record.Category);
        }

        if (JsonName.Is(ref reader, "correlationId"u8))
        {
            return TryReadString(ref reader, ref record.CorrelationId);
        }

        if (JsonName.Is(ref reader, "result"u8))
        {
            return TryReadRepeatedString(ref reader, ref record.Result);
        }

        if (JsonName.Is(ref reader, "resultReason"u8))
        {
            return TryReadRepeatedString(ref reader, ref record.ResultReason);
        }

        if (JsonName.Is(ref reader, "activityDisplayName"u8))
        {
            return TryReadRepeatedString(ref reader, ref record.ActivityDisplayName);
        }

        if (JsonName.Is(ref reader, "activityDateTime"u8))
        {
            return TryReadDateTime(ref reader, ref record.ActivityDateTime);
        }

        if (JsonName.Is(ref reader, "loggedByService"u8))
        {
            return TryReadRepeatedString(ref reader, ref record.LoggedByService);
        }

        if (JsonName.Is(ref reader, "operationType"u8))
        {
            return TryReadRepeatedString(ref reader, ref record.OperationType);
        }

        if (JsonName.Is(ref reader, "initiatedBy"u8))
        {
            return TryReadObject(ref reader, "initiatedBy", InitiatorMember, ref record.InitiatedBy);
        }

        if (JsonName.Is(ref reader, "targetResources"u8))
        {
            return TryReadArray(ref reader, "targetResources", TargetResource, ref record.TargetResources);
        }

        if (JsonName.Is(ref reader, "additionalDetails"u8))
        {
            return TryReadArray(ref reader, "additionalDetails", KeyValue, ref record.AdditionalDetails);
        }

        return reader.TrySkip();
    }

    private static bool InitiatorMember(ref Utf8JsonReader reader, AuditInitiator initiator)
    {
        if (JsonName.Is(ref reader, "user"u8))
        {
            return TryReadObject(ref reader, "initiatedBy.user", UserMember, ref initiator.User);
        }

        if (JsonName.Is(ref reader, "app"u8))
        {
            return TryReadObject(ref reader, "initiatedBy.app", AppMember, ref initiator.App);
        }

        return reader.TrySkip();
    }

    private static bool UserMember(ref Utf8JsonReader reader, AuditUser user)
    {
        if (JsonName.Is(ref reader, "id"u8))
        {
            return TryReadRepeatedString(ref reader, ref user.Id);
        }

        if (JsonName.Is(ref reader, "displayName"u8))
        {
            return TryReadRepeatedString(ref reader, ref user.DisplayName);
        }

        if (JsonName.Is(ref reader, "userPrincipalName"u8))
        {
            return TryReadRepeatedString(ref reader, ref user.UserPrincipalName);
        }

        if (JsonName.Is(ref reader, "ipAddress"u8))
        {
            return TryReadRepeatedString(ref reader, ref user.IpAddress);
        }

        return reader.TrySkip();
    }

    private static bool AppMember(ref Utf8JsonReader reader, AuditApp app)
    {
        if (JsonName.Is(ref reader, "appId"u8))
        {
            return TryReadRepeatedString(ref reader, ref app.AppId);
        }

        if (JsonName.Is(ref reader, "displayName"u8))
        {
            return TryReadRepeatedString(ref reader, ref app.DisplayName);
        }

        if (JsonName.Is(ref reader, "servicePrincipalId"u8))
        {
            return TryReadRepeatedString(ref reader, ref app.ServicePrincipalId);
        }

        if (JsonName.Is(ref reader, "servicePrincipalName"u8))
        {
            return TryReadRepeatedString(ref reader, ref app.ServicePrincipalName);
        }

        return reader.TrySkip();
    }

    private static bool TargetResource(ref Utf8JsonReader reader, out AuditTargetResource? target) =>
        TryReadObjectHere(ref reader, "targetResources[]", TargetMember, out target);

    private static bool TargetMember(ref Utf8JsonReader reader, AuditTargetResource target)
    {
        if (JsonName.Is(ref reader, "id"u8))
        {
            return TryReadString(ref reader, ref target.Id);
        }

        if (JsonName.Is(ref reader, "displayName"u8))
        {
            return TryReadRepeatedString(ref reader, ref target.DisplayName);
        }

        if (JsonName.Is(ref reader, "type"u8))
        {
            return TryReadRepeatedString(ref reader, ref target.Type);
        }

        if (JsonName.Is(ref reader, "userPrincipalName"u8))
        {
            return TryReadRepeatedString(ref reader, ref target.UserPrincipalName);
        }

        if (JsonName.Is(ref reader, "groupType"u8))
        {
            return TryReadRepeatedString(ref reader, ref target.GroupType);
        }

        if (JsonName.Is(ref reader, "modifiedProperties"u8))
        {
            return TryReadArray(ref reader, "modifiedProperties", ModifiedProperty, ref target.ModifiedProperties);
        }

        return reader.TrySkip();
    }

    private static bool ModifiedProperty(ref Utf8JsonReader reader, out AuditModifiedProperty? property) =>
        TryReadObjectHere(ref reader, "modifiedProperties[]", ModifiedPropertyMember, out property);

    private static bool ModifiedPropertyMember(ref Utf8JsonReader reader, AuditModifiedProperty property)
    {
        if (JsonName.Is(ref reader, "displayName"u8))
        {
            return TryReadRepeatedString(ref reader, ref property.DisplayName);
        }

        if (JsonName.Is(ref reader, "oldValue"u8))
        {
            return TryReadRepeatedString(ref reader, ref property.OldValue);
        }

        if (JsonName.Is(ref reader, "newValue"u8))
        {
            return TryReadRepeatedString(ref reader, ref property.NewValue);
        }

        return reader.TrySkip();
    }

    private static bool KeyValue(ref Utf8JsonReader reader, out AuditKeyValue? pair) =>
        TryReadObjectHere(ref reader, "additionalDetails[]", KeyValueMember, out pair);

    private static bool KeyValueMember(ref Utf8JsonReader reader, AuditKeyValue pair)
    {
        if (JsonName.Is(ref reader, "key"u8))
        {
            return TryReadRepeatedString(ref reader, ref pair.Key);
        }

        if (JsonName.Is(ref reader, "value"u8))
        {
            return TryReadRepeatedString(ref reader, ref pair.Value);
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
    private static bool TryReadObject<T>(ref Utf8JsonReader reader, string what, MemberReader<T> member, ref T? value)
        where T : class, new()
    {
        if (!reader.Read() || !TryReadObjectHere(ref reader, what, member, out T? read))
        {
            return false;
        }

        value = read ?? value;
        return true;
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
    private static bool TryReadArray<T>(ref Utf8JsonReader reader, string what, ValueReader<T> element, ref List<T?>? values)
        where T : class
    {
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

    /// <summary>Reads a string or null. A null leaves a value already read in place, so that a
    /// member sent twice in different case ("type", then "Type": null) keeps its text.</summary>
    private static bool TryReadString(ref Utf8JsonReader reader, ref string? value)
    {
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

    /// <summary>As <see cref="TryReadString"/>, for a member whose values repeat across records:
    /// the string comes from <see cref="RepeatedStrings"/>.</summary>
    private static bool TryReadRepeatedString(ref Utf8JsonReader reader, ref string? value)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            value = reader.ValueIsEscaped || reader.HasValueSequence
                ? reader.GetString()
                : RepeatedStrings.Current.Get(reader.ValueSpan);
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            throw WrongType(ref reader, "a string");
        }

        return true;
    }

    private static bool TryReadDateTime(ref Utf8JsonReader reader, ref DateTimeOffset? value)
    {
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

/// <summary>JSON member names compared without regard to case, as Graph's own examples need
/// ("Type" beside "type"). Every name looked for is ASCII letters, so folding the 0x20 bit of
/// each byte is exact.</summary>
internal static class JsonName
{
    public static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> wanted)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            // Rare (a name written with \u escapes): compare the unescaped text.
            return string.Equals(reader.GetString(), System.Text.Encoding.UTF8.GetString(wanted.ToArray()), StringComparison.OrdinalIgnoreCase);
        }

        ReadOnlySpan<byte> name = reader.ValueSpan;
        if (name.Length != wanted.Length)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            if ((name[i] | 0x20) != (wanted[i] | 0x20))
            {
                return false;
            }
        }

        return true;
    }
}

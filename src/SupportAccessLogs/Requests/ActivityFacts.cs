using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.Requests;

/// <summary>What grouping and the lifecycle need of one activity: read from an activity this
/// module wrote, or from one read back (Import-Csv, Import-Clixml, ConvertFrom-Json, or a
/// hashtable) by its property names, so a file groups as the query that wrote it did.</summary>
internal readonly struct ActivityFacts
{
    public string Id { get; init; }
    /// <summary>The tenant whose log holds the activity, compared as a GUID (whatever its letter
    /// case or braces); null when the activity names none.</summary>
    public Guid? TenantId { get; init; }
    public DateTime Time { get; init; }
    public Activity Activity { get; init; }
    public TenantRole? TenantRole { get; init; }
    public string InitiatedBy { get; init; }
    public string SupportRequestId { get; init; }
    /// <summary>The id of the request's own target resource (<see cref="LifecycleRules.IsRequestTarget"/>), or null.</summary>
    public string? RequestTargetId { get; init; }
    public string CorrelationId { get; init; }

    public static ActivityFacts Of(SupportAccessActivity activity) => new()
    {
        Id = activity.Id,
        TenantId = Guid.TryParse(activity.TenantId, out Guid tenant) ? tenant : null,
        Time = activity.ActivityTime,
        Activity = activity.Activity,
        TenantRole = activity.TenantRole,
        InitiatedBy = activity.InitiatedBy,
        SupportRequestId = activity.SupportRequestId,
        // Parsed from the record's targets, never from their text.
        RequestTargetId = activity.RequestTargetId,
        CorrelationId = activity.CorrelationId,
    };

    /// <summary>An activity read back by property names (a hashtable by its keys); a
    /// <see cref="ModuleException"/> says what is missing or wrong when the object is no
    /// activity of ours.</summary>
    public static ActivityFacts Of(PSObject input)
    {
        if (input.BaseObject is SupportAccessActivity activity)
        {
            return Of(activity);
        }

        string id = Text(input, "Id");
        if (id.Length == 0)
        {
            throw NotAnActivity(input, "it has no Id");
        }

        object? given = Value(input, "ActivityDateTime");
        if (!TryTime(given, out DateTime time))
        {
            throw NotAnActivity(input, given is null or ""
                ? "it has no ActivityDateTime"
                : $"its ActivityDateTime '{Text(input, "ActivityDateTime")}' is not an ISO 8601 date and time such as 2026-12-06T02:52:00Z (the form Export-Csv and ConvertTo-Json write). A date such as 12/06/2026 means June or December depending on the culture, so it is not guessed: convert it first, for example with [datetime]::ParseExact");
        }

#pragma warning disable CA2263 // netstandard2.0 has no generic Enum.IsDefined<TEnum> or Enum.GetNames<TEnum>.
        if (!Enum.TryParse(Text(input, "Activity"), ignoreCase: true, out Activity kind) || !Enum.IsDefined(typeof(Activity), kind))
        {
            throw NotAnActivity(input, $"its Activity '{Text(input, "Activity")}' is none of {string.Join(", ", Enum.GetNames(typeof(Activity)))}");
        }
#pragma warning restore CA2263

        string role = Text(input, "TenantRole");
        TenantRole? side = null;
        if (role.Length > 0)
        {
#pragma warning disable CA2263 // netstandard2.0 has no generic Enum.IsDefined<TEnum>.
            if (!Enum.TryParse(role, ignoreCase: true, out TenantRole parsed) || !Enum.IsDefined(typeof(TenantRole), parsed))
#pragma warning restore CA2263
            {
                throw NotAnActivity(input, $"its TenantRole '{role}' is neither SupportRequestTenant nor ResourceTenant");
            }

            side = parsed;
        }

        string tenantText = Text(input, "TenantId");
        Guid? tenant = null;
        if (tenantText.Length > 0)
        {
            if (!Guid.TryParse(tenantText, out Guid parsed))
            {
                throw NotAnActivity(input, $"its TenantId '{tenantText}' is not a tenant id (a GUID)");
            }

            tenant = parsed;
        }

        return new ActivityFacts
        {
            Id = id,
            TenantId = tenant,
            Time = time,
            Activity = kind,
            TenantRole = side,
            InitiatedBy = Text(input, "InitiatedBy"),
            SupportRequestId = Text(input, "SupportRequestId"),
            // The text as written: its escapes make reading it back exact, so it is not trimmed.
            RequestTargetId = TargetText.RequestTargetId(Text(input, "TargetResources", trim: false)),
            CorrelationId = Text(input, "CorrelationId"),
        };
    }

    /// <summary>The property's value (a dictionary's by key); a list of one value is that value,
    /// a list of several is refused: an activity has one of each.</summary>
    private static object? Value(PSObject input, string name)
    {
        object? value = input.BaseObject is IDictionary dictionary ? Lookup(dictionary, name) : input.Properties[name]?.Value;
        value = Unwrap(value);
        if (value is string or null || value is not IEnumerable list || value is IDictionary)
        {
            return value;
        }

        List<object?> items = list.Cast<object?>().Select(Unwrap).Take(4).ToList();
        return items.Count switch
        {
            0 => null,
            1 => items[0],
            _ => throw NotAnActivity(input, $"its {name} holds {(items.Count > 3 ? "more than 3" : items.Count.ToString(CultureInfo.InvariantCulture))} values ({string.Join(", ", items.Take(3).Select(i => $"'{Show(i)}'"))}); an activity has one {name}"),
        };
    }

    private static object? Lookup(IDictionary dictionary, string name)
    {
        if (dictionary.Contains(name))
        {
            return dictionary[name];
        }

        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is string key && string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value;
            }
        }

        return null;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    /// <summary>A property of an activity read back, as text (trimmed; empty when missing), read
    /// as <see cref="Of(PSObject)"/> reads the ones it needs: for what else shows it (the report).</summary>
    public static string TextOf(PSObject input, string name) => Text(input, name);

    private static string Text(PSObject input, string name, bool trim = true)
    {
        string text = Show(Value(input, name));
        return trim ? text.Trim() : text;
    }

    private static string Show(object? value) => value switch
    {
        null => "",
        DateTime time => IsoDateTime.Format(time.ToUniversalTime()),
        object other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
    };

    // ISO 8601 as Export-Csv, ConvertTo-Json and Graph write it (a 'T' or a space, seconds and
    // their fraction optional), with Z, an offset or nothing (UTC).
    private static readonly string[] IsoFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd' 'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd' 'HH:mm:ssK", "yyyy-MM-dd' 'HH:mmK",
    };

    // What Windows PowerShell's ConvertTo-Json writes for a [datetime]: milliseconds since 1970 UTC.
    private static readonly Regex MicrosoftJsonDate = new(@"^\\?/Date\((-?\d{1,15})([+-]\d{4})?\)\\?/$", RegexOptions.CultureInvariant);

    /// <summary>A [datetime] as it is (local converted, unspecified taken as UTC), or text in a
    /// form that means one time in every culture: ISO 8601, or /Date(ms)/. Anything else (text
    /// in a culture's format) is not guessed.</summary>
    private static bool TryTime(object? value, out DateTime time)
    {
        switch (value)
        {
            case DateTime given:
                time = given.Kind == DateTimeKind.Local ? given.ToUniversalTime() : DateTime.SpecifyKind(given, DateTimeKind.Utc);
                return true;
            case DateTimeOffset offset:
                time = offset.UtcDateTime;
                return true;
            case string text:
                text = text.Trim();
                if (DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset iso))
                {
                    time = iso.UtcDateTime;
                    return true;
                }

                Match json = MicrosoftJsonDate.Match(text);
                if (json.Success && long.TryParse(json.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long milliseconds)
                    && milliseconds is >= -62135596800000 and <= 253402300799999)
                {
                    time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime;
                    return true;
                }

                break;
        }

        time = default;
        return false;
    }

    private static ModuleException NotAnActivity(PSObject input, string what) =>
        new("InputNotAnActivity", ErrorCategory.InvalidData,
            $"An input object is not a support access activity: {what}. Get-SupportAccessRequest groups the objects of Get-SupportAccessActivity, or rows read back from its Export-Csv or ConvertTo-Json output (properties Id, ActivityDateTime, Activity, TenantId, TenantRole, InitiatedBy, SupportRequestId, TargetResources, CorrelationId).",
            input);
}

using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace SupportAccessLogs.Activities;

/// <summary>What Get-SupportAccessActivity asked for, in UTC and typed.</summary>
internal sealed record ActivityQuery
{
    public DateTime StartUtc { get; init; }
    public DateTime EndUtc { get; init; }
    public string? InitiatedBy { get; init; }
    public IReadOnlyCollection<Category>? Categories { get; init; }
    public IReadOnlyCollection<Activity>? Activities { get; init; }
    public IReadOnlyCollection<TenantRole>? TenantRoles { get; init; }
    public IReadOnlyCollection<string>? Results { get; init; }
    /// <summary>Get-SupportAccessRequest's -State: requests in these states only (null: any). The
    /// activity filters above never drop an activity of such a request; a source may use it to leave
    /// out the activities of the other requests (a workspace does).</summary>
    public IReadOnlyCollection<RequestState>? RequestStates { get; init; }

    /// <summary>Get-SupportAccessRequest's -Active, as <see cref="RequestStates"/>.</summary>
    public bool ActiveRequestsOnly { get; init; }

    public ulong Skip { get; init; }
    /// <summary>Stop after this many activities (after Skip); null for all.</summary>
    public ulong? First { get; init; }

    /// <summary>The query each of several tenants read side by side runs: none skipped, and up
    /// to -Skip plus -First, since -Skip and -First then apply to the merged activities.</summary>
    public ActivityQuery ForOneOfSeveralTenants() =>
        this with { Skip = 0, First = First is ulong first ? first + Skip : null };

    /// <summary>Tally the records' shapes and describe them in Verbose at the end (with -Verbose only: it costs a little per record).</summary>
    public bool DescribeShapes { get; init; }

    /// <summary>How many times a failed page is tried again before the command stops.</summary>
    public int MaxRetries { get; init; } = PageRetryPolicy.DefaultMaxRetries;

    /// <summary>Audit requests allowed per 10 s for this tenant and app; 0 (the library default)
    /// turns pacing off. Get-SupportAccessActivity sets Graph's documented limit.</summary>
    public int RequestsPer10Seconds { get; init; }

    /// <summary>How long one page (request and body) may take before it counts as timed out.</summary>
    public TimeSpan PageTimeout { get; init; } = DefaultPageTimeout;

    /// <summary>The page timeout of every Graph read that names none (role reads too).</summary>
    public static readonly TimeSpan DefaultPageTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The longest -InitiatedBy taken: Entra allows no longer user principal name (113),
    /// display name (256) or id, and a longer value could not even be sent in a URL.</summary>
    public const int MaxInitiatedByLength = 256;

    /// <summary>Refuses, before any request, an -InitiatedBy that can match nothing or that
    /// would fail half-way: too long for a URL, or a wildcard pattern PowerShell can't parse.</summary>
    public static void CheckInitiatedBy(string? value)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > MaxInitiatedByLength)
        {
            throw new ModuleException("InitiatedByTooLong", ErrorCategory.InvalidArgument,
                $"-InitiatedBy is {value.Length} characters long; the limit is {MaxInitiatedByLength}, longer than any user principal name, app name or id in Entra. Give a UPN, an app name, an object or app id, or a wildcard pattern such as '*@contoso.com'.",
                value.Length);
        }

        try
        {
            // WildcardPattern parses lazily; matching once makes a bad pattern fail here, not after the first page.
            WildcardPattern.Get(value, WildcardOptions.IgnoreCase).IsMatch("");
        }
        catch (WildcardPatternException ex)
        {
            throw new ModuleException("InitiatedByInvalidWildcard", ErrorCategory.InvalidArgument,
                $"-InitiatedBy '{value}' is not a valid wildcard pattern ({ex.Message.TrimEnd('.')}). To match [ ] * ? literally, escape each with a backtick (for example '`[abc') or pass the value through [WildcardPattern]::Escape().",
                value);
        }
    }

    /// <summary>How an -InitiatedBy value is matched. A UPN (has '@', no wildcard) is also
    /// filtered on the server; anything else (an app name, an object or app id, a wildcard
    /// pattern) only on the client, because Graph can't match it on both user and app
    /// in one filter and a wrong server filter would hide records for good.</summary>
    public bool InitiatorFilterableOnServer =>
        InitiatedBy is string value
        && value.IndexOf('@') > 0
        && !WildcardPattern.ContainsWildcardCharacters(value);
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphEmulator;

/// <summary>What goes wrong with an audit page (see README.md, "Faults").</summary>
public enum FaultKind
{
    /// <summary>429 TooManyRequests with Retry-After (seconds, or an HTTP date).</summary>
    Throttle429,
    /// <summary>503 ServiceUnavailable; Retry-After only when given.</summary>
    Unavailable503,
    /// <summary>504 GatewayTimeout; Retry-After only when given.</summary>
    Timeout504,
    /// <summary>200 headers and the first records, then the connection is aborted.</summary>
    Reset,
    /// <summary>200 and the first records, then a clean end of stream with the JSON left open.</summary>
    Truncate,
    /// <summary>200 OK with a proxy's HTML sign-in page.</summary>
    Html,
    /// <summary>A delay before anything is written; then the page as usual.</summary>
    Slow,
    /// <summary>401 InvalidAuthenticationToken, "Lifetime validation failed, the token is expired."</summary>
    Expired401,
    /// <summary>302 Found to <see cref="FaultRule.Location"/>, empty body: a client must not follow it (with its token) off Graph.</summary>
    Redirect,
    /// <summary>The page as usual, but its @odata.nextLink is the URL just requested: a client that doesn't notice loops for ever.</summary>
    RepeatNextLink,
    /// <summary>500 InternalServerError whose message carries terminal control sequences (<see cref="Faults.FaultResponses.Escape500Message"/>).</summary>
    Escape500,
    /// <summary>
    /// Page N (N ≥ 2) as usual, but first the last <see cref="FaultRule.AfterRecords"/> records (default 1) of page
    /// N−1 of the same sequence again, verbatim: duplicates across the page boundary, nothing lost.
    /// </summary>
    RepeatRecords,
    /// <summary>
    /// 200 with <c>"value":[]</c> and an @odata.nextLink (a fresh skiptoken) that leads to the same page N again,
    /// so <see cref="FaultRule.Times"/> = 30 gives 30 empty pages in a row, then the page's data.
    /// </summary>
    EmptyPages,
    /// <summary>500 with an empty body labelled JSON: Content-Length: 0, Content-Type: application/json.</summary>
    Empty500,
    /// <summary>400 BadRequest whose message echoes the request's Authorization header ("Bad token: Bearer eyJ…"), as a careless gateway does.</summary>
    EchoToken400,
    /// <summary>The page as usual, except that its first record has no <c>id</c> member and its second no <c>activityDateTime</c>.</summary>
    MissingIdentity,
    /// <summary>
    /// Page N (N ≥ 2) as usual, but its @odata.nextLink leads back to page 1 of the same sequence under a fresh
    /// skiptoken: a different URL each time, the same records again, so a client that only notices a link it
    /// has already followed reads pages 1..N over and over while <see cref="FaultRule.Times"/> lasts.
    /// </summary>
    LoopToFirstPage,
}

/// <summary>
/// A scripted fault: on audit page <see cref="Page"/> of any paging sequence (1 = the request
/// without $skiptoken, 2 = the one following its nextLink, …; a retried nextLink is the same page),
/// of any tenant's or of <see cref="TenantId"/>'s alone, fire <see cref="Kind"/> up to
/// <see cref="Times"/> times, then be spent.
/// </summary>
public sealed record FaultRule(FaultKind Kind, int Page)
{
    /// <summary>How many requests for the page get the fault (default 1).</summary>
    public int Times { get; init; } = 1;

    /// <summary>Retry-After in seconds: default 1 for <see cref="FaultKind.Throttle429"/>; 503/504 send it only when given.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Send Retry-After as an HTTP date (RFC 1123) that many seconds ahead instead of seconds.</summary>
    public bool RetryAfterDate { get; init; }

    /// <summary>Delay of <see cref="FaultKind.Slow"/> in milliseconds (default 5000).</summary>
    public int? DelayMs { get; init; }

    /// <summary>
    /// Records written before <see cref="FaultKind.Reset"/> / <see cref="FaultKind.Truncate"/> cut the page (default 3);
    /// for <see cref="FaultKind.RepeatRecords"/>, how many of the previous page's last records are repeated (default 1, at least 1).
    /// </summary>
    public int? AfterRecords { get; init; }

    /// <summary>
    /// Where <see cref="FaultKind.Redirect"/> sends the client: an absolute http or https URL,
    /// required for that kind and refused with any other.
    /// </summary>
    public string? Location { get; init; }

    /// <summary>
    /// The served tenant whose audit requests (by the token's <c>tid</c>) the rule applies to; null (default):
    /// every tenant's, its times shared between them. A tenant the emulator does not serve is refused where
    /// the rule is stored (<see cref="FaultSchedule"/>), which knows the tenants; stored, it is spelled as the
    /// served tenant's id.
    /// </summary>
    public string? TenantId { get; init; }

    public const int DefaultThrottleRetryAfterSeconds = 1;
    public const int DefaultDelayMs = 5000;
    public const int DefaultAfterRecords = 3;
    public const int DefaultRepeatRecords = 1;

    internal void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown fault kind.");
        if (Page < 1)
            throw new ArgumentOutOfRangeException(nameof(Page), Page, "A fault's page must be at least 1.");
        if (Times < 1)
            throw new ArgumentOutOfRangeException(nameof(Times), Times, "A fault's times must be at least 1.");
        if (RetryAfterSeconds is < 0 or > 86400)
            throw new ArgumentOutOfRangeException(nameof(RetryAfterSeconds), RetryAfterSeconds, "retryAfterSeconds must be 0..86400.");
        if (DelayMs is < 0 or > 600_000)
            throw new ArgumentOutOfRangeException(nameof(DelayMs), DelayMs, "delayMs must be 0..600000.");
        if (AfterRecords < 0)
            throw new ArgumentOutOfRangeException(nameof(AfterRecords), AfterRecords, "afterRecords must not be negative.");
        if (TenantId is not null && !Guid.TryParse(TenantId, out _))
            throw new ArgumentException($"tenantId '{TenantId}' is not a tenant id (a GUID).", nameof(TenantId));
        if (Kind == FaultKind.RepeatRecords)
        {
            // It repeats records of the page before; page 1 has none.
            if (Page < 2)
                throw new ArgumentException("a repeatRecords fault needs a page of 2 or more: it repeats records of the page before, and page 1 has none.", nameof(Page));
            if (AfterRecords == 0)
                throw new ArgumentOutOfRangeException(nameof(AfterRecords), AfterRecords, "afterRecords of a repeatRecords fault must be at least 1 (the records repeated).");
        }
        // It sends the client back from page N to page 1; on page 1 that would be the page itself,
        // which is repeatNextLink under a fresh link, and a loop of pages needs two of them.
        if (Kind == FaultKind.LoopToFirstPage && Page < 2)
            throw new ArgumentException("a loopToFirstPage fault needs a page of 2 or more: it leads from that page back to page 1.", nameof(Page));
        if (Kind == FaultKind.Redirect)
        {
            // The fault stands for something sending the client to another web address. Uri alone
            // would take "/path" for file:///path on Unix, so the scheme must be written out too.
            if (Location is null)
                throw new ArgumentException("a redirect fault needs a location (an absolute http or https URL).", nameof(Location));
            if (!Uri.TryCreate(Location, UriKind.Absolute, out Uri? target)
                || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
                || !Location.StartsWith(target.Scheme + "://", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"location '{Location}' is not an absolute http or https URL.", nameof(Location));
        }
        else if (Location is not null)
        {
            throw new ArgumentException($"location applies to redirect faults only, not {FaultKinds.Name(Kind)}.", nameof(Location));
        }
    }
}

/// <summary>The wire names of <see cref="FaultKind"/>: <c>throttle429</c>, <c>unavailable503</c>, ….</summary>
public static class FaultKinds
{
    private static readonly Dictionary<FaultKind, string> Names = new()
    {
        [FaultKind.Throttle429] = "throttle429",
        [FaultKind.Unavailable503] = "unavailable503",
        [FaultKind.Timeout504] = "timeout504",
        [FaultKind.Reset] = "reset",
        [FaultKind.Truncate] = "truncate",
        [FaultKind.Html] = "html",
        [FaultKind.Slow] = "slow",
        [FaultKind.Expired401] = "expired401",
        [FaultKind.Redirect] = "redirect",
        [FaultKind.RepeatNextLink] = "repeatNextLink",
        [FaultKind.Escape500] = "escape500",
        [FaultKind.RepeatRecords] = "repeatRecords",
        [FaultKind.EmptyPages] = "emptyPages",
        [FaultKind.Empty500] = "empty500",
        [FaultKind.EchoToken400] = "echoToken400",
        [FaultKind.MissingIdentity] = "missingIdentity",
        [FaultKind.LoopToFirstPage] = "loopToFirstPage",
    };

    /// <summary>What random faults pick from unless told otherwise: the transient failures a client should retry.</summary>
    public static IReadOnlyList<FaultKind> DefaultRandom { get; } =
        [FaultKind.Throttle429, FaultKind.Unavailable503, FaultKind.Timeout504, FaultKind.Reset, FaultKind.Truncate];

    /// <summary>
    /// Null for a kind random faults may draw; else why not: a redirect needs a location of its own, and a
    /// loop back to page 1 is bounded only by a scripted rule's times (each loop's pages have fresh keys, so
    /// the "never twice in a row" rule would not end a run of random loops). <see cref="FaultKind.RepeatRecords"/>
    /// may be random: drawn for page 1 (nothing before it) it gives no fault.
    /// </summary>
    internal static string? WhyNotRandom(FaultKind kind) => kind switch
    {
        FaultKind.Redirect => "it needs a location, which only a scripted rule gives",
        FaultKind.LoopToFirstPage => "only a scripted rule's times bound the loop",
        _ => null,
    };

    /// <summary>The name in the log, the control endpoint and the CLI.</summary>
    public static string Name(FaultKind kind) => Names[kind];

    /// <summary>The kind of a name (case-insensitive).</summary>
    public static bool TryParse(string? name, out FaultKind kind)
    {
        foreach (KeyValuePair<FaultKind, string> pair in Names)
        {
            if (string.Equals(pair.Value, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = pair.Key;
                return true;
            }
        }
        kind = default;
        return false;
    }

    internal static string AllNames => string.Join(", ", Names.Values);

    internal static FaultKind Parse(string name) =>
        TryParse(name, out FaultKind kind) ? kind : throw new FormatException($"unknown fault kind '{name}': use one of {AllNames}.");

    internal static IReadOnlyList<FaultKind> ParseList(string names) =>
        names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).Distinct().ToArray();
}

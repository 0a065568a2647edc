using System;

namespace GraphEmulator;

/// <summary>One Graph or Log Analytics request (anything outside /_emulator, the authority and /msi) as the emulator saw it.</summary>
/// <param name="Sequence">Arrival number, from 1.</param>
/// <param name="Query">The query string without '?', percent-decoded.</param>
/// <param name="HasAuthorization">An Authorization header was sent (whatever it held).</param>
/// <param name="Authorized">The token was accepted.</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="At">When the request arrived.</param>
public sealed record RequestLogEntry(
    long Sequence,
    string Method,
    string Path,
    string Query,
    bool HasAuthorization,
    bool Authorized,
    int Status,
    DateTimeOffset At)
{
    /// <summary>
    /// The fault the request got, by its wire name (<c>throttle429</c>, <c>reset</c>, …, see
    /// <see cref="FaultKinds"/>), or <c>throttle</c> when the reporting throttle refused it; null
    /// when it was served as usual.
    /// </summary>
    public string? Fault { get; init; }

    /// <summary>The KQL of a Log Analytics query (the body's <c>query</c>); null for Graph requests and unreadable bodies.</summary>
    public string? Kql { get; init; }

    /// <summary>The body's <c>timespan</c> of a Log Analytics query, when it had one.</summary>
    public string? Timespan { get; init; }

    /// <summary>
    /// The served tenant whose data a Graph request read: its token's <c>tid</c> (as the tenant is
    /// configured), once the token was accepted; null for a refused token and for Log Analytics.
    /// </summary>
    public string? Tenant { get; init; }

    /// <summary>The request's <c>Cookie</c> header as sent; null when it sent none (see <see cref="EmulatorOptions.SetCookieTenant"/>).</summary>
    public string? Cookie { get; init; }
}

/// <summary>
/// Thread-safe log of the Graph requests received, in arrival order, so tests can assert how
/// many pages a client fetched and what it asked for. Control requests (/_emulator) are not logged.
/// </summary>
public sealed class RequestLog : ArrivalOrderedLog<RequestLogEntry>
{
    /// <summary>How many answered requests had exactly this path (case-insensitive), e.g. <c>/v1.0/auditLogs/directoryAudits</c>.</summary>
    public int CountFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return CountWhere(e => string.Equals(e.Path, path, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>How many answered requests had this path and read this served tenant (ids compared as GUIDs).</summary>
    public int CountFor(string path, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tenantId);
        return CountWhere(e => string.Equals(e.Path, path, StringComparison.OrdinalIgnoreCase) && SameTenant(e.Tenant, tenantId));
    }

    private static bool SameTenant(string? logged, string asked) =>
        logged is not null && Guid.TryParse(logged, out Guid a) && Guid.TryParse(asked, out Guid b) ? a == b
        : string.Equals(logged, asked, StringComparison.OrdinalIgnoreCase);

    protected override long SequenceOf(RequestLogEntry entry) => entry.Sequence;
}

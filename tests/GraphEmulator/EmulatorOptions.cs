using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace GraphEmulator;

/// <summary>How an emulator instance behaves and which data set it serves.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Seed of the data set: same seed and anchor, same records (ids, times, order).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Server-side cap on records per page; a page holds min($top, PageSize) records.</summary>
    public int PageSize { get; init; } = 999;

    /// <summary>
    /// Server-side page size of <c>roleManagement/directory/roleDefinitions</c> (1..999, default
    /// 20, so the 28 served definitions take two pages and clients must follow @odata.nextLink).
    /// </summary>
    public int RolePageSize { get; init; } = 20;

    /// <summary>Extra support-access records cloned from the scenarios, for load tests.</summary>
    public int BulkRecordCount { get; init; }

    /// <summary>The data set's "now". Default: UtcNow truncated to the minute.</summary>
    public DateTimeOffset? Anchor { get; init; }

    /// <summary>
    /// The tenant the emulator serves; cross-tenant evidence is judged against it. Only the demo
    /// tenant has the stories (README.md, "Stories").
    /// </summary>
    public string TenantId { get; init; } = DemoTenant.TenantId;

    /// <summary>
    /// Tenants served beside <see cref="TenantId"/> (default none): each with its own audit data set
    /// (the scenario table, seeded by <see cref="OtherTenant.SeedFor"/>, no stories), directory and
    /// consent. Graph serves the tenant of the token's <c>tid</c>; the authority issues tokens for any
    /// of them. See README.md, "Several tenants"; <see cref="DemoTenant.CustomerTenants"/> is a preset.
    /// </summary>
    public IReadOnlyList<OtherTenant> OtherTenants { get; init; } = [];

    /// <summary>Audit log retention (30 for P1/P2 tenants, 7 for Free).</summary>
    public int RetentionDays { get; init; } = 30;

    /// <summary>
    /// Answer <c>category eq</c> with 400, as the real service may: the docs don't list the
    /// property as filterable, and the client must fall back to <c>loggedByService</c>.
    /// </summary>
    public bool RejectCategoryFilter { get; init; }

    /// <summary>Loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Also listen on a second loopback port with HTTPS and serve an Entra-compatible authority
    /// there (token, device code, discovery endpoints), with a certificate from
    /// <see cref="TestCertificateAuthority"/>. See README.md, "Sign-in endpoints".
    /// </summary>
    public bool EnableAuthority { get; init; }

    /// <summary>The client secret of the registered pipeline app <see cref="DemoTenant.PipelineAppId"/>.</summary>
    public string ClientSecret { get; init; } = DemoTenant.PipelineAppSecret;

    /// <summary>
    /// Certificates registered on the pipeline app (public parts suffice): a client assertion
    /// signed with one of their keys is accepted.
    /// </summary>
    public IReadOnlyList<X509Certificate2> ClientCertificates { get; init; } = [];

    /// <summary>The secret the managed identity endpoint expects in <c>X-IDENTITY-HEADER</c> (IDENTITY_HEADER).</summary>
    public string IdentityHeader { get; init; } = DemoTenant.IdentityHeader;

    /// <summary>
    /// Lifetime of the access tokens the authority and the managed identity endpoint issue, in
    /// seconds (1..86400). MSAL treats a token within 5 minutes of expiry as expired, so 302
    /// makes every call after 2 s acquire a new one.
    /// </summary>
    public int TokenLifetimeSeconds { get; init; } = 3600;

    /// <summary>
    /// Scripted faults on audit pages, in force from the start (more can be added with
    /// <c>POST /_emulator/faults</c> or <see cref="EmulatorServer.Faults"/>). See README.md, "Faults".
    /// </summary>
    public IReadOnlyList<FaultRule> Faults { get; init; } = [];

    /// <summary>Chance (0..1) that an audit page request gets a random fault from <see cref="RandomFaultKinds"/>; 0 (default) never.</summary>
    public double RandomFaultRate { get; init; }

    /// <summary>Seed of the random faults; null (default) uses <see cref="Seed"/>. Same seed, same request order: same faults.</summary>
    public int? RandomFaultSeed { get; init; }

    /// <summary>What random faults pick from; default throttle429, unavailable503, timeout504, reset, truncate.</summary>
    public IReadOnlyList<FaultKind> RandomFaultKinds { get; init; } = FaultKinds.DefaultRandom;

    /// <summary>
    /// Enforce Graph's reporting throttle on directoryAudits: <see cref="ThrottleLimit"/> requests per
    /// <see cref="ThrottleWindow"/> per app (appid/azp claim) per tenant (tid), then 429 with Retry-After.
    /// </summary>
    public bool Throttle { get; init; }

    /// <summary>Requests let through per window and key (default 5, as Graph's reporting APIs).</summary>
    public int ThrottleLimit { get; init; } = 5;

    /// <summary>The throttle's sliding window (default 10 s).</summary>
    public TimeSpan ThrottleWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With <see cref="Throttle"/>: requests per <see cref="ThrottleWindow"/> per app across all
    /// tenants, on top of the per-tenant <see cref="ThrottleLimit"/> (Graph's global limit, 130,000
    /// requests per 10 s per app across all tenants, made small enough to test). Null (default): none.
    /// </summary>
    public int? ThrottleAppLimit { get; init; }

    /// <summary>
    /// Wait this many milliseconds (0..600000) before answering any request to the directory
    /// reads (<c>/me</c>, <c>transitiveMemberOf</c>, <c>roleDefinitions</c>, <c>roleAssignments</c>),
    /// so a client's timeout on its role pre-flight check can be tested; a client that gives up
    /// ends the wait. Null (default): no wait. Audit pages have the <c>slow</c> fault instead.
    /// </summary>
    public int? DirectoryDelayMs { get; init; }

    /// <summary>
    /// A served tenant whose audit pages (<c>directoryAudits</c> answers, any status) carry
    /// <c>Set-Cookie: emulator-affinity=&lt;tenant&gt;; Path=/</c>, as a load balancer's affinity
    /// cookie would; null (default) sets no cookie. Every request's <c>Cookie</c> header is kept in
    /// the request log (<see cref="RequestLogEntry.Cookie"/>), so a test can see whether a client
    /// sends one tenant's cookie with another's requests, or with Log Analytics queries.
    /// </summary>
    public string? SetCookieTenant { get; init; }

    /// <summary>
    /// The Log Analytics query API's record count limit (default 500,000, as the service): a result
    /// with more rows answers 200 with the first this many and a PartialError. 1..10,000,000.
    /// </summary>
    public int LogAnalyticsRowCap { get; init; } = 500_000;

    /// <summary>
    /// Extra support-access rows in the demo workspace's AuditLogs (<see cref="DemoWorkspace.WorkspaceId"/>),
    /// spread evenly over its 180 days, for volume tests (0..5,000,000; default 0). Unlike
    /// <see cref="BulkRecordCount"/> (which adds records to Graph and the workspace alike), these
    /// are in the workspace only.
    /// </summary>
    public int LogAnalyticsBulkRows { get; init; }

    /// <summary>
    /// Scripted faults on Log Analytics queries, in force from the start (more with
    /// <c>POST /_emulator/la-faults</c> or <see cref="EmulatorServer.LogAnalyticsFaults"/>). See README.md, "Log Analytics".
    /// </summary>
    public IReadOnlyList<LogAnalyticsFaultRule> LogAnalyticsFaults { get; init; } = [];

    /// <summary>
    /// Wait this many milliseconds (0..600000) before running each Log Analytics query (after its
    /// checks and faults); longer than the request's <c>Prefer: wait</c> (180 s by default) answers
    /// 504 when the wait is up. A client that gives up ends the wait. Null (default): no wait.
    /// </summary>
    public int? LogAnalyticsDelayMs { get; init; }

    /// <summary>
    /// Rows for a workspace of their own, <see cref="DemoWorkspace.CorpusWorkspaceId"/>: each a Graph
    /// directoryAudit record as JSON, in whatever shape a test needs (README.md, "The corpus
    /// workspace"). Empty (default): no such workspace is served.
    /// </summary>
    public IReadOnlyList<WorkspaceRecord> LogAnalyticsCorpus { get; init; } = [];

    internal void Validate()
    {
        if (PageSize is < 1 or > 999)
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, "PageSize must be 1..999.");
        if (RolePageSize is < 1 or > 999)
            throw new ArgumentOutOfRangeException(nameof(RolePageSize), RolePageSize, "RolePageSize must be 1..999.");
        if (BulkRecordCount < 0)
            throw new ArgumentOutOfRangeException(nameof(BulkRecordCount), BulkRecordCount, "BulkRecordCount must not be negative.");
        if (RetentionDays < 1)
            throw new ArgumentOutOfRangeException(nameof(RetentionDays), RetentionDays, "RetentionDays must be at least 1.");
        if (Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 0..65535.");
        if (!Guid.TryParse(TenantId, out _))
            throw new ArgumentException("TenantId must be a GUID.", nameof(TenantId));
        if (OtherTenants is null)
            throw new ArgumentNullException(nameof(OtherTenants));
        var otherIds = new HashSet<Guid>();
        foreach (OtherTenant other in OtherTenants)
        {
            if (other is null)
                throw new ArgumentException("OtherTenants must not contain null.", nameof(OtherTenants));
            other.Validate(TenantId);
            if (!otherIds.Add(Guid.Parse(other.TenantId)))
                throw new ArgumentException($"OtherTenants: '{other.TenantId}' is named twice.", nameof(OtherTenants));
        }
        if (string.IsNullOrEmpty(ClientSecret))
            throw new ArgumentException("ClientSecret must not be empty.", nameof(ClientSecret));
        if (string.IsNullOrEmpty(IdentityHeader))
            throw new ArgumentException("IdentityHeader must not be empty.", nameof(IdentityHeader));
        if (ClientCertificates is null)
            throw new ArgumentNullException(nameof(ClientCertificates));
        if (TokenLifetimeSeconds is < 1 or > 86400)
            throw new ArgumentOutOfRangeException(nameof(TokenLifetimeSeconds), TokenLifetimeSeconds, "TokenLifetimeSeconds must be 1..86400.");
        if (Faults is null)
            throw new ArgumentNullException(nameof(Faults));
        foreach (FaultRule rule in Faults)
        {
            if (rule is null)
                throw new ArgumentException("Faults must not contain null.", nameof(Faults));
            rule.Validate();
        }
        if (double.IsNaN(RandomFaultRate) || RandomFaultRate is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(RandomFaultRate), RandomFaultRate, "RandomFaultRate must be 0..1.");
        if (RandomFaultKinds is null)
            throw new ArgumentNullException(nameof(RandomFaultKinds));
        if (RandomFaultRate > 0 && RandomFaultKinds.Count == 0)
            throw new ArgumentException("RandomFaultKinds must not be empty when RandomFaultRate is above 0.", nameof(RandomFaultKinds));
        foreach (FaultKind kind in RandomFaultKinds)
        {
            if (!Enum.IsDefined(kind))
                throw new ArgumentOutOfRangeException(nameof(RandomFaultKinds), kind, "Unknown fault kind.");
            if (FaultKinds.WhyNotRandom(kind) is string why)
                throw new ArgumentException($"RandomFaultKinds can't hold {FaultKinds.Name(kind)}: {why}.", nameof(RandomFaultKinds));
        }
        if (ThrottleLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), ThrottleLimit, "ThrottleLimit must be at least 1.");
        if (ThrottleWindow <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ThrottleWindow), ThrottleWindow, "ThrottleWindow must be positive.");
        if (ThrottleAppLimit is < 1)
            throw new ArgumentOutOfRangeException(nameof(ThrottleAppLimit), ThrottleAppLimit, "ThrottleAppLimit must be at least 1 (or null: no limit across tenants).");
        if (SetCookieTenant is not null && !Guid.TryParse(SetCookieTenant, out _))
            throw new ArgumentException("SetCookieTenant must be a tenant id GUID (or null: no cookie).", nameof(SetCookieTenant));
        if (DirectoryDelayMs is < 0 or > 600_000)
            throw new ArgumentOutOfRangeException(nameof(DirectoryDelayMs), DirectoryDelayMs, "DirectoryDelayMs must be 0..600000.");
        if (LogAnalyticsRowCap is < 1 or > 10_000_000)
            throw new ArgumentOutOfRangeException(nameof(LogAnalyticsRowCap), LogAnalyticsRowCap, "LogAnalyticsRowCap must be 1..10000000.");
        if (LogAnalyticsBulkRows is < 0 or > 5_000_000)
            throw new ArgumentOutOfRangeException(nameof(LogAnalyticsBulkRows), LogAnalyticsBulkRows, "LogAnalyticsBulkRows must be 0..5000000.");
        if (LogAnalyticsFaults is null)
            throw new ArgumentNullException(nameof(LogAnalyticsFaults));
        foreach (LogAnalyticsFaultRule rule in LogAnalyticsFaults)
        {
            if (rule is null)
                throw new ArgumentException("LogAnalyticsFaults must not contain null.", nameof(LogAnalyticsFaults));
            rule.Validate();
        }
        if (LogAnalyticsDelayMs is < 0 or > 600_000)
            throw new ArgumentOutOfRangeException(nameof(LogAnalyticsDelayMs), LogAnalyticsDelayMs, "LogAnalyticsDelayMs must be 0..600000.");
        if (LogAnalyticsCorpus is null)
            throw new ArgumentNullException(nameof(LogAnalyticsCorpus));
        foreach (WorkspaceRecord record in LogAnalyticsCorpus)
        {
            if (record is null)
                throw new ArgumentException("LogAnalyticsCorpus must not contain null.", nameof(LogAnalyticsCorpus));
            record.Validate();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GraphEmulator.Cli;

/// <summary>The emulator's command line: the data set and server options, and the process whose exit ends the emulator.</summary>
internal sealed record CommandLine(EmulatorOptions Options, int? ParentPid, bool ShowHelp, string? AuthorityCaOut = null)
{
    public const string Usage = """
        Usage: dotnet GraphEmulator.dll [options]

          --port <n>                 loopback port; 0 (default) picks a free one
          --seed <n>                 data set seed (default 42)
          --page-size <n>            server page size cap, 1..999 (default 999)
          --bulk <n>                 extra support-access records for load tests (default 0)
          --role-page-size <n>       page size of roleManagement/directory/roleDefinitions,
                                     1..999 (default 20)
          --anchor <ISO 8601>        the data set's "now" (default: now, truncated to the minute)
          --retention-days <n>       audit log retention (default 30)
          --tenant-id <guid>         the tenant served (default the demo tenant, the only one
                                     with the stories)
          --other-tenant <guid|preset>[:name=<text>][:bulk=<n>][:consent=true|false]
                         [:access=true|false][:roles=<role>[+<role>...]|none]
                                     also serve this tenant (see README.md, "Several tenants"):
                                     its own data set (no stories) and directory; Graph serves
                                     the token's tid. consent: the pipeline app may sign in there
                                     (default true); access: the demo admin may (default true);
                                     roles: the admin's built-in roles there, by name ("Global
                                     Reader", GlobalReader) or template id (default Global
                                     Reader). Presets: fabrikam, woodgrove, northwind, tailspin
                                     (DemoTenant.CustomerTenants). Repeatable
          --customer-tenants         serve the four preset customer tenants (Fabrikam;
                                     Woodgrove: app not consented; Northwind: admin without a
                                     reader role; Tailspin: admin without access)
          --reject-category-filter   answer "category eq" with 400, as the service may
          --parent-pid <pid>         exit when this process exits
          --directory-delay <ms>     wait this long before answering each directory read (/me,
                                     transitiveMemberOf, roleDefinitions, roleAssignments),
                                     0..600000 (default: no wait)
          --set-cookie-tenant <id>   that tenant's audit pages set an affinity cookie (the
                                     request log keeps every request's Cookie header)

        Sign-in (see README.md, "Sign-in endpoints"):
          --authority                serve an Entra-compatible authority on a second, HTTPS port
          --authority-ca-out <path>  write the authority's test CA (PEM) there, for SSL_CERT_FILE
                                     (implies --authority)
          --client-secret <value>    the pipeline app's client secret (default DemoTenant.PipelineAppSecret)
          --client-certificate <path>
                                     register a certificate (PEM or DER .cer) on the pipeline app;
                                     repeatable
          --identity-header <value>  the managed identity endpoint's X-IDENTITY-HEADER secret
                                     (default DemoTenant.IdentityHeader)
          --token-lifetime <s>       lifetime of issued access tokens, 1..86400 s (default 3600)

        Faults on GET /v1.0/auditLogs/directoryAudits (see README.md, "Faults"):
          --fault <kind>:<page>[:<times>][@<tenant id>][=<location>]
                                     scripted fault on that page of every paging sequence
                                     (1 = the first request), <times> times (default 1); with
                                     @<tenant id>, only on that served tenant's requests (by
                                     the token's tid), e.g. unavailable503:2:1000@9a8b7c6d-…;
                                     repeatable. Kinds: throttle429, unavailable503,
                                     timeout504, reset, truncate, html, slow, expired401,
                                     redirect (needs =<absolute http(s) URL>, e.g.
                                     redirect:2=https://elsewhere.example/), repeatNextLink,
                                     escape500, repeatRecords (page 2 or more), emptyPages,
                                     empty500, missingIdentity, loopToFirstPage (page 2 or
                                     more)
          --fault-rate <0..1>        chance of a random fault per page request (default 0)
          --fault-seed <n>           seed of the random faults (default: --seed)
          --fault-kinds <k1,k2,...>  kinds random faults pick from (default
                                     throttle429,unavailable503,timeout504,reset,truncate;
                                     never redirect or loopToFirstPage)
          --throttle                 enforce the reporting limit: 5 requests per 10 s per app
                                     per tenant, then 429 with Retry-After
          --throttle-limit <n>       requests per window (default 5)
          --throttle-window <s>      window in seconds (default 10)
          --throttle-app-limit <n>   requests per window per app across all tenants (default:
                                     no such limit)

        Log Analytics, POST /v1/workspaces/{id}/query (see README.md, "Log Analytics"):
          --la-row-cap <n>           record count limit of a query's result, 1..10000000
                                     (default 500000); past it: the first n rows and a PartialError
          --la-bulk <n>              extra support-access rows in the demo workspace, spread over
                                     its 180 days (default 0)
          --la-fault <kind>:<query>[:<times>]
          --la-fault <kind>@<ISO 8601 time>
                                     scripted fault from that query number on (1 = the first
                                     query), <times> times (default 1); or on every query whose
                                     TimeGenerated window contains that time. Repeatable. Kinds:
                                     partialError, throttle429, timeout504, html502, noAnswer,
                                     outsideWindow (dropColumns, nullCells and renameTable need
                                     values: POST /_emulator/la-faults)
          --la-delay <ms>            wait this long before running each query, 0..600000 (default:
                                     no wait); past the request's Prefer: wait, 504

          --help                     show this text

        Prints "GraphEmulator listening on http://127.0.0.1:PORT/" as its first line and, with
        --authority, "GraphEmulator authority on https://127.0.0.1:PORT2/" as its second; then
        serves until SIGTERM or Ctrl+C, or until the --parent-pid process is gone. The managed
        identity endpoint (IDENTITY_ENDPOINT) is http://127.0.0.1:PORT/msi/token.
        """;

    /// <summary>Null when the arguments are acceptable, else what is wrong with them.</summary>
    public static CommandLine? Parse(string[] args, out string? error)
    {
        var defaults = new EmulatorOptions();
        int port = defaults.Port, seed = defaults.Seed, pageSize = defaults.PageSize, bulk = defaults.BulkRecordCount;
        int rolePageSize = defaults.RolePageSize;
        int retentionDays = defaults.RetentionDays;
        string tenantId = defaults.TenantId;
        var otherTenants = new List<OtherTenant>();
        int? throttleAppLimit = defaults.ThrottleAppLimit;
        DateTimeOffset? anchor = null;
        bool rejectCategoryFilter = false;
        int? parentPid = null;
        bool showHelp = false;
        bool enableAuthority = false;
        string? authorityCaOut = null;
        string clientSecret = defaults.ClientSecret;
        string identityHeader = defaults.IdentityHeader;
        int tokenLifetime = defaults.TokenLifetimeSeconds;
        var clientCertificates = new List<X509Certificate2>();
        var faults = new List<FaultRule>();
        double faultRate = defaults.RandomFaultRate;
        int? faultSeed = defaults.RandomFaultSeed;
        IReadOnlyList<FaultKind> faultKinds = defaults.RandomFaultKinds;
        bool throttle = false;
        int throttleLimit = defaults.ThrottleLimit;
        TimeSpan throttleWindow = defaults.ThrottleWindow;
        int? directoryDelayMs = defaults.DirectoryDelayMs;
        string? setCookieTenant = defaults.SetCookieTenant;
        int laRowCap = defaults.LogAnalyticsRowCap, laBulk = defaults.LogAnalyticsBulkRows;
        var laFaults = new List<LogAnalyticsFaultRule>();
        int? laDelayMs = defaults.LogAnalyticsDelayMs;
        error = null;

        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string? inlineValue = null;
            int equals = name.IndexOf('=');
            if (name.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inlineValue = name[(equals + 1)..];
                name = name[..equals];
            }

            string Value()
            {
                if (inlineValue is not null)
                    return inlineValue;
                if (i + 1 >= args.Length)
                    throw new FormatException($"{name} needs a value.");
                return args[++i];
            }

            try
            {
                switch (name.ToLowerInvariant())
                {
                    case "--port": port = Int(Value()); break;
                    case "--seed": seed = Int(Value()); break;
                    case "--page-size": pageSize = Int(Value()); break;
                    case "--bulk": bulk = Int(Value()); break;
                    case "--role-page-size": rolePageSize = Int(Value()); break;
                    case "--retention-days": retentionDays = Int(Value()); break;
                    case "--tenant-id": tenantId = Value(); break;
                    case "--other-tenant": otherTenants.Add(OtherTenant.Parse(Value())); break;
                    case "--customer-tenants": otherTenants.AddRange(DemoTenant.CustomerTenants); break;
                    case "--throttle-app-limit": throttleAppLimit = Int(Value()); break;
                    case "--anchor": anchor = DateTimeOffset.Parse(Value(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal); break;
                    case "--parent-pid": parentPid = Int(Value()); break;
                    case "--reject-category-filter": rejectCategoryFilter = true; break;
                    case "--directory-delay": directoryDelayMs = Int(Value()); break;
                    case "--set-cookie-tenant": setCookieTenant = Value(); break;
                    case "--authority": enableAuthority = true; break;
                    case "--authority-ca-out": authorityCaOut = Value(); enableAuthority = true; break;
                    case "--client-secret": clientSecret = Value(); break;
                    case "--client-certificate": clientCertificates.Add(LoadCertificate(Value())); break;
                    case "--identity-header": identityHeader = Value(); break;
                    case "--token-lifetime": tokenLifetime = Int(Value()); break;
                    case "--fault": faults.Add(ParseFault(Value())); break;
                    case "--fault-rate": faultRate = double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture); break;
                    case "--fault-seed": faultSeed = Int(Value()); break;
                    case "--fault-kinds": faultKinds = FaultKinds.ParseList(Value()); break;
                    case "--throttle": throttle = true; break;
                    case "--throttle-limit": throttleLimit = Int(Value()); break;
                    case "--throttle-window": throttleWindow = TimeSpan.FromSeconds(double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture)); break;
                    case "--la-row-cap": laRowCap = Int(Value()); break;
                    case "--la-bulk": laBulk = Int(Value()); break;
                    case "--la-fault": laFaults.Add(ParseLogAnalyticsFault(Value())); break;
                    case "--la-delay": laDelayMs = Int(Value()); break;
                    case "--help" or "-h" or "-?": showHelp = true; break;
                    default: throw new FormatException($"Unknown option '{args[i]}'.");
                }
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                error = ex.Message.Contains(name, StringComparison.Ordinal) ? ex.Message : $"{name}: {ex.Message}";
                return null;
            }
        }

        var options = new EmulatorOptions
        {
            Port = port,
            Seed = seed,
            PageSize = pageSize,
            RolePageSize = rolePageSize,
            BulkRecordCount = bulk,
            RetentionDays = retentionDays,
            TenantId = tenantId,
            OtherTenants = otherTenants,
            Anchor = anchor,
            RejectCategoryFilter = rejectCategoryFilter,
            EnableAuthority = enableAuthority,
            ClientSecret = clientSecret,
            ClientCertificates = clientCertificates,
            IdentityHeader = identityHeader,
            TokenLifetimeSeconds = tokenLifetime,
            Faults = faults,
            RandomFaultRate = faultRate,
            RandomFaultSeed = faultSeed,
            RandomFaultKinds = faultKinds,
            Throttle = throttle,
            ThrottleLimit = throttleLimit,
            ThrottleWindow = throttleWindow,
            ThrottleAppLimit = throttleAppLimit,
            DirectoryDelayMs = directoryDelayMs,
            SetCookieTenant = setCookieTenant,
            LogAnalyticsRowCap = laRowCap,
            LogAnalyticsBulkRows = laBulk,
            LogAnalyticsFaults = laFaults,
            LogAnalyticsDelayMs = laDelayMs,
        };
        return new CommandLine(options, parentPid, showHelp, authorityCaOut);
    }

    /// <summary>A certificate's public part from a PEM or DER (.cer) file.</summary>
    private static X509Certificate2 LoadCertificate(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"cannot read a certificate from '{path}': {ex.Message}");
        }
    }

    /// <summary>
    /// <c>kind:page[:times][@tenant][=location]</c>, e.g. <c>throttle429:2</c>, <c>reset:1:2</c>,
    /// <c>expired401:2:1000@9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d</c> or
    /// <c>redirect:2=https://elsewhere.example/</c>. The location comes last, after the first
    /// '=', because a URL holds ':' (and may hold '=' and '@' too, which is why only the first '='
    /// counts and the tenant is looked for before it). Whether the tenant is served is checked at start (exit 1).
    /// </summary>
    private static FaultRule ParseFault(string value)
    {
        string rule = value;
        string? location = null, tenantId = null;
        int equals = value.IndexOf('=');
        if (equals >= 0)
        {
            rule = value[..equals];
            location = value[(equals + 1)..];
        }
        int at = rule.IndexOf('@');
        if (at >= 0)
        {
            tenantId = rule[(at + 1)..];
            rule = rule[..at];
        }
        string[] parts = rule.Split(':');
        if (parts.Length is < 2 or > 3 || tenantId is "")
            throw new FormatException($"--fault: '{value}' is not kind:page[:times][@tenant][=location].");
        return new FaultRule(FaultKinds.Parse(parts[0]), Int(parts[1]))
        {
            Times = parts.Length == 3 ? Int(parts[2]) : 1,
            Location = location,
            TenantId = tenantId,
        };
    }

    /// <summary>
    /// <c>kind:query[:times]</c> (e.g. <c>throttle429:1:2</c>) or <c>kind@time</c> (e.g.
    /// <c>partialError@2026-09-03T12:00:00Z</c>: every query whose window contains that time).
    /// </summary>
    private static LogAnalyticsFaultRule ParseLogAnalyticsFault(string value)
    {
        string kindName = value.Split('@', ':')[0];
        if (LogAnalyticsFaultKinds.TryParse(kindName, out LogAnalyticsFaultKind needing) && LogAnalyticsFaultRule.NeedsParameters(needing))
            throw new FormatException($"--la-fault: {LogAnalyticsFaultKinds.Name(needing)} needs columns or a table name, which the command line can't give: set it with POST /_emulator/la-faults.");
        int at = value.IndexOf('@');
        if (at >= 0)
        {
            if (!DateTimeOffset.TryParse(value[(at + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
                throw new FormatException($"--la-fault: '{value[(at + 1)..]}' is not an ISO 8601 date and time.");
            return new LogAnalyticsFaultRule(LogAnalyticsFaultKinds.Parse(value[..at])) { ContainsTime = time };
        }
        string[] parts = value.Split(':');
        if (parts.Length is < 2 or > 3)
            throw new FormatException($"--la-fault: '{value}' is not kind:query[:times] or kind@time.");
        return new LogAnalyticsFaultRule(LogAnalyticsFaultKinds.Parse(parts[0]))
        {
            Query = Int(parts[1]),
            Times = parts.Length == 3 ? Int(parts[2]) : null,
        };
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}

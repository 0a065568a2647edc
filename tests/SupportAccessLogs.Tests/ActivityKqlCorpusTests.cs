using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using GraphEmulator;
using SupportAccessLogs.Activities;
using SupportAccessLogs.Classification;
using SupportAccessLogs.KqlRules;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The generated activity query (<see cref="ActivityKql"/>) over a corpus of hard records (issue
/// 24): Graph's documented examples, placeholder initiators, every activity name of both
/// generations in any case and padding, cross-tenant records from both sides, every support
/// request id key, every character TargetText escapes, nulls and empty arrays where Graph may
/// write them, non-string JSON, Unicode. The corpus workspace of the emulator (its README, "The
/// corpus workspace") holds them; the module reads it through its production wiring, the query
/// runs in it, and each row equals the module's activity of its id field by field, or differs
/// exactly as docs/architecture.md ("The rules as KQL", "Where KQL is not the module") says:
/// then the row equals the module's activity of a twin record, the same record written the way
/// the module and KQL read alike.
/// </summary>
public sealed class ActivityKqlCorpusTests
{
    private const string Contoso = DemoTenant.TenantId;
    private const string Fabrikam = DemoTenant.PartnerTenantId;
    private const string Woodgrove = DemoTenant.SecondPartnerTenantId;
    private const string Zero = "00000000-0000-0000-0000-000000000000";

    // The module's read covers the main window; each record the module refuses lies in a window of its own before it.
    internal static readonly DateTime MainStart = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    internal static readonly DateTime MainEnd = new(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime RefusedStart = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    // ---- initiators (hand-written initiatedBy members) ----

    internal const string Admin = """ "initiatedBy":{"user":{"id":"3b9e5d21-7c4f-4a8e-b1d6-2f0e9c8a7b61","displayName":"Contoso Admin","userPrincipalName":"admin@contoso.onmicrosoft.com","ipAddress":"10.1.2.3","userType":null,"homeTenantId":null,"homeTenantName":null},"app":null} """;
    internal const string Service = """ "initiatedBy":{"user":null,"app":{"appId":"c1a2b3d4-e5f6-4789-8abc-def012345678","displayName":"Microsoft Support Access Management","servicePrincipalId":"d2b3c4e5-f6a7-4890-9bcd-ef0123456789","servicePrincipalName":"Microsoft Support Access Management"}} """;
    // Graph's placeholder user (directoryaudit-list, example 2).
    internal const string Placeholder = """ "initiatedBy":{"app":null,"user":{"id":"00000000-0000-0000-0000-000000000000","displayName":null,"userPrincipalName":null,"ipAddress":"10.0.0.0","userType":null,"homeTenantId":null,"homeTenantName":null}} """;

    private static readonly string[] Initiators = [Admin, Service, Placeholder];

    internal sealed record Entry(string Id, string Json, string Tenant, DateTime Time, bool Refused);

    /// <summary>How the module reads a record whose row differs as documented: it refuses the record (the read stops), leaves it out, or classifies it otherwise.</summary>
    internal enum ModuleOutcome { Refused, Absent, Differs }

    /// <summary>The row of <paramref name="Id"/> equals the module's activity of <paramref name="Twin"/>, in every column but Id and ActivityDateTime.</summary>
    internal sealed record Difference(string Id, string Twin, ModuleOutcome Module, string Why);

    internal sealed class Corpus
    {
        private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private int _main;
        private int _refused;

        public List<Entry> Entries { get; } = [];
        public List<Difference> Differences { get; } = [];

        public static string Q(string? text) => text is null ? "null" : JsonSerializer.Serialize(text, Relaxed);

        /// <summary>A record: the documented top-level strings, then <paramref name="members"/> (hand-written JSON members, or none).</summary>
        public string Add(string id, string name, string members = "", string tenant = Contoso, string category = ClassificationRules.AuditCategory,
            string? correlationOf = null, bool refused = false)
        {
            DateTime time = refused ? RefusedStart.AddHours(++_refused) : MainStart.AddDays(1).AddMinutes(++_main);
            string json = "{\"id\":" + Q(id) + ",\"category\":" + Q(category) + ",\"correlationId\":" + Q("corr-" + (correlationOf ?? id))
                + ",\"result\":\"success\",\"resultReason\":\"\",\"activityDisplayName\":" + Q(name)
                + ",\"activityDateTime\":" + Q(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture))
                + ",\"loggedByService\":\"Core Directory\",\"operationType\":\"Other\"" + (members.Trim().Length > 0 ? "," + members.Trim() : "") + "}";
            Entries.Add(new Entry(id, json, tenant, time, refused));
            return id;
        }

        /// <summary>A published example's record as it is, but for its id (list example 1 and the get page's both say "id").</summary>
        public void AddDocumented(string file, string id)
        {
            JsonNode page = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file)))!;
            JsonObject record = page["value"]![0]!.AsObject();
            record["id"] = id;
            Entries.Add(new Entry(id, record.ToJsonString(), Contoso,
                DateTime.Parse(record["activityDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), false));
        }

        /// <summary>A record KQL reads otherwise than the module, and its twin that both read alike.</summary>
        public void AddDifference(string id, string twinMembers, string oddMembers, ModuleOutcome module, string why,
            string name = "Access removed", string twinTenant = Contoso, string oddTenant = Contoso, string twinCategory = ClassificationRules.AuditCategory,
            string oddCategory = ClassificationRules.AuditCategory)
        {
            string twin = Add(id + "-twin", name, twinMembers, twinTenant, twinCategory, correlationOf: id);
            Add(id, name, oddMembers, oddTenant, oddCategory, refused: module == ModuleOutcome.Refused);
            Differences.Add(new Difference(id, twin, module, why));
        }

        /// <summary>The last record again, as it was (a workspace may hold a row twice; two workspaces read together do).</summary>
        public void Repeat() => Entries.Add(Entries[^1] with { });

        public IReadOnlyList<WorkspaceRecord> Records => Entries.Select(e => new WorkspaceRecord(e.Json, e.Tenant)).ToList();
    }

    internal static Corpus Build()
    {
        var c = new Corpus();

        // Graph's documented examples (Corpus/README.md): "Type" capitalised, the placeholder user,
        // annotations, ids that are no GUIDs, the get page's singular targetResource.
        c.AddDocumented("list-example-1.json", "doc-list-1");
        c.AddDocumented("list-example-2.json", "doc-list-2");
        c.AddDocumented("get-example.json", "doc-get");

        // Rule 1: every name of both generations, by a user, by the service and by no one; in
        // other case and padded with every kind of white space .NET's Trim takes.
        int n = 0;
        foreach (string name in ClassificationRules.ActivityNames.Keys)
        {
            n++;
            for (int i = 0; i < Initiators.Length; i++)
                c.Add($"name-{n}-{i}", name, Initiators[i] + "," + Details($"26110000{n:00}{i}"));
            c.Add($"name-{n}-upper", name.ToUpperInvariant(), Admin);
            c.Add($"name-{n}-lower", name.ToLowerInvariant(), Placeholder);
            c.Add($"name-{n}-padded", " \t" + name + "\u00a0\n", Admin);
            c.Add($"name-{n}-unicode-space", "\u2003\u0085" + name + "\u3000\u000b\u2028", Placeholder);
        }
        c.Add("name-unknown", "Request escalated", Admin);
        c.Add("name-inner-space", "Access  removed", Admin);
        c.Add("name-empty", "", Service);
        c.Add("name-white", " \u00a0 ", Placeholder);
        c.Add("name-zero-width", "\u200bAccess removed", Admin); // U+200B is no white space for .NET
        c.Add("name-emoji", "Access removed 🚀", Admin);
        c.Add("repeated", "Access approved", Service + "," + Details("2611000099"));
        c.Repeat();

        // Placeholder and partial initiators (rule 3), each on a removal, whose split they decide.
        c.Add("init-null", "Access removed", """ "initiatedBy":null """);
        c.Add("init-missing", "Access removed");
        c.Add("init-both-null", "Access removed", """ "initiatedBy":{"user":null,"app":null} """);
        c.Add("init-empty", "Access removed", """ "initiatedBy":{} """);
        c.Add("init-zero-user-app", "Access removed", """ "initiatedBy":{"user":{"id":"00000000-0000-0000-0000-000000000000"},"app":{"appId":"00000000-0000-0000-0000-000000000000","servicePrincipalId":"00000000-0000-0000-0000-000000000000"}} """);
        c.Add("init-zero-upper-padded", "Access removed", """ "initiatedBy":{"user":{"id":" 00000000-0000-0000-0000-000000000000\u00a0"},"app":null} """);
        c.Add("init-zero-bare-digits", "Access removed", """ "initiatedBy":{"user":{"id":"00000000000000000000000000000000"},"app":null} """);
        c.Add("init-zero-with-upn", "Access removed", """ "initiatedBy":{"user":{"id":"00000000-0000-0000-0000-000000000000","userPrincipalName":"zoe@contoso.com","ipAddress":" "},"app":null} """);
        c.Add("init-display-name-only", "Access removed", """ "initiatedBy":{"user":{"displayName":"Zoë Ångström"},"app":null} """);
        c.Add("init-blank-user", "Access removed", """ "initiatedBy":{"user":{"id":" ","userPrincipalName":"\t","displayName":"x"},"app":null} """);
        c.Add("init-user-id-only", "Access removed", """ "initiatedBy":{"user":{"id":"5e2d8f40-1a3b-4c6d-8e9f-a0b1c2d3e4f5","ipAddress":"2001:db8::1"},"app":null} """);
        c.Add("init-user-and-app", "Access removed", """ "initiatedBy":{"user":{"id":"5e2d8f40-1a3b-4c6d-8e9f-a0b1c2d3e4f5","displayName":"Zoë O'Brien"},"app":{"displayName":"App"}} """);
        c.Add("init-app-sp-only", "Access removed", """ "initiatedBy":{"user":null,"app":{"servicePrincipalId":"d2b3c4e5-f6a7-4890-9bcd-ef0123456789"}} """);
        c.Add("init-app-zero-ids", "Access removed", """ "initiatedBy":{"user":null,"app":{"appId":"00000000-0000-0000-0000-000000000000","servicePrincipalId":"00000000-0000-0000-0000-000000000000","displayName":" "}} """);
        c.Add("init-app-sp-name", "Access removed", """ "initiatedBy":{"app":{"servicePrincipalName":"Łukasz's app","appId":"c1a2b3d4-e5f6-4789-8abc-def012345678"}} """);
        c.Add("init-app-ids", "Access removed", """ "initiatedBy":{"app":{"appId":"c1a2b3d4-e5f6-4789-8abc-def012345678","servicePrincipalId":"d2b3c4e5-f6a7-4890-9bcd-ef0123456789"}} """);
        c.Add("init-placeholder-user-real-app", "Access removed", """ "initiatedBy":{"user":{"id":"00000000-0000-0000-0000-000000000000"},"app":{"appId":"c1a2b3d4-e5f6-4789-8abc-def012345678"}} """);

        // Rule 2 from both sides, rule 4's roles, and what is not another tenant.
        c.Add("x-request-side", "Request created", Admin + "," + Pairs(("ResourceTenantId", Fabrikam), ("SupportRequestId", "2611200099000001")));
        c.Add("x-resource-side", "Access approved", Service + "," + Pairs(("SupportRequestTenantId", Contoso), ("SupportRequestId", "2611200099000001")), tenant: Fabrikam);
        c.Add("x-resource-removed", "Approval removed", Admin + "," + Pairs(("SupportRequestTenantId", Woodgrove)));
        c.Add("x-resource-closed", "Access removed", Placeholder + "," + Pairs(("SupportRequestTenantId", Woodgrove)));
        c.Add("x-approved-old-name", "Approval approved", Service + "," + Pairs(("supportrequesttenantid", Woodgrove.ToUpperInvariant())));
        c.Add("x-unknown-name", "Request escalated", Admin + "," + Pairs(("ResourceTenantId", Fabrikam)));
        c.Add("x-own-tenant", "Request created", Admin + "," + Pairs(("ResourceTenantId", Contoso)));
        c.Add("x-own-tenant-upper", "Request created", Admin + "," + Pairs(("ResourceTenantId", Contoso.ToUpperInvariant())));
        c.Add("x-own-row-tenant", "Access approved", Service + "," + Pairs(("SupportRequestTenantId", Fabrikam)), tenant: Fabrikam);
        c.Add("x-zero", "Request created", Admin + "," + Pairs(("ResourceTenantId", Zero)));
        c.Add("x-padded", "Request created", Admin + "," + Pairs(("ResourceTenantId", "\u00a0" + Fabrikam + " ")));
        c.Add("x-not-a-guid", "Request created", Admin + "," + Pairs(("ResourceTenantId", "fabrikam.onmicrosoft.com")));
        c.Add("x-key-trailing-space", "Request created", Admin + "," + Pairs(("ResourceTenantId ", Fabrikam)));
        c.Add("x-key-leading-space", "Request created", Admin + "," + Pairs((" ResourceTenantId", Fabrikam)));
        c.Add("x-first-is-own", "Request created", Admin + "," + Pairs(("ResourceTenantId", Contoso), ("HomeTenantId", Woodgrove), ("OtherTenantId", Fabrikam)));
        c.Add("x-row-tenant-upper", "Request created", Admin + "," + Pairs(("ResourceTenantId", Contoso)), tenant: Contoso.ToUpperInvariant());
        c.Add("guid-braces-user", "Access removed", """ "initiatedBy":{"user":{"id":"{00000000-0000-0000-0000-000000000000}"},"app":null} """);
        c.Add("guid-parentheses-user", "Access removed", """ "initiatedBy":{"user":{"id":"(00000000-0000-0000-0000-000000000000)"},"app":null} """);
        c.Add("guid-trailing-user", "Access removed", """ "initiatedBy":{"user":{"id":"00000000-0000-0000-0000-000000000000-1"},"app":null} """);
        c.Add("guid-braces-tenant", "Request created", Admin + "," + Pairs(("ResourceTenantId", "{" + Fabrikam + "}")));
        c.Add("guid-trailing-tenant", "Request created", Admin + "," + Pairs(("ResourceTenantId", Fabrikam + "; and more")));
        c.Add("guid-hyphens-misplaced-tenant", "Request created", Admin + "," + Pairs(("ResourceTenantId", "9a8b7c6d5e4f-4a3b-8c2d-1e0f9a8b7c6d")));
        c.Add("guid-braces-row-tenant", "Request created", Admin + "," + Pairs(("ResourceTenantId", Contoso)), tenant: "{" + Contoso + "}");
        c.Add("x-bare-digits", "Request created", Admin + "," + Pairs(("ResourceTenantId", Fabrikam.Replace("-", "", StringComparison.Ordinal))));

        // Rule 5: every key, in other case, their preference, values without text.
        int k = 0;
        foreach (string key in ClassificationRules.SupportRequestIdKeys)
        {
            k++;
            c.Add($"id-{k}", "Request created", Service + "," + Pairs((key, $"  26112000{k:00}  ")));
            c.Add($"id-{k}-lower", "Request created", Service + "," + Pairs((key.ToLowerInvariant(), $"lower-{k}")));
            c.Add($"id-{k}-upper", "Request created", Service + "," + Pairs((key.ToUpperInvariant(), $"UPPER-{k}")));
        }
        c.Add("id-preference", "Request created", Service + "," + Pairs(ClassificationRules.SupportRequestIdKeys.Reverse().Select(key => (key, "by-" + key)).ToArray()));
        c.Add("id-blank-first", "Request created", Service + "," + Pairs(("SupportRequestId", " \u00a0"), ("SupportRequestId", "second"), ("TicketId", "ticket")));
        c.Add("id-null-value", "Request created", Service + "," + """ "additionalDetails":[{"key":"SupportRequestId","value":null},{"key":"RequestId","value":"r-1"}] """);
        c.Add("id-key-padded", "Request created", Service + "," + Pairs((" SupportRequestId", "padded-key")));

        // additionalDetails as Graph may write it.
        c.Add("details-null", "Request created", Service + "," + """ "additionalDetails":null """);
        c.Add("details-empty", "Request created", Service + "," + """ "additionalDetails":[] """);
        c.Add("details-null-entry", "Request created", Service + "," + """ "additionalDetails":[null,{"key":"SupportRequestId","value":"after-null"},null] """);
        c.Add("details-null-members", "Request created", Service + "," + """ "additionalDetails":[{"key":null,"value":null},{"key":"k"},{"value":"v"},{}] """);
        c.Add("details-unicode", "Request created", Service + "," + Pairs(("Zoë 🚀", "Łukasz Żółć; ; =x"), ("RequestedAccess", "Diagnostic data")));

        // TargetText: every special character in every part, nulls and empty lists where Graph may write them.
        string specials = new(TargetText.ValueSpecials.Concat(TargetText.NoTypeSpecials).Concat(TargetText.PropertyNameSpecials).Concat(TargetText.PropertyValueSpecials).Distinct().ToArray());
        c.Add("t-specials", "Access approved", Service + ",\"targetResources\":[{\"id\":" + Corpus.Q("id" + specials) + ",\"displayName\":" + Corpus.Q("name " + specials)
            + ",\"type\":" + Corpus.Q("type " + specials) + ",\"userPrincipalName\":" + Corpus.Q("upn" + specials) + ",\"groupType\":" + Corpus.Q("group" + specials)
            + ",\"modifiedProperties\":[{\"displayName\":" + Corpus.Q("prop " + specials) + ",\"oldValue\":" + Corpus.Q("old " + specials) + ",\"newValue\":" + Corpus.Q("\"new\" " + specials) + "}]}]");
        foreach (char special in specials)
        {
            c.Add($"t-char-{(int)special:x}", "Access approved", Service + ",\"targetResources\":[{\"id\":" + Corpus.Q($"a{special}b") + ",\"displayName\":" + Corpus.Q($"{special}") + ",\"type\":" + Corpus.Q($"{special}")
                + ",\"modifiedProperties\":[{\"displayName\":" + Corpus.Q($"{special}{special}") + ",\"oldValue\":" + Corpus.Q($"{special}") + ",\"newValue\":null}]},{\"type\":" + Corpus.Q($"x{special}") + ",\"id\":\"2\"}]");
        }
        c.Add("t-type-dash", "Access approved", Service + """ ,"targetResources":[{"type":"-","displayName":"d"},{"type":" ","displayName":"named"},{"type":"-"}] """);
        c.Add("t-capital-type", "Access approved", Service + """ ,"targetResources":[{"Type":"User","id":"u"},{"type":null,"Type":"Group","displayName":"g"}] """);
        c.Add("t-null", "Access approved", Service + """ ,"targetResources":null """);
        c.Add("t-missing", "Access approved", Service);
        c.Add("t-empty", "Access approved", Service + """ ,"targetResources":[] """);
        c.Add("t-null-entry", "Access approved", Service + """ ,"targetResources":[null] """);
        c.Add("t-null-entries-around", "Access approved", Service + """ ,"targetResources":[null,{"id":"5a000000-0099-4000-8000-000000000000","displayName":"Microsoft Support access request","type":"Other"},null,{"displayName":"second"}] """);
        c.Add("t-empty-target", "Access approved", Service + """ ,"targetResources":[{},{"id":" ","displayName":"","type":"\t","userPrincipalName":null,"groupType":" "}] """);
        c.Add("t-changes-null", "Access approved", Service + """ ,"targetResources":[{"id":"1","modifiedProperties":null}] """);
        c.Add("t-changes-empty", "Access approved", Service + """ ,"targetResources":[{"id":"1","modifiedProperties":[]}] """);
        c.Add("t-changes-null-entry", "Access approved", Service + """ ,"targetResources":[{"id":"1","modifiedProperties":[null]}] """);
        c.Add("t-changes-only", "Access approved", Service + """ ,"targetResources":[{"modifiedProperties":[null,{"displayName":null,"oldValue":null,"newValue":null},{"displayName":"Activity","oldValue":"","newValue":"\"Access approved\""}]}] """);
        c.Add("t-unicode", "Access approved", Service + """ ,"targetResources":[{"id":"🚀","displayName":"Zoë Ångström 🚀","type":"Usér","userPrincipalName":"zoë@contoso.com","modifiedProperties":[{"displayName":"Łukasz","oldValue":"Żółć","newValue":"😀"}]}] """);

        // Not the category: in neither.
        c.Add("other-category", "Access removed", Admin, category: "UserManagement");

        // Documented differences (docs/architecture.md, "Where KQL is not the module").
        c.AddDifference("diff-number-value", Service + "," + """ "additionalDetails":[{"key":"SupportRequestId","value":"7"}] """,
            Service + "," + """ "additionalDetails":[{"key":"SupportRequestId","value":7}] """, ModuleOutcome.Refused, "a number where Graph documents a string");
        c.AddDifference("diff-bool-user-id", """ "initiatedBy":{"user":{"id":"true"},"app":null} """,
            """ "initiatedBy":{"user":{"id":true},"app":null} """, ModuleOutcome.Refused, "a bool where Graph documents a string");
        c.AddDifference("diff-number-target-name", Service + """ ,"targetResources":[{"displayName":"12","id":"1"}] """,
            Service + """ ,"targetResources":[{"displayName":12,"id":"1"}] """, ModuleOutcome.Refused, "a number where Graph documents a string");
        c.AddDifference("diff-object-new-value", Service + """ ,"targetResources":[{"id":"1","modifiedProperties":[{"displayName":"p","oldValue":"","newValue":"{\"a\":[1,\"b\"]}"}]}] """,
            Service + """ ,"targetResources":[{"id":"1","modifiedProperties":[{"displayName":"p","oldValue":"","newValue":{"a":[1,"b"]}}]}] """, ModuleOutcome.Refused, "an object where Graph documents a string");
        c.AddDifference("diff-category-case", Admin, Admin, ModuleOutcome.Absent, "the workspace query's Category == the exact name",
            oddCategory: ClassificationRules.AuditCategory.ToLowerInvariant());
        c.AddDifference("diff-row-tenant-not-a-guid", Admin + "," + Pairs(("ResourceTenantId", Contoso)),
            Admin + "," + Pairs(("ResourceTenantId", Contoso)), ModuleOutcome.Differs, "a row whose AADTenantId is no GUID: KQL's this tenant is the TenantId column",
            name: "Request created", twinTenant: DemoWorkspace.CorpusWorkspaceId, oddTenant: "contoso");
        c.AddDifference("diff-type-other-case", Service + """ ,"targetResources":[{"id":"u"}] """,
            Service + """ ,"targetResources":[{"TYPE":"User","id":"u"}] """, ModuleOutcome.Differs, "member names in a case Graph never writes",
            name: "Access approved");
        return c;
    }

    /// <summary>additionalDetails of one SupportRequestId.</summary>
    private static string Details(string supportRequestId) => Pairs(("SupportRequestId", supportRequestId));

    /// <summary>additionalDetails as Graph writes them: [{"key":…,"value":…}, …].</summary>
    internal static string Pairs(params (string Key, string Value)[] pairs) =>
        "\"additionalDetails\":[" + string.Join(",", pairs.Select(p => "{\"key\":" + Corpus.Q(p.Key) + ",\"value\":" + Corpus.Q(p.Value) + "}")) + "]";

    [Fact]
    public async Task TheCorpus_EveryRowEqualsTheModulesActivity_OrDiffersAsDocumented()
    {
        Corpus corpus = Build();
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsCorpus = corpus.Records });
        const string Workspace = DemoWorkspace.CorpusWorkspaceId;

        List<SupportAccessActivity> activities = await ActivityKqlEqualityTests.ReadAsync(server, Workspace,
            new ActivityQuery { StartUtc = MainStart, EndUtc = MainEnd, MaxRetries = 0 });
        List<Dictionary<string, string>> rows = await ActivityKqlEqualityTests.RunFunctionAsync(server, Workspace, RefusedStart, MainEnd);

        Dictionary<string, SupportAccessActivity> module = activities.ToDictionary(a => a.Id);
        Dictionary<string, Dictionary<string, string>> kql = rows.ToDictionary(r => r["Id"]);
        Dictionary<string, Difference> differences = corpus.Differences.ToDictionary(d => d.Id);

        // The same records, but those the module refuses or leaves out; no record of another category in either.
        string[] notInModule = corpus.Differences.Where(d => d.Module != ModuleOutcome.Differs).Select(d => d.Id).ToArray();
        Assert.Equal(module.Keys.Concat(notInModule).Order(StringComparer.Ordinal), kql.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(module.Keys.Intersect(notInModule));
        Assert.DoesNotContain("other-category", kql.Keys);
        Assert.Equal(corpus.Entries.Select(e => e.Id).Distinct().Count() - 1, kql.Count); // "other-category" in neither

        var found = new List<string>();
        foreach ((string id, SupportAccessActivity activity) in module)
        {
            if (differences.ContainsKey(id))
                continue;
            foreach (string column in ActivityKql.Columns)
            {
                string expected = ActivityKqlEqualityTests.Field(activity, column);
                if (!string.Equals(expected, kql[id][column], StringComparison.Ordinal))
                    found.Add($"{id} {column}: module '{expected}', KQL '{kql[id][column]}'");
            }
        }

        // A documented difference: the row is the module's activity of the twin; the module reads the record itself otherwise.
        foreach (Difference difference in corpus.Differences)
        {
            SupportAccessActivity twin = module[difference.Twin];
            foreach (string column in ActivityKql.Columns.Where(c => c is not "Id" and not "ActivityDateTime"))
            {
                string expected = ActivityKqlEqualityTests.Field(twin, column);
                if (!string.Equals(expected, kql[difference.Id][column], StringComparison.Ordinal))
                    found.Add($"{difference.Id} ({difference.Why}) {column}: twin's '{expected}', KQL '{kql[difference.Id][column]}'");
            }
            if (difference.Module == ModuleOutcome.Differs)
            {
                SupportAccessActivity own = module[difference.Id];
                if (ActivityKql.Columns.All(c => c is "Id" or "ActivityDateTime" || ActivityKqlEqualityTests.Field(own, c) == ActivityKqlEqualityTests.Field(twin, c)))
                    found.Add($"{difference.Id}: the module reads it as its twin; no difference left to document ({difference.Why})");
            }
        }
        Assert.True(found.Count == 0, $"{found.Count} differences:\n" + string.Join("\n", found.Take(60)));

        // The records the module refuses stop its read, each alone in its window.
        foreach (Entry refused in corpus.Entries.Where(e => e.Refused))
        {
            Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => ActivityKqlEqualityTests.ReadAsync(server, Workspace,
                new ActivityQuery { StartUtc = refused.Time.AddSeconds(-1), EndUtc = refused.Time.AddSeconds(1), MaxRetries = 0 }));
            Assert.Contains("Expected a string", failure.Message + failure.InnerException?.Message);
        }
    }

    /// <summary>
    /// The request function's steps (<see cref="ActivityKql.Query"/> with RequestTargetId, main's
    /// -Kind Request) over the same corpus: each activity's request target id is the module's
    /// (TargetText.RequestTargetId: the first target named as the request, with an id, trimmed).
    /// </summary>
    [Fact]
    public async Task TheCorpus_EachStepsRequestTargetIdIsTheModules()
    {
        Corpus corpus = Build();
        corpus.Add("rt-first-of-two", "Access approved", Service + """ ,"targetResources":[{"displayName":"Microsoft Support access request","id":" "},{"displayName":"Microsoft Support access request (second)","id":"\u00a0second\u2003"},{"displayName":"Microsoft Support access request","id":"third"}] """);
        corpus.Add("rt-other-name", "Access approved", Service + """ ,"targetResources":[{"displayName":"The Microsoft Support access request","id":"x"},{"Type":"Other","displayName":null,"id":"y"}] """);
        corpus.Add("rt-case-padded", "Access approved", Service + """ ,"targetResources":[{"displayName":"\u2003MICROSOFT SUPPORT ACCESS REQUEST","id":"\tz "}] """);
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { LogAnalyticsCorpus = corpus.Records });
        const string Workspace = DemoWorkspace.CorpusWorkspaceId;

        List<SupportAccessActivity> activities = await ActivityKqlEqualityTests.ReadAsync(server, Workspace,
            new ActivityQuery { StartUtc = MainStart, EndUtc = MainEnd, MaxRetries = 0 });
        RequestKqlEqualityTests.Rows rows = await RequestKqlEqualityTests.RunAsync(server, Workspace,
            $"let starttime = datetime({MainStart:yyyy-MM-ddTHH:mm:ss}Z);\nlet endtime = datetime({MainEnd.AddTicks(1):yyyy-MM-ddTHH:mm:ss.fffffff}Z);\n"
            + ActivityKql.HelperLets() + ActivityKql.Query(withRequestTargetId: true));
        Dictionary<string, string> kql = rows.Values.ToDictionary(r => r["Id"], r => r["RequestTargetId"]);

        string[] differences = activities.Where(a => !Same(a))
            .Select(a => $"{a.Id}: module '{a.RequestTargetId}', KQL '{kql.GetValueOrDefault(a.Id)}'").ToArray();
        Assert.True(differences.Length == 0, string.Join("\n", differences));
        Assert.Contains(activities, a => a.RequestTargetId == "second");
        Assert.Contains(activities, a => a.RequestTargetId == "z");
        Assert.True(activities.Count(a => a.RequestTargetId is not null) >= 3);

        bool Same(SupportAccessActivity a) => kql.TryGetValue(a.Id, out string? id) && id == (a.RequestTargetId ?? "");
    }

    /// <summary>
    /// The generated _ToGuid reads what Guid.TryParse reads (ClassificationRules.IsPlaceholderId,
    /// the other tenant, this tenant), text by text, through the emulator's engine.
    /// </summary>
    [Theory]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")]
    [InlineData("9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D")]
    [InlineData("{9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}")]
    [InlineData("(9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d)")]
    [InlineData("9a8b7c6d5e4f4a3b8c2d1e0f9a8b7c6d")]
    [InlineData(" \t9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\n ")]
    [InlineData("\u00a0{9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}\u3000")]
    [InlineData("{9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d)")]
    [InlineData("{{9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}}")]
    [InlineData("{9a8b7c6d5e4f4a3b8c2d1e0f9a8b7c6d}")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d0")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d1e0f9a8b7c6d")]
    [InlineData("9a8b7c6d5e4f-4a3b-8c2d-1e0f9a8b7c6d")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d-1")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d; more")]
    [InlineData("9a8b7c6d 5e4f 4a3b 8c2d 1e0f9a8b7c6d")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6g")]
    [InlineData("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6\u0661")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("contoso.onmicrosoft.com")]
    public void ToGuid_ReadsWhatGuidTryParseReads(string text)
    {
        string expected = Guid.TryParse(text, out Guid guid) ? guid.ToString() : "";
        string kql = ActivityKql.HelperLets() + "print g = tostring(_ToGuid(" + KqlLiteral.String(text) + "))";

        JsonElement answer = JsonDocument.Parse(GraphEmulator.LogAnalytics.Kql.KqlEngine.Run(kql)).RootElement;

        Assert.Equal(expected, answer.GetProperty("tables")[0].GetProperty("rows")[0][0].GetString() ?? "");
    }

    /// <summary>
    /// The generated _HasText is ClassificationRules' string.IsNullOrWhiteSpace for every character
    /// of the Basic Multilingual Plane (but the lone surrogates): the same white space.
    /// </summary>
    [Fact]
    public void HasText_IsNotWhiteSpace_ForEveryCharacter()
    {
        var characters = Enumerable.Range(0, 0x10000).Where(c => c is < 0xD800 or > 0xDFFF).Select(c => (char)c).ToArray();
        string kql = ActivityKql.HelperLets() + "datatable(c:string)["
            + string.Join(",", characters.Select(c => "\"\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) + "\""))
            + "] | where not(_HasText(c))";

        JsonElement rows = JsonDocument.Parse(GraphEmulator.LogAnalytics.Kql.KqlEngine.Run(kql)).RootElement.GetProperty("tables")[0].GetProperty("rows");

        Assert.Equal(characters.Where(char.IsWhiteSpace).Select(c => (int)c), rows.EnumerateArray().Select(r => (int)r[0].GetString()![0]));
    }

    /// <summary>
    /// Documented (docs/architecture.md, "Where KQL is not the module"): .NET's parser still takes
    /// a "+" or "0x" at the start of a group (in the group's width) and the hexadecimal form; the
    /// generated KQL reads no GUID there.
    /// </summary>
    [Theory]
    [InlineData("+a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")]
    [InlineData("0x8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")]
    [InlineData("+0000000-0000-0000-0000-000000000000")]
    [InlineData("{0x00000000,0x0000,0x0000,{0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00}}")]
    public void ToGuid_DotNetsLegacyForms_AreNoGuidInKql(string text)
    {
        Assert.True(Guid.TryParse(text, out _), "the module reads it as a GUID");
        string kql = ActivityKql.HelperLets() + "print g = tostring(_ToGuid(" + KqlLiteral.String(text) + "))";

        JsonElement answer = JsonDocument.Parse(GraphEmulator.LogAnalytics.Kql.KqlEngine.Run(kql)).RootElement;

        Assert.Equal("", answer.GetProperty("tables")[0].GetProperty("rows")[0][0].GetString());
    }

    [Fact]
    public void TheCorpus_HoldsEveryRuleOfTheTables()
    {
        Corpus corpus = Build();
        string all = string.Join("\n", corpus.Entries.Select(e => JsonNode.Parse(e.Json)!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));

        foreach (string name in ClassificationRules.ActivityNames.Keys)
            Assert.Contains("\"activityDisplayName\":" + Corpus.Q(name), all);
        foreach (string key in ClassificationRules.SupportRequestIdKeys)
            Assert.Contains("\"key\":" + Corpus.Q(key), all);
        foreach (char special in TargetText.ValueSpecials.Concat(TargetText.NoTypeSpecials).Concat(TargetText.PropertyNameSpecials).Concat(TargetText.PropertyValueSpecials))
            Assert.Contains(corpus.Entries, e => e.Id == $"t-char-{(int)special:x}");
        Assert.Contains(corpus.Entries, e => e.Json.Contains(ClassificationRules.OtherTenantKeySuffix, StringComparison.Ordinal) && e.Tenant != Contoso);
        Assert.Equal(corpus.Entries.Count - 1, corpus.Entries.Select(e => e.Id).Distinct().Count()); // "repeated" twice
        Assert.Equal(corpus.Entries.Count, corpus.Entries.Select(e => e.Time).Distinct().Count() + 2); // two documented examples at one instant, "repeated"
    }
}

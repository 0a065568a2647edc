using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace SupportAccessLogs.Report;

/// <summary>
/// The report: one self-contained HTML page of who could reach the tenant, and when. No script,
/// no request to any other host, one style sheet admitted by its hash (<see cref="ReportStyle"/>),
/// every text from the records encoded (<see cref="HtmlWriter"/>). For many tenants, a summary
/// and then a section each (docs/architecture.md, "The report").
/// </summary>
internal static class HtmlReport
{
    /// <summary>Rows of each table; the rest are counted under it (the CSV is the place for everything).</summary>
    public const int MaxRequestRows = 1000;

    /// <inheritdoc cref="MaxRequestRows"/>
    public const int MaxActivityRows = 1000;

    /// <summary>Rows of the banner's table of access active now, the longest active first; the heading counts them all.</summary>
    public const int MaxActiveRows = 200;

    public static void Write(TextWriter writer, ReportData data)
    {
        var html = new HtmlWriter(writer);
        ReportSource source = data.Source;
        List<string> tenants = Tenants(data);
        string subject = tenants.Count == 1 ? "tenant " + tenants[0] : tenants.Count + " tenants";
        html.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta http-equiv=\"Content-Security-Policy\"").Attribute("content", ReportStyle.ContentSecurityPolicy).Raw(">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<meta name=\"referrer\" content=\"no-referrer\">")
            .Raw("<meta name=\"generator\"").Attribute("content", "SupportAccessLogs " + source.ModuleVersion).Raw(">")
            .Raw("<title>").Text("Microsoft Support access to " + subject).Raw("</title>")
            .Raw("<style>").Raw(ReportStyle.Css).Raw("</style></head>\n<body>");
        html.Raw("<header><h1>").Text("Microsoft Support access to " + subject).Raw("</h1>");
        WhatWasRead(html, data, tenants);
        html.Raw("</header>\n<main>");
        // Each tenant's records, gathered once for the summary and the sections.
        ILookup<string, SupportAccessRequest> requests = data.Requests.ToLookup(r => r.TenantId, StringComparer.OrdinalIgnoreCase);
        ILookup<string, ReportActivity> activities = data.Activities.ToLookup(a => a.TenantId, StringComparer.OrdinalIgnoreCase);
        if (tenants.Count > 1)
        {
            Summary(html, data.Source, tenants, requests, activities);
        }

        for (int i = 0; i < tenants.Count; i++)
        {
            TenantSection(html, data, tenants[i], requests[tenants[i]].ToList(), activities[tenants[i]].ToList(), tenants.Count > 1, "t" + i.ToString(CultureInfo.InvariantCulture));
        }

        Marks(html);
        html.Raw("</main>\n<footer class=\"muted\"><p>").Text($"Made by SupportAccessLogs {source.ModuleVersion} (Export-SupportAccessReport) at {TimelineSvg.Time(source.GeneratedUtc)}. "
            + "Microsoft publishes no sample records of this audit category: some rules rest on inferred field names, and each activity says which evidence decided it (ClassificationReason).")
            .Raw("</p></footer>\n</body></html>\n");
    }

    /// <summary>The tenants read, then any other the records name; a report of nothing still has one (empty) section.</summary>
    private static List<string> Tenants(ReportData data)
    {
        var tenants = new List<string>();
        void Add(string tenant)
        {
            if (!tenants.Contains(tenant, StringComparer.OrdinalIgnoreCase))
            {
                tenants.Add(tenant);
            }
        }

        foreach (string tenant in data.Source.Tenants)
        {
            Add(tenant);
        }

        foreach (SupportAccessRequest request in data.Requests)
        {
            Add(request.TenantId);
        }

        foreach (ReportActivity activity in data.Activities)
        {
            Add(activity.TenantId);
        }

        if (tenants.Count == 0)
        {
            tenants.Add("");
        }

        return tenants;
    }

    private static void WhatWasRead(HtmlWriter html, ReportData data, List<string> tenants)
    {
        ReportSource source = data.Source;
        html.Raw("<dl class=\"read\">");
        Row(html, tenants.Count == 1 ? "Tenant" : "Tenants", string.Join(", ", tenants.Select(TenantName)));
        string window = source.WindowStartUtc is DateTime start && source.WindowEndUtc is DateTime end
            ? $"{TimelineSvg.Time(start)} to {TimelineSvg.Time(end)}"
            : Span(data) is (DateTime first, DateTime last)
                ? $"as given: activities from {TimelineSvg.Time(first)} to {TimelineSvg.Time(last)}"
                : "as given";
        Row(html, "Window", window);
        Row(html, "Source", source.Origin);
        if (source.FailedTenants.Count > 0)
        {
            Row(html, "Not read", string.Join(", ", source.FailedTenants) + ": the read failed (the command reported why). The page says nothing of their access.");
        }

        Row(html, "Read", TimelineSvg.Time(source.GeneratedUtc));
        Row(html, "Records", $"{data.Requests.Count} support request{(data.Requests.Count == 1 ? "" : "s")}, {data.Activities.Count} activit{(data.Activities.Count == 1 ? "y" : "ies")}");
        Row(html, "Module", "SupportAccessLogs " + source.ModuleVersion);
        html.Raw("</dl>");
    }

    private static (DateTime, DateTime)? Span(ReportData data)
    {
        IEnumerable<DateTime> times = data.Activities.Select(a => a.TimeUtc)
            .Concat(data.Requests.SelectMany(r => new[] { r.FirstActivityTime, r.LastActivityTime }));
        List<DateTime> all = times.ToList();
        return all.Count == 0 ? null : (all.Min(), all.Max());
    }

    private static void Row(HtmlWriter html, string term, string value) =>
        html.Raw("<dt>").Text(term).Raw("</dt><dd>").Text(value).Raw("</dd>");

    private static string TenantName(string tenant) => tenant.Length == 0 ? "(not named by the records)" : tenant;

    private static void Summary(HtmlWriter html, ReportSource source, List<string> tenants, ILookup<string, SupportAccessRequest> requestsOf, ILookup<string, ReportActivity> activitiesOf)
    {
        html.Raw("<section aria-labelledby=\"summary\"><h2 id=\"summary\">Summary per tenant</h2><table><thead><tr>")
            .Raw("<th scope=\"col\">Tenant</th><th scope=\"col\" class=\"num\">Active now</th><th scope=\"col\" class=\"num\">Requests</th>")
            .Raw("<th scope=\"col\" class=\"num\">Unknown</th><th scope=\"col\" class=\"num\">Truncated</th><th scope=\"col\" class=\"num\">Activities</th></tr></thead><tbody>");
        for (int i = 0; i < tenants.Count; i++)
        {
            List<SupportAccessRequest> requests = requestsOf[tenants[i]].ToList();
            int active = requests.Count(r => r.IsAccessActive);
            html.Raw("<tr data-tenant=\"").Text(tenants[i]).Raw("\"><td><a href=\"#t").Number(i).Raw("\">").Text(TenantName(tenants[i])).Raw("</a></td>");
            if (IsFailed(source, tenants[i]))
            {
                html.Raw("<td class=\"flag\" colspan=\"5\">").Text("not read: the read failed").Raw("</td></tr>");
                continue;
            }

            html.Raw(active > 0 ? "<td class=\"num active\">" : "<td class=\"num\">").Number(active).Raw("</td>")
                .Raw("<td class=\"num\">").Number(requests.Count).Raw("</td>")
                .Raw("<td class=\"num\">").Number(requests.Count(r => r.State == RequestState.Unknown)).Raw("</td>")
                .Raw("<td class=\"num\">").Number(requests.Count(r => r.IsTruncated)).Raw("</td>")
                .Raw("<td class=\"num\">").Number(activitiesOf[tenants[i]].Count()).Raw("</td></tr>");
        }

        html.Raw("</tbody></table></section>");
    }

    private static bool SameTenant(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool IsFailed(ReportSource source, string tenant) => source.FailedTenants.Any(t => SameTenant(t, tenant));

    private static void TenantSection(HtmlWriter html, ReportData data, string tenant, List<SupportAccessRequest> requests, List<ReportActivity> activities, bool several, string id)
    {
        var byId = new Dictionary<string, ReportActivity>(StringComparer.Ordinal);
        foreach (ReportActivity activity in activities)
        {
            byId[activity.Id] = activity;
        }

        html.Raw("<section class=\"tenant\"").Attribute("id", id).Attribute("data-tenant", tenant).Attribute("aria-labelledby", id + "-h").Raw(">");
        string heading = several ? "Tenant " + TenantName(tenant) : "Who could reach the tenant";
        html.Raw("<h2").Attribute("id", id + "-h").Raw(">").Text(heading).Raw("</h2>");
        if (IsFailed(data.Source, tenant))
        {
            // Never "no access is active" for a tenant nothing was read of.
            html.Raw("<div class=\"banner\" role=\"status\" data-failed=\"true\"><h3>").Text("This tenant could not be read")
                .Raw("</h3><p>").Text("Its read failed (the command reported why), so nothing here says whether Microsoft Support can reach it. Read it again, alone, to see its access.")
                .Raw("</p></div></section>");
            return;
        }

        Banner(html, data.Source, requests);
        // The timeline's lane order is the table's too: newest first, a cross-tenant request's sides together.
        List<SupportAccessRequest> lanes = TimelineSvg.Lanes(requests);

        html.Raw("<h3>").Text("Timeline").Raw("</h3>");
        if (requests.Count == 0)
        {
            html.Raw("<p class=\"muted\">").Text("No support request in the records read.").Raw("</p>");
        }
        else
        {
            TimelineSvg.Write(html, lanes, byId, data.Source, id + "-timeline");
        }

        html.Raw("<h3>").Text("Activity per week").Raw("</h3>");
        WeeklyActivitySvg.Write(html, activities, id + "-weeks");
        RequestTable(html, lanes);
        ActivityTable(html, activities, data.Requests.Count > 0 && data.Activities.Count == 0);
        html.Raw("</section>");
    }

    /// <summary>First of all: whether Microsoft Support can reach the tenant now, and through which request.</summary>
    private static void Banner(HtmlWriter html, ReportSource source, List<SupportAccessRequest> requests)
    {
        const string level = "h3";
        List<SupportAccessRequest> active = requests.Where(r => r.IsAccessActive).OrderBy(r => r.AccessGrantedTime).ToList();
        string since = source.WindowStartUtc is DateTime start ? $" Access granted before {TimelineSvg.Time(start)} is not in the records read." : "";
        if (active.Count == 0)
        {
            html.Raw("<div class=\"banner none\" role=\"status\" data-active=\"0\"><" + level + ">").Text("No Microsoft Support access is active")
                .Raw("</" + level + "><p>").Text($"None of the {requests.Count} support request{(requests.Count == 1 ? "" : "s")} read has access to the tenant now.{since}").Raw("</p></div>");
            return;
        }

        html.Raw("<div class=\"banner\" role=\"status\" data-active=\"").Number(active.Count).Raw("\"><" + level + ">").Text("Microsoft Support can reach this tenant now")
            .Raw("</" + level + "><p>").Text($"{active.Count} support request{(active.Count == 1 ? " has" : "s have")} access that was granted and not removed:").Raw("</p>")
            .Raw("<table class=\"active-now\"><thead><tr><th scope=\"col\">Request</th><th scope=\"col\">Approved by</th><th scope=\"col\">Access since (UTC)</th><th scope=\"col\">For</th></tr></thead><tbody>");
        foreach (SupportAccessRequest request in active.Take(MaxActiveRows))
        {
            html.Raw("<tr><td><strong>").Text(TimelineSvg.LaneName(request)).Raw("</strong>")
                .Raw(request.State == RequestState.Unknown ? " <span class=\"flag\">(Unknown: access counts until a removal is seen)</span>" : "").Raw("</td><td>")
                .Raw(request.DecidedBy.Length > 0 ? "" : "<span class=\"muted\">").Text(request.DecidedBy.Length > 0 ? request.DecidedBy : "not in the records read").Raw(request.DecidedBy.Length > 0 ? "" : "</span>")
                .Raw("</td><td class=\"nw\">").Text(Time(request.AccessGrantedTime))
                .Raw("</td><td class=\"nw\">").Text(DurationText.Format(request.AccessDuration)).Raw("</td></tr>");
        }

        html.Raw("</tbody></table>");
        if (active.Count > MaxActiveRows)
        {
            html.Raw("<p class=\"note\" data-more-active=\"").Number(active.Count - MaxActiveRows).Raw("\">")
                .Text($"The {MaxActiveRows} longest active are shown; {active.Count - MaxActiveRows} more are active too. Get-SupportAccessRequest -Active lists them all.").Raw("</p>");
        }

        html.Raw("</div>");
    }

    /// <param name="lanes">The section's requests in lane order (<see cref="TimelineSvg.Lanes"/>).</param>
    private static void RequestTable(HtmlWriter html, List<SupportAccessRequest> lanes)
    {
        html.Raw("<h3>").Text("Support requests").Raw("</h3>");
        if (lanes.Count == 0)
        {
            return;
        }

        html.Raw("<table class=\"requests\"><thead><tr>");
        foreach (string column in new[] { "Request", "State", "Decided by", "Created", "Access granted", "Access removed", "Duration", "Activities" })
        {
            html.Raw("<th scope=\"col\">").Text(column).Raw("</th>");
        }

        html.Raw("</tr></thead><tbody>");
        foreach (SupportAccessRequest request in lanes.Take(MaxRequestRows))
        {
            html.Raw("<tr").Attribute("data-state", request.State.ToString()).Raw(request.IsAccessActive ? " data-active=\"true\"" : "").Raw(">")
                .Raw("<td>").Text(request.SupportRequestId.Length > 0 ? request.SupportRequestId : TimelineSvg.GroupWords(request.GroupedBy) + " " + request.GroupKey)
                .Raw(request.TenantRole is TenantRole side ? " <span class=\"muted\">(" + side + ")</span>" : "")
                .Raw(request.IsTruncated ? " <span class=\"flag\">(truncated)</span>" : "").Raw("</td>")
                .Raw("<td class=\"nw state-" + request.State + "\">").Text(request.State.ToString()).Raw("</td>")
                .Raw("<td>").Text(request.DecidedBy).Raw("</td>");
            TimeCell(html, request.CreatedTime);
            TimeCell(html, request.AccessGrantedTime);
            if (request.IsAccessActive)
            {
                html.Raw("<td class=\"active\">active now</td>");
            }
            else
            {
                TimeCell(html, request.AccessRemovedTime, request.RemovalKind == RemovalKind.None ? "" : request.RemovalKind == RemovalKind.Closure ? "on closure" : "manually");
            }

            html.Raw("<td class=\"nw\">").Text(DurationText.Format(request.AccessDuration)).Raw("</td>")
                .Raw("<td class=\"num\">").Number(request.ActivityCount).Raw("</td></tr>");
        }

        html.Raw("</tbody></table>");
        if (lanes.Count > MaxRequestRows)
        {
            html.Raw("<p class=\"note\" data-more-rows=\"").Number(lanes.Count - MaxRequestRows).Raw("\">")
                .Text($"The {MaxRequestRows} requests with the most recent activity are shown; {lanes.Count - MaxRequestRows} more are not. Get-SupportAccessRequest | Export-Csv writes them all.").Raw("</p>");
        }
    }

    private static void ActivityTable(HtmlWriter html, List<ReportActivity> activities, bool onlyRequestsGiven)
    {
        html.Raw("<h3>").Text("Activities").Raw("</h3>");
        if (activities.Count == 0)
        {
            html.Raw("<p class=\"muted\">").Text(onlyRequestsGiven ? "Only requests were given: pipe the activities to see them here." : "No activity in the records read.").Raw("</p>");
            return;
        }

        html.Raw("<table class=\"activities\"><thead><tr>");
        foreach (string column in new[] { "Time (UTC)", "Activity", "Category", "Side", "Initiated by", "Support request", "Result", "Why (Classification\u00ADReason)" })
        {
            html.Raw("<th scope=\"col\">").Text(column).Raw("</th>");
        }

        html.Raw("</tr></thead><tbody>");
        foreach (ReportActivity activity in activities.OrderByDescending(a => a.TimeUtc).ThenBy(a => a.Id, StringComparer.Ordinal).Take(MaxActivityRows))
        {
            html.Raw("<tr><td class=\"time\"><span>").Text(activity.TimeUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Raw("</span> <span>")
                .Text(activity.TimeUtc.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Raw("</span></td>")
                .Raw("<td").Attribute("title", activity.ActivityDisplayName).Raw(">").Text(activity.Activity.ToString()).Raw("</td>")
                .Raw("<td>").Text(activity.Category).Raw("</td>")
                .Raw("<td>").Text(activity.TenantRole).Raw("</td>")
                .Raw("<td>").Text(activity.InitiatedBy).Raw("</td>")
                .Raw("<td>").Text(activity.SupportRequestId).Raw("</td>")
                .Raw("<td>").Text(activity.Result).Raw("</td>")
                .Raw("<td>").Text(activity.ClassificationReason).Raw("</td></tr>");
        }

        html.Raw("</tbody></table>");
        if (activities.Count > MaxActivityRows)
        {
            html.Raw("<p class=\"note\" data-more-rows=\"").Number(activities.Count - MaxActivityRows).Raw("\">")
                .Text($"The {MaxActivityRows} most recent activities are shown; {activities.Count - MaxActivityRows} more are not. Get-SupportAccessActivity | Export-Csv writes them all.").Raw("</p>");
        }
    }

    /// <summary>What the report's marks mean, in words, once.</summary>
    private static void Marks(HtmlWriter html)
    {
        html.Raw("<section aria-labelledby=\"marks\"><h2 id=\"marks\">What the marks mean</h2><dl class=\"read\">");
        Row(html, "(truncated)", "The request's first step on this side was not seen: it began before the window read, or its record is missing. What is shown of it is incomplete; read a longer window (Log Analytics keeps more than Graph's 30 days).");
        Row(html, "Unknown", "The request's records are in an order its lifecycle cannot follow (for example a step after the request was closed). Its state is not guessed: read its activities. Access granted and not removed still counts as active.");
        Row(html, "Active now", "Access was granted and no removal has been seen since, unless the request ended Revoked or Completed.");
        Row(html, "Side", "A cross-tenant request has two sides, each in its own tenant's log: ResourceTenant (whose data is reached) and SupportRequestTenant (which opened the support request).");
        html.Raw("</dl></section>");
    }

    /// <summary>A time as a cell that may break between its date and its time of day, never inside either: a table of ten columns fits A4.</summary>
    private static void TimeCell(HtmlWriter html, DateTime? timeUtc, string after = "")
    {
        html.Raw("<td class=\"time\">");
        if (timeUtc is DateTime value)
        {
            html.Raw("<span>").Text(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Raw("</span> <span>")
                .Text(value.ToString("HH:mm", CultureInfo.InvariantCulture)).Raw("</span>");
            if (after.Length > 0)
            {
                html.Raw(" <span class=\"muted\">").Text(after).Raw("</span>");
            }
        }

        html.Raw("</td>");
    }

    private static string Time(DateTime? timeUtc) => timeUtc is DateTime value ? value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SupportAccessLogs.Report;

/// <summary>
/// The timeline: one lane per request, access drawn as a bar from granted to removed (or to now),
/// marks where the request was created, approved, rejected and canceled, coloured by state. Drawn
/// as SVG by the module, so it needs no script, prints, and passes the report's policy. Every
/// shape carries a &lt;title&gt;: what it is, in words, for hover and for screen readers.
/// </summary>
internal static class TimelineSvg
{
    /// <summary>The most recent requests drawn; the rest are counted under the drawing.</summary>
    public const int MaxLanes = 150;

    private const double Width = 1000;
    private const double LabelRight = 262;
    private const double PlotLeft = 270;
    private const double PlotRight = 990;
    private const double Top = 26;
    private const double LaneHeight = 20;
    private const int LabelLength = 38;

    /// <summary>Marks drawn on one lane at most (<see cref="Drawn"/>); a lane is 720 units wide.</summary>
    private const int MaxMarksPerLane = 60;
    private static readonly char[] IdSeparator = { ';' };

    /// <summary>The requests drawn, in lane order: newest first, a cross-tenant request's sides together.</summary>
    public static List<SupportAccessRequest> Lanes(IEnumerable<SupportAccessRequest> requests) =>
        requests
            .GroupBy(r => r.SupportRequestId.Length > 0 ? "id:" + r.SupportRequestId : "key:" + r.GroupedBy + ":" + r.GroupKey + ":" + r.TenantId + ":" + r.TenantRole)
            .OrderByDescending(g => g.Max(r => r.LastActivityTime))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(r => r.TenantRole?.ToString() ?? "", StringComparer.Ordinal).ThenBy(r => r.TenantId, StringComparer.Ordinal))
            .ToList();

    /// <param name="html">Where to write.</param>
    /// <param name="lanes">The section's requests in lane order (<see cref="Lanes"/>), all of them; the first <see cref="MaxLanes"/> are drawn.</param>
    /// <param name="activities">The activities by id, for the marks; empty when only requests were given (then the request's own times are marked).</param>
    /// <param name="source">What was read: the window drawn, and "now", where access still active ends.</param>
    /// <param name="id">The drawing's element id (unique in the page).</param>
    public static void Write(HtmlWriter html, IReadOnlyList<SupportAccessRequest> lanes, IReadOnlyDictionary<string, ReportActivity> activities,
        ReportSource source, string id)
    {
        TimeScale scale = Scale(source, lanes);
        DateTime nowUtc = source.GeneratedUtc;
        List<SupportAccessRequest> drawn = lanes.Take(MaxLanes).ToList();
        double height = Top + (drawn.Count * LaneHeight) + 6;
        html.Raw("<figure><svg").Attribute("id", id).Raw(" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"")
            .Raw(" viewBox=\"0 0 1000 " + height.ToString("0", CultureInfo.InvariantCulture) + "\"")
            .Attribute("aria-labelledby", id + "-title").Raw(">");
        html.Raw("<title").Attribute("id", id + "-title").Raw(">")
            .Text($"Timeline of {drawn.Count} support request{(drawn.Count == 1 ? "" : "s")}, {scale.StartUtc:yyyy-MM-dd} to {scale.EndUtc:yyyy-MM-dd} UTC").Raw("</title>");
        WriteAxis(html, scale, height);
        for (int lane = 0; lane < drawn.Count; lane++)
        {
            WriteLane(html, drawn[lane], lane, activities, scale, nowUtc);
        }

        html.Raw("</svg>");
        html.Raw("<figcaption>");
        if (lanes.Count > drawn.Count)
        {
            html.Raw("<span class=\"note\" data-more-lanes=\"").Number(lanes.Count - drawn.Count).Raw("\">")
                .Text($"The {drawn.Count} requests with the most recent activity are drawn; {lanes.Count - drawn.Count} more are not. The requests table and Get-SupportAccessRequest hold them all.")
                .Raw("</span> ");
        }

        html.Text("Times in UTC. A bar is the time access was granted; a dashed outline, access still active now. A tick is access granted or removed, or another activity.").Raw("</figcaption></figure>");
        WriteLegend(html);
    }

    /// <summary>The span drawn: the window read (or the records' own span), to now when access is still active.</summary>
    private static TimeScale Scale(ReportSource source, IReadOnlyList<SupportAccessRequest> requests)
    {
        DateTime start = requests.Min(r => r.FirstActivityTime);
        DateTime end = requests.Max(r => r.LastActivityTime);
        if (source.WindowStartUtc is DateTime windowStart && windowStart < start)
        {
            start = windowStart;
        }

        if (requests.Any(r => r.IsAccessActive) || source.WindowEndUtc is not null)
        {
            DateTime until = source.WindowEndUtc is DateTime windowEnd && windowEnd < source.GeneratedUtc ? windowEnd : source.GeneratedUtc;
            end = until > end ? until : end;
        }

        return new TimeScale(start, end, PlotLeft, PlotRight);
    }

    private static void WriteAxis(HtmlWriter html, TimeScale scale, double height)
    {
        html.Raw("<g class=\"ticks\">");
        foreach ((DateTime time, string label) in scale.Ticks())
        {
            double x = scale.X(time);
            html.Raw("<line class=\"axis\"").Coordinate("x1", x).Coordinate("x2", x).Coordinate("y1", Top - 6).Coordinate("y2", height).Raw(">")
                .Title(label + " UTC").Raw("</line>");
            // A label near the right edge ends at its tick, so it is not cut off.
            bool nearEnd = x > PlotRight - 70;
            html.Raw("<text").Coordinate("x", nearEnd ? x - 2 : x + 2).Coordinate("y", Top - 10).Raw(nearEnd ? " text-anchor=\"end\">" : ">").Text(label).Raw("</text>");
        }

        html.Raw("</g>");
    }

    private static void WriteLane(HtmlWriter html, SupportAccessRequest request, int lane, IReadOnlyDictionary<string, ReportActivity> activities, TimeScale scale, DateTime nowUtc)
    {
        double y = Top + (lane * LaneHeight);
        string name = LaneName(request);
        html.Raw("<g class=\"request\"").Attribute("data-state", request.State.ToString()).Raw(">");
        if (lane % 2 == 0)
        {
            html.Raw("<rect class=\"lane\"").Coordinate("x", 0).Coordinate("y", y).Coordinate("width", Width).Coordinate("height", LaneHeight).Raw(">")
                .Title(name).Raw("</rect>");
        }

        string label = name.Length > LabelLength ? name.Substring(0, LabelLength - 1) + "\u2026" : name;
        html.Raw("<text").Coordinate("x", LabelRight).Coordinate("y", y + 14).Raw(" text-anchor=\"end\">").Title(name).Text(label).Raw("</text>");
        WriteAccess(html, request, y, scale, nowUtc);
        WriteMarks(html, request, y, activities, scale);
        html.Raw("</g>");
    }

    /// <summary>The request as a lane names it: its id (or what grouped it), its side, and whether it is truncated.</summary>
    public static string LaneName(SupportAccessRequest request)
    {
        string name = request.SupportRequestId.Length > 0 ? request.SupportRequestId : GroupWords(request.GroupedBy) + " " + request.GroupKey;
        if (request.TenantRole is TenantRole side)
        {
            name += side == TenantRole.ResourceTenant ? " (resource tenant side)" : " (support request tenant side)";
        }

        return request.IsTruncated ? name + " (truncated)" : name;
    }

    /// <summary>What grouped a request that names no support request id, in words.</summary>
    public static string GroupWords(RequestGrouping grouping) => grouping switch
    {
        RequestGrouping.TargetResourceId => "request target",
        RequestGrouping.CorrelationId => "correlation",
        RequestGrouping.None => "lone activity",
        _ => "request",
    };

    private static void WriteAccess(HtmlWriter html, SupportAccessRequest request, double y, TimeScale scale, DateTime nowUtc)
    {
        if (request.AccessGrantedTime is not DateTime granted)
        {
            return;
        }

        DateTime end = request.AccessRemovedTime ?? (request.IsAccessActive ? nowUtc : request.LastActivityTime);
        double x1 = scale.X(granted);
        double x2 = Math.Max(scale.X(end), x1 + 3);
        string removed = request.AccessRemovedTime is DateTime at
            ? $"removed {Time(at)} ({(request.RemovalKind == RemovalKind.Closure ? "on closure" : "manually")})"
            : request.IsAccessActive ? "still active now" : "no removal seen";
        string title = $"{LaneName(request)}: {request.State}. Access granted {Time(granted)}, {removed}; {DurationText.Format(request.AccessDuration)}"
            + (request.DecidedBy.Length > 0 ? $". Decided by {request.DecidedBy}" : "");
        // Access still active is outlined with a dashed line: it has no end yet.
        html.Raw("<rect class=\"bar s-" + request.State.ToString().ToLowerInvariant() + (request.IsAccessActive ? " open" : "") + "\"").Coordinate("x", x1).Coordinate("y", y + 5)
            .Coordinate("width", x2 - x1).Coordinate("height", 10).Raw(" rx=\"2\">").Title(title).Raw("</rect>");
    }

    private static void WriteMarks(HtmlWriter html, SupportAccessRequest request, double y, IReadOnlyDictionary<string, ReportActivity> activities, TimeScale scale)
    {
        var marks = new List<(DateTime Time, Activity Kind, string By)>();
        foreach (string id in request.ActivityIds.Split(IdSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (activities.TryGetValue(id, out ReportActivity? activity))
            {
                marks.Add((activity.TimeUtc, activity.Activity, activity.InitiatedBy));
            }
        }

        if (activities.Count == 0)
        {
            // Requests without their activities: what the request itself knows.
            if (request.CreatedTime is DateTime created)
            {
                marks.Add((created, Activity.RequestCreated, ""));
            }

            if (request.DecidedTime is DateTime decided)
            {
                Activity decision = request.State switch
                {
                    RequestState.Rejected => Activity.RequestRejected,
                    RequestState.Canceled => Activity.RequestCanceled,
                    _ => Activity.RequestApproved,
                };
                marks.Add((decided, decision, request.DecidedBy));
            }
        }

        double cy = y + 10;
        foreach ((DateTime time, Activity kind, string by, int alike) in Drawn(marks, scale))
        {
            double x = scale.X(time);
            string title = $"{LaneName(request)}: {Words(kind)} {Time(time)}" + (by.Length > 0 ? " by " + by : "")
                + (alike > 1 ? $", and {alike - 1} more like it at about the same time" : "");
            switch (kind)
            {
                case Activity.RequestCreated:
                    html.Raw("<circle class=\"mark m-created\"").Coordinate("cx", x).Coordinate("cy", cy).Raw(" r=\"4\">").Title(title).Raw("</circle>");
                    break;
                case Activity.RequestApproved:
                    html.Raw("<polygon class=\"mark m-approved\" points=\"" + Points((x, cy - 6), (x + 5, cy), (x, cy + 6), (x - 5, cy)) + "\">").Title(title).Raw("</polygon>");
                    break;
                case Activity.RequestRejected:
                    html.Raw("<path class=\"rejected-mark\" d=\"M" + Points((x - 4, cy - 4)) + " L" + Points((x + 4, cy + 4)) + " M" + Points((x + 4, cy - 4)) + " L" + Points((x - 4, cy + 4)) + "\">")
                        .Title(title).Raw("</path>");
                    break;
                case Activity.RequestCanceled:
                    html.Raw("<rect class=\"mark m-canceled\"").Coordinate("x", x - 4).Coordinate("y", cy - 4).Coordinate("width", 8).Coordinate("height", 8).Raw(">")
                        .Title(title).Raw("</rect>");
                    break;
                default:
                    // Access granted or removed, or an activity outside the lifecycle: a tick, so
                    // that a lane whose only records are these still shows where they fell.
                    html.Raw("<line class=\"tick\"").Coordinate("x1", x).Coordinate("x2", x).Coordinate("y1", cy - 6).Coordinate("y2", cy + 6).Raw(">")
                        .Title(title).Raw("</line>");
                    break;
            }
        }
    }

    /// <summary>
    /// The marks worth drawing: one per kind where several would fall on the same spot (a request
    /// of thousands of activities would otherwise draw thousands of shapes on one lane), said in
    /// its title; at most <see cref="MaxMarksPerLane"/>, the lifecycle's own steps first.
    /// </summary>
    private static IEnumerable<(DateTime Time, Activity Kind, string By, int Alike)> Drawn(List<(DateTime Time, Activity Kind, string By)> marks, TimeScale scale) =>
        marks
            .GroupBy(m => (m.Kind, Spot: (int)Math.Round(scale.X(m.Time))))
            .Select(g => (g.First().Time, g.Key.Kind, g.First().By, Alike: g.Count()))
            .OrderBy(m => m.Kind is Activity.RequestCreated or Activity.RequestApproved or Activity.RequestRejected or Activity.RequestCanceled ? 0 : 1)
            .ThenBy(m => m.Time)
            .Take(MaxMarksPerLane);

    private static string Words(Activity activity) => activity switch
    {
        Activity.RequestCreated => "created",
        Activity.RequestApproved => "approved",
        Activity.RequestRejected => "rejected",
        Activity.RequestCanceled => "canceled",
        Activity.ApprovalCreated => "access granted",
        Activity.AccessRemovedManually => "access removed manually",
        Activity.AccessRemovedOnClosure => "access removed on closure",
        _ => "an activity outside the lifecycle",
    };

    /// <summary>The key to the drawing: a swatch per state and per mark, each with its words.</summary>
    private static void WriteLegend(HtmlWriter html)
    {
        html.Raw("<ul class=\"legend\" aria-label=\"Timeline legend\">");
#pragma warning disable CA2263 // netstandard2.0 has no generic Enum.GetValues.
        foreach (RequestState state in Enum.GetValues(typeof(RequestState)).Cast<RequestState>())
#pragma warning restore CA2263
        {
            html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><rect class=\"s-" + state.ToString().ToLowerInvariant() + "\" x=\"0\" y=\"3\" width=\"14\" height=\"8\">")
                .Title(state + " access bar").Raw("</rect></svg>").Text(state.ToString()).Raw("</li>");
        }

        html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><circle class=\"m-created\" cx=\"7\" cy=\"7\" r=\"4\">").Title("Created mark").Raw("</circle></svg>created</li>");
        html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><polygon class=\"m-approved\" points=\"7,1 12,7 7,13 2,7\">").Title("Approved mark").Raw("</polygon></svg>approved</li>");
        html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"rejected-mark\" d=\"M3,3 L11,11 M11,3 L3,11\">").Title("Rejected mark").Raw("</path></svg>rejected</li>");
        html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><rect class=\"m-canceled\" x=\"3\" y=\"3\" width=\"8\" height=\"8\">").Title("Canceled mark").Raw("</rect></svg>canceled</li>");
        html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><line class=\"tick\" x1=\"7\" x2=\"7\" y1=\"1\" y2=\"13\">").Title("Tick").Raw("</line></svg>access granted or removed, other activity</li>");
        html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><rect class=\"s-approved open\" x=\"1\" y=\"3\" width=\"12\" height=\"8\">").Title("Access still active").Raw("</rect></svg>access still active</li>");
        html.Raw("</ul>");
    }

    private static string Points(params (double X, double Y)[] points) =>
        string.Join(" ", points.Select(p => p.X.ToString("0.#", CultureInfo.InvariantCulture) + "," + p.Y.ToString("0.#", CultureInfo.InvariantCulture)));

    internal static string Time(DateTime timeUtc) => timeUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SupportAccessLogs.Report;

/// <summary>
/// Activity per week by classification: a stacked bar per ISO week (Monday, UTC), one colour per
/// Category, each bar part titled with its week, count and category.
/// </summary>
internal static class WeeklyActivitySvg
{
    private const double Left = 48;
    private const double Right = 990;
    private const double Top = 12;
    private const double Bottom = 170;
    private const int MaxLabels = 10;

    /// <summary>The categories in the order stacked; a category read back from a file that is none of them is "Other".</summary>
    private static readonly string[] Categories = { nameof(Category.UserInitiated), nameof(Category.Automated), nameof(Category.CrossTenant) };

    public static void Write(HtmlWriter html, IReadOnlyList<ReportActivity> activities, string id)
    {
        if (activities.Count == 0)
        {
            html.Raw("<p class=\"muted\">").Text("No activities were given: only requests, so there is no activity to count per week.").Raw("</p>");
            return;
        }

        DateTime first = TimeScale.Monday(activities.Min(a => a.TimeUtc));
        DateTime last = TimeScale.Monday(activities.Max(a => a.TimeUtc));
        int weeks = (int)((last - first).TotalDays / 7) + 1;
        var counts = new int[weeks, Categories.Length + 1];
        foreach (ReportActivity activity in activities)
        {
            int week = (int)((TimeScale.Monday(activity.TimeUtc) - first).TotalDays / 7);
            counts[week, CategoryIndex(activity.Category)]++;
        }

        int max = 1;
        for (int week = 0; week < weeks; week++)
        {
            int total = 0;
            for (int c = 0; c <= Categories.Length; c++)
            {
                total += counts[week, c];
            }

            max = Math.Max(max, total);
        }

        double slot = (Right - Left) / weeks;
        double barWidth = Math.Max(slot * 0.8, 0.5);
        html.Raw("<figure><svg").Attribute("id", id).Raw(" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 196\"")
            .Attribute("aria-labelledby", id + "-title").Raw(">");
        html.Raw("<title").Attribute("id", id + "-title").Raw(">")
            .Text($"{activities.Count} activities in {weeks} week{(weeks == 1 ? "" : "s")} from {first:yyyy-MM-dd}, by classification; the busiest week has {max}").Raw("</title>");
        html.Raw("<line class=\"axis\"").Coordinate("x1", Left).Coordinate("x2", Right).Coordinate("y1", Bottom).Coordinate("y2", Bottom).Raw(">").Title("Weeks").Raw("</line>");
        html.Raw("<text").Coordinate("x", Left - 6).Coordinate("y", Top + 8).Raw(" text-anchor=\"end\">").Number(max).Raw("</text>");
        html.Raw("<text").Coordinate("x", Left - 6).Coordinate("y", Bottom).Raw(" text-anchor=\"end\">0</text>");
        int labelEvery = Math.Max(1, (int)Math.Ceiling(weeks / (double)MaxLabels));
        for (int week = 0; week < weeks; week++)
        {
            DateTime monday = first.AddDays(7 * week);
            double x = Left + (week * slot) + ((slot - barWidth) / 2);
            double y = Bottom;
            for (int c = 0; c <= Categories.Length; c++)
            {
                int count = counts[week, c];
                if (count == 0)
                {
                    continue;
                }

                double height = count / (double)max * (Bottom - Top);
                y -= height;
                html.Raw("<rect class=\"" + CategoryClass(c) + "\"").Coordinate("x", x).Coordinate("y", y).Coordinate("width", barWidth).Coordinate("height", height).Raw(">")
                    .Title($"Week of {monday:yyyy-MM-dd}: {count} {CategoryWords(c)}").Raw("</rect>");
            }

            if (week % labelEvery == 0)
            {
                html.Raw("<text").Coordinate("x", Left + (week * slot)).Coordinate("y", Bottom + 16).Raw(">").Text(monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Raw("</text>");
            }
        }

        html.Raw("</svg><figcaption>").Text("Activities per week (weeks begin on Monday, UTC), stacked by classification.").Raw("</figcaption></figure>");
        html.Raw("<ul class=\"legend\" aria-label=\"Classification legend\">");
        for (int c = 0; c <= Categories.Length; c++)
        {
            int total = 0;
            for (int week = 0; week < weeks; week++)
            {
                total += counts[week, c];
            }

            if (c == Categories.Length && total == 0)
            {
                continue;
            }

            html.Raw("<li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><rect class=\"" + CategoryClass(c) + "\" x=\"1\" y=\"1\" width=\"12\" height=\"12\">")
                .Title(CategoryWords(c)).Raw("</rect></svg>").Text(CategoryName(c)).Raw(": <span data-category-count=\"" + CategoryName(c) + "\">").Number(total).Raw("</span></li>");
        }

        html.Raw("</ul>");
    }

    private static int CategoryIndex(string category)
    {
        int index = Array.FindIndex(Categories, c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? Categories.Length : index;
    }

    private static string CategoryName(int index) => index < Categories.Length ? Categories[index] : "Other";

    private static string CategoryClass(int index) => index switch
    {
        0 => "c-user",
        1 => "c-automated",
        2 => "c-cross",
        _ => "c-other",
    };

    private static string CategoryWords(int index) => index switch
    {
        0 => "user-initiated",
        1 => "automated",
        2 => "cross-tenant",
        _ => "of another category",
    };
}

using System;
using System.Collections.Generic;
using System.Linq;
using GraphEmulator;
using SupportAccessLogs.Records;

namespace SupportAccessLogs.Tests.Browser;

/// <summary>
/// Text an attacker can put in the audit log (display names, UPNs, additional details), aimed at
/// every way a page can be made to run, fetch or break its layout. A payload that runs sets
/// <see cref="Flag"/> or opens a dialog; one that fetches asks 127.0.0.1:9, where nothing listens.
/// </summary>
internal static class HostileText
{
    /// <summary>The window property a payload that runs sets.</summary>
    public const string Flag = "__pwned";

    public static readonly string LongName = "L" + new string('W', 9_998) + "L";

    public static readonly IReadOnlyList<string> All = new[]
    {
        "<script>alert(1)</script>",
        "\"><svg onload=alert(1)>",
        "<img src=http://127.0.0.1:9/x>",
        "</style>",
        "</style><script>window.__pwned=1</script>",
        "javascript:alert(1)",
        "javascript:window.__pwned=1//",
        "\u202Egnp.exe\u202C admin@contoso.com",
        "\u202Eevil\u202D\u2066isolate\u2069",
        LongName,
        "<img src=x onerror=window.__pwned=1>",
        "'><svg/onload=window.__pwned=1>",
        "\" onmouseover=\"window.__pwned=1\" x=\"",
        "' onfocus='window.__pwned=1' autofocus='",
        "</title><script>window.__pwned=1</script>",
        "</svg><script>window.__pwned=1</script>",
        "]]><script>window.__pwned=1</script><!--",
        "<iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>",
        "<a href=\"javascript:window.__pwned=1\">click</a>",
        "<base href=http://127.0.0.1:9/>",
        "<link rel=stylesheet href=http://127.0.0.1:9/x.css>",
        "<meta http-equiv=refresh content=\"0;url=http://127.0.0.1:9/\">",
        "<style>@import url(http://127.0.0.1:9/y.css);body{background:url(http://127.0.0.1:9/z.png)}</style>",
        "<object data=http://127.0.0.1:9/o></object>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    };

    /// <summary>Whether the request of text <paramref name="index"/> still has access: every other one, and the long name's.</summary>
    public static bool KeepsAccess(int index) => index % 2 == 0 || All[index] == LongName;

    /// <summary>
    /// One support request per hostile text, whose id, approver (UPN and display name) and
    /// initiators are that text; some still have access (<see cref="KeepsAccess"/>), so they are in the banner too.
    /// Plus an activity outside the lifecycle per text, named by it, with it as result reason,
    /// initiated by a user whose only name is that text.
    /// </summary>
    public static ReportInput Input(DateTime nowUtc)
    {
        string tenant = DemoTenant.TenantId;
        DateTime start = nowUtc.AddDays(-10);
        var records = new List<string>();
        for (int i = 0; i < All.Count; i++)
        {
            string text = All[i];
            string id = $"hostile-{i:D2}";
            string details = Records.Details(("SupportRequestId", text));
            DateTime t = start.AddHours(i * 6);
            string correlation = $"5c000000-9999-4000-8000-{i:D12}";
            string approver = ReportInputs.User($"3b9e5d21-7c4f-4a8e-b1d6-{i:D12}", text, text);
            records.Add(ReportInputs.Record(id + "-1", t, "Request created", ReportInputs.App(text), details, correlation));
            records.Add(ReportInputs.Record(id + "-2", t.AddHours(1), "Request approved", approver, details, correlation));
            records.Add(ReportInputs.Record(id + "-3", t.AddHours(1).AddMinutes(1), "Access approved", ReportInputs.App(text), details, correlation));
            if (!KeepsAccess(i))
            {
                records.Add(ReportInputs.Record(id + "-4", t.AddHours(3), "Access removed", approver, details, correlation));
            }

            records.Add(ReportInputs.Record(id + "-5", t.AddHours(4), text, ReportInputs.User($"5e2d8f40-1a3b-4c6d-8e9f-{i:D12}", text, ""),
                Records.Details(("Detail", text)), correlation + "-other", result: "failure", resultReason: text));
        }

        return ReportInputs.Group(ReportInputs.Classify(records, tenant), new[] { tenant }, start, nowUtc, nowUtc);
    }

    /// <summary>
    /// The texts put into a page as they are, unencoded and with no policy: what the report would
    /// be if it were written by string concatenation. The report's tests' checks must see this.
    /// </summary>
    public static string UnencodedPage() =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unencoded</title></head><body><main><h1>Unencoded</h1><table>"
        + string.Concat(All.Select(t => "<tr><td title=\"" + t + "\">" + t + "</td></tr>"))
        + "</table><svg><text>" + string.Concat(All) + "</text></svg></main></body></html>";
}

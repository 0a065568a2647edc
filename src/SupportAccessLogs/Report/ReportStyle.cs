using System;
using System.Security.Cryptography;
using System.Text;

namespace SupportAccessLogs.Report;

/// <summary>
/// The report's one style sheet, and the Content-Security-Policy that lets exactly it in. The
/// policy allows no script at all, no request to anywhere (default-src 'none'), and styles only
/// by this sheet's hash: neither a style attribute nor a second &lt;style&gt; would apply.
/// System fonts only, so nothing is fetched; colours are variables, set again for dark mode.
/// </summary>
internal static class ReportStyle
{
    public const string Css = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--alert:#b42318;--alert-bg:#fef3f2;--ok:#1a7f37;--ok-bg:#eefbf1;
--s-pending:#9a6700;--s-approved:#cf222e;--s-rejected:#6e7781;--s-canceled:#a0a8b0;--s-revoked:#0969da;--s-completed:#1a7f37;--s-unknown:#8250df;
--c-user:#0969da;--c-automated:#8c959f;--c-cross:#bf3989;--c-other:#9a6700}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;--alert:#ff8182;--alert-bg:#2d1416;--ok:#56d364;--ok-bg:#102418;
--s-pending:#d29922;--s-approved:#ff7b72;--s-rejected:#8b949e;--s-canceled:#6e7681;--s-revoked:#58a6ff;--s-completed:#3fb950;--s-unknown:#bc8cff;
--c-user:#58a6ff;--c-automated:#8b949e;--c-cross:#ff7eb6;--c-other:#d29922}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1120px;padding:24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word}
h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.25em;margin:1.6em 0 .5em}h3{font-size:1.05em;margin:1.2em 0 .4em}
p,li,dd{max-width:80ch}
.muted,figcaption,.note{color:var(--muted)}
dl.read{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0 0 1em}dl.read dt{font-weight:600}dl.read dd{margin:0;overflow-wrap:anywhere}
.banner{border:2px solid var(--alert);background:var(--alert-bg);border-radius:8px;padding:12px 16px;margin:1em 0}
.banner.none{border-color:var(--ok);background:var(--ok-bg)}
.banner h2,.banner h3{margin:0 0 .4em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:.92em}
th,td{border-bottom:1px solid var(--line);padding:4px 5px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.nw,td.time span{white-space:nowrap}
th{background:var(--panel);font-weight:600;overflow-wrap:normal}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}
svg{display:block;width:100%;height:auto;max-width:100%}
svg text{fill:var(--fg);font-size:11px}
svg .axis{stroke:var(--line);stroke-width:1}
svg .lane{fill:var(--panel)}
svg .bar{stroke:none}
svg .open{stroke:var(--fg);stroke-width:1.2;stroke-dasharray:3 2}
svg .tick{stroke:var(--muted);stroke-width:1.5}
svg .mark{stroke:var(--bg);stroke-width:1}
svg .rejected-mark{stroke:var(--s-rejected);stroke-width:2.5}
.s-pending{fill:var(--s-pending)}.s-approved{fill:var(--s-approved)}.s-rejected{fill:var(--s-rejected)}.s-canceled{fill:var(--s-canceled)}
.s-revoked{fill:var(--s-revoked)}.s-completed{fill:var(--s-completed)}.s-unknown{fill:var(--s-unknown)}
.c-user{fill:var(--c-user)}.c-automated{fill:var(--c-automated)}.c-cross{fill:var(--c-cross)}.c-other{fill:var(--c-other)}
.m-created{fill:var(--fg)}.m-approved{fill:var(--s-approved)}.m-canceled{fill:var(--s-canceled)}
ul.legend{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:.3em 1.2em}
ul.legend li{display:flex;align-items:center;gap:.4em}
ul.legend svg{width:14px;height:14px;display:inline-block}
.flag{font-weight:600;color:var(--s-unknown)}
.state-Unknown{color:var(--s-unknown);font-weight:600}
.active{color:var(--alert);font-weight:600}
section.tenant{border-top:3px solid var(--line);margin-top:2em;padding-top:.5em}
@page{margin:12mm}
@media print{body{max-width:none;padding:0;font-size:9.5pt}table{font-size:8.5pt}tr,figure,.banner{break-inside:avoid}thead{display:table-header-group}section.tenant{break-before:page}a{color:inherit;text-decoration:none}}
""";

    /// <summary>The Content-Security-Policy of the report's &lt;meta&gt;: nothing but this style sheet.</summary>
    public static readonly string ContentSecurityPolicy =
        "default-src 'none'; style-src '" + Hash(Css) + "'; img-src data:; base-uri 'none'; form-action 'none'";

    private static string Hash(string css)
    {
#pragma warning disable CA1850 // netstandard2.0 has no static SHA256.HashData.
        using var sha256 = SHA256.Create();
        return "sha256-" + Convert.ToBase64String(sha256.ComputeHash(Encoding.UTF8.GetBytes(css)));
#pragma warning restore CA1850
    }
}

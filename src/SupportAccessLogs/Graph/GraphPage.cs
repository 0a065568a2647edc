using SupportAccessLogs.Records;
using System;
using System.Collections.Generic;

namespace SupportAccessLogs.Graph;

/// <summary>
/// One page of directoryAudits across all its tries. A failed try is read again from the page's
/// start, so the page remembers which records earlier tries handed over and a later try passes
/// over those in silence: the server did nothing wrong in sending them again.
/// </summary>
internal sealed class GraphPage
{
    // Only earlier tries' records are passed over, never the current try's: a record the server
    // sends twice on one page goes out twice, for the reader's repeated-record filter to judge.
    private readonly HashSet<string> _handedOverEarlier = new(StringComparer.Ordinal);
    private readonly List<string> _handedOverNow = new();

    public GraphPage(int number, Uri url)
    {
        Number = number;
        Url = url;
    }

    /// <summary>1 for the request without a nextLink, then one more for each nextLink followed.</summary>
    public int Number { get; }

    public Uri Url { get; private set; }

    /// <summary>Tries of <see cref="Url"/> so far, the current one included.</summary>
    public int Tries { get; private set; }

    /// <summary>Whether a try of this page has already been answered by signing in again: once per page.</summary>
    public bool RenewedToken { get; set; }

    /// <summary>The latest try; once the page is read, the one that read it whole.</summary>
    public GraphPageAttempt? Last { get; private set; }

    /// <summary>The page's @odata.nextLink, once a try has read it whole.</summary>
    public string? NextLink => Last?.NextLink;

    /// <summary>Records on the page as the try that read it whole found them, handed over now or before.</summary>
    public int Records => Last?.Records ?? 0;

    /// <summary>Starts the next try, from the page's start.</summary>
    public GraphPageAttempt NextAttempt()
    {
        Tries++;
        _handedOverEarlier.UnionWith(_handedOverNow);
        _handedOverNow.Clear();
        return Last = new GraphPageAttempt(this, Tries);
    }

    /// <summary>Asks for the page at another URL and counts its tries afresh (the category
    /// filter's fallback); records already handed over stay handed over.</summary>
    public void StartOver(Uri url)
    {
        Url = url;
        Tries = 0;
    }

    /// <summary>Whether the current try hands over a record, the page's <paramref name="position"/>-th
    /// (from 0): not when an earlier try did. A record without an id is known by its position.</summary>
    public bool HandsOver(ParsedAuditRecord parsed, int position)
    {
        string? id = string.IsNullOrEmpty(parsed.Record.Id) ? null : parsed.Record.Id;
        string key = id ?? $"#{position}";
        if (_handedOverEarlier.Contains(key))
        {
            return false;
        }

        _handedOverNow.Add(key);
        return true;
    }
}

using System;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using GraphEmulator.Data;
using GraphEmulator.OData;

namespace GraphEmulator.Paging;

/// <summary>Where a paged query stands: everything needed to serve its next page.</summary>
/// <param name="DataSet">The tenant's log the query reads (a skiptoken is refused for another tenant's token).</param>
/// <param name="Late">The tenant's late records as they were when the sequence's first page was
/// served: every page of the sequence reads this version, so records added or cleared meanwhile
/// never shift its positions (README.md, "Late records").</param>
/// <param name="Page">The number of the page this serves within its paging sequence: 1 for the
/// request without $skiptoken, 2 for the one following its nextLink, … (faults are scripted by it).</param>
/// <param name="PreviousStart">Where page <paramref name="Page"/> − 1 started (null for page 1), so the
/// <c>repeatRecords</c> fault can find that page's last records again.</param>
/// <param name="FaultKey">Set on the continuation behind an <c>emptyPages</c> fault's nextLink: the
/// fault planner's key of the page it leads back to, so that page keeps one key however many empty
/// pages it took (null: the skiptoken is the key).</param>
internal sealed record Continuation(
    AuditDataSet DataSet,
    LateRecordSet Late,
    ODataFilter Filter,
    string? RawFilter,
    bool NewestFirst,
    string? RawOrderBy,
    int Top,
    StreamCursor Cursor,
    int Page = 1,
    StreamCursor? PreviousStart = null,
    string? FaultKey = null);

/// <summary>
/// Server-side continuations keyed by random opaque skiptokens. Random rather than encoding the
/// offset, so a client can't get away with building its own $skiptoken: it has to follow
/// @odata.nextLink whole, as the real service requires (docs/architecture.md).
/// </summary>
internal sealed class ContinuationStore
{
    // A token stays valid after use, so a client retrying a page (429/503) gets the same page.
    // The oldest ones go once there are this many, which bounds a long-running process.
    private const int Capacity = 500_000;

    private readonly ConcurrentDictionary<string, Continuation> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _age = new();

    public string Add(Continuation continuation)
    {
        string token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        _byToken[token] = continuation;
        _age.Enqueue(token);
        while (_byToken.Count > Capacity && _age.TryDequeue(out string? oldest))
            _byToken.TryRemove(oldest, out _);
        return token;
    }

    public bool TryGet(string token, out Continuation continuation) =>
        _byToken.TryGetValue(token, out continuation!);
}

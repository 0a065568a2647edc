using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using SupportAccessLogs.Classification;

namespace SupportAccessLogs.Graph;

/// <summary>Where the query service reports what it is doing.</summary>
internal interface IQueryReporter
{
    void Verbose(string message);
    void Warning(string message);
    void PageRead(int pageNumber, long recordsRead, long activitiesWritten);
}

/// <summary>
/// Reads support-access activities from directoryAudits: filters on the server where Graph can,
/// pages through whole nextLinks, checks the category and the remaining filters on the client,
/// classifies each record and yields it as soon as its bytes arrive.
/// </summary>
internal sealed class ActivityQueryService
{
    private const int PageSize = 999;
    private const string AuditPath = "auditLogs/directoryAudits";

    private readonly SupportAccessConnection _connection;

    public ActivityQueryService(SupportAccessConnection connection)
    {
        _connection = connection;
    }

    /// <summary>The URL of the request in flight, for error records.</summary>
    public Uri? CurrentRequestUrl { get; private set; }

    /// <summary>Activities that passed every filter, including those skipped by -Skip.</summary>
    public long MatchedCount { get; private set; }

    /// <summary>True once the last page was read (the total count is then exact).</summary>
    public bool ReachedEnd { get; private set; }

    public async IAsyncEnumerable<SupportAccessActivity> QueryAsync(
        ActivityQuery query,
        IQueryReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!GraphClouds.OffersDirectoryAudits(_connection.Environment))
        {
            throw new ModuleException("DirectoryAuditsUnavailableInCloud", ErrorCategory.NotImplemented,
                "Microsoft Graph operated by 21Vianet (China) does not offer the v1.0 auditLogs/directoryAudits API, so support access activity can't be read there. Use the Entra admin center's audit logs, or export them to Log Analytics.");
        }

        if (query.First == 0)
        {
            yield break;
        }

        var classifier = new ActivityClassifier(_connection.TenantId);
        var clientFilter = new ClientSideFilter(query);
        var reportedUnknownNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool filterByCategory = true;
        Uri nextUrl = FirstPageUrl(query, filterByCategory);
        reporter.Verbose($"OData filter: {query.ToServerFilter(filterByCategory)}");

        int pageNumber = 0;
        long recordsRead = 0;
        long written = 0;
        ulong skipped = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pageNumber++;
            CurrentRequestUrl = nextUrl;
            reporter.Verbose($"GET {nextUrl.GetLeftPart(UriPartial.Path)} (page {pageNumber})");

            Stream stream;
            try
            {
                stream = await GraphGet.StreamAsync(_connection.RequestAdapter, nextUrl, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException ex) when (pageNumber == 1 && filterByCategory && ex.ResponseStatusCode == 400 && !MentionsTime(ex))
            {
                // `category eq` works in practice but is undocumented; when a service refuses it,
                // fall back to the documented loggedByService filter and check category here.
                filterByCategory = false;
                nextUrl = FirstPageUrl(query, filterByCategory);
                reporter.Verbose($"The service refused the category filter ({Describe(ex)}); falling back to: {query.ToServerFilter(filterByCategory)}");
                pageNumber = 0;
                continue;
            }

            var page = new AuditPageReader();
            await using (stream.ConfigureAwait(false))
            {
                await foreach (ParsedAuditRecord parsed in page.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
                {
                    recordsRead++;
                    if (!ActivityClassifier.IsSupportAccessRecord(parsed.Record))
                    {
                        continue;
                    }

                    SupportAccessActivity activity = classifier.Classify(parsed.Record, parsed.Raw);
                    if (activity.Activity == Activity.Other && reportedUnknownNames.Add(activity.ActivityDisplayName.Trim()))
                    {
                        reporter.Warning($"Unknown support access activity '{activity.ActivityDisplayName}' (first seen in record {activity.Id}); it is returned with Activity 'Other'.");
                    }

                    if (!clientFilter.Matches(activity))
                    {
                        continue;
                    }

                    MatchedCount++;
                    if (skipped < query.Skip)
                    {
                        skipped++;
                        continue;
                    }

                    written++;
                    yield return activity;
                    if (query.First is ulong first && (ulong)written >= first)
                    {
                        // Satisfied: no further page is requested.
                        yield break;
                    }
                }
            }

            reporter.PageRead(pageNumber, recordsRead, written);
            if (page.NextLink is null)
            {
                ReachedEnd = true;
                yield break;
            }

            nextUrl = GraphNextLink.Check(page.NextLink, _connection.GraphEndpoint);
        }
    }

    private Uri FirstPageUrl(ActivityQuery query, bool byCategory)
    {
        string filter = Uri.EscapeDataString(query.ToServerFilter(byCategory));
        return new Uri(_connection.GraphEndpoint, $"{AuditPath}?$filter={filter}&$top={PageSize}");
    }

    private static bool MentionsTime(ApiException ex) =>
        ex is ODataError odata && (odata.Error?.Message ?? "").IndexOf("activityDateTime", StringComparison.OrdinalIgnoreCase) >= 0;

    private static string Describe(ApiException ex) =>
        ex is ODataError odata ? $"{odata.Error?.Code}: {odata.Error?.Message}" : $"HTTP {ex.ResponseStatusCode}";
}

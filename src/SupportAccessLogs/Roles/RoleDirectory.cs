using SupportAccessLogs.Activities;
using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using SupportAccessLogs.Graph;
using SupportAccessLogs.Http;

namespace SupportAccessLogs.Roles;

/// <summary>The Graph reads behind the role check and Get-SupportAccessRole (docs/architecture.md, "Facts from Microsoft's documentation").</summary>
internal sealed class RoleDirectory
{
    /// <summary>Pages of one role read: a directory's roles take a few (Entra allows 5,000 custom roles).</summary>
    public const int DefaultMaxPages = 1_000;

    /// <summary>Items of one role read: ten times the most a directory can define.</summary>
    public const int DefaultMaxItems = 50_000;

    private readonly GraphTenant _tenant;
    private readonly TimeSpan _pageTimeout;
    private readonly int _maxPages;
    private readonly int _maxItems;

    public RoleDirectory(GraphTenant tenant, TimeSpan? pageTimeout = null, int maxPages = DefaultMaxPages, int maxItems = DefaultMaxItems)
    {
        _tenant = tenant;
        _pageTimeout = pageTimeout ?? ActivityQuery.DefaultPageTimeout;
        _maxPages = maxPages;
        _maxItems = maxItems;
    }

    /// <summary>Template ids of the built-in roles the signed-in user holds, directly or through groups.</summary>
    public Task<List<DirectoryRoleJson>> GetCallerDirectoryRolesAsync(CancellationToken cancellationToken) =>
        ReadAllAsync("me/transitiveMemberOf/microsoft.graph.directoryRole", RoleJsonContext.Default.PageDirectoryRoleJson, cancellationToken);

    public Task<List<RoleDefinitionJson>> GetRoleDefinitionsAsync(CancellationToken cancellationToken) =>
        ReadAllAsync("roleManagement/directory/roleDefinitions", RoleJsonContext.Default.PageRoleDefinitionJson, cancellationToken);

    /// <summary>Role definition ids assigned to a principal directly (custom roles included).</summary>
    public async Task<List<string>> GetAssignedRoleDefinitionIdsAsync(string principalId, CancellationToken cancellationToken)
    {
        string filter = new ODataFilter().Equal("principalId", principalId).ToString();
        List<RoleAssignmentJson> assignments = await ReadAllAsync(
            $"roleManagement/directory/roleAssignments?$filter={Uri.EscapeDataString(filter)}", RoleJsonContext.Default.PageRoleAssignmentJson, cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        foreach (RoleAssignmentJson assignment in assignments)
        {
            if (assignment.RoleDefinitionId is string id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Every item of a Graph collection, following its nextLinks, up to <see cref="_maxPages"/>
    /// pages and <see cref="_maxItems"/> items: each page is bounded as an audit page is, and so is the
    /// whole, so a server that pages on without end can't make the module hold without bound
    /// (docs/architecture.md, "Trust boundaries").</summary>
    private async Task<List<T>> ReadAllAsync<T>(
        string relativeUrl,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<GraphPage<T>> pageType,
        CancellationToken cancellationToken)
    {
        var items = new List<T>();
        int pages = 0;
        var links = new NextLinkTracker(_tenant.GraphEndpoint);
        Uri? next = new Uri(_tenant.GraphEndpoint, relativeUrl);
        while (next is not null)
        {
            GraphPage<T>? page;
            // The same bounds as an audit page: an answer in time, and no body past the page limit.
            using var pageTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            pageTimeout.CancelAfter(_pageTimeout);
            try
            {
                using Stream stream = new BoundedReadStream(
                    await GraphGet.StreamAsync(_tenant.RequestAdapter, next, pageTimeout.Token).ConfigureAwait(false),
                    ResponseLimits.Default.MaxPageBytes);
                page = await JsonSerializer.DeserializeAsync(stream, pageType, pageTimeout.Token).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new AuditResponseFormatException($"Microsoft Graph returned a body that is not the expected JSON ({ex.Message}).").At(next);
            }
            catch (OperationCanceledException) when (pageTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ModuleException("GraphTimeout", System.Management.Automation.ErrorCategory.OperationTimeout,
                    $"Microsoft Graph did not answer {next.GetLeftPart(UriPartial.Path)} within {_pageTimeout.TotalSeconds:0} s. Run the command again later.", next.GetLeftPart(UriPartial.Path));
            }

            pages++;
            if (page?.Value is List<T> value)
            {
                items.AddRange(value);
            }

            if (items.Count > _maxItems || (pages >= _maxPages && page?.NextLink is not null))
            {
                string path = new Uri(_tenant.GraphEndpoint, relativeUrl).GetLeftPart(UriPartial.Path);
                string what = items.Count > _maxItems ? $"more than {_maxItems:N0} items" : $"{pages:N0} pages and still a next one";
                throw new ModuleException("RoleReadTooLarge", System.Management.Automation.ErrorCategory.LimitsExceeded,
                    ServerText.Clean($"Microsoft Graph returned {what} ({items.Count:N0} items in {pages:N0} pages) for {path}, far beyond any directory's roles (Entra allows 5,000 custom roles); the module stops rather than hold them. The endpoint, or something in between, is not answering as Graph does: check -GraphEndpoint of Connect-SupportAccess and any proxy in between."),
                    path);
            }

            next = page?.NextLink is string link ? links.Follow(link, next) : null;
        }

        return items;
    }
}

internal sealed class GraphPage<T>
{
    public List<T>? Value { get; set; }

    [JsonPropertyName("@odata.nextLink")]
    public string? NextLink { get; set; }
}

internal sealed class DirectoryRoleJson
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public string? RoleTemplateId { get; set; }
}

internal sealed class RoleDefinitionJson
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public bool? IsBuiltIn { get; set; }
    public string? TemplateId { get; set; }
    public List<RolePermissionJson>? RolePermissions { get; set; }
}

internal sealed class RolePermissionJson
{
    public List<string>? AllowedResourceActions { get; set; }
}

internal sealed class RoleAssignmentJson
{
    public string? PrincipalId { get; set; }
    public string? RoleDefinitionId { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GraphPage<DirectoryRoleJson>), TypeInfoPropertyName = "PageDirectoryRoleJson")]
[JsonSerializable(typeof(GraphPage<RoleDefinitionJson>), TypeInfoPropertyName = "PageRoleDefinitionJson")]
[JsonSerializable(typeof(GraphPage<RoleAssignmentJson>), TypeInfoPropertyName = "PageRoleAssignmentJson")]
internal sealed partial class RoleJsonContext : JsonSerializerContext
{
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using SupportAccessLogs.Activities;
using System.Threading.Tasks;

namespace SupportAccessLogs.Connections;

/// <summary>
/// A query over one connection or several, as the query commands run it: each tenant's source
/// (a workspace, or Graph after the role check), its windows read one after another through its
/// own <see cref="ActivityReader"/>, the tenants merged by <see cref="TenantsRead{TTenant}"/>.
/// The tests read through this same wiring.
/// </summary>
internal sealed class ActivityRead
{
    private readonly IReadOnlyList<SupportAccessConnection> _connections;
    private readonly TenantsRead<SupportAccessConnection> _tenants;
    private readonly ConcurrentDictionary<SupportAccessConnection, ActivityReader> _readers = new();
    private readonly UnknownActivityNames _unknownNames = new();

    public ActivityRead(IReadOnlyList<SupportAccessConnection> connections, ActivityQuery query, int throttleLimit = 4)
    {
        _connections = connections;
        _tenants = new TenantsRead<SupportAccessConnection>(connections, query, throttleLimit, c => c.TenantId.ToString());
    }

    /// <summary>Read these Log Analytics workspaces instead of Graph.</summary>
    public IReadOnlyList<string>? Workspaces { get; init; }

    /// <summary>Skip Graph's role pre-flight check (-SkipRoleCheck).</summary>
    public bool SkipRoleCheck { get; init; }

    /// <summary>The windows a connection reads, newest first; by default the query's own
    /// (an evidence file reads the windows each tenant still lacks).</summary>
    public Func<SupportAccessConnection, ActivityQuery, IReadOnlyList<ActivityQuery>> WindowsOf { get; init; } = (_, query) => new[] { query };

    /// <summary>The connections whose read failed among several (each was reported).</summary>
    public IReadOnlyList<SupportAccessConnection> Failed => _tenants.Failed;

    /// <summary>Records matched so far, over every tenant.</summary>
    public long MatchedCount
    {
        get
        {
            long matched = 0;
            foreach (ActivityReader reader in _readers.Values)
            {
                matched += reader.MatchedCount;
            }

            return matched;
        }
    }

    /// <summary>True once every tenant's last window was read to its end.</summary>
    public bool ReachedEnd => _readers.Count == _connections.Count && AllReachedEnd();

    /// <param name="reporterFor">The reporter of one tenant's read (its Verbose, warnings and progress).</param>
    /// <param name="tenantFailed">Reports one tenant's failure among several.</param>
    /// <param name="failureId">A failure's short name for the closing warning.</param>
    public IAsyncEnumerable<SupportAccessActivity> ReadAsync(
        Func<SupportAccessConnection, IQueryReporter> reporterFor,
        Action<SupportAccessConnection, Exception> tenantFailed,
        Func<Exception, string> failureId,
        IMessageSink messages,
        CancellationToken cancellationToken) =>
        _tenants.ReadAsync((connection, query, stop) => ReadTenantAsync(connection, query, reporterFor(connection), stop), tenantFailed, failureId, messages, cancellationToken);

    /// <summary>
    /// -IncludeTotalCount's answer over every tenant read: the sum of each one's count (exact
    /// once each was read whole, else each one's estimate), at the least accuracy among them.
    /// </summary>
    public (ulong Count, double Accuracy) TotalCount()
    {
        ulong count = 0;
        double accuracy = 1.0;
        foreach (ActivityReader reader in _readers.Values)
        {
            (ulong tenantCount, double tenantAccuracy) = reader.TotalCount(_tenants.EachTenant);
            count += tenantCount;
            accuracy = Math.Min(accuracy, tenantAccuracy);
        }

        return (count, accuracy);
    }

    /// <summary>One tenant's activities, window after window.</summary>
    private async IAsyncEnumerable<SupportAccessActivity> ReadTenantAsync(SupportAccessConnection connection, ActivityQuery query, IQueryReporter reporter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IRecordSource source = await TenantSource.OpenAsync(connection, Workspaces, SkipRoleCheck, reporter, cancellationToken).ConfigureAwait(false);
        foreach (ActivityQuery window in WindowsOf(connection, query))
        {
            var reader = new ActivityReader(connection.TenantId, _unknownNames);
            _readers[connection] = reader;
            await foreach (SupportAccessActivity activity in reader.ReadAsync(source, window, reporter, cancellationToken).ConfigureAwait(false))
            {
                activity.ReadBy = connection.TenantId;
                yield return activity;
            }
        }
    }

    private bool AllReachedEnd()
    {
        foreach (ActivityReader reader in _readers.Values)
        {
            if (!reader.ReachedEnd)
            {
                return false;
            }
        }

        return true;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace SupportAccessLogs.Activities;

/// <summary>
/// The activities of one tenant or several as one stream (docs/architecture.md, "Many
/// tenants"): one tenant's as its read hands them over; several side by side
/// (<see cref="TenantFanOut{TTenant}"/>), each read with the per-tenant paging of
/// <see cref="ActivityQuery.ForOneOfSeveralTenants"/>, -Skip and -First applied to the merged
/// stream, a tenant that fails reported on its own while the others read on, and one closing
/// warning that counts the failures.
/// </summary>
internal sealed class TenantsRead<TTenant>
    where TTenant : class
{
    private readonly IReadOnlyList<TTenant> _tenants;
    private readonly ActivityQuery _query;
    private readonly int _throttleLimit;
    private readonly Func<TTenant, string> _name;

    /// <param name="name">How messages name a tenant (its id).</param>
    public TenantsRead(IReadOnlyList<TTenant> tenants, ActivityQuery query, int throttleLimit, Func<TTenant, string> name)
    {
        _tenants = tenants;
        _query = query;
        _throttleLimit = throttleLimit;
        _name = name;
    }

    /// <summary>The query each tenant reads: the query itself for one tenant.</summary>
    public ActivityQuery EachTenant => _tenants.Count == 1 ? _query : _query.ForOneOfSeveralTenants();

    /// <summary>The tenants whose read failed (each was reported); empty when all were read.</summary>
    public IReadOnlyList<TTenant> Failed { get; private set; } = Array.Empty<TTenant>();

    /// <param name="readTenant">One tenant's activities for the query given.</param>
    /// <param name="tenantFailed">Reports one tenant's failure as it happens (among several).</param>
    /// <param name="failureId">A failure's short name for the closing warning (its error id).</param>
    public async IAsyncEnumerable<SupportAccessActivity> ReadAsync(
        Func<TTenant, ActivityQuery, CancellationToken, IAsyncEnumerable<SupportAccessActivity>> readTenant,
        Action<TTenant, Exception> tenantFailed,
        Func<Exception, string> failureId,
        IMessageSink messages,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_tenants.Count == 1)
        {
            // One tenant's reader applies -Skip and -First itself, and its failure is the command's.
            await foreach (SupportAccessActivity activity in readTenant(_tenants[0], _query, cancellationToken).ConfigureAwait(false))
            {
                yield return activity;
            }

            yield break;
        }

        var fanOut = new TenantFanOut<TTenant>(_tenants, _throttleLimit);
        ActivityQuery eachTenant = EachTenant;
        messages.Verbose($"Reading {_tenants.Count} tenants, up to {_throttleLimit} at once: {string.Join(", ", _tenants.Select(_name))}.");
        ulong skipped = 0;
        ulong written = 0;
        bool stoppedEarly = false;
        await foreach (SupportAccessActivity activity in fanOut.ReadAsync(
            (tenant, stop) => readTenant(tenant, eachTenant, stop), tenantFailed, cancellationToken).ConfigureAwait(false))
        {
            if (skipped < _query.Skip)
            {
                skipped++;
                continue;
            }

            yield return activity;
            if (_query.First is ulong first && ++written >= first)
            {
                stoppedEarly = true;
                break;
            }
        }

        IReadOnlyList<(TTenant Tenant, Exception Failure)> failures = fanOut.Failures;
        Failed = failures.Select(f => f.Tenant).ToArray();
        if (failures.Count > 0)
        {
            messages.Warning($"{_tenants.Count - failures.Count} of {_tenants.Count} tenants were read; {failures.Count} failed: "
                + string.Join("; ", failures.Select(f => $"{_name(f.Tenant)} ({failureId(f.Failure)})")) + ".");
        }
        else if (!stoppedEarly)
        {
            messages.Verbose($"All {_tenants.Count} tenants were read.");
        }
    }
}

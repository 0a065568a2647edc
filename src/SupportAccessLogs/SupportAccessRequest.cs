using System;
using System.Management.Automation;

namespace SupportAccessLogs;

/// <summary>
/// One Microsoft Support access request as one tenant saw it: its activities grouped and its
/// lifecycle walked (docs/architecture.md, "Support request lifecycle"). Every property is a
/// scalar that survives Export-Csv. The two sides of a cross-tenant request are two objects,
/// one per tenant, since each tenant's log holds only its own side.
/// </summary>
public sealed class SupportAccessRequest
{
    internal SupportAccessRequest()
    {
    }

    /// <summary>The request's id; empty when the activities name none (see <see cref="GroupedBy"/>).</summary>
    public string SupportRequestId { get; internal set; } = "";
    /// <summary>The tenant whose log holds this side of the request.</summary>
    public string TenantId { get; internal set; } = "";
    /// <summary>This tenant's side of a cross-tenant request; empty for a request within one tenant.</summary>
    public TenantRole? TenantRole { get; internal set; }
    public RequestState State { get; internal set; }
    /// <summary>When the request was created; empty when that was not seen (see <see cref="IsTruncated"/>).</summary>
    public object? CreatedDateTime => Wrap(CreatedTime);
    /// <summary>When it was approved, rejected or canceled.</summary>
    public object? DecidedDateTime => Wrap(DecidedTime);
    /// <summary>Who approved, rejected or canceled it (UPN or app name); empty when no one is named.</summary>
    public string DecidedBy { get; internal set; } = "";
    /// <summary>When access to the tenant was granted (the approval created); when it was granted
    /// again after a removal, the latest grant (see <see cref="AccessGrantCount"/>).</summary>
    public object? AccessGrantedDateTime => Wrap(AccessGrantedTime);
    /// <summary>When that grant was removed; empty while it is not.</summary>
    public object? AccessRemovedDateTime => Wrap(AccessRemovedTime);
    public RemovalKind RemovalKind { get; internal set; }
    /// <summary>From that grant to its removal, or to now while access is active; never negative
    /// (a grant dated after now lasts 0); empty when access was never seen granted.</summary>
    public TimeSpan? AccessDuration { get; internal set; }
    /// <summary>True when access was granted and no removal has been seen since, unless the
    /// request ended Revoked or Completed: Microsoft Support may still reach the tenant. A request
    /// canceled after its grant, or with an unclear history (Unknown), counts until a removal is seen.</summary>
    public bool IsAccessActive { get; internal set; }
    /// <summary>True when the request's first step on this side was not seen (it began before the
    /// window, or its record is missing): the object is incomplete.</summary>
    public bool IsTruncated { get; internal set; }
    public int ActivityCount { get; internal set; }
    public object FirstActivityDateTime => IsoDateTime.Wrap(FirstActivityTime);
    public object LastActivityDateTime => IsoDateTime.Wrap(LastActivityTime);
    /// <summary>The ids of the request's activities, oldest first, separated by ';'.</summary>
    public string ActivityIds { get; internal set; } = "";
    /// <summary>Which evidence grouped the activities: the request id, or the fallback used.</summary>
    public RequestGrouping GroupedBy { get; internal set; }
    /// <summary>The key the activities were grouped by: the request id, the target resource id or
    /// the correlation id (as <see cref="GroupedBy"/> says), or for GroupedBy None the activity's id.</summary>
    public string GroupKey { get; internal set; } = "";
    /// <summary>How many times access was granted: 2 or more when it was granted again after a
    /// removal (the access properties describe the latest grant); 0 when no grant was seen.</summary>
    public int AccessGrantCount { get; internal set; }

    internal DateTime? CreatedTime { get; set; }
    internal DateTime? DecidedTime { get; set; }
    internal DateTime? AccessGrantedTime { get; set; }
    internal DateTime? AccessRemovedTime { get; set; }
    internal DateTime FirstActivityTime { get; set; }
    internal DateTime LastActivityTime { get; set; }

    public override string ToString() =>
        $"{(SupportRequestId.Length > 0 ? SupportRequestId : GroupedBy + " " + GroupKey)} {State}";

    private static PSObject? Wrap(DateTime? time) => time is DateTime value ? IsoDateTime.Wrap(value) : null;
}

using System;
using System.Threading;

namespace SupportAccessLogs.Connections;

/// <summary>An object several owners dispose: it goes when the last lets go (a certificate that
/// signs several tenants' token renewals).</summary>
internal sealed class SharedOwnership
{
    private readonly IDisposable _owned;
    private int _owners = 1;

    public SharedOwnership(IDisposable owned) => _owned = owned;

    /// <summary>A share, disposed by its holder.</summary>
    public IDisposable Share()
    {
        Interlocked.Increment(ref _owners);
        return new Handle(this);
    }

    /// <summary>Lets go of the creator's own share.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            _owned.Dispose();
        }
    }

    private sealed class Handle : IDisposable
    {
        private SharedOwnership? _shared;

        public Handle(SharedOwnership shared) => _shared = shared;

        public void Dispose() => Interlocked.Exchange(ref _shared, null)?.Release();
    }
}

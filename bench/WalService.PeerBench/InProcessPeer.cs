using Microsoft.Extensions.Hosting;

namespace WalService.PeerBench;

/// <summary>
/// A peer that runs in the bench's child process, as its users run it: its handler records arrivals in
/// <see cref="ArrivalLog.Current"/>, and there is no server process of its own.
/// </summary>
internal abstract class InProcessPeer : IPeerSystem
{
    public abstract string Producers { get; }

    public int Deliveries => ArrivalLog.Current.Deliveries;

    public abstract Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken);

    public void ForgetDeliveries() => ArrivalLog.Current.Reset();

    public void CollectArrivals(ArrivalLog log)
    {
        // The handler recorded them there already.
    }

    public TimeSpan? ServerCpu() => null;

    public long? ServerPeakBytes() => null;

    public abstract ValueTask DisposeAsync();
}

/// <summary>An in-process peer that runs in a .NET generic host (Wolverine, CAP), stopped when it is disposed.</summary>
internal abstract class HostedPeer(IHost host) : InProcessPeer
{
    /// <summary>The host's services.</summary>
    protected IServiceProvider Services => host.Services;

    public override async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

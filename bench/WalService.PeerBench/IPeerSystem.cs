namespace WalService.PeerBench;

/// <summary>
/// One system under test, started and ready: it takes durable delayed messages from the run's callers and hands each
/// to a handler that records its arrival in the run's <see cref="ArrivalLog"/>.
/// </summary>
internal interface IPeerSystem : IAsyncDisposable
{
    /// <summary>How the producers reach the system, for the report.</summary>
    string Producers { get; }

    /// <summary>Deliveries so far, duplicates included.</summary>
    int Deliveries { get; }

    /// <summary>
    /// Writes <paramref name="payload"/> (message <paramref name="sequence"/>) to be delivered at
    /// <paramref name="dueUnixMicroseconds"/>, for caller <paramref name="caller"/>. True when the system answered that
    /// it is durable, false when it answered that it is not; an exception when the write failed.
    /// </summary>
    Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken);

    /// <summary>Forgets the deliveries so far (those of the warm-up), here and in <see cref="ArrivalLog.Current"/>.</summary>
    void ForgetDeliveries();

    /// <summary>Moves arrivals recorded elsewhere (WalService's HTTP target) into <paramref name="log"/>.</summary>
    void CollectArrivals(ArrivalLog log);

    /// <summary>The CPU time so far of a server process the system runs in, apart from the bench; null when it has none.</summary>
    TimeSpan? ServerCpu();

    /// <summary>The peak resident memory of that server process, in bytes; null when it has none.</summary>
    long? ServerPeakBytes();
}

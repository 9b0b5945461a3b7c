namespace WalService.PeerBench;

/// <summary>
/// What one system did in a peer run. The child process that ran it fills in all but <see cref="PostgresCpuSeconds"/>,
/// which the run adds; it crosses from the child to the run as one JSON line.
/// </summary>
internal sealed record PeerResult
{
    public required string System { get; init; }

    public required string Producers { get; init; }

    public int Messages { get; init; }

    /// <summary>Messages whose write succeeded (the system answered that they are durable).</summary>
    public int Written { get; init; }

    /// <summary>Writes that failed (an exception, or an answer other than durable); not retried.</summary>
    public int WriteErrors { get; init; }

    public IReadOnlyList<string> ErrorSamples { get; init; } = [];

    /// <summary>Durable writes a second from the first write until half the messages were attempted (before the fault).</summary>
    public double EnqueuesPerSecondBeforeFault { get; init; }

    /// <summary>Durable writes a second over the whole write phase, the fault included.</summary>
    public double EnqueuesPerSecond { get; init; }

    public double WriteSeconds { get; init; }

    /// <summary>Written messages delivered, each counted once.</summary>
    public int Delivered { get; init; }

    /// <summary>Delivered messages a second, from the first write to the last first arrival.</summary>
    public double AppliedPerSecond { get; init; }

    /// <summary>Written messages not delivered by the deadline.</summary>
    public int Lost { get; init; }

    /// <summary>Messages whose write failed but which were delivered all the same.</summary>
    public int DeliveredDespiteError { get; init; }

    /// <summary>Deliveries beyond the first of a message.</summary>
    public int Duplicates { get; init; }

    /// <summary>The smallest lateness: negative when a message arrived early.</summary>
    public double LatenessMinMs { get; init; }

    public double LatenessP50Ms { get; init; }

    public double LatenessP99Ms { get; init; }

    public double LatenessMaxMs { get; init; }

    /// <summary>Messages that arrived before their due time.</summary>
    public int Early { get; init; }

    /// <summary>CPU of the bench's child process for this system (the peer itself, or WalService's gRPC callers and HTTP target).</summary>
    public double BenchCpuSeconds { get; init; }

    /// <summary>CPU of WalService's server process; null for the in-process peers.</summary>
    public double? ServerCpuSeconds { get; init; }

    public double PostgresCpuSeconds { get; init; }

    public long BenchPeakBytes { get; init; }

    public long? ServerPeakBytes { get; init; }

    /// <summary>CPU seconds of every process involved per 1,000 delivered messages.</summary>
    public double CpuPerThousand(double seconds) => Delivered == 0 ? 0 : seconds * 1000 / Delivered;

    public double TotalCpuSeconds => BenchCpuSeconds + (ServerCpuSeconds ?? 0) + PostgresCpuSeconds;
}

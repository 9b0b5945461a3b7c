namespace WalService.Bench;

/// <summary>The settings of the delivery-timing modes (<see cref="TimingBench"/>); see <c>bench/README.md</c>.</summary>
internal sealed partial record BenchSettings
{
    /// <summary>The throughput phases or comparison (the default), else one of the delivery-timing modes.</summary>
    public const string ThroughputMode = "throughput";

    public static IReadOnlyList<string> AllModes { get; } = [ThroughputMode, "lateness", "ordered", "first-delivery", "retry", TransactionMode, ReplicationMode];

    /// <summary>What the run measures: <see cref="ThroughputMode"/>, <c>lateness</c>, <c>ordered</c>, <c>first-delivery</c>, <c>retry</c>, <see cref="TransactionMode"/> or <see cref="ReplicationMode"/>.</summary>
    public string Mode { get; init; } = ThroughputMode;

    /// <summary>Messages written a second by the lateness and replication modes [1,000] and the retry mode [50].</summary>
    public double? Rate { get; init; }

    /// <summary>How long the lateness mode and the replication mode's lateness phase write [20 s]; <see cref="Duration"/> when given.</summary>
    public TimeSpan? TimingDuration { get; init; }

    /// <summary>Messages the ordered mode [1,000] or the retry mode [200] writes; the replication mode's lateness phase, when given [<see cref="Rate"/> × its duration].</summary>
    public int? Messages { get; init; }

    /// <summary>
    /// Entries per write of the ordered mode [100]: WriteToLogBatch calls of that many entries in order, one after
    /// another; 1 = one awaited WriteToLog after another (on a loaded 2-core machine some 30 ms each on the embedded
    /// log, so 1,000 of them alone would take longer than the issue's target for delivering them).
    /// </summary>
    public int WriteBatch { get; init; } = 100;

    /// <summary>Shortest delay of a lateness message [0.5 s].</summary>
    public TimeSpan DelayMin { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest delay of a lateness message [3 s]; delays are spread uniformly between the two.</summary>
    public TimeSpan DelayMax { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The longest a timing mode waits for deliveries [60 s]: in the ordered mode from its first write, in the
    /// lateness and retry modes after the last message fell due, in the first-delivery mode per message.
    /// </summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>New namespaces the first-delivery mode creates, one measurement each [3].</summary>
    public int Trials { get; init; } = 3;

    /// <summary>The retry mode's <c>retry.initial_backoff</c> [200 ms].</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether this run is one of the delivery-timing modes.</summary>
    public bool IsTiming => Mode != ThroughputMode && Mode != TransactionMode && Mode != ReplicationMode;

    public double EffectiveRate => Rate ?? (Mode == "retry" ? 50 : 1000);

    public int EffectiveMessages => Messages ?? (Mode == "retry" ? 200 : 1000);

    public TimeSpan EffectiveTimingDuration => TimingDuration ?? TimeSpan.FromSeconds(20);

    private IEnumerable<string> TimingProblems()
    {
        if (!AllModes.Contains(Mode))
        {
            yield return $"--mode: unknown mode '{Mode}' (use {string.Join(", ", AllModes)})";
        }

        if (Rate is { } rate && !(rate is > 0 and <= 100_000))
        {
            yield return "--rate must be above 0 and at most 100000 messages a second";
        }

        if (Messages is < 1 or > 1_000_000)
        {
            yield return "--messages must be between 1 and 1000000";
        }

        if (WriteBatch is < 1 or > 1000)
        {
            yield return "--write-batch must be between 1 and 1000";
        }

        if (DelayMin < TimeSpan.Zero || DelayMax < DelayMin)
        {
            yield return "--delay-min must not be negative, and --delay-max not below it";
        }

        if (Deadline <= TimeSpan.Zero)
        {
            yield return "--deadline must be positive";
        }

        if (Trials is < 1 or > 100)
        {
            yield return "--trials must be between 1 and 100";
        }

        if (Backoff <= TimeSpan.Zero)
        {
            yield return "--backoff must be positive";
        }
    }
}

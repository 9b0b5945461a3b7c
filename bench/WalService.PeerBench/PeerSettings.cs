using System.Globalization;

namespace WalService.PeerBench;

/// <summary>The options of a peer run, shared by the run and the child process of each system.</summary>
internal sealed record PeerSettings
{
    /// <summary>The systems in the order they run.</summary>
    public static readonly IReadOnlyList<string> AllSystems = [PeerSystems.WalService, PeerSystems.WalServicePostgres, PeerSystems.WalServiceBatched, PeerSystems.Hangfire, PeerSystems.Wolverine, PeerSystems.Cap];

    /// <summary>Path of <c>WalService.Server.dll</c>, for the two WalService systems.</summary>
    public string? ServerDll { get; init; }

    public IReadOnlyList<string> Systems { get; init; } = AllSystems;

    /// <summary>Durable delayed messages each system is given.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>Concurrent callers writing them.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>WalService's consumer concurrency, and the handler concurrency of every peer.</summary>
    public int HandlerConcurrency { get; init; } = 4;

    public int PayloadBytes { get; init; } = 100;

    /// <summary>Messages each system is given first, due at once and not measured, so that its code is compiled and its pools are filled.</summary>
    public int Warmup { get; init; } = 500;

    public TimeSpan DelayMin { get; init; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan DelayMax { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long PostgreSQL stays stopped, from the moment half the messages have been attempted; zero: no fault.</summary>
    public TimeSpan Fault { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a caller waits after a failed write before its next one.</summary>
    public TimeSpan ErrorPause { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long after the last due time a written message may still arrive; later it counts as lost.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    public bool Markdown { get; init; }

    /// <summary>What a problem with the options is, one line each; none when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var system in Systems.Where(s => !AllSystems.Contains(s)))
        {
            yield return $"--systems: unknown system '{system}' (known: {string.Join(", ", AllSystems)})";
        }

        if (Systems.Any(PeerSystems.IsWalService) && string.IsNullOrEmpty(ServerDll))
        {
            yield return "--start-server: the path of WalService.Server.dll is needed for the WalService systems";
        }

        if (Messages < 2 || Concurrency < 1 || HandlerConcurrency < 1 || Warmup < 0)
        {
            yield return "--messages must be at least 2, --concurrency and --consumer-concurrency at least 1, --warmup at least 0";
        }

        if (PayloadBytes < WalService.Bench.TimingPayload.Size)
        {
            yield return $"--payload-bytes must be at least {WalService.Bench.TimingPayload.Size}";
        }

        if (DelayMin < TimeSpan.Zero || DelayMax < DelayMin)
        {
            yield return "--delay-min must be at least 0 and --delay-max at least --delay-min";
        }
    }

    /// <summary>The options that give a child process these settings (the system and its database are added by the run).</summary>
    public IEnumerable<string> ChildArguments()
    {
        string S(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        if (ServerDll is not null)
        {
            yield return "--start-server";
            yield return Path.GetFullPath(ServerDll);
        }

        foreach (var (name, value) in new[]
        {
            ("--messages", S(Messages)), ("--concurrency", S(Concurrency)), ("--consumer-concurrency", S(HandlerConcurrency)),
            ("--payload-bytes", S(PayloadBytes)), ("--warmup", S(Warmup)), ("--delay-min", S(DelayMin.TotalSeconds)), ("--delay-max", S(DelayMax.TotalSeconds)),
            ("--fault", S(Fault.TotalSeconds)), ("--error-pause", S(ErrorPause.TotalMilliseconds)), ("--deadline", S(Deadline.TotalSeconds)),
        })
        {
            yield return name;
            yield return value;
        }
    }
}

namespace WalService.PeerBench;

/// <summary>The systems a peer run compares, by the names of <c>--systems</c> and <c>--peer</c>.</summary>
internal static class PeerSystems
{
    public const string WalService = "walservice";
    public const string WalServicePostgres = "walservice-pg";
    public const string WalServiceBatched = "walservice-batched";
    public const string Hangfire = "hangfire";
    public const string Wolverine = "wolverine";
    public const string Cap = "cap";

    public static bool IsWalService(string system) => system is WalService or WalServicePostgres or WalServiceBatched;

    /// <summary>Starts <paramref name="system"/> on the PostgreSQL database at <paramref name="connectionString"/>.</summary>
    public static async Task<IPeerSystem> StartAsync(string system, PeerSettings settings, string connectionString, CancellationToken cancellationToken) => system switch
    {
        WalService => await WalServicePeer.StartAsync(settings, null, batched: false, cancellationToken),
        WalServicePostgres => await WalServicePeer.StartAsync(settings, connectionString, batched: false, cancellationToken),
        WalServiceBatched => await WalServicePeer.StartAsync(settings, null, batched: true, cancellationToken),
        Hangfire => HangfirePeer.Start(settings, connectionString),
        Wolverine => await WolverinePeer.StartAsync(settings, connectionString, cancellationToken),
        Cap => await CapPeer.StartAsync(settings, connectionString, cancellationToken),
        _ => throw new ArgumentException($"unknown system '{system}'", nameof(system)),
    };

    /// <summary>What each system is, for the report.</summary>
    public static string Describe(string system) => system switch
    {
        WalService => "WalService, embedded log (SQLite control plane)",
        WalServicePostgres => "WalService, embedded log, PostgreSQL control plane",
        WalServiceBatched => "WalService, embedded log (SQLite control plane), writes through the .NET client's WalBatchWriter",
        Hangfire => "Hangfire 1.8.25, Hangfire.PostgreSql 1.21.1",
        Wolverine => "Wolverine 6.64.2, PostgreSQL durability",
        Cap => "CAP 10.0.2, PostgreSQL storage",
        _ => system,
    };
}

using WalService.LocalBackends;
using WalService.PeerBench;

namespace WalService.PeerBenchTests;

/// <summary>
/// A small peer run (200 messages a system, a 1 s PostgreSQL outage): proves that every system is wired (the run
/// fails unless each delivers all its warm-up messages before the outage), that its writes, errors and deliveries are
/// counted and add up, and that the figures of the report are filled in. Not their speed: the machine is shared.
/// </summary>
public sealed class PeerRunTests
{
    private const int Messages = 200;

    [Fact]
    public async Task EverySystemIsWiredAndCounted()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var settings = new PeerSettings
        {
            ServerDll = RepositoryRoot.File("src", "WalService.Server", "bin", configuration, "net10.0", "WalService.Server.dll"),
            Messages = Messages,
            Warmup = 20,
            Concurrency = 16,
            Fault = TimeSpan.FromSeconds(1),
            Deadline = TimeSpan.FromSeconds(20),
        };
        var output = new StringWriter();

        var results = await PeerRun.RunAsync(settings, output, TestContext.Current.CancellationToken);
        PeerTable.Write(results, settings, markdown: true, output);
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());

        Assert.Equal(PeerSettings.AllSystems, results.Select(r => r.System));
        Assert.Contains("PostgreSQL stopped (immediate) for 1 s", output.ToString(), StringComparison.Ordinal);
        foreach (var result in results)
        {
            // Every message was attempted once: written, or counted as an error.
            Assert.Equal(Messages, result.Written + result.WriteErrors);
            Assert.Equal(result.Written, result.Delivered + result.Lost);
            Assert.True(result.BenchCpuSeconds > 0, $"{result.System}: no CPU time of its process");
            Assert.True(result.BenchPeakBytes > 0, $"{result.System}: no peak memory of its process");
            Assert.True(result.LatenessP50Ms <= result.LatenessP99Ms && result.LatenessP99Ms <= result.LatenessMaxMs, $"{result.System}: percentiles out of order");
        }

        // The WalService systems write to their own log: the outage of PostgreSQL costs them no write and no message,
        // and none of them arrives before its due time.
        foreach (var result in results.Where(r => PeerSystems.IsWalService(r.System)))
        {
            Assert.Equal((0, Messages, 0, 0), (result.WriteErrors, result.Delivered, result.Lost, result.Early));
            Assert.NotNull(result.ServerCpuSeconds);
            Assert.NotNull(result.ServerPeakBytes);
        }

        // The peers keep every message in PostgreSQL: its CPU is counted for them. (WalService's control plane reads
        // it too little for a 1/100 s tick to be sure.)
        Assert.All(results.Where(r => !PeerSystems.IsWalService(r.System)), r => Assert.True(r.PostgresCpuSeconds > 0, $"{r.System}: no PostgreSQL CPU"));
    }
}

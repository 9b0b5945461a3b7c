using System.Diagnostics;
using System.Text.Json;
using WalService.Bench;

namespace WalService.PeerBench;

/// <summary>
/// The child process of one system (<c>--peer NAME</c>): starts it on its database, runs the write phase, waits for the
/// deliveries and prints its <see cref="PeerResult"/>. It tells the run where it is with lines of its own on standard
/// output (<see cref="StartLine"/>, <see cref="HalfwayLine"/>, <see cref="EndLine"/>, <see cref="ResultPrefix"/>), so
/// that the run measures PostgreSQL over the same window and stops it at the halfway point.
/// </summary>
internal static class PeerChild
{
    public const string StartLine = "peer: writing";
    public const string HalfwayLine = "peer: halfway";
    public const string EndLine = "peer: done";
    public const string ResultPrefix = "peer-result: ";
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    public static async Task<int> RunAsync(string system, string connectionString, PeerSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        // The callers of the synchronous peers (Hangfire) block a pool thread each while they wait for PostgreSQL.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, settings.Concurrency * 2), io);
        var log = new ArrivalLog(Math.Max(settings.Messages, settings.Warmup));
        ArrivalLog.Current = log;
        await using var peer = await PeerSystems.StartAsync(system, settings, connectionString, cancellationToken);
        if (settings.Warmup > 0)
        {
            var warmup = await Workload.RunAsync(peer, settings, settings.Warmup, TimeSpan.Zero, TimeSpan.Zero, () => { }, cancellationToken);
            await WaitForDeliveriesAsync(peer, warmup, settings.Deadline, cancellationToken);
            if (warmup.WrittenCount < settings.Warmup || peer.Deliveries < settings.Warmup)
            {
                // Before any fault, every message must make it: else the system is not wired as the run assumes.
                throw new InvalidOperationException($"{system}: of {settings.Warmup} warm-up messages {warmup.WrittenCount} were written and {peer.Deliveries} delivered; {string.Join("; ", warmup.ErrorSamples)}");
            }

            output.WriteLine($"peer: warm-up of {warmup.WrittenCount} messages delivered ({peer.Deliveries})");
            peer.ForgetDeliveries();
        }

        using var self = Process.GetCurrentProcess();
        var selfBefore = self.TotalProcessorTime;
        var serverBefore = peer.ServerCpu();
        output.WriteLine(StartLine);
        var writes = await Workload.RunAsync(peer, settings, settings.Messages, settings.DelayMin, settings.DelayMax, () => output.WriteLine(HalfwayLine), cancellationToken);
        output.WriteLine($"peer: {writes.WrittenCount} of {settings.Messages} written, {writes.Errors} errors, in {Seconds(writes.StartUnixMicroseconds, writes.EndUnixMicroseconds):0.0} s");

        await WaitForDeliveriesAsync(peer, writes, settings.Deadline, cancellationToken);

        self.Refresh();
        var selfCpu = self.TotalProcessorTime - selfBefore;
        var serverCpu = peer.ServerCpu() - serverBefore;
        output.WriteLine(EndLine);
        peer.CollectArrivals(log);
        var result = Summarize(system, peer, settings, writes, log) with
        {
            BenchCpuSeconds = selfCpu.TotalSeconds,
            ServerCpuSeconds = serverCpu?.TotalSeconds,
            BenchPeakBytes = (ServerProcess.ReadStatusKb(Environment.ProcessId, "VmHWM:") ?? 0) * 1024,
            ServerPeakBytes = peer.ServerPeakBytes(),
        };
        output.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Waits until the system delivered as many messages as were written, at most <paramref name="deadline"/> after the last due time.</summary>
    private static async Task WaitForDeliveriesAsync(IPeerSystem peer, WriteOutcome writes, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var until = writes.LastDue + (long)(deadline.TotalMilliseconds * 1000);
        while (peer.Deliveries < writes.WrittenCount && TimingPayload.NowMicroseconds() < until)
        {
            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    private static PeerResult Summarize(string system, IPeerSystem peer, PeerSettings settings, WriteOutcome writes, ArrivalLog log)
    {
        var lateness = new List<double>();
        int delivered = 0, lost = 0, despiteError = 0, early = 0;
        long lastArrival = writes.StartUnixMicroseconds;
        for (var i = 0; i < settings.Messages; i++)
        {
            var arrival = log.FirstArrival(i);
            if (!writes.Written[i])
            {
                despiteError += arrival is null ? 0 : 1;
                continue;
            }

            if (arrival is not { } at)
            {
                lost++;
                continue;
            }

            delivered++;
            lastArrival = Math.Max(lastArrival, at);
            var late = (at - writes.DueUnixMicroseconds[i]) / 1000.0;
            early += late < 0 ? 1 : 0;
            lateness.Add(late);
        }

        lateness.Sort();
        var halfway = Seconds(writes.StartUnixMicroseconds, writes.HalfwayUnixMicroseconds);
        var writing = Seconds(writes.StartUnixMicroseconds, writes.EndUnixMicroseconds);
        return new PeerResult
        {
            System = system,
            Producers = peer.Producers,
            Messages = settings.Messages,
            Written = writes.WrittenCount,
            WriteErrors = writes.Errors,
            ErrorSamples = writes.ErrorSamples,
            EnqueuesPerSecondBeforeFault = halfway > 0 ? writes.WrittenBeforeHalfway / halfway : 0,
            EnqueuesPerSecond = writing > 0 ? writes.WrittenCount / writing : 0,
            WriteSeconds = writing,
            Delivered = delivered,
            AppliedPerSecond = lastArrival > writes.StartUnixMicroseconds ? delivered / Seconds(writes.StartUnixMicroseconds, lastArrival) : 0,
            Lost = lost,
            DeliveredDespiteError = despiteError,
            Duplicates = log.Deliveries - delivered - despiteError,
            LatenessMinMs = lateness.Count > 0 ? lateness[0] : 0,
            LatenessP50Ms = lateness.Count > 0 ? TimingReport.Percentile(lateness, 50) : 0,
            LatenessP99Ms = lateness.Count > 0 ? TimingReport.Percentile(lateness, 99) : 0,
            LatenessMaxMs = lateness.Count > 0 ? lateness[^1] : 0,
            Early = early,
        };
    }

    private static double Seconds(long fromUnixMicroseconds, long toUnixMicroseconds) => (toUnixMicroseconds - fromUnixMicroseconds) / 1e6;
}

using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using StackExchange.Redis;
using WalService.Api.V1;
using static WalService.Bench.TimingReport;

namespace WalService.Bench;

/// <summary>
/// The lateness phase of the replication mode: <c>--rate</c> messages a second for <c>--duration</c> seconds (or
/// <c>--messages</c> messages, when given) to the replicated namespace (<see cref="PacedWriter"/>), each setting a key of its own. Every region's Redis sends a
/// keyspace notification for each key set (<c>notify-keyspace-events E$</c>: the key event <c>set</c>, string
/// commands only), to which the bench subscribes on a connection per Redis; a key's notification is stamped with the
/// wall clock when it arrives. Lateness is that stamp minus the time its write was sent, per region and to the last
/// region.
/// </summary>
internal static class ReplicationLateness
{
    /// <summary>The issue's goal: p99 from the write to the last region's Redis, at 1,000 messages a second, in milliseconds.</summary>
    public const double P99TargetMs = 100;

    private const string SetEvents = "__keyevent@0__:set";

    /// <param name="backlogDrained">Whether the throughput phases before left no backlog (else these messages queue behind it).</param>
    public static async Task<TimingReport> RunAsync(BenchSettings s, ReplicationCluster cluster, bool backlogDrained, TextWriter output, CancellationToken cancellationToken)
    {
        var count = s.Messages ?? (int)Math.Round(s.EffectiveRate * s.EffectiveTimingDuration.TotalSeconds);
        var prefix = $"lateness:{DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture)}:";
        var received = cluster.Regions.Select(_ => new long[count]).ToArray();
        var subscriptions = new List<ConnectionMultiplexer>();
        try
        {
            for (var r = 0; r < cluster.Regions.Count; r++)
            {
                subscriptions.Add(await SubscribeAsync(cluster.Regions[r].Redis, prefix, received[r]));
            }

            using var channels = new ChannelSet(cluster.Home.Server.GrpcAddress, s.Connections);
            var cpu = cluster.Regions.Select(r => new Probe(r.Server.Process, null)).ToList();
            var cpuBefore = await Task.WhenAll(cpu.Select(p => p.TakeAsync(cancellationToken)));
            output.WriteLine($"lateness: {count} messages at {s.EffectiveRate:0} a second into {ReplicationCluster.Replicated}, keys {prefix}<n>");
            var value = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(s.PayloadBytes));
            var writes = await PacedWriter.RunAsync(
                i => new WriteAheadLog.WriteAheadLogClient(channels.For(i)), count, s.EffectiveRate, i => (Message(prefix, i, value), TimingPayload.NowMicroseconds()), cancellationToken);
            var durable = writes.DurableCount;
            output.WriteLine($"  {durable} of {count} written durably in {writes.Elapsed.TotalSeconds:0.0} s; waiting up to {s.Deadline.TotalSeconds:0} s for every region's Redis");
            bool AllArrived() => Enumerable.Range(0, count).All(i => !writes.Durable[i] || received.All(r => Volatile.Read(ref r[i]) != 0));
            await TimingContext.WaitUntilAsync(AllArrived, TimingPayload.NowMicroseconds() + (long)(s.Deadline.TotalMilliseconds * 1000), cancellationToken);
            var cpuAfter = await Task.WhenAll(cpu.Select(p => p.TakeAsync(cancellationToken)));

            var rows = new List<TimingRow>
            {
                new("backlog of the throughput phases applied before", backlogDrained ? "yes" : "NO: these messages queued behind it"),
                new("messages written durably", $"{durable} of {count} at {writes.Rate:0} a second (asked {s.EffectiveRate:0})"),
            };
            var sent = writes.DueUnixMicroseconds;
            var everywhere = Enumerable.Range(0, count).Where(i => writes.Durable[i] && received.All(r => r[i] != 0)).ToList();
            rows.Add(new TimingRow("in every region's Redis", $"{everywhere.Count}", $"{durable}", everywhere.Count == durable));
            rows.AddRange(Spread("write to the last region's Redis", everywhere.Select(i => (received.Max(r => r[i]) - sent[i]) / 1000.0), P99TargetMs));
            for (var r = 0; r < cluster.Regions.Count; r++)
            {
                var region = cluster.Regions[r];
                var arrived = Enumerable.Range(0, count).Where(i => writes.Durable[i] && received[r][i] != 0).ToList();
                rows.Add(new TimingRow($"region {region.Name}: in its Redis", $"{arrived.Count} of {durable}"));
                rows.AddRange(Spread($"region {region.Name}: write to its Redis", arrived.Select(i => (received[r][i] - sent[i]) / 1000.0)));
                var serverCpu = ProbeSnapshot.CpuPercent(cpuBefore[r].ServerCpu, cpuAfter[r].ServerCpu, cpuBefore[r], cpuAfter[r]);
                rows.Add(new TimingRow($"region {region.Name}: server CPU while writing and waiting", PhaseTable.Pct(serverCpu)));
            }

            rows.Add(new TimingRow("bench CPU while writing and waiting", PhaseTable.Pct(ProbeSnapshot.CpuPercent(cpuBefore[0].ClientCpu, cpuAfter[0].ClientCpu, cpuBefore[0], cpuAfter[0]))));
            rows.Add(new TimingRow("machine CPU while writing and waiting", PhaseTable.Pct(ProbeSnapshot.CpuPercent(cpuBefore[0].MachineCpu, cpuAfter[0].MachineCpu, cpuBefore[0], cpuAfter[0]))));
            return new TimingReport
            {
                Title = "replication lateness, embedded",
                Description = $"{count} cache mutation batches of one {s.PayloadBytes}-byte value at {s.EffectiveRate:0}/s to '{ReplicationCluster.Replicated}' " +
                    "(regions a: redis, b and c: wal to servers of their own, each applying to its own Redis), one WriteToLogBatch call every 10 ms; " +
                    $"receipt = the Redis keyspace notification of the key reaching the bench; consumer concurrency {s.ConsumerConcurrency}, batch {s.ConsumerBatchSize}",
                Rows = rows,
            };
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync();
            }
        }
    }

    private static WriteToLogRequest Message(string prefix, int n, ByteString value)
    {
        var batch = new CacheMutationBatch { Mutations = { new CacheMutation { Key = prefix + n.ToString(CultureInfo.InvariantCulture), SetValue = value } } };
        return new WriteToLogRequest { Namespace = ReplicationCluster.Replicated, Payload = batch.ToByteString() };
    }

    /// <summary>Turns on the key event notifications of <paramref name="redis"/> and stamps each key of the run in <paramref name="received"/> when its first one arrives.</summary>
    private static async Task<ConnectionMultiplexer> SubscribeAsync(LocalBackends.RedisServer redis, string prefix, long[] received)
    {
        var reply = await redis.CommandAsync("CONFIG SET notify-keyspace-events E$");
        if (reply != "+OK")
        {
            throw new InvalidOperationException($"Redis on port {redis.Port} refused CONFIG SET notify-keyspace-events: {reply}");
        }

        var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(SetEvents), (_, key) =>
        {
            var at = TimingPayload.NowMicroseconds();
            var text = (string?)key;
            if (text is not null && text.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < received.Length)
            {
                Interlocked.CompareExchange(ref received[n], at, 0);
            }
        });
        return connection;
    }
}

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.ProcessTests;

/// <summary>
/// Numbered writes to a cache namespace at a steady 100 a second (10 in one batch every 100 ms). Write s sets key
/// <c>k&lt;s mod 50&gt;</c> to <c>v&lt;s&gt;</c> with the original write time start + s ms, so the last writer of a key by
/// write time is its highest number; every 20th also sets the probe key s / 20 for a <see cref="ProbeWatch"/>. A
/// replay sends an older write again as it was (a new message with the old write time), after a later write of its key.
/// </summary>
internal sealed class CacheLoad(WalClient client, string ns, ProbeWatch probes)
{
    public const int Keys = 50;
    public const int ProbeEvery = 20;
    private const int PerTick = 10;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    /// <summary>The message id of each numbered write.</summary>
    public Dictionary<int, string> Ids { get; } = [];

    /// <summary>The message ids of the replays.</summary>
    public List<string> Replays { get; } = [];

    /// <summary>How many numbered writes were sent.</summary>
    public int Count { get; private set; }

    public static string Key(int write) => $"k{write % Keys}";

    public static string Value(int write) => $"v{write}";

    /// <summary>The probes that writes <paramref name="from"/> to <paramref name="to"/> (excluded) set.</summary>
    public static List<int> ProbesOf(int from, int to) =>
        [.. Enumerable.Range(from, to - from).Where(w => w % ProbeEvery == 0).Select(w => w / ProbeEvery)];

    /// <summary>
    /// Sends the next <paramref name="count"/> numbered writes, paced; with each write that <paramref name="replayOf"/>
    /// maps to an older one, that older write again. Every write must be answered durable.
    /// </summary>
    public async Task WriteAsync(int count, Func<int, int?> replayOf, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick);
        var end = Count + count;
        while (Count < end)
        {
            await timer.WaitForNextTickAsync(cancellationToken);
            var writes = Enumerable.Range(Count, Math.Min(PerTick, end - Count)).ToList();
            var replayed = writes.Select(replayOf).OfType<int>().ToList();
            var batch = new WriteToLogBatchRequest();
            batch.Entries.Add(writes.Concat(replayed).Select(Request));
            foreach (var write in writes.Where(w => w % ProbeEvery == 0))
            {
                probes.Writing(write / ProbeEvery);
            }

            var results = (await client.Log.WriteToLogBatchAsync(batch, cancellationToken: cancellationToken)).Results;
            Assert.All(results, r => Assert.Equal(Trilean.True, r.Durable));
            for (var i = 0; i < writes.Count; i++)
            {
                Ids[writes[i]] = results[i].MessageId;
            }

            Replays.AddRange(results.Skip(writes.Count).Select(r => r.MessageId));
            Count = writes[^1] + 1;
        }
    }

    /// <summary>The value each key (k0 to k49, then every probe key) must end with: its last write's.</summary>
    public (List<string> Keys, List<string> Values) Expected()
    {
        var last = Enumerable.Range(0, Keys).Select(k => Enumerable.Range(0, Count).Last(w => w % Keys == k)).ToList();
        var probed = Enumerable.Range(0, Count).Where(w => w % ProbeEvery == 0).ToList();
        return (
            [.. last.Select(Key), .. probed.Select(w => ProbeWatch.Key(w / ProbeEvery))],
            [.. last.Select(Value), .. probed.Select(Value)]);
    }

    private WriteToLogRequest Request(int write)
    {
        var batch = new CacheMutationBatch { Mutations = { Set(Key(write), Value(write)) } };
        if (write % ProbeEvery == 0)
        {
            batch.Mutations.Add(Set(ProbeWatch.Key(write / ProbeEvery), Value(write)));
        }

        return new WriteToLogRequest
        {
            Namespace = ns,
            Payload = batch.ToByteString(),
            Lifecycle = new Lifecycle { OriginalWriteTime = Timestamp.FromDateTimeOffset(_start.AddMilliseconds(write)) },
        };
    }

    private static CacheMutation Set(string key, string value) => new() { Key = key, SetValue = ByteString.CopyFromUtf8(value) };
}

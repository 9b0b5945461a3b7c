using WalService.Api.V1;
using static WalService.Bench.TimingReport;

namespace WalService.Bench;

/// <summary>
/// The ordered mode: <c>--messages</c> messages with one ordering key, written in order in WriteToLogBatch calls of
/// <c>--write-batch</c> entries one after another (or, with 1, one awaited WriteToLog after another), to the bench's target; on SQS the namespace
/// is on FIFO queues. It waits until all arrived or <c>--deadline</c> after the first write.
/// </summary>
internal static class OrderedBench
{
    /// <summary>Seconds the issue allows from the first write to the last delivery on the embedded log and Kafka.</summary>
    public const double TargetSeconds = 5;

    /// <summary>Seconds the issue allows on an SQS FIFO queue.</summary>
    public const double SqsTargetSeconds = 20;

    private const string Key = "bench-key";

    public static async Task<TimingReport> RunAsync(TimingContext context, TextWriter output, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var count = s.EffectiveMessages;
        var ns = context.NewName("ordered", 1);
        await context.CreateNamespaceAsync(ns, cancellationToken, fifo: s.IsSqs);
        output.WriteLine($"ordered: {count} messages with one ordering key into {ns}, {(s.WriteBatch == 1 ? "one awaited WriteToLog after another" : $"WriteToLogBatch calls of {s.WriteBatch} one after another")}");

        var start = TimingPayload.NowMicroseconds();
        var deadline = start + (long)(s.Deadline.TotalMilliseconds * 1000);
        var durable = new List<long>(count);
        var failed = 0;
        for (var first = 0; first < count && TimingPayload.NowMicroseconds() < deadline; first += s.WriteBatch)
        {
            var size = Math.Min(s.WriteBatch, count - first);
            var results = size == 1
                ? [await context.Log.WriteToLogAsync(TimingContext.Message(ns, first, orderingKey: Key), cancellationToken: cancellationToken)]
                : (await context.Log.WriteToLogBatchAsync(Batch(ns, first, size), cancellationToken: cancellationToken)).Results.ToArray();
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Durable == Trilean.True)
                {
                    durable.Add(first + i);
                }
                else
                {
                    failed++;
                }
            }
        }

        var written = TimingPayload.NowMicroseconds();
        output.WriteLine($"  {durable.Count} written durably in {(written - start) / 1e6:0.00} s; waiting until {s.Deadline.TotalSeconds:0} s after the first write");
        await TimingContext.WaitUntilAsync(() => context.Target.Applied(ns) >= durable.Count, deadline, cancellationToken);

        var receipts = context.Target.For(ns).Where(r => r.Status == 200).ToList();
        var seen = new HashSet<long>();
        var outOfOrder = 0;
        var highest = -1L;
        foreach (var r in receipts)
        {
            if (!seen.Add(r.Sequence))
            {
                continue;
            }

            if (r.Sequence < highest)
            {
                outOfOrder++;
            }

            highest = Math.Max(highest, r.Sequence);
        }

        var all = durable.All(seen.Contains);
        var last = receipts.Count > 0 ? receipts.Max(r => r.ReceivedUnixMicroseconds) : start;
        var elapsed = (last - start) / 1e6;
        var target = s.IsSqs ? SqsTargetSeconds : TargetSeconds;
        var rows = new List<TimingRow>
        {
            new("messages written durably", $"{durable.Count} of {count}{(failed > 0 ? $" ({failed} not durable)" : string.Empty)}"),
            new("writing took", S((written - start) / 1e6)),
            new("delivered", $"{seen.Count} of {durable.Count}"),
            all
                ? new("first write → last delivery", S(elapsed), "≤ " + S(target), elapsed <= target && outOfOrder == 0)
                : new("first write → last delivery", $"not all delivered {s.Deadline.TotalSeconds:0} s after the first write", "≤ " + S(target), false),
            new("last write → last delivery", all ? S((last - written) / 1e6) : "-"),
            new("delivered a second", receipts.Count > 0 && last > start ? $"{seen.Count / ((last - start) / 1e6):0.0}" : "-"),
            new("delivered out of write order", $"{outOfOrder}", "0", outOfOrder == 0),
            new("delivered more than once", $"{receipts.Count - seen.Count}"),
        };
        return new TimingReport
        {
            Title = $"ordered, {context.Backend}",
            Description = $"{count} messages with one ordering_key, {(s.WriteBatch == 1 ? "sequential awaited WriteToLog calls" : $"sequential WriteToLogBatch calls of {s.WriteBatch}")}, " +
                $"{(s.IsSqs ? "FIFO queues, " : string.Empty)}http target on loopback in the bench; consumer concurrency {s.ConsumerConcurrency}, batch {s.ConsumerBatchSize}; deadline {s.Deadline.TotalSeconds:0} s",
            Rows = rows,
        };
    }

    private static WriteToLogBatchRequest Batch(string ns, int first, int size)
    {
        var request = new WriteToLogBatchRequest();
        for (var i = first; i < first + size; i++)
        {
            request.Entries.Add(TimingContext.Message(ns, i, orderingKey: Key));
        }

        return request;
    }
}

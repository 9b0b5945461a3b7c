using static WalService.Bench.TimingReport;

namespace WalService.Bench;

/// <summary>
/// The lateness mode: <c>--rate</c> delayed messages a second for <c>--duration</c> seconds, each due at a time
/// spread uniformly over <c>--delay-min</c>..<c>--delay-max</c> from its write (sent as <c>deliver_at</c>, and in
/// the payload), to the bench's target; lateness is the target's receipt minus the due time.
/// </summary>
internal static class LatenessBench
{
    /// <summary>p99 lateness the issue allows on the embedded log and Kafka, in milliseconds.</summary>
    public const double P99TargetMs = 50;

    /// <summary>p99 lateness the issue allows on SQS, in milliseconds.</summary>
    public const double SqsP99TargetMs = 1000;

    public static async Task<TimingReport> RunAsync(TimingContext context, TextWriter output, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var count = (int)Math.Round(s.EffectiveRate * s.EffectiveTimingDuration.TotalSeconds);
        var ns = context.NewName("lateness", 1);
        await context.CreateNamespaceAsync(ns, cancellationToken);
        output.WriteLine($"lateness: {count} messages at {s.EffectiveRate:0} a second into {ns}, delays {s.DelayMin.TotalSeconds:0.###}-{s.DelayMax.TotalSeconds:0.###} s");

        var random = new Random(13);
        var spread = (s.DelayMax - s.DelayMin).TotalMilliseconds;
        var writes = await PacedWriter.RunAsync(
            context, ns, count, s.EffectiveRate, _ => TimingPayload.DueIn(s.DelayMin + TimeSpan.FromMilliseconds(random.NextDouble() * spread)), cancellationToken);
        var durable = writes.DurableCount;
        output.WriteLine($"  {durable} of {count} written durably in {writes.Elapsed.TotalSeconds:0.0} s; waiting up to {s.Deadline.TotalSeconds:0} s after the last due time");
        var deadline = writes.LastDue + (long)(s.Deadline.TotalMilliseconds * 1000);
        await TimingContext.WaitUntilAsync(() => context.Target.Applied(ns) >= durable, deadline, cancellationToken);

        var receipts = context.Target.For(ns);
        var firsts = receipts.Where(r => r.Sequence >= 0).GroupBy(r => r.Sequence).ToDictionary(g => g.Key, g => g.MinBy(r => r.ReceivedUnixMicroseconds)!);
        var lateness = firsts.Values.Select(r => (r.ReceivedUnixMicroseconds - r.DueUnixMicroseconds) / 1000.0).ToList();
        var early = lateness.Count(l => l < 0);
        var missing = Enumerable.Range(0, count).Count(i => writes.Durable[i] && !firsts.ContainsKey(i));
        var target = context.Settings.IsSqs ? SqsP99TargetMs : P99TargetMs;

        var rows = new List<TimingRow>
        {
            new("messages written durably", $"{durable} of {count} at {writes.Rate:0} a second (asked {s.EffectiveRate:0})"),
            new("delivered", $"{firsts.Count}"),
        };
        rows.AddRange(Spread("lateness", lateness, target));
        rows.Add(new TimingRow("early (receipt before due time)", $"{early}", "0", early == 0));
        rows.Add(new TimingRow($"missing {s.Deadline.TotalSeconds:0} s after the last due time", $"{missing}", "0", missing == 0));
        rows.Add(new TimingRow("delivered more than once", $"{receipts.Count - firsts.Count}"));
        return new TimingReport
        {
            Title = $"lateness, {context.Backend}",
            Description = $"{count} messages at {s.EffectiveRate:0}/s for {s.EffectiveTimingDuration.TotalSeconds:0} s, deliver_at uniformly {s.DelayMin.TotalSeconds:0.###}-{s.DelayMax.TotalSeconds:0.###} s after the write, " +
                $"one WriteToLogBatch call every 10 ms; http target on loopback in the bench; consumer concurrency {s.ConsumerConcurrency}, batch {s.ConsumerBatchSize}",
            Rows = rows,
        };
    }
}

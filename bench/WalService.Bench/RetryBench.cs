using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using static WalService.Bench.TimingReport;

namespace WalService.Bench;

/// <summary>
/// The retry mode: <c>--messages</c> messages at <c>--rate</c> a second to a target that answers 503 to each
/// message's first attempt and 200 to the next, with a fixed backoff of <c>--backoff</c> (no growth, a jitter of a
/// millionth, since 0 means the default 0.2); per message, the second attempt's receipt minus the first's minus the
/// backoff: how late the retry came.
/// </summary>
internal static class RetryBench
{
    /// <summary>Milliseconds past its backoff within which the issue wants every retry, on every backend.</summary>
    public const double MaxTargetMs = 50;

    public static async Task<TimingReport> RunAsync(TimingContext context, TextWriter output, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var count = s.EffectiveMessages;
        var ns = context.NewName("retry", 1);
        var backoff = Duration.FromTimeSpan(s.Backoff);
        var retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = backoff, MaxBackoff = backoff, BackoffMultiplier = 1, Jitter = 1e-6 };
        await context.CreateNamespaceAsync(ns, cancellationToken, failOnce: true, retry: retry);
        output.WriteLine($"retry: {count} messages at {s.EffectiveRate:0} a second into {ns}, first attempts answered 503, backoff {s.Backoff.TotalMilliseconds:0} ms");

        var writes = await PacedWriter.RunAsync(context, ns, count, s.EffectiveRate, _ => null, cancellationToken);
        var durable = writes.DurableCount;
        var deadline = TimingPayload.NowMicroseconds() + (long)((s.Deadline + s.Backoff).TotalMilliseconds * 1000);
        output.WriteLine($"  {durable} of {count} written durably; waiting up to {(s.Deadline + s.Backoff).TotalSeconds:0.#} s for their second attempts");
        await TimingContext.WaitUntilAsync(() => context.Target.Applied(ns) >= durable, deadline, cancellationToken);

        var late = new List<double>();
        var missing = 0;
        foreach (var attempts in context.Target.For(ns).Where(r => r.Sequence >= 0).GroupBy(r => r.Sequence))
        {
            var failed = attempts.Where(r => r.Status != 200).Select(r => r.ReceivedUnixMicroseconds).DefaultIfEmpty(long.MaxValue).Min();
            var next = attempts.Where(r => r.ReceivedUnixMicroseconds > failed).Select(r => r.ReceivedUnixMicroseconds).DefaultIfEmpty(long.MaxValue).Min();
            if (failed == long.MaxValue || next == long.MaxValue)
            {
                missing++;
                continue;
            }

            late.Add(((next - failed) / 1000.0) - s.Backoff.TotalMilliseconds);
        }

        missing += durable - context.Target.For(ns).Select(r => r.Sequence).Distinct().Count();
        var rows = new List<TimingRow> { new("messages written durably", $"{durable} of {count} at {writes.Rate:0} a second") };
        rows.AddRange(Spread("second attempt − first − backoff", late));
        var max = late.Count > 0 ? late.Max() : double.NaN;
        rows[^1] = rows[^1] with { Target = "≤ " + Ms(MaxTargetMs), Met = late.Count > 0 && max <= MaxTargetMs };
        var early = late.Count(l => l < 0);
        rows.Add(new TimingRow("retried before the backoff ended", $"{early}", "0", early == 0));
        rows.Add(new TimingRow($"without a second attempt {(s.Deadline + s.Backoff).TotalSeconds:0.#} s after the last write", $"{missing}", "0", missing == 0));
        return new TimingReport
        {
            Title = $"retry, {context.Backend}",
            Description = $"{count} messages at {s.EffectiveRate:0}/s, due at once; the target answers 503 to attempt 1 and 200 to attempt 2; retry backoff {s.Backoff.TotalMilliseconds:0} ms " +
                $"(multiplier 1, jitter 0.000001); consumer concurrency {s.ConsumerConcurrency}, batch {s.ConsumerBatchSize}",
            Rows = rows,
        };
    }
}

using WalService.Api.V1;
using static WalService.Bench.TimingReport;

namespace WalService.Bench;

/// <summary>
/// The first-delivery mode, <c>--trials</c> times: a new namespace, one message written as soon as CreateNamespace
/// returned, and the time from that return to the message's receipt at the bench's target; then the namespace is
/// paused, one message written, and after a second's wait (which shows whether a paused namespace delivers) it is
/// resumed: the time from ResumeNamespace's return to that message's receipt. When the bench started the server,
/// then twice a message due in a second is written to the last namespace and the server stopped at once, first by
/// SIGKILL, then by SIGTERM, and started again: the time from the later of its due time and the restart (the new
/// process's start; it may consume before its Health/Check answers SERVING) to its receipt.
/// </summary>
internal static class FirstDeliveryBench
{
    /// <summary>Seconds the issue allows on Kafka (mock cluster, group join included).</summary>
    public const double KafkaTargetSeconds = 3;

    /// <summary>Seconds the issue allows on the embedded log and SQS.</summary>
    public const double TargetSeconds = 1;

    /// <summary>Seconds the issue allows after a SIGTERM and restart, on every backend.</summary>
    public const double GracefulTargetSeconds = 3;

    private static readonly TimeSpan PausedFor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DueAcrossRestart = TimeSpan.FromSeconds(1);

    public static async Task<TimingReport> RunAsync(TimingContext context, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var deadlineSpan = (long)(s.Deadline.TotalMilliseconds * 1000);
        var target = context.IsKafka ? KafkaTargetSeconds : TargetSeconds;
        var firsts = new List<double?>();
        var resumes = new List<double?>();
        var deliveredWhilePaused = 0;
        var ns = string.Empty;
        for (var trial = 1; trial <= s.Trials; trial++)
        {
            ns = context.NewName("first", trial);
            var created = await context.CreateNamespaceAsync(ns, cancellationToken);
            await context.Log.WriteToLogAsync(TimingContext.Message(ns, 0), cancellationToken: cancellationToken);
            var first = await ReceiptOfAsync(context, ns, 0, created + deadlineSpan, cancellationToken);
            firsts.Add(first is { } f ? (f - created) / 1e6 : null);
            output.WriteLine($"trial {trial}: first delivery {Shown(firsts[^1])} after CreateNamespace returned");

            await context.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = ns }, cancellationToken: cancellationToken);
            await context.Log.WriteToLogAsync(TimingContext.Message(ns, 1), cancellationToken: cancellationToken);
            await Task.Delay(PausedFor, cancellationToken);
            deliveredWhilePaused += context.Target.For(ns).Any(r => r.Sequence == 1) ? 1 : 0;
            await context.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = ns }, cancellationToken: cancellationToken);
            var resumed = TimingPayload.NowMicroseconds();
            var after = await ReceiptOfAsync(context, ns, 1, resumed + deadlineSpan, cancellationToken);
            resumes.Add(after is { } a ? Math.Max(0, a - resumed) / 1e6 : null);
            output.WriteLine($"trial {trial}: delivery {Shown(resumes[^1])} after ResumeNamespace returned");
        }

        var rows = new List<TimingRow>();
        AddRows(rows, "CreateNamespace → first delivery", firsts, target, s.Deadline);
        AddRows(rows, "ResumeNamespace → delivery of a message written while paused", resumes, target, s.Deadline);
        rows.Add(new TimingRow("delivered while paused", $"{deliveredWhilePaused} of {s.Trials}", "0", deliveredWhilePaused == 0));
        if (server is not null)
        {
            await RestartRowsAsync(context, server, ns, crash: true, target, rows, output, cancellationToken);
            await RestartRowsAsync(context, server, ns, crash: false, GracefulTargetSeconds, rows, output, cancellationToken);
        }

        return new TimingReport
        {
            Title = $"first delivery, {context.Backend}",
            Description = $"{s.Trials} new namespaces, one message written as soon as CreateNamespace returned; then paused, one message written, resumed after {PausedFor.TotalSeconds:0} s; " +
                (server is null ? string.Empty : $"then a message due in {DueAcrossRestart.TotalSeconds:0} s and at once kill -9 and restart, then the same with SIGTERM; ") +
                $"http target on loopback in the bench; deadline {s.Deadline.TotalSeconds:0} s per message",
            Rows = rows,
        };
    }

    /// <summary>
    /// A message due in a second to <paramref name="ns"/>, the server stopped at once (SIGKILL with
    /// <paramref name="crash"/>, else SIGTERM) and started again; rows for the restart and for the receipt after the
    /// later of the due time and the restart (when the new process was started).
    /// </summary>
    private static async Task RestartRowsAsync(TimingContext context, ServerProcess server, string ns, bool crash, double target, List<TimingRow> rows, TextWriter output, CancellationToken cancellationToken)
    {
        var sequence = crash ? 2 : 3;
        var signal = crash ? "kill -9" : "SIGTERM";
        var due = TimingPayload.DueIn(DueAcrossRestart);
        await context.Log.WriteToLogAsync(TimingContext.Message(ns, sequence, due), cancellationToken: cancellationToken);
        var stopped = TimingPayload.NowMicroseconds();
        var restarted = TimingPayload.Microseconds(await server.RestartAsync(crash, cancellationToken));
        var ready = TimingPayload.NowMicroseconds();
        var from = Math.Max(due, restarted);
        var receipt = await ReceiptOfAsync(context, ns, sequence, from + (long)(context.Settings.Deadline.TotalMilliseconds * 1000), cancellationToken);
        var after = receipt is { } r ? (r - from) / 1e6 : (double?)null;
        output.WriteLine($"{signal}: restarted and serving after {Ms((ready - stopped) / 1000.0)}; delivery {Shown(after)} after the later of due time and restart");
        rows.Add(new TimingRow($"{signal} → restarted server serving", Ms((ready - stopped) / 1000.0)));
        rows.Add(new TimingRow(
            $"{signal}: later of due time and restart → delivery of a message written before",
            after is { } a ? Ms(a * 1000) : $"not delivered within {context.Settings.Deadline.TotalSeconds:0} s",
            "≤ " + Ms(target * 1000),
            after <= target));
    }

    private static void AddRows(List<TimingRow> rows, string what, List<double?> seconds, double target, TimeSpan deadline)
    {
        for (var i = 0; i < seconds.Count; i++)
        {
            rows.Add(new TimingRow($"{what}, trial {i + 1}", Shown(seconds[i])));
        }

        var max = seconds.All(v => v is not null) ? seconds.Max() : null;
        rows.Add(new TimingRow($"{what}, max", max is { } m ? Ms(m * 1000) : $"not delivered within {deadline.TotalSeconds:0} s", "≤ " + Ms(target * 1000), max <= target));
    }

    private static string Shown(double? seconds) => seconds is { } v ? Ms(v * 1000) : "not delivered";

    /// <summary>When message <paramref name="sequence"/> of <paramref name="ns"/> first reached the target; null if not by the deadline.</summary>
    private static async Task<long?> ReceiptOfAsync(TimingContext context, string ns, long sequence, long deadline, CancellationToken cancellationToken)
    {
        long? Find() => context.Target.For(ns).Where(r => r.Sequence == sequence).Select(r => (long?)r.ReceivedUnixMicroseconds).Min();
        await TimingContext.WaitUntilAsync(() => Find() is not null, deadline, cancellationToken);
        return Find();
    }
}

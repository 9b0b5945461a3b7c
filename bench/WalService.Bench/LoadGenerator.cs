using System.Diagnostics;
using Grpc.Core;

namespace WalService.Bench;

/// <summary>
/// Runs one phase: <c>concurrency</c> async loops, each issuing one call after another for warmup + duration. A call
/// counts towards throughput and latency when it completes inside the measured window (the <c>duration</c> after the
/// warmup); loops stop issuing calls when the window closes, so every phase ends by itself.
/// </summary>
internal static class LoadGenerator
{
    /// <summary>Pause after a failed call, so a failing server does not turn a loop into a busy spin.</summary>
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long after the window closes a call still under way may take before the phase cancels it. One timer per
    /// phase, instead of a deadline per call, keeps the client's per-call work to what a caller would do.
    /// </summary>
    private static readonly TimeSpan CallGrace = TimeSpan.FromSeconds(30);

    /// <param name="name">The phase's name in the report.</param>
    /// <param name="settings">Concurrency, warmup and duration.</param>
    /// <param name="callFor">Makes the call of loop i (so each loop can own its channel and request).</param>
    /// <param name="probe">Taken when the measured window opens and when it closes.</param>
    /// <param name="cancellationToken">Stops the phase early (Ctrl+C).</param>
    public static async Task<PhaseResult> RunAsync(
        string name,
        BenchSettings settings,
        Func<int, Func<CancellationToken, Task<CallOutcome>>> callFor,
        Probe probe,
        CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + ToTicks(settings.Warmup);
        var windowEnd = windowStart + ToTicks(settings.Duration);

        using var phase = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        phase.CancelAfter(settings.Warmup + settings.Duration + CallGrace);
        var loops = new LoopState[settings.Concurrency];
        var tasks = new Task[loops.Length];
        for (var i = 0; i < loops.Length; i++)
        {
            var state = loops[i] = new LoopState();
            var call = callFor(i);
            tasks[i] = Task.Run(() => RunLoopAsync(call, state, windowStart, windowEnd, phase.Token), cancellationToken);
        }

        await Task.Delay(settings.Warmup, cancellationToken);
        var opened = await probe.TakeAsync(cancellationToken);
        // Taking the probe may outlast a short window on a loaded machine: then the window has closed already.
        var untilClosed = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), windowEnd);
        await Task.Delay(untilClosed > TimeSpan.Zero ? untilClosed : TimeSpan.Zero, cancellationToken);
        var closed = await probe.TakeAsync(cancellationToken);
        await Task.WhenAll(tasks);
        cancellationToken.ThrowIfCancellationRequested();

        var errors = new Dictionary<StatusCode, long>();
        foreach (var (code, count) in loops.SelectMany(l => l.Errors))
        {
            errors[code] = errors.GetValueOrDefault(code) + count;
        }

        return new PhaseResult
        {
            Name = name,
            Duration = settings.Duration,
            Calls = loops.Sum(l => l.Calls),
            Messages = loops.Sum(l => l.Messages),
            TotalDurable = loops.Sum(l => l.TotalDurable),
            TotalNotDurable = loops.Sum(l => l.TotalNotDurable),
            Errors = errors,
            FirstProblem = loops.Select(l => l.Problem).FirstOrDefault(p => p is not null),
            LastMessageId = loops.Select(l => l.LastMessageId).Where(id => id is not null).Max(StringComparer.Ordinal),
            Latency = new LatencySummary(loops.Select(l => l.Latencies)),
            WindowOpened = opened,
            WindowClosed = closed,
        };
    }

    private static async Task RunLoopAsync(
        Func<CancellationToken, Task<CallOutcome>> call,
        LoopState state,
        long windowStart,
        long windowEnd,
        CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= windowEnd)
            {
                return;
            }

            CallOutcome outcome;
            try
            {
                outcome = await call(cancellationToken);
            }
            catch (RpcException ex)
            {
                state.Errors[ex.StatusCode] = state.Errors.GetValueOrDefault(ex.StatusCode) + 1;
                state.Problem ??= $"{ex.StatusCode}: {ex.Status.Detail}";
                if (cancellationToken.IsCancellationRequested)
                {
                    // The call outlived the window by more than the grace period (or the run was stopped).
                    return;
                }

                await Task.Delay(ErrorPause, CancellationToken.None);
                continue;
            }

            var ended = Stopwatch.GetTimestamp();
            state.TotalDurable += outcome.Durable;
            state.TotalNotDurable += outcome.NotDurable;
            state.LastMessageId = outcome.LastMessageId ?? state.LastMessageId;
            state.Problem ??= outcome.Problem;
            if (ended >= windowStart && ended < windowEnd)
            {
                state.Latencies.Add(ended - started);
                state.Calls++;
                state.Messages += outcome.Durable;
            }
        }
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>One loop's tallies; only that loop writes them, and they are read after it finished.</summary>
    private sealed class LoopState
    {
        public List<long> Latencies { get; } = new(16_384);

        public long Calls { get; set; }

        public long Messages { get; set; }

        public long TotalDurable { get; set; }

        public long TotalNotDurable { get; set; }

        public Dictionary<StatusCode, long> Errors { get; } = [];

        public string? LastMessageId { get; set; }

        public string? Problem { get; set; }
    }
}

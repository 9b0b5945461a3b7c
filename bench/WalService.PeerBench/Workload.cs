using WalService.Bench;

namespace WalService.PeerBench;

/// <summary>What the callers of a run wrote: by message number, whether its write succeeded and when it is due.</summary>
internal sealed record WriteOutcome(bool[] Written, long[] DueUnixMicroseconds, int Errors, IReadOnlyList<string> ErrorSamples, long StartUnixMicroseconds, long HalfwayUnixMicroseconds, int WrittenBeforeHalfway, long EndUnixMicroseconds)
{
    public int WrittenCount => Written.Count(w => w);

    /// <summary>The latest due time of a written message; the start when none was written.</summary>
    public long LastDue => Enumerable.Range(0, Written.Length).Where(i => Written[i]).Select(i => DueUnixMicroseconds[i]).DefaultIfEmpty(StartUnixMicroseconds).Max();
}

/// <summary>
/// The write phase of a run: <c>--concurrency</c> callers, each writing one message after another until all
/// <c>--messages</c> have been attempted, each due at a time spread uniformly over <c>--delay-min</c>..<c>--delay-max</c>
/// from its write (rounded up to a millisecond). A failed write is counted, not retried; its caller pauses
/// <c>--error-pause</c> before its next message, as a client would back off. When half the messages have been
/// attempted, <c>halfway</c> is called once (the run stops PostgreSQL then).
/// </summary>
internal static class Workload
{
    private const int MaxErrorSamples = 5;

    /// <summary>Writes <paramref name="count"/> messages due <paramref name="delayMin"/>..<paramref name="delayMax"/> after their writes.</summary>
    public static async Task<WriteOutcome> RunAsync(IPeerSystem system, PeerSettings settings, int count, TimeSpan delayMin, TimeSpan delayMax, Action halfway, CancellationToken cancellationToken)
    {
        var written = new bool[count];
        var dues = new long[count];
        var samples = new List<string>();
        var errors = 0;
        var next = -1;
        var attempted = 0;
        long halfwayAt = 0;
        var writtenBeforeHalfway = 0;
        var spread = (delayMax - delayMin).TotalMilliseconds;
        var start = TimingPayload.NowMicroseconds();

        async Task CallerAsync(int caller)
        {
            var random = new Random(caller + 1);
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var due = TimingPayload.DueIn(delayMin + TimeSpan.FromMilliseconds(random.NextDouble() * spread));
                dues[i] = due;
                var failed = false;
                try
                {
                    written[i] = await system.EnqueueAsync(caller, i, due, TimingPayload.Bytes(i, due, settings.PayloadBytes), cancellationToken);
                    failed = !written[i];
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failed = true;
                    lock (samples)
                    {
                        if (samples.Count < MaxErrorSamples)
                        {
                            samples.Add($"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                        }
                    }
                }

                if (Interlocked.Increment(ref attempted) == count / 2)
                {
                    halfwayAt = TimingPayload.NowMicroseconds();
                    writtenBeforeHalfway = written.Count(w => w);
                    halfway();
                }

                if (failed)
                {
                    Interlocked.Increment(ref errors);
                    await Task.Delay(settings.ErrorPause, cancellationToken);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(c => Task.Run(() => CallerAsync(c), cancellationToken)));
        return new WriteOutcome(written, dues, errors, samples, start, halfwayAt, writtenBeforeHalfway, TimingPayload.NowMicroseconds());
    }
}

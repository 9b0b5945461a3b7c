using System.Diagnostics;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>The messages a paced write sent, by number: whether each was durable, and when it was due.</summary>
internal sealed record PacedWrites(bool[] Durable, long[] DueUnixMicroseconds, TimeSpan Elapsed)
{
    public int DurableCount => Durable.Count(d => d);

    /// <summary>The latest due time of a durable message, in microseconds since 1970; 0 when none was durable.</summary>
    public long LastDue => Enumerable.Range(0, Durable.Length).Where(i => Durable[i]).Select(i => DueUnixMicroseconds[i]).DefaultIfEmpty(0).Max();

    /// <summary>Messages written a second, over the time from the first call to the last answer.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Durable.Length / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Writes messages at a steady rate, open loop: every 10 ms one WriteToLogBatch call carries the messages whose time
/// has come (up to 1,000), without waiting for earlier calls, at most 64 calls under way at once (beyond that the
/// writer falls behind its rate, which the report shows).
/// </summary>
internal static class PacedWriter
{
    private const int MaxCallsInFlight = 64;
    private const int MaxBatch = 1000;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    /// <param name="due">The due time of message n (microseconds since 1970), computed when it is written; null = due at once.</param>
    public static Task<PacedWrites> RunAsync(TimingContext context, string ns, int count, double rate, Func<long, long?> due, CancellationToken cancellationToken) =>
        RunAsync(
            context.LogFor,
            count,
            rate,
            i =>
            {
                var at = due(i);
                return (TimingContext.Message(ns, i, at), at ?? TimingPayload.NowMicroseconds());
            },
            cancellationToken);

    /// <param name="logFor">The log client of call n, spread over the run's connections.</param>
    /// <param name="message">Message n, and the time (microseconds since 1970) the paced writes keep for it: its due time, or when it was sent.</param>
    public static async Task<PacedWrites> RunAsync(
        Func<int, WriteAheadLog.WriteAheadLogClient> logFor, int count, double rate, Func<int, (WriteToLogRequest Message, long Time)> message, CancellationToken cancellationToken)
    {
        var durable = new bool[count];
        var dues = new long[count];
        var calls = new List<Task>();
        using var inFlight = new SemaphoreSlim(MaxCallsInFlight);
        var clock = Stopwatch.StartNew();
        var next = 0;
        var loop = 0;
        while (next < count)
        {
            var upTo = (int)Math.Min(count, Math.Floor(clock.Elapsed.TotalSeconds * rate) + 1);
            while (next < upTo)
            {
                var first = next;
                var size = Math.Min(MaxBatch, upTo - next);
                var request = new WriteToLogBatchRequest();
                for (var i = first; i < first + size; i++)
                {
                    (var entry, dues[i]) = message(i);
                    request.Entries.Add(entry);
                }

                next += size;
                await inFlight.WaitAsync(cancellationToken);
                calls.Add(WriteAsync(logFor(loop++), request, first, durable, inFlight, cancellationToken));
            }

            if (next < count)
            {
                await Task.Delay(Tick, cancellationToken);
            }
        }

        await Task.WhenAll(calls);
        return new PacedWrites(durable, dues, clock.Elapsed);
    }

    private static async Task WriteAsync(WriteAheadLog.WriteAheadLogClient log, WriteToLogBatchRequest request, int first, bool[] durable, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await log.WriteToLogBatchAsync(request, cancellationToken: cancellationToken);
            for (var i = 0; i < reply.Results.Count; i++)
            {
                durable[first + i] = reply.Results[i].Durable == Trilean.True;
            }
        }
        catch (Grpc.Core.RpcException)
        {
            // Counted as not durable: the report gives the number written durably.
        }
        finally
        {
            inFlight.Release();
        }
    }
}

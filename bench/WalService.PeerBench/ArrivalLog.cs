using WalService.Bench;

namespace WalService.PeerBench;

/// <summary>
/// When each message of a run first arrived at its handler (microseconds since 1970, UTC), by its number, and how many
/// deliveries there were in all (a message delivered twice counts twice). The handlers of the in-process peers record
/// into <see cref="Current"/>, since their frameworks create the handler objects themselves.
/// </summary>
internal sealed class ArrivalLog
{
    private readonly long[] _first;
    private int _deliveries;

    public ArrivalLog(int messages) => _first = new long[messages];

    /// <summary>The log of the run in this process.</summary>
    public static ArrivalLog Current { get; set; } = new(0);

    public int Deliveries => Volatile.Read(ref _deliveries);

    /// <summary>Forgets every arrival so far (those of the warm-up).</summary>
    public void Reset()
    {
        Array.Clear(_first);
        Volatile.Write(ref _deliveries, 0);
    }

    /// <summary>Records the arrival, now, of the message whose timing payload is <paramref name="payload"/>.</summary>
    public void Record(ReadOnlySpan<byte> payload) => Record(TimingPayload.Read(payload).Sequence, TimingPayload.NowMicroseconds());

    /// <summary>Records that message <paramref name="sequence"/> arrived at <paramref name="receivedUnixMicroseconds"/>.</summary>
    public void Record(long sequence, long receivedUnixMicroseconds)
    {
        Interlocked.Increment(ref _deliveries);
        if (sequence >= 0 && sequence < _first.Length)
        {
            Interlocked.CompareExchange(ref _first[sequence], receivedUnixMicroseconds, 0);
        }
    }

    /// <summary>When message <paramref name="sequence"/> first arrived; null when it has not.</summary>
    public long? FirstArrival(int sequence) => Volatile.Read(ref _first[sequence]) is var at and not 0 ? at : null;
}

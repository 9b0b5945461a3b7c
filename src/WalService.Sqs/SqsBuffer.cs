using WalService.Core.Abstractions;

namespace WalService.Sqs;

/// <summary>
/// The received messages one namespace's consumer holds: waiting to be leased, in the order they came, and leased
/// (being delivered). A message of a group (an ordering key on a FIFO queue) waits while an earlier one of its group
/// waits or is leased, so a group is delivered one message at a time, in order. Thread-safe.
/// </summary>
internal sealed class SqsBuffer
{
    private readonly List<Held> _waiting = [];
    private readonly Dictionary<long, Held> _leased = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// A received message: its lease, the receipt handle that answers it, its group (null: none), whether it was
    /// received before (so may be finished), and until when SQS keeps it hidden.
    /// </summary>
    public sealed record Held(LeasedMessage Message, string ReceiptHandle, string? Group, bool Verify)
    {
        public DateTimeOffset HiddenUntil { get; set; }
    }

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    public void Add(Held held)
    {
        lock (_lock)
        {
            _waiting.Add(held);
        }
    }

    /// <summary>Puts a message back in front of the waiting ones (a retry that keeps its place at the head of its group).</summary>
    public void AddFirst(Held held)
    {
        lock (_lock)
        {
            _waiting.Insert(0, held);
        }
    }

    /// <summary>How many waiting messages their group lets go by <paramref name="until"/>: what the runtime can lease soon.</summary>
    public int ReadyBy(DateTimeOffset until)
    {
        lock (_lock)
        {
            return Heads().Count(h => h.Message.Envelope.DeliverAt <= until);
        }
    }

    /// <summary>Leases up to <paramref name="max"/> waiting messages due at <paramref name="now"/> whose group lets them go, in the order they came.</summary>
    public List<Held> Lease(int max, DateTimeOffset now)
    {
        lock (_lock)
        {
            var due = Heads().Where(h => h.Message.Envelope.DeliverAt <= now).Take(max).ToList();
            foreach (var held in due)
            {
                _waiting.Remove(held);
                _leased[held.Message.LeaseToken] = held;
            }

            return due;
        }
    }

    /// <summary>The earliest due time of the waiting messages that their group lets go.</summary>
    public DateTimeOffset? NextDue()
    {
        lock (_lock)
        {
            return Heads().Select(h => (DateTimeOffset?)h.Message.Envelope.DeliverAt).Min();
        }
    }

    /// <summary>Ends the lease: answers the message, or null when it is not leased here.</summary>
    public Held? Take(LeasedMessage message)
    {
        lock (_lock)
        {
            return _leased.Remove(message.LeaseToken, out var held) ? held : null;
        }
    }

    /// <summary>Removes and answers the waiting messages of <paramref name="group"/>, in the order they came.</summary>
    public List<Held> RemoveGroup(string? group)
    {
        lock (_lock)
        {
            var members = group is null ? [] : _waiting.Where(h => h.Group == group).ToList();
            _waiting.RemoveAll(members.Contains);
            return members;
        }
    }

    /// <summary>Removes and answers every waiting message, in the order they came.</summary>
    public List<Held> RemoveWaiting()
    {
        lock (_lock)
        {
            var waiting = _waiting.ToList();
            _waiting.Clear();
            return waiting;
        }
    }

    /// <summary>Messages held here (waiting or leased) that SQS keeps hidden for less than <paramref name="margin"/> after <paramref name="now"/>.</summary>
    public List<Held> HiddenForLessThan(TimeSpan margin, DateTimeOffset now)
    {
        lock (_lock)
        {
            return [.. _waiting.Concat(_leased.Values).Where(h => h.HiddenUntil - now < margin)];
        }
    }

    /// <summary>The waiting messages no earlier message of their group holds back (caller holds the lock).</summary>
    private IEnumerable<Held> Heads()
    {
        var blocked = _leased.Values.Select(h => h.Group).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return _waiting.Where(h => h.Group is null || blocked.Add(h.Group));
    }
}

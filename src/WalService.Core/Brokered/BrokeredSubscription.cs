using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Brokered;

/// <summary>
/// A namespace consumed from a broker (Kafka, SQS): what every such subscription does around its transport, which a
/// derived class supplies. It keeps the namespace's settings as last seen, skips messages read again that the
/// <see cref="BrokeredLedger"/> has as finished (a consumer that took over a partition or a queue), records statuses,
/// and stops once. Once stopping (disposed by its worker, its namespace dropped, or its backend shutting down), it hands
/// nothing out and ignores verdicts.
/// </summary>
public abstract class BrokeredSubscription : ILogSubscription
{
    private readonly Lock _gate = new();
    private NamespaceSettings _settings;
    private Task? _stopping;

    protected BrokeredSubscription(NamespaceSettings settings, BrokeredLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        Namespace = settings.Name;
        Ledger = ledger;
    }

    public string Namespace { get; }

    /// <summary>The namespace's settings as last seen (see <see cref="Update"/>).</summary>
    public NamespaceSettings Settings => Volatile.Read(ref _settings);

    protected BrokeredLedger Ledger { get; }

    /// <summary>Whether it was asked to stop: from then on it hands nothing out and ignores verdicts.</summary>
    protected bool Stopping => Volatile.Read(ref _stopping) is not null;

    /// <summary>Told when it has stopped (by the <see cref="SubscriptionSet{T}"/> that holds it).</summary>
    internal Action<BrokeredSubscription>? Stopped { get; set; }

    public void Update(NamespaceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref _settings, settings);
    }

    public async Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (Stopping)
        {
            return [];
        }

        var leased = Lease(max, now, lease);
        var toVerify = leased.Where(l => l.Verify).Select(l => l.Message.Envelope.MessageId).ToList();
        var past = await Ledger.Statuses.PastDeliveriesAsync(Settings, toVerify, cancellationToken);
        var handed = new List<LeasedMessage>(leased.Count);
        List<LeasedMessage>? skipped = null;
        foreach (var (message, verify) in leased)
        {
            if (!verify || !past.TryGetValue(message.Envelope.MessageId, out var before))
            {
                handed.Add(message);
            }
            else if (before.Finished)
            {
                (skipped ??= []).Add(message);
            }
            else
            {
                // Deliveries begun before (by a consumer that died meanwhile) count: this one is the next attempt.
                handed.Add(before.Attempts >= message.Attempt ? Recount(message, before.Attempts + 1) : message);
            }
        }

        if (skipped is not null)
        {
            await SkipFinishedAsync(skipped);
        }

        Leased(handed, now);
        return handed;
    }

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Stopping ? null : NextDue());

    public Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Stopping ? Task.CompletedTask : AckLeasedAsync(messages, appliedAt);
    }

    public ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Stopping ? ValueTask.CompletedTask : RetryLeasedAsync(message, at, error);
    }

    public ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Stopping ? ValueTask.CompletedTask : ReleaseLeasedAsync(message);
    }

    public ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Stopping ? ValueTask.CompletedTask : DeadLetterLeasedAsync(message, at, error, cancellationToken);
    }

    /// <summary>Stops consuming (once; every caller waits for the one stop) and gives back what is held, for whoever consumes the namespace next.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopping ??= StopOnceAsync();
            return _stopping;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Leases due messages; <c>Verify</c> marks those read again, to check against the ledger before delivery.</summary>
    protected abstract IReadOnlyList<(LeasedMessage Message, bool Verify)> Lease(int max, DateTimeOffset now, TimeSpan lease);

    /// <summary>
    /// The leased <paramref name="message"/> as attempt <paramref name="attempt"/>, which the ledger counts for it (it was
    /// delivered before its consumer took it over); the transport keeps that count if the lease is given back.
    /// </summary>
    protected virtual LeasedMessage Recount(LeasedMessage message, int attempt) => message with { Attempt = attempt };

    /// <summary>Told of the messages handed out by a lease, just before the worker delivers them.</summary>
    protected virtual void Leased(IReadOnlyList<LeasedMessage> messages, DateTimeOffset now)
    {
    }

    /// <summary>Ends the leases of messages the ledger has as finished, so they are not delivered again.</summary>
    protected abstract Task SkipFinishedAsync(IReadOnlyList<LeasedMessage> finished);

    protected abstract DateTimeOffset? NextDue();

    protected abstract Task AckLeasedAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt);

    protected abstract ValueTask RetryLeasedAsync(LeasedMessage message, DateTimeOffset at, string error);

    protected abstract ValueTask ReleaseLeasedAsync(LeasedMessage message);

    protected abstract ValueTask DeadLetterLeasedAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>Stops the transport and gives back what it holds undelivered.</summary>
    protected abstract Task StopTransportAsync();

    /// <summary>
    /// Records the messages as being delivered (IN_FLIGHT) with their attempts, so a consumer that reads them again after
    /// a crash counts these attempts; only those whose delivery lasts (see <see cref="TrackedStatuses.Begin"/>).
    /// </summary>
    protected void RecordInFlight(IReadOnlyList<LeasedMessage> messages, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count > 0 && Settings.TrackStatus)
        {
            Ledger.Statuses.Begin(Settings, messages.Select(m => new LedgerUpdate(Namespace, m.Envelope.MessageId, MessageState.InFlight, m.Attempt, null, null, null, at)));
        }
    }

    /// <summary>Records a message given back undelivered as waiting again, its attempt not counted (see <see cref="TrackedStatuses.Released"/>).</summary>
    protected void RecordReleased(LeasedMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = message.Envelope;
        Ledger.Statuses.Released(Settings, new LedgerUpdate(Namespace, envelope.MessageId, MessageState.Pending, message.Attempt - 1, null, envelope.DeliverAt, null, now));
    }

    protected void RecordApplied(IEnumerable<LeasedMessage> messages, DateTimeOffset appliedAt) =>
        Ledger.Statuses.Record(Settings, messages.Select(m => new LedgerUpdate(Namespace, m.Envelope.MessageId, MessageState.Applied, m.Attempt, null, null, appliedAt, appliedAt)));

    protected void RecordRetry(LeasedMessage message, string error, DateTimeOffset dueAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        Ledger.Statuses.Record(Settings, [new LedgerUpdate(Namespace, message.Envelope.MessageId, MessageState.RetryScheduled, message.Attempt, error, dueAt, null, now)]);
    }

    protected void RecordDeadLettered(LeasedMessage message, string error, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(message);
        Ledger.Statuses.Record(Settings, [new LedgerUpdate(Namespace, message.Envelope.MessageId, MessageState.DeadLettered, message.Attempt, error, null, null, at)]);
    }

    private async Task StopOnceAsync()
    {
        try
        {
            await StopTransportAsync();
        }
        finally
        {
            Stopped?.Invoke(this);
        }
    }
}

using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Brokered;

/// <summary>
/// A log backend on a broker (Kafka, SQS), less its transport: statuses, idempotency keys and the dead-letter archive
/// live in its <see cref="BrokeredLedger"/>, the namespaces consumed here in its <see cref="SubscriptionSet{T}"/>. A
/// derived backend says how a write is sent (<see cref="AppendAtAsync"/>) and how a namespace is consumed
/// (<see cref="StartAsync"/>), and adds what its broker tells about a namespace (backlog, readiness, redrive).
/// </summary>
public abstract class BrokeredLog<TSubscription> : IAsyncDisposable
    where TSubscription : BrokeredSubscription
{
    protected BrokeredLog(BackendKind kind, IMessageLedgerStore ledger, IDeadLetterArchive archive, TimeProvider time, ILogger logger)
    {
        Kind = kind;
        Time = time;
        Ledger = new BrokeredLedger(ledger, archive, time, logger);
    }

    public BackendKind Kind { get; }

    protected BrokeredLedger Ledger { get; }

    protected SubscriptionSet<TSubscription> Subscriptions { get; } = new();

    protected TimeProvider Time { get; }

    /// <summary>See <see cref="ILogProducer.AppendAsync"/>.</summary>
    public Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return AppendAtAsync(requests, Time.GetUtcNow(), cancellationToken);
    }

    /// <summary>See <see cref="ILogConsumer.SubscribeAsync"/>; the subscription is held until it stops.</summary>
    public async ValueTask<ILogSubscription> SubscribeAsync(NamespaceSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Backend != Kind)
        {
            throw new ArgumentException($"namespace '{settings.Name}' is not on the {Kind.ToString().ToLowerInvariant()} backend", nameof(settings));
        }

        return await Subscriptions.AddAsync(await StartAsync(settings, cancellationToken));
    }

    public Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.GetStatusAsync(ns, messageId, now, cancellationToken);

    public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.TrimAsync(ns, appliedBefore, now, cancellationToken);

    /// <summary>Lists the archive.</summary>
    public virtual Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken) =>
        Ledger.DeadLetters.ListAsync(ns, pageSize, afterId, cancellationToken);

    /// <summary>Forgets dead letters in the archive.</summary>
    public virtual Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        Ledger.DeadLetters.PurgeAsync(ns, messageIds, cancellationToken);

    /// <summary>Stops consuming the namespace here and forgets its dead letters; what the broker holds is left to its owner.</summary>
    public virtual async Task DropNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        await Subscriptions.StopAsync(ns);
        await Ledger.DeadLetters.PurgeAsync(ns, [], cancellationToken);
    }

    /// <summary>Stops every subscription, then records the statuses still queued.</summary>
    public async ValueTask DisposeAsync()
    {
        await Subscriptions.DisposeAsync();
        await Ledger.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sends the writes; <paramref name="now"/> is the time of the call.</summary>
    protected abstract Task<AppendResult[]> AppendAtAsync(IReadOnlyList<AppendRequest> requests, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Starts consuming a namespace of this backend here.</summary>
    protected abstract ValueTask<TSubscription> StartAsync(NamespaceSettings settings, CancellationToken cancellationToken);
}

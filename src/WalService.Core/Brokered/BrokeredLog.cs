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
/// Transactions are staged in the control plane (<see cref="BrokeredTransactions"/>).
/// </summary>
public abstract class BrokeredLog<TSubscription> : IStagedChunks, IAsyncDisposable
    where TSubscription : BrokeredSubscription
{
    private readonly ITransactionStagingStore _staging;
    private readonly BrokeredTransactions _transactions;

    protected BrokeredLog(BackendKind kind, IMessageLedgerStore ledger, IDeadLetterArchive archive, ITransactionStagingStore staging, TimeProvider time, ILogger logger)
    {
        Kind = kind;
        Time = time;
        _staging = staging;
        Ledger = new BrokeredLedger(ledger, archive, staging, time, logger);
        _transactions = new BrokeredTransactions(staging, Ledger, time, logger);
    }

    public BackendKind Kind { get; }

    protected BrokeredLedger Ledger { get; }

    protected SubscriptionSet<TSubscription> Subscriptions { get; } = new();

    protected TimeProvider Time { get; }

    /// <summary>See <see cref="ILogProducer.AppendAsync"/>.</summary>
    public Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var now = Time.GetUtcNow();
        return requests.Any(r => r.Chunk is not null)
            ? _transactions.AppendAsync(requests, now, r => AppendAtAsync(r, now, CancellationToken.None), cancellationToken)
            : AppendAtAsync(requests, now, cancellationToken);
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

    /// <summary>
    /// The ledger's status; for a transaction still missing chunks, STAGING with the chunks staged, and for a complete
    /// one the ledger does not know yet (its marker not appended: the append failed, or its instance crashed), PENDING.
    /// </summary>
    public async Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await Ledger.GetStatusAsync(ns, messageId, now, cancellationToken) ??
        (await _staging.ChunksStagedAsync(ns, messageId, cancellationToken) is { } staged
            ? new MessageStatus { MessageId = messageId, State = staged.Complete ? MessageState.Pending : MessageState.Staging, ChunksStaged = staged.Staged }
            : null);

    public Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken) =>
        _staging.ReadChunksAsync(ns, transactionId, cancellationToken);

    public Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken) =>
        _staging.MarkDeliveredAsync(ns, transactionId, sequence, cancellationToken);

    public Task FinishAsync(string ns, string transactionId, CancellationToken cancellationToken) =>
        _staging.FinishAsync(ns, transactionId, Time.GetUtcNow(), cancellationToken);

    /// <summary>See <see cref="BrokeredTransactions.SweepAsync"/>.</summary>
    public Task<long> SweepAsync(NamespaceSettings ns, DateTimeOffset now, CancellationToken cancellationToken) =>
        _transactions.SweepAsync(ns, now, r => AppendAtAsync(r, now, CancellationToken.None), cancellationToken);

    public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        Ledger.TrimAsync(ns, appliedBefore, now, cancellationToken);

    /// <summary>Lists the archive.</summary>
    public virtual Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken) =>
        Ledger.DeadLetters.ListAsync(ns, pageSize, afterId, cancellationToken);

    /// <summary>Forgets dead letters in the archive.</summary>
    public virtual Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        Ledger.DeadLetters.PurgeAsync(ns, messageIds, cancellationToken);

    /// <summary>Stops consuming the namespace here and forgets its dead letters and staged transactions; what the broker holds is left to its owner.</summary>
    public virtual async Task DropNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        await Subscriptions.StopAsync(ns);
        await Ledger.DeadLetters.PurgeAsync(ns, [], cancellationToken);
        await _staging.TrimAsync(ns, null, cancellationToken);
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

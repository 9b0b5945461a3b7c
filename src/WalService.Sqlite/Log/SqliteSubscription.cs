using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqlite.Log;

/// <summary>
/// One namespace of the embedded log, consumed: the log's own calls with the namespace filled in. Leases are rows of
/// the log, voided at the next start if this process dies, so disposing gives nothing back: a worker gives back the
/// leases it did not start before it disposes the subscription. No setting read per message lives here.
/// </summary>
internal sealed class SqliteSubscription(SqliteLog log, string ns) : ILogSubscription
{
    public Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        log.LeaseDueAsync(ns, max, now, lease, cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => log.NextDueAsync(ns, cancellationToken);

    public Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken) =>
        log.AckAsync(messages, appliedAt, cancellationToken);

    public ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        log.RetryAsync(message, at, error, cancellationToken);

    public ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken) => log.ReleaseAsync(message, cancellationToken);

    public ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        log.DeadLetterAsync(message, at, error, cancellationToken);

    public void Update(NamespaceSettings settings)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

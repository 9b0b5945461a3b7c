using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>
/// A key-value store behind the <c>kv</c> target. <see cref="ApplyAsync"/> commits all of a message's mutations and
/// the message id in one transaction, so a message delivered twice applies once.
/// </summary>
public interface IKvStore
{
    /// <summary>The name a <c>KvTarget.store</c> uses to pick this store.</summary>
    string Name { get; }

    Task EnsureTableAsync(string table, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the batch; mutations without a table go to <paramref name="defaultTable"/>. Returns false, changing
    /// nothing, when <paramref name="messageId"/> of <paramref name="ns"/> was applied before.
    /// </summary>
    Task<bool> ApplyAsync(string ns, string messageId, string defaultTable, KvMutationBatch batch, CancellationToken cancellationToken);

    /// <summary>The stored value, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string table, string partitionKey, string sortKey, CancellationToken cancellationToken);
}

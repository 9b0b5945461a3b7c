using System.Text.RegularExpressions;
using Google.Protobuf;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Validation;

namespace WalService.Targets.Kv;

/// <summary>
/// Applies a <see cref="KvMutationBatch"/> payload to the kv store named by <c>KvTarget.store</c> ("" = embedded).
/// An unparsable payload is dead-lettered; a store failure is retried.
/// </summary>
public sealed partial class KvTargetHandler(IEnumerable<IKvStore> stores) : ITargetHandler
{
    private const string DefaultStore = "embedded";
    /// <summary>The stores by name; where two share a name, the first registered wins (the embedded store comes first).</summary>
    private readonly Dictionary<string, IKvStore> _stores = stores.DistinctBy(s => s.Name, StringComparer.Ordinal).ToDictionary(s => s.Name, StringComparer.Ordinal);

    public Target.KindOneofCase Kind => Target.KindOneofCase.Kv;

    /// <summary>
    /// A transaction's chunks come as one batch of every mutation in sequence order (a later mutation of a key wins), and
    /// commit in one store transaction under the transaction's message id, so it applies once and never in part.
    /// </summary>
    public bool AppliesChunksTogether => true;

    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        var kv = target.Kv;
        if (!_stores.ContainsKey(StoreName(kv)))
        {
            yield return $"{fieldPath}.kv.store {ClientText.Quote(kv.Store)} is not a configured kv store (available: {string.Join(", ", _stores.Keys)})";
        }

        if (!TablePattern().IsMatch(kv.Table))
        {
            yield return $"{fieldPath}.kv.table {ClientText.Quote(kv.Table)} must match ^[A-Za-z_][A-Za-z0-9_]{{0,62}}$";
        }
    }

    public Task PrepareAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _stores[StoreName(target.Kv)].EnsureTableAsync(target.Kv.Table, cancellationToken);
    }

    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        KvMutationBatch batch;
        try
        {
            batch = KvMutationBatch.Parser.ParseFrom(delivery.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return DeliveryOutcome.DeadLetter($"payload is not a wal.v1.KvMutationBatch: {ex.Message}");
        }

        if (batch.Mutations.FirstOrDefault(m => m.Table.Length > 0 && !TablePattern().IsMatch(m.Table)) is { } bad)
        {
            return DeliveryOutcome.DeadLetter($"mutation table '{bad.Table}' must match ^[A-Za-z_][A-Za-z0-9_]{{0,62}}$");
        }

        if (!_stores.TryGetValue(StoreName(target.Kv), out var store))
        {
            return DeliveryOutcome.DeadLetter($"kv store '{target.Kv.Store}' is not configured on this server");
        }

        try
        {
            await store.ApplyAsync(delivery.Namespace, delivery.ApplyId, target.Kv.Table, batch, cancellationToken);
            return DeliveryOutcome.Applied;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return DeliveryOutcome.Retry($"kv store '{store.Name}' failed: {ex.Message}");
        }
    }

    private static string StoreName(KvTarget kv) => kv.Store.Length > 0 ? kv.Store : DefaultStore;

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TablePattern();
}

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Brokered;

/// <summary>
/// Listing, redrive and purge of the dead letters a backend keeps in an <see cref="IDeadLetterArchive"/> (Kafka,
/// SQS); the backend only says how a redriven message is written back to its log. A transaction's dead letter keeps
/// its staged chunks until it is purged; one that expired incomplete is left by a redrive.
/// </summary>
public sealed class ArchivedDeadLetters(IDeadLetterArchive archive, IMessageLedgerStore ledger, ITransactionStagingStore staging, TimeProvider time)
{
    private const int RedrivePage = 500;

    /// <summary>Keeps a copy of a message being dead-lettered.</summary>
    public Task AddAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return archive.AddAsync([new ArchivedDeadLetter(message.Envelope, message.Attempt, error, at)], cancellationToken);
    }

    /// <summary>Keeps the dead letter of a transaction that expired incomplete: its id, no payload, the missing chunks as its error.</summary>
    public Task AddIncompleteAsync(string ns, ExpiredTransaction expired, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expired);
        var meta = expired.LastMeta is null
            ? new Model.Storage.EnvelopeMeta { Namespace = ns, OriginalWriteTimeMs = expired.FirstStaged.ToUnixTimeMilliseconds(), DeliverAtMs = at.ToUnixTimeMilliseconds() }
            : EnvelopeCodec.DecodeMeta(expired.LastMeta);
        meta.MessageId = expired.MessageId;
        meta.TransactionId = expired.TransactionId;
        meta.ChunkCount = 0;
        var error = StagingRules.IncompleteError(expired.Missing, expired.LastKnown);
        return archive.AddAsync([new ArchivedDeadLetter(new Envelope(meta, ReadOnlyMemory<byte>.Empty), 0, error, at)], cancellationToken);
    }

    /// <summary>Dead letters kept for the namespace.</summary>
    public Task<long> CountAsync(string ns, CancellationToken cancellationToken) => archive.CountAsync(ns, cancellationToken);

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken)
    {
        var page = await archive.ListAsync(ns, pageSize, afterId, [], cancellationToken);
        return [.. page.Select(ToDeadLetter)];
    }

    /// <summary>
    /// Writes dead letters back with <paramref name="writeBack"/> (to <paramref name="destination"/>, for the error
    /// message), with a fresh attempt budget and due times spread to at most <paramref name="maxPerSecond"/> a second
    /// (0 = all now), then forgets them in the archive. Their status says waiting before they are written, so a
    /// consumer that skips finished messages never skips a redriven one. A crash in between redrives them again at the
    /// next call: at least once, as everywhere. A message that could not be written stays dead-lettered, and the call
    /// fails with UNAVAILABLE after the ones before it were redriven.
    /// </summary>
    public async Task<long> RedriveAsync(
        NamespaceSettings ns,
        IReadOnlyCollection<string> messageIds,
        int maxPerSecond,
        DateTimeOffset now,
        string destination,
        Func<IReadOnlyList<Envelope>, Task<IReadOnlyList<AppendResult>>> writeBack,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(writeBack);
        long redriven = 0;
        string? after = null;
        while (true)
        {
            var listed = await archive.ListAsync(ns.Name, RedrivePage, after, messageIds, cancellationToken);
            if (listed.Count == 0)
            {
                return redriven;
            }

            after = listed[^1].Envelope.MessageId;
            var page = listed.Where(d => !IsIncompleteTransaction(d.Envelope)).ToList();
            if (page.Count == 0)
            {
                continue;
            }

            var envelopes = page.Select((d, i) => d.Envelope.Rescheduled(maxPerSecond > 0 ? now.AddMilliseconds((redriven + i) * 1000L / maxPerSecond) : now, 1)).ToList();
            if (ns.TrackStatus)
            {
                await ledger.RecordAsync([.. envelopes.Select(e => LedgerAppends.Waiting(e, now))], cancellationToken);
            }

            var results = await writeBack(envelopes);
            var written = envelopes.Where((_, i) => results[i].Durable == Trilean.True).ToList();
            if (written.Count > 0)
            {
                await archive.RemoveAsync(ns.Name, [.. written.Select(e => e.MessageId)], cancellationToken);
            }

            if (written.Count < page.Count)
            {
                if (ns.TrackStatus)
                {
                    await ledger.RecordAsync(
                        [.. page.Where((_, i) => results[i].Durable != Trilean.True).Select(d => new LedgerUpdate(ns.Name, d.Envelope.MessageId, MessageState.DeadLettered, d.Attempts, d.LastError, null, null, now))],
                        cancellationToken);
                }

                var failed = results.First(r => r.Durable != Trilean.True);
                throw new ControlPlaneException(ControlPlaneError.Unavailable, $"redrive of {failed.MessageId} to {destination} failed after {redriven + written.Count} were redriven: {failed.Error}");
            }

            redriven += page.Count;
        }
    }

    /// <summary>
    /// Forgets the given dead letters (all of the namespace when <paramref name="messageIds"/> is empty), with the
    /// staged chunks of those that are transactions; answers how many.
    /// </summary>
    public async Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var transactions = new List<string>();
        string? after = null;
        while (await archive.ListAsync(ns, RedrivePage, after, messageIds, cancellationToken) is { Count: > 0 } page)
        {
            transactions.AddRange(page.Where(d => d.Envelope.Meta.TransactionId.Length > 0).Select(d => d.Envelope.MessageId));
            after = page[^1].Envelope.MessageId;
        }

        var purged = await archive.RemoveAsync(ns, messageIds, cancellationToken);
        await staging.PurgeAsync(ns, transactions, time.GetUtcNow(), cancellationToken);
        return purged;
    }

    /// <summary>A transaction dead-lettered before all its chunks came: nothing to deliver, so never redriven.</summary>
    private static bool IsIncompleteTransaction(Envelope envelope) =>
        envelope.Meta.TransactionId.Length > 0 && envelope.Meta.ChunkCount == 0;

    private static DeadLetter ToDeadLetter(ArchivedDeadLetter d)
    {
        var letter = new DeadLetter
        {
            MessageId = d.Envelope.MessageId,
            Payload = ByteString.CopyFrom(d.Envelope.Payload.Span),
            Attempts = d.Attempts,
            LastError = d.LastError,
            OriginalWriteTime = Timestamp.FromDateTimeOffset(d.Envelope.OriginalWriteTime),
            DeadLetteredAt = Timestamp.FromDateTimeOffset(d.DeadLetteredAt),
        };
        letter.Headers.Add(d.Envelope.Meta.Headers);
        return letter;
    }
}

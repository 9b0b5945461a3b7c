using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Brokered;

/// <summary>
/// Listing, redrive and purge of the dead letters a backend keeps in an <see cref="IDeadLetterArchive"/> (Kafka,
/// SQS); the backend only says how a redriven message is written back to its log.
/// </summary>
public sealed class ArchivedDeadLetters(IDeadLetterArchive archive, IMessageLedgerStore ledger)
{
    private const int RedrivePage = 500;

    /// <summary>Keeps a copy of a message being dead-lettered.</summary>
    public Task AddAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return archive.AddAsync([new ArchivedDeadLetter(message.Envelope, message.Attempt, error, at)], cancellationToken);
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
        while (true)
        {
            var page = await archive.ListAsync(ns.Name, RedrivePage, null, messageIds, cancellationToken);
            if (page.Count == 0)
            {
                return redriven;
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

    /// <summary>Forgets the given dead letters (all of the namespace when <paramref name="messageIds"/> is empty); answers how many.</summary>
    public Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        archive.RemoveAsync(ns, messageIds, cancellationToken);

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

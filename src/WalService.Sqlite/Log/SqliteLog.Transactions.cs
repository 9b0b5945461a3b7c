using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Sqlite.Ledger;

namespace WalService.Sqlite.Log;

/// <summary>
/// Transactions of the embedded log: chunks are staged in the log's own database (tables <c>transactions</c> and
/// <c>chunks</c>, see <see cref="LogSchema"/>) by the one writer, so each chunk is committed before its write answers
/// TRUE and chunks of one transaction, even sent at once, are staged one after another. The chunk that completes a
/// transaction enqueues its completion marker in the same SQLite transaction as its own commit: there is never a
/// complete transaction without a marker, nor two markers.
/// </summary>
/// <remarks>
/// The transaction's message id is the id the front door gave its first staged chunk, stored in <c>transactions</c>
/// and answered by every chunk after it. The marker is the row of that id (its key is the id's sequence, like any
/// message's), so a transaction takes its place among the messages of its ordering key when its first chunk arrived.
/// </remarks>
internal sealed partial class SqliteLog
{
    /// <summary>Row <c>m</c> of <c>messages</c> is not the dead letter of a transaction that expired incomplete.</summary>
    private const string IncompleteClause =
        " AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.ns = m.ns AND t.id = m.id AND t.state = 3)";

    public Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken) =>
        SqliteTransactionStaging.ReadChunksAsync(_database, "chunks", ns, transactionId, cancellationToken);

    public Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db => db.Execute("UPDATE chunks SET delivered = 1 WHERE ns = $p0 AND txn = $p1 AND sequence = $p2", ns, transactionId, sequence));

    public Task FinishAsync(string ns, string transactionId, CancellationToken cancellationToken)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            Finish(db, ns, transactionId, nowMs);
            return 0;
        });
    }

    public Task<long> SweepAsync(NamespaceSettings ns, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ExpireAsync(ns.Name, now - ns.TransactionTimeout, now);
    }

    /// <summary>
    /// Stages the chunks <paramref name="indices"/> of <paramref name="rows"/>, all of one transaction, in their order:
    /// each is staged, or found staged already (a repeat changes nothing), or refused against the chunks staged before it
    /// (<c>INVALID_ARGUMENT</c> naming the field). The transaction's row and its staged sequences are read once for them
    /// all and its counts written once, so a call carrying a whole transaction costs about one insert per chunk. Never
    /// throws for a refusal: a throw would roll back the whole group.
    /// </summary>
    private static void Stage(WriteContext db, Row[] rows, List<int> indices, AppendResult[] results, long nowMs)
    {
        var first = rows[indices[0]];
        var ns = first.Meta.Namespace;
        var txn = first.Chunk!.TransactionId;
        var header = ReadTransaction(db, ns, txn);
        var id = header?.Id ?? first.Meta.MessageId;
        var state = header?.State ?? StagingRules.Staging;
        var lastSeq = header?.LastSeq;
        var bytes = header?.Bytes ?? 0;
        var staged = header is null ? [] : StagedSequences(db, ns, txn);
        var (created, changed) = (header is not null, false);
        foreach (var index in indices)
        {
            var row = rows[index];
            var chunk = row.Chunk!;
            var current = created ? new StagedHeader(id, state, staged.Count, bytes, lastSeq) : null;
            var decision = StagingRules.Decide(current, chunk, staged.Contains(chunk.Sequence), staged.Count > 0 ? staged.Max() : null, row.Payload.Length);
            if (decision.Answer is { } answer)
            {
                results[index] = answer;
                continue;
            }

            if (!created)
            {
                db.Execute(
                    "INSERT INTO transactions (ns, txn, id, state, first_ms, window_ms, staged, bytes) VALUES ($p0, $p1, $p2, 0, $p3, $p4, 0, 0)",
                    ns, txn, id, nowMs, row.DedupWindowMs);
                created = true;
            }

            var insert = db.Raw("INSERT INTO chunks (ns, txn, sequence, meta, payload) VALUES (?1, ?2, ?3, ?4, ?5)")
                .BindUtf8(1, row.Namespace).Bind(2, txn).Bind(3, chunk.Sequence).Bind(5, row.Payload);
            (chunk.Last ? insert.Bind(4, row.MetaBytes) : insert.Bind(4, (string?)null)).Run();
            staged.Add(chunk.Sequence);
            bytes += row.Payload.Length;
            lastSeq ??= chunk.Last ? chunk.Sequence : null;
            changed = true;
            results[index] = AppendResult.Persisted(id);
            if (lastSeq is { } end && staged.Count == end + 1)
            {
                results[index] = AppendResult.Persisted(Complete(db, ns, txn, id, end, nowMs, row.DedupWindowMs));
                state = StagingRules.Complete;
            }
        }

        if (changed)
        {
            db.Execute(
                "UPDATE transactions SET staged = $p2, bytes = $p3, last_seq = $p4 WHERE ns = $p0 AND txn = $p1",
                ns, txn, staged.Count, bytes, lastSeq);
        }
    }

    private static HashSet<int> StagedSequences(WriteContext db, string ns, string txn)
    {
        var staged = new HashSet<int>();
        using var reader = db.Query("SELECT sequence FROM chunks WHERE ns = $p0 AND txn = $p1", ns, txn);
        while (reader.Read())
        {
            staged.Add(reader.GetInt32(0));
        }

        return staged;
    }

    /// <summary>
    /// Enqueues the completion marker of a transaction whose chunks 0..<paramref name="last"/> are all staged: a
    /// message of the transaction's id carrying its last chunk's write fields and no payload. When the last chunk's
    /// idempotency key was claimed within its dedup window, nothing is enqueued, the chunks go, and the first id is
    /// answered.
    /// </summary>
    private static string Complete(WriteContext db, string ns, string txn, string id, int last, long nowMs, long dedupWindowMs)
    {
        var meta = EnvelopeCodec.DecodeMeta((byte[])db.Scalar("SELECT meta FROM chunks WHERE ns = $p0 AND txn = $p1 AND sequence = $p2", ns, txn, last)!);
        meta.MessageId = id;
        meta.TransactionId = txn;
        meta.ChunkCount = last + 1;
        if (ClaimIdempotencyKey(db, meta, nowMs, dedupWindowMs) is { } first)
        {
            Finish(db, ns, txn, nowMs);
            return first;
        }

        var insert = db.Raw(InsertSql).Bind(5, nowMs).Bind(1, ns).Bind(2, id).Bind(3, meta.DeliverAtMs)
            .Bind(4, meta.OrderingKey.Length > 0 ? meta.OrderingKey : null)
            .Bind(6, EnvelopeCodec.EncodeMeta(meta)).Bind(7, ReadOnlySpan<byte>.Empty)
            .Bind(8, MessageIdGenerator.TryGetSequence(id, out var seq) ? seq : null);
        insert.Run();
        db.Execute("UPDATE transactions SET state = 1 WHERE ns = $p0 AND txn = $p1", ns, txn);
        return id;
    }

    /// <summary>Dead-letters the transactions of <paramref name="ns"/> still incomplete whose first chunk was staged before <paramref name="startedBefore"/>.</summary>
    private Task<long> ExpireAsync(string ns, DateTimeOffset startedBefore, DateTimeOffset now)
    {
        var beforeMs = startedBefore.ToUnixTimeMilliseconds();
        var nowMs = now.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            var expired = new List<(string Txn, string Id, long FirstMs, int? LastSeq)>();
            using (var reader = db.Query("SELECT txn, id, first_ms, last_seq FROM transactions WHERE ns = $p0 AND state = 0 AND first_ms < $p1", ns, beforeMs))
            {
                while (reader.Read())
                {
                    expired.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
                }
            }

            foreach (var (txn, id, firstMs, lastSeq) in expired)
            {
                DeadLetterIncomplete(db, ns, txn, id, firstMs, lastSeq, nowMs);
            }

            return (long)expired.Count;
        });
    }

    /// <summary>
    /// Turns an expired transaction into one dead letter of its id, whose <c>last_error</c> names the missing chunks;
    /// its staged chunks stay until it is purged.
    /// </summary>
    private static void DeadLetterIncomplete(WriteContext db, string ns, string txn, string id, long firstMs, int? lastSeq, long nowMs)
    {
        var staged = new HashSet<int>();
        byte[]? lastMeta = null;
        using (var reader = db.Query("SELECT sequence, meta FROM chunks WHERE ns = $p0 AND txn = $p1", ns, txn))
        {
            while (reader.Read())
            {
                staged.Add(reader.GetInt32(0));
                lastMeta ??= reader.IsDBNull(1) ? null : (byte[])reader[1];
            }
        }

        var error = StagingRules.IncompleteError(StagingRules.MissingSequences(staged, lastSeq), lastSeq is not null);
        var meta = lastMeta is null
            ? new Core.Model.Storage.EnvelopeMeta { Namespace = ns, OriginalWriteTimeMs = firstMs }
            : EnvelopeCodec.DecodeMeta(lastMeta);
        meta.MessageId = id;
        meta.TransactionId = txn;
        db.Execute(
            "INSERT INTO messages (seq, ns, id, state, due_ms, written_ms, done_ms, last_error, meta) VALUES ($p0, $p1, $p2, 3, $p3, $p4, $p3, $p5, $p6)",
            MessageIdGenerator.TryGetSequence(id, out var seq) ? seq : null,
            ns, id, nowMs, firstMs, error, EnvelopeCodec.EncodeMeta(meta));
        db.Execute("UPDATE transactions SET state = 3 WHERE ns = $p0 AND txn = $p1", ns, txn);
    }

    /// <summary>The transaction is over (applied, purged, or a repeat of an earlier one): its chunks go, its header stays until trimmed.</summary>
    private static void Finish(WriteContext db, string ns, string txn, long nowMs)
    {
        db.Execute("DELETE FROM chunks WHERE ns = $p0 AND txn = $p1", ns, txn);
        db.Execute("UPDATE transactions SET state = 2, done_ms = $p2 WHERE ns = $p0 AND txn = $p1", ns, txn, nowMs);
    }

    /// <summary>After the marker of <paramref name="messageId"/> left the log (applied, purged): its transaction is over.</summary>
    private static void FinishById(WriteContext db, string ns, string messageId, long nowMs)
    {
        if (db.Scalar("SELECT txn FROM transactions WHERE ns = $p0 AND id = $p1", ns, messageId) is string txn)
        {
            Finish(db, ns, txn, nowMs);
        }
    }

    private static TransactionHeader? ReadTransaction(WriteContext db, string ns, string txn)
    {
        using var reader = db.Query("SELECT id, state, bytes, last_seq FROM transactions WHERE ns = $p0 AND txn = $p1", ns, txn);
        return reader.Read()
            ? new TransactionHeader(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3))
            : null;
    }

    /// <summary>A row of <c>transactions</c>: state 0 staging, 1 its marker enqueued, 2 over, 3 dead-lettered incomplete.</summary>
    private sealed record TransactionHeader(string Id, int State, long Bytes, int? LastSeq);
}

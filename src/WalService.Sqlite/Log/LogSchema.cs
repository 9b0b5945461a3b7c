using WalService.Core.Runtime;

namespace WalService.Sqlite.Log;

/// <summary>
/// The embedded log's tables. One row per message, for its whole life:
/// <code>
///   state 0 QUEUED  --lease--> 1 LEASED --ack--> 2 APPLIED --(dedup_window)--> trimmed
///      ^                          |  \--dead-letter--> 3 DEAD --redrive--> 0 / purge --> deleted
///      +---retry (due_ms = at) ---+
/// </code>
/// <c>due_ms</c> is when the row may next be handed out: its delivery time while QUEUED, its lease expiry while
/// LEASED, so one partial index over both finds every deliverable row. The partial indexes carry <c>state</c> so that
/// the backlog counts read them alone. <c>attempts</c> counts leases taken; an
/// acknowledgement must name the attempt it answers, so a verdict for an expired lease changes nothing.
/// <para>
/// A row's <c>seq</c> is its message id's <see cref="MessageIdGenerator.TryGetSequence">sequence</see>, so a
/// message is found by its id without an index of ids, one B-tree fewer for every insert. Rows below
/// <see cref="MessageIdGenerator.FirstSequence"/> are named: written before ids were keys, or with an id of another
/// layout; the partial index <c>messages_named</c> finds those by id.
/// </para>
/// <para>
/// Transactions: <c>transactions</c> holds one row per transaction (its message id, state 0 staging / 1 marker
/// enqueued / 2 over, chunks and bytes staged, the last chunk's sequence once known), kept for the namespace's
/// dedup window after it is over, so that a chunk sent again then changes nothing; <c>chunks</c> holds the staged chunks, the last one with its write fields (an
/// encoded <c>EnvelopeMeta</c>), and whether each was delivered to a target that takes chunks one by one. Chunks go
/// when their transaction is applied or purged. The completion marker is an ordinary <c>messages</c> row of the
/// transaction's id without a payload.
/// </para>
/// </summary>
internal static class LogSchema
{
    public const int Queued = 0;
    public const int Leased = 1;
    public const int Applied = 2;
    public const int Dead = 3;

    public const long NamedBelow = MessageIdGenerator.FirstSequence;

    public static readonly string Create = $"""
        CREATE TABLE IF NOT EXISTS messages (
            seq INTEGER PRIMARY KEY,
            ns TEXT NOT NULL,
            id TEXT NOT NULL,
            state INTEGER NOT NULL,
            due_ms INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            ordering_key TEXT,
            written_ms INTEGER NOT NULL,
            done_ms INTEGER,
            last_error TEXT,
            meta BLOB,
            payload BLOB
        );
        DROP INDEX IF EXISTS messages_id;
        CREATE UNIQUE INDEX IF NOT EXISTS messages_named ON messages(ns, id) WHERE seq < {NamedBelow};
        CREATE INDEX IF NOT EXISTS messages_due ON messages(ns, due_ms, state) WHERE state < 2;
        CREATE INDEX IF NOT EXISTS messages_order ON messages(ns, ordering_key, seq) WHERE state < 2 AND ordering_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS messages_leased ON messages(ns, due_ms, state) WHERE state = 1;
        CREATE INDEX IF NOT EXISTS messages_done ON messages(ns, done_ms) WHERE state = 2;
        CREATE INDEX IF NOT EXISTS messages_dead ON messages(ns, id, state) WHERE state = 3;
        CREATE TABLE IF NOT EXISTS idempotency (
            ns TEXT NOT NULL,
            key TEXT NOT NULL,
            id TEXT NOT NULL,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (ns, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS transactions (
            ns TEXT NOT NULL,
            txn TEXT NOT NULL,
            id TEXT NOT NULL,
            state INTEGER NOT NULL,
            first_ms INTEGER NOT NULL,
            done_ms INTEGER,
            window_ms INTEGER NOT NULL,
            staged INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            last_seq INTEGER,
            PRIMARY KEY (ns, txn)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS transactions_id ON transactions(ns, id);
        CREATE TABLE IF NOT EXISTS chunks (
            ns TEXT NOT NULL,
            txn TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            delivered INTEGER NOT NULL DEFAULT 0,
            meta BLOB,
            payload BLOB NOT NULL,
            UNIQUE (ns, txn, sequence)
        );
        """;
}

using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.Log;

/// <summary>
/// Leasing when rows cannot be read. A row whose envelope does not decode is quarantined: dead-lettered with a
/// <c>last_error</c> saying why, so it never blocks its namespace. A lease query that fails on a damaged page
/// (SQLITE_CORRUPT) is followed by a lease row by row (<see cref="LeaseRowByRow"/>) that finds the rows it cannot
/// read and skips them from then on.
/// </summary>
internal sealed partial class SqliteLog
{
    private const string UnreadablePrefix = "the stored message could not be read: ";

    /// <summary>
    /// Rows on damaged pages: they can be neither read nor changed, so they cannot be dead-lettered; the queries of
    /// this process leave them out. Kept in memory only: after a restart the next lease finds them again.
    /// </summary>
    private readonly ConcurrentDictionary<long, string> _skipped = new();

    /// <summary>Due rows of $p0 by $p1 from the due index alone: it names rows without reading the table's pages.</summary>
    private const string DueFromIndexSql = "SELECT seq FROM messages INDEXED BY messages_due WHERE ns = $p0 AND state < 2 AND due_ms <= $p1 ORDER BY due_ms LIMIT $p2";

    /// <summary>
    /// Leases row $p1 if it is due by $p2 and not held, until $p0. The lease query's own conditions, for one row.
    /// </summary>
    private static readonly string LeaseOneSql = $"""
        UPDATE messages AS m SET state = 1, due_ms = $p0, attempts = attempts + 1
        WHERE m.seq = $p1 AND m.state < 2 AND m.due_ms <= $p2 AND {NotHeld}
        RETURNING seq, attempts, meta, payload, id
        """;

    /// <summary>
    /// The lease statement; <paramref name="exclude"/> leaves out skipped rows. It names rows by the due index's
    /// columns and the rowid before any column of the table, so SQLite tests it before reading a row's page.
    /// </summary>
    private static string LeaseStatement(string exclude) => $"""
        UPDATE messages SET state = 1, due_ms = $p0, attempts = attempts + 1
        WHERE seq IN (
            SELECT m.seq FROM messages m
            WHERE m.ns = $p1 AND m.state < 2 AND m.due_ms <= $p2 {exclude} AND {NotHeld}
            ORDER BY m.due_ms LIMIT $p3)
        RETURNING seq, attempts, meta, payload, id
        """;

    private static string NextDueStatement(string exclude) =>
        $"SELECT m.due_ms FROM messages m WHERE m.ns = $ns AND m.state < 2 {exclude} AND {NotHeld} ORDER BY m.due_ms LIMIT 1";

    /// <summary><c>AND m.seq NOT IN (...)</c> over the skipped rows: numbers only, no client input.</summary>
    private string SkippedClause() =>
        "AND m.seq NOT IN (" + string.Join(',', _skipped.Keys.Select(k => k.ToString(CultureInfo.InvariantCulture))) + ")";

    private List<LeasedMessage> Lease(WriteContext db, string sql, string ns, int max, long nowMs, long leaseUntil)
    {
        var leased = new List<LeasedMessage>();
        var unreadable = new List<(long Seq, string Id, string Reason)>();
        using (var reader = db.Query(sql, leaseUntil, ns, nowMs, max))
        {
            while (reader.Read())
            {
                Take(reader, ns, leased, unreadable);
            }
        }

        LeaseRuns(db, ns, max, nowMs, leaseUntil, leased, unreadable);
        foreach (var (seq, id, reason) in unreadable)
        {
            Quarantine(db, ns, seq, id, reason, nowMs);
        }

        return leased;
    }

    /// <summary>
    /// The lease query failed on a damaged page. SQLite cannot say which rows live there, so: take the due rows' keys
    /// from the due index (which does not touch the table's pages; if the index itself is damaged this fails too,
    /// and the worker tries again after a pause), then lease each row alone. A row whose lease fails with
    /// SQLITE_CORRUPT sits on a damaged page: it is dead-lettered if it can still be changed, else skipped from then on.
    /// Every other row is leased as usual, so the namespace goes on.
    /// </summary>
    private List<LeasedMessage> LeaseRowByRow(WriteContext db, string ns, int max, long nowMs, long leaseUntil)
    {
        var candidates = new List<long>();
        using (var reader = db.Query(DueFromIndexSql, ns, nowMs, max + _skipped.Count))
        {
            while (reader.Read())
            {
                candidates.Add(reader.GetInt64(0));
            }
        }

        var leased = new List<LeasedMessage>();
        var unreadable = new List<(long Seq, string Id, string Reason)>();
        foreach (var seq in candidates.Where(s => !_skipped.ContainsKey(s)).Take(max))
        {
            try
            {
                if (LeaseOne(db, ns, seq, nowMs, leaseUntil, leased, unreadable))
                {
                    continue;
                }

                // Not leased: held behind an earlier message of its ordering key, or not found by its key though the
                // due index names it, which is how SQLite reads a page whose cell pointers are garbage.
                if (db.Scalar("SELECT count(*) FROM messages WHERE seq = $p0", seq) is not 0L)
                {
                    continue;
                }

                const string Missing = "the due index names the row but the table cannot find it (a damaged page)";
                _database.Health?.MarkDamaged(Missing);
                Skip(ns, seq, Missing);
            }
            catch (SqliteException ex) when (FileHealth.IsCorruption(ex))
            {
                _database.Health?.Failed(ex);
                if (!TryDeadLetter(db, ns, seq, ex.Message, nowMs))
                {
                    Skip(ns, seq, ex.Message);
                }
            }
        }

        foreach (var (seq, id, reason) in unreadable)
        {
            Quarantine(db, ns, seq, id, reason, nowMs);
        }

        return leased;
    }

    /// <summary>Leases row <paramref name="seq"/> alone; false when it was not leased.</summary>
    private static bool LeaseOne(WriteContext db, string ns, long seq, long nowMs, long leaseUntil, List<LeasedMessage> leased, List<(long Seq, string Id, string Reason)> unreadable)
    {
        using var reader = db.Query(LeaseOneSql, leaseUntil, seq, nowMs);
        if (!reader.Read())
        {
            return false;
        }

        Take(reader, ns, leased, unreadable);
        return true;
    }

    private void Skip(string ns, long seq, string detail)
    {
        _skipped[seq] = detail;
        _storage?.CountQuarantined(ns);
        StorageLog.RowSkipped(_logger, seq, ns, detail);
    }

    /// <summary>Reads a leased row (seq, attempts, meta, payload, id) into <paramref name="leased"/>, or into <paramref name="unreadable"/> with why.</summary>
    private static void Take(SqliteDataReader reader, string ns, List<LeasedMessage> leased, List<(long Seq, string Id, string Reason)> unreadable)
    {
        var seq = reader.GetInt64(0);
        var id = reader.IsDBNull(4) ? string.Empty : reader.GetString(4);
        if (reader.IsDBNull(2))
        {
            unreadable.Add((seq, id, "its envelope is missing"));
            return;
        }

        try
        {
            var meta = EnvelopeCodec.DecodeMeta((byte[])reader[2]);
            if ((meta.MessageId.Length > 0 && meta.MessageId != id) || (meta.Namespace.Length > 0 && meta.Namespace != ns))
            {
                // Protobuf reads many a garbage byte string as some message; one naming another message is damage.
                unreadable.Add((seq, id, "its envelope names another message (its bytes were changed)"));
                return;
            }

            var payload = reader.IsDBNull(3) ? [] : (byte[])reader[3];
            leased.Add(new LeasedMessage(new Envelope(meta, payload), reader.GetInt32(1), seq));
        }
        catch (InvalidProtocolBufferException ex)
        {
            unreadable.Add((seq, id, "its envelope does not decode: " + ex.Message));
        }
    }

    /// <summary>Dead-letters row <paramref name="seq"/> with why it could not be read; false when the row was not there to change.</summary>
    private bool Quarantine(WriteContext db, string ns, long seq, string id, string reason, long nowMs)
    {
        if (db.Execute("UPDATE messages SET state = 3, done_ms = $p0, last_error = $p1 WHERE seq = $p2", nowMs, UnreadablePrefix + reason, seq) == 0)
        {
            return false;
        }

        _storage?.CountQuarantined(ns);
        StorageLog.Quarantined(_logger, id, seq, ns, reason);
        return true;
    }

    /// <summary>Dead-letters a row whose lease failed on a damaged page; false when even that fails there.</summary>
    private bool TryDeadLetter(WriteContext db, string ns, long seq, string reason, long nowMs)
    {
        try
        {
            return Quarantine(db, ns, seq, "(unknown id)", reason, nowMs);
        }
        catch (SqliteException ex) when (FileHealth.IsCorruption(ex))
        {
            return false;
        }
    }
}

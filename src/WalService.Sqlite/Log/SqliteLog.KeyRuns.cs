using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqlite.Log;

/// <summary>
/// Runs of one ordering key. A lease hands out the first undelivered message of a key; the messages after it that are
/// due and waiting, up to the first that is not, go out in the same lease behind it, so the worker delivers them one
/// after another instead of leasing each only once the one before it is recorded.
/// </summary>
internal sealed partial class SqliteLog
{
    /// <summary>
    /// Leases, until $p0, up to $p3 rows of key $p4 in namespace $p1 after row $p5, in write order, stopping before the
    /// first that is not waiting and due by $p2 (one leased elsewhere, delayed or backing off keeps its place).
    /// </summary>
    private const string LeaseRunSql = """
        WITH after AS (
            SELECT seq, state, due_ms FROM messages INDEXED BY messages_order
            WHERE ns = $p1 AND ordering_key = $p4 AND state < 2 AND seq > $p5
            ORDER BY seq LIMIT $p3)
        UPDATE messages SET state = 1, due_ms = $p0, attempts = attempts + 1
        WHERE seq IN (
            SELECT seq FROM after
            WHERE seq < coalesce((SELECT min(seq) FROM after WHERE state <> 0 OR due_ms > $p2), 9223372036854775807))
        RETURNING seq, attempts, meta, payload, id
        """;

    /// <summary>Adds to <paramref name="leased"/>, after the heads it holds, the runs behind each keyed head, within <paramref name="max"/> in all.</summary>
    private static void LeaseRuns(WriteContext db, string ns, int max, long nowMs, long leaseUntil, List<LeasedMessage> leased, List<(long Seq, string Id, string Reason)> unreadable)
    {
        var heads = leased.Count;
        for (var i = 0; i < heads && leased.Count < max; i++)
        {
            var head = leased[i];
            var scope = Replicas.OrderingScope(head.Envelope.Meta);
            if (scope.Length == 0)
            {
                continue;
            }

            var run = new List<LeasedMessage>();
            using (var reader = db.Query(LeaseRunSql, leaseUntil, ns, nowMs, max - leased.Count, scope, head.LeaseToken))
            {
                while (reader.Read())
                {
                    Take(reader, ns, run, unreadable);
                }
            }

            // RETURNING keeps no order: the seq is the write order.
            leased.AddRange(run.OrderBy(m => m.LeaseToken));
        }
    }
}

using Npgsql;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Postgres.ControlPlane;

namespace WalService.Postgres.Ledger;

/// <summary>
/// The dead-letter archive shared by several instances, in the control-plane database: each dead letter's envelope
/// (metadata and payload as the log stores them) with its attempts, error and time. A batch is one statement (arrays
/// unnested into an upsert that replaces what is already kept).
/// </summary>
internal sealed class PostgresDeadLetterArchive(PostgresSchema schema) : IDeadLetterArchive
{
    private const string Columns = "meta, payload, attempts, last_error, dead_ms";

    public async Task AddAsync(IReadOnlyList<ArchivedDeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        // One row per message: an upsert may not touch a row twice, and the last one given is the one to keep.
        var letters = deadLetters.GroupBy(d => (d.Envelope.Meta.Namespace, d.Envelope.MessageId)).Select(g => g.Last()).ToList();
        if (letters.Count == 0)
        {
            return;
        }

        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO wal_ledger_dead (ns, id, {Columns})
            SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::integer[], $6::text[], $7::bigint[])
            ON CONFLICT (ns, id) DO UPDATE SET
                meta = excluded.meta, payload = excluded.payload, attempts = excluded.attempts,
                last_error = excluded.last_error, dead_ms = excluded.dead_ms
            """,
            connection);
        command.Parameters.AddWithValue(letters.Select(d => d.Envelope.Meta.Namespace).ToArray());
        command.Parameters.AddWithValue(letters.Select(d => d.Envelope.MessageId).ToArray());
        command.Parameters.AddWithValue(letters.Select(d => EnvelopeCodec.EncodeMeta(d.Envelope.Meta)).ToArray());
        command.Parameters.AddWithValue(letters.Select(d => d.Envelope.Payload.ToArray()).ToArray());
        command.Parameters.AddWithValue(letters.Select(d => d.Attempts).ToArray());
        command.Parameters.AddWithValue(letters.Select(d => d.LastError).ToArray());
        command.Parameters.AddWithValue(letters.Select(d => d.DeadLetteredAt.ToUnixTimeMilliseconds()).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ArchivedDeadLetter>> ListAsync(string ns, int pageSize, string? afterId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {Columns} FROM wal_ledger_dead
            WHERE ns = $1 AND id > $2 AND (cardinality($4::text[]) = 0 OR id = ANY($4))
            ORDER BY id LIMIT $3
            """,
            connection);
        command.Parameters.AddWithValue(ns);
        command.Parameters.AddWithValue(afterId ?? string.Empty);
        command.Parameters.AddWithValue(pageSize);
        command.Parameters.AddWithValue(messageIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<ArchivedDeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new ArchivedDeadLetter(
                new Envelope(EnvelopeCodec.DecodeMeta(reader.GetFieldValue<byte[]>(0)), reader.GetFieldValue<byte[]>(1)),
                reader.GetInt32(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return letters;
    }

    public async Task<long> RemoveAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "DELETE FROM wal_ledger_dead WHERE ns = $1 AND (cardinality($2::text[]) = 0 OR id = ANY($2))",
            connection);
        command.Parameters.AddWithValue(ns);
        command.Parameters.AddWithValue(messageIds.ToArray());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long> CountAsync(string ns, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM wal_ledger_dead WHERE ns = $1", connection);
        command.Parameters.AddWithValue(ns);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

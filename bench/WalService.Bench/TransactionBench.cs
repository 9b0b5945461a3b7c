using System.Diagnostics;
using Google.Protobuf;
using Npgsql;
using WalService.Api.V1;
using WalService.Client;
using static WalService.Bench.PhaseTable;
using static WalService.Bench.TimingReport;

namespace WalService.Bench;

/// <summary>
/// The transaction mode (<c>--mode transaction</c>), on the embedded backend with PostgreSQL as the kv store
/// <see cref="Store"/>: (a) a transaction of <c>--mutations</c> mutations in <c>--chunks</c> chunks, timed from its first
/// chunk sent to its rows visible in PostgreSQL, against the same mutations as that many ordinary kv messages, in
/// alternating order, <c>--rounds</c> times; (b) chunk writes against ordinary writes through WriteToLogBatch
/// (<see cref="ChunkThroughput"/>).
/// </summary>
internal static class TransactionBench
{
    /// <summary>The server's name for the PostgreSQL database the bench starts (<c>ConnectionStrings:bench_db</c>).</summary>
    public const string Store = "bench_db";

    /// <summary>The issue's goal for a transaction, first chunk sent to rows visible, in seconds.</summary>
    public const double MaxSeconds = 2;

    /// <summary>The issue's goal for a transaction's time over the same mutations' as ordinary messages.</summary>
    public const double MaxToMessages = 1.5;

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan VisibleTimeout = TimeSpan.FromSeconds(120);

    public static async Task<(TimingReport Latency, ComparisonReport Throughput)> RunAsync(
        BenchSettings settings, string storeConnectionString, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(settings.Address, settings.Connections);
        var client = new WalClient(new WriteAheadLog.WriteAheadLogClient(channels.For(0)), new NamespaceAdmin.NamespaceAdminClient(channels.For(0)));
        await using var database = NpgsqlDataSource.Create(storeConnectionString);
        var latency = await LatencyAsync(settings, client, database, output, cancellationToken);
        var throughput = await ChunkThroughput.RunAsync(settings, channels, server, output, cancellationToken);
        return (latency, throughput);
    }

    private static async Task<TimingReport> LatencyAsync(BenchSettings s, WalClient client, NpgsqlDataSource database, TextWriter output, CancellationToken cancellationToken)
    {
        var ns = $"{s.Namespace}-txn-kv";
        var config = new NamespaceConfig
        {
            Name = ns,
            Target = new Target { Kv = new KvTarget { Store = Store, Table = TransactionRows.Tables[0] } },
            Consumer = new ConsumerSettings { Concurrency = s.ConsumerConcurrency, BatchSize = s.ConsumerBatchSize },
            TrackStatus = s.TrackStatus,
            Embedded = new EmbeddedBackend(),
        };
        await client.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: cancellationToken);
        var rows = new TransactionRows(s.Mutations, s.PayloadBytes);
        var parts = rows.Parts(s.Chunks);
        var chunkBytes = rows.ChunkBytes(s.Chunks);
        output.WriteLine($"transaction: {s.Mutations} mutations of {s.PayloadBytes}-byte values over {TransactionRows.Tables.Length} PostgreSQL tables, {s.Chunks} chunks of at most {chunkBytes} bytes, into {ns}");

        // Warm-up, unmeasured: the kv store creates the tables for a first message, then both paths run once.
        await CreateTablesAsync(client, ns, new TransactionRows(TransactionRows.Tables.Length, s.PayloadBytes).Mutations(), cancellationToken);
        await TimeTransactionAsync(client, database, ns, "warm-up", new TransactionRows(s.Chunks * 3, s.PayloadBytes), s.Chunks * 3, s.Chunks, cancellationToken);
        await TimeMessagesAsync(client, database, ns, new TransactionRows(s.Chunks * 3, s.PayloadBytes).Parts(s.Chunks), s.Chunks * 3, cancellationToken);

        var results = new List<TimingRow>();
        var transactions = new List<Timed>();
        var messages = new List<Timed>();
        for (var round = 1; round <= s.Rounds; round++)
        {
            foreach (var transactionTurn in round % 2 == 1 ? [true, false] : (bool[])[false, true])
            {
                var timed = transactionTurn
                    ? await TimeTransactionAsync(client, database, ns, $"round-{round}", rows, s.Mutations, s.Chunks, cancellationToken)
                    : await TimeMessagesAsync(client, database, ns, parts, s.Mutations, cancellationToken);
                (transactionTurn ? transactions : messages).Add(timed);
                output.WriteLine($"round {round}, {(transactionTurn ? "transaction" : $"{s.Chunks} kv messages")}: durable after {S(timed.Durable.TotalSeconds)}, all rows visible after {S(timed.Visible.TotalSeconds)}");
            }

            var (t, m) = (transactions[^1].Visible.TotalSeconds, messages[^1].Visible.TotalSeconds);
            results.Add(new TimingRow($"round {round} ({(round % 2 == 1 ? "transaction first" : "messages first")}): transaction, first chunk sent to all rows visible", Describe(transactions[^1]), $"< {S(MaxSeconds)}", t < MaxSeconds));
            results.Add(new TimingRow($"round {round}: {s.Chunks} ordinary kv messages, first write to all rows visible", Describe(messages[^1])));
            results.Add(new TimingRow($"round {round}: transaction ÷ messages", N(t / m, 2), $"≤ {N(MaxToMessages, 1)}", t / m <= MaxToMessages));
        }

        var median = (Median(transactions), Median(messages));
        results.Add(new TimingRow("median transaction, first chunk sent to all rows visible", S(median.Item1), $"< {S(MaxSeconds)}", median.Item1 < MaxSeconds));
        results.Add(new TimingRow($"median {s.Chunks} ordinary kv messages", S(median.Item2)));
        results.Add(new TimingRow("median transaction ÷ median messages", N(median.Item1 / median.Item2, 2), $"≤ {N(MaxToMessages, 1)}", median.Item1 / median.Item2 <= MaxToMessages));
        return new TimingReport
        {
            Title = "transaction to PostgreSQL, embedded",
            Description = $"{s.Mutations} mutations ({s.PayloadBytes}-byte values, {TransactionRows.Tables.Length} tables) as one transaction of {s.Chunks} chunks " +
                $"(WalClient.WriteTransactionAsync, {WalClient.TransactionParallelism} chunks at once) against {s.Chunks} ordinary kv messages of the same mutations " +
                $"({WalClient.TransactionParallelism} writes at once), {s.Rounds} rounds in alternating order, tables emptied before each; consumer concurrency {s.ConsumerConcurrency}, batch {s.ConsumerBatchSize}",
            Rows = results,
        };
    }

    /// <summary>Writes <paramref name="mutations"/> as one message and waits until it is applied, which creates their tables.</summary>
    private static async Task CreateTablesAsync(WalClient client, string ns, KvMutationBatch mutations, CancellationToken cancellationToken)
    {
        var written = await client.WriteAsync(ns, mutations.ToByteArray(), cancellationToken: cancellationToken);
        var deadline = Stopwatch.GetTimestamp() + (long)(VisibleTimeout.TotalSeconds * Stopwatch.Frequency);
        while ((await client.GetStatusAsync(ns, written.MessageId, cancellationToken)).State != MessageState.Applied)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the first kv message to {ns} was not applied within {VisibleTimeout.TotalSeconds:0} s; is PostgreSQL answering?");
            }

            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    private static string Describe(Timed timed) => $"{S(timed.Visible.TotalSeconds)} (all durable after {S(timed.Durable.TotalSeconds)})";

    private static double Median(List<Timed> timed)
    {
        var sorted = timed.Select(t => t.Visible.TotalSeconds).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<Timed> TimeTransactionAsync(
        WalClient client, NpgsqlDataSource database, string ns, string name, TransactionRows rows, int count, int chunks, CancellationToken cancellationToken)
    {
        var mutations = rows.Mutations();
        var chunkBytes = rows.ChunkBytes(chunks);
        await TransactionRows.ClearAsync(database, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await client.WriteTransactionAsync(ns, $"{name}-{Guid.NewGuid():N}", mutations, chunkBytes, cancellationToken: cancellationToken);
        var durable = Stopwatch.GetElapsedTime(started);
        return new Timed(durable, await WaitVisibleAsync(database, count, started, cancellationToken));
    }

    private static async Task<Timed> TimeMessagesAsync(WalClient client, NpgsqlDataSource database, string ns, List<KvMutationBatch> parts, int count, CancellationToken cancellationToken)
    {
        await TransactionRows.ClearAsync(database, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(
            parts,
            new ParallelOptions { MaxDegreeOfParallelism = WalClient.TransactionParallelism, CancellationToken = cancellationToken },
            async (part, ct) =>
            {
                var answer = await client.WriteAsync(ns, part.ToByteArray(), cancellationToken: ct);
                if (answer.Durable != Trilean.True)
                {
                    throw new InvalidOperationException($"a kv message was answered {answer.Durable}: {answer.Message}");
                }
            });
        var durable = Stopwatch.GetElapsedTime(started);
        return new Timed(durable, await WaitVisibleAsync(database, count, started, cancellationToken));
    }

    /// <summary>Polls the tables every 5 ms until they hold <paramref name="count"/> rows; the time since <paramref name="started"/>.</summary>
    private static async Task<TimeSpan> WaitVisibleAsync(NpgsqlDataSource database, int count, long started, CancellationToken cancellationToken)
    {
        var deadline = started + (long)(VisibleTimeout.TotalSeconds * Stopwatch.Frequency);
        while (await TransactionRows.VisibleAsync(database, cancellationToken) < count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"fewer than {count} rows visible {VisibleTimeout.TotalSeconds:0} s after the first write");
            }

            await Task.Delay(PollEvery, cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>When a write was durable (every chunk or message) and when all its rows were visible, both from its first send.</summary>
    private sealed record Timed(TimeSpan Durable, TimeSpan Visible);
}

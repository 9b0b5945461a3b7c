using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A kv transaction of 10,000 mutations (100-byte values) over three PostgreSQL tables, in 50 chunks sent out of order
/// and alternately through two server processes on one PostgreSQL control plane, on Kafka and on SQS: no row of it is
/// visible before its last chunk, and after it all 10,000 are, together, once. The kv store is a second database on the
/// control plane's server, offered to both processes as <c>ConnectionStrings:Kv</c>.
/// </summary>
public sealed class TransactionTwoProcessTests() : TwoProcessTest("txn")
{
    private const string Namespace = "txn-two";
    private const string Store = "Kv";
    private const int Mutations = 10_000;
    private const int Chunks = 50;
    private const int ValueBytes = 100;
    private static readonly string[] Tables = ["txn_items", "txn_by_owner", "txn_audit"];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("kafka")]
    [InlineData("sqs")]
    public async Task AKvTransactionSentInChunksThroughTwoProcessesBecomesVisibleAllAtOnceAfterItsLastChunk(string backend)
    {
        await using var broker = await TestBroker.StartAsync(backend);
        var kv = await Postgres.CreateDatabaseAsync("kv");
        await using var rows = NpgsqlDataSource.Create(kv);
        try
        {
            Step($"1. two processes on one control plane and {backend}, with the kv store {Store}; the three tables exist, empty");
            foreach (var server in new[] { First, Second })
            {
                broker.Configure(server);
                server.Environment[$"ConnectionStrings__{Store}"] = kv;
            }

            await Task.WhenAll(First.StartAsync(), Second.StartAsync());
            await CreateTablesAsync(rows);
            var config = broker.OnBroker(new NamespaceConfig { Name = Namespace, Target = new Target { Kv = new KvTarget { Store = Store, Table = Tables[0] } } });
            await First.CreateClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
            await Task.WhenAll(WarmUpAsync(First, rows), WarmUpAsync(Second, rows));

            Step("2. chunk 49 (last) first, then 48 more in a shuffled order, two at a time, one through each process: no row is visible after any of them");
            var batches = Batches();
            int[] order = [Chunks - 1, .. Shuffled(Chunks - 1)];
            var ids = new ConcurrentBag<string>();
            for (var at = 0; at < Chunks - 1; at += 2)
            {
                var pair = order.Skip(at).Take(Math.Min(2, Chunks - 1 - at)).ToArray();
                foreach (var id in await Task.WhenAll(pair.Select((sequence, i) => WriteChunkAsync(i == 0 ? First : Second, sequence, batches[sequence]))))
                {
                    ids.Add(id);
                }

                Assert.Equal(0L, (await CountAsync(rows)).Sum());
            }

            var transaction = ids.First();
            var staging = await Second.CreateClient().GetStatusAsync(Namespace, transaction, Ct);
            Assert.Equal(MessageState.Staging, staging.State);
            Assert.Equal(Chunks - 1, staging.ChunksStaged);

            var completing = order[^1];
            Step($"3. the missing chunk {completing}, through the second: the rows appear, all 10,000 in one step");
            var sent = Stopwatch.StartNew();
            ids.Add(await WriteChunkAsync(Second, completing, batches[completing]));
            var totals = new ConcurrentDictionary<long, bool>();
            await Eventually.WaitAsync(
                async () =>
                {
                    var total = (await CountAsync(rows)).Sum();
                    totals[total] = true;
                    return total == Mutations;
                },
                Deadline,
                "every row of the transaction to be visible");
            Step($"   visible {sent.ElapsedMilliseconds} ms after the last chunk was sent");

            Assert.Equal([transaction], ids.Distinct());
            Assert.All(totals.Keys, total => Assert.True(total is 0 or Mutations, $"{total} rows were visible at once"));
            var perTable = await CountAsync(rows);
            Assert.Equal([3334L, 3333, 3333], perTable);
            Assert.Equal(Mutations, await CountExpectedValuesAsync(rows));
            Assert.Equal(1L, await ScalarAsync(rows, "SELECT count(*) FROM wal_kv_applied WHERE ns = $1 AND message_id = $2", Namespace, transaction));
            await Eventually.WaitAsync(
                async () => (await First.CreateClient().GetStatusAsync(Namespace, transaction, Ct)).State == MessageState.Applied,
                Deadline,
                "the transaction's status to read APPLIED");
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"first's log tail:{Environment.NewLine}{First.LogTail}{Environment.NewLine}second's log tail:{Environment.NewLine}{Second.LogTail}");
            throw;
        }
    }

    /// <summary>The 10,000 puts, round robin over the tables, in 50 batches of 200; each value is its sort key padded to 100 bytes.</summary>
    private static KvMutationBatch[] Batches() =>
        [.. Enumerable.Range(0, Mutations)
            .Select(i => new KvMutation
            {
                Table = Tables[i % Tables.Length],
                PartitionKey = $"owner-{i % 97}",
                SortKey = $"key-{i:D5}",
                PutValue = ByteString.CopyFromUtf8($"key-{i:D5}".PadRight(ValueBytes, '.')),
            })
            .Chunk(Mutations / Chunks)
            .Select(mutations => new KvMutationBatch { Mutations = { mutations } })];

    private static int[] Shuffled(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(14).Shuffle(order);
        return order;
    }

    private static async Task<string> WriteChunkAsync(ServerProcess server, int sequence, KvMutationBatch batch)
    {
        var response = await server.CreateClient().Log.WriteToLogAsync(
            new WriteToLogRequest
            {
                Namespace = Namespace,
                Payload = batch.ToByteString(),
                Chunk = new Chunk { TransactionId = $"{Namespace}-1", Sequence = sequence, Last = sequence == Chunks - 1 },
            },
            cancellationToken: Ct);
        Assert.True(response.Durable == Trilean.True, $"chunk {sequence}: {response.Durable} {response.Message}");
        return response.MessageId;
    }

    /// <summary>Waits until an ordinary kv message written through <paramref name="server"/> is applied: it knows the namespace and consumes.</summary>
    private static async Task WarmUpAsync(ServerProcess server, NpgsqlDataSource rows)
    {
        var client = server.CreateClient();
        var batch = new KvMutationBatch { Mutations = { new KvMutation { Table = "warm_up", PartitionKey = "process", SortKey = server.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), PutValue = ByteString.CopyFromUtf8("ok") } } };
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return (await client.WriteAsync(Namespace, batch.ToByteArray(), cancellationToken: Ct)).Durable == Trilean.True;
                }
                catch (RpcException)
                {
                    return false;
                }
            },
            Deadline,
            "a write to be acknowledged");
        await Eventually.WaitAsync(
            async () => await ScalarAsync(rows, "SELECT count(*) FROM pg_tables WHERE tablename = 'warm_up'") == 1
                && await ScalarAsync(rows, "SELECT count(*) FROM warm_up WHERE sort_key = $1", batch.Mutations[0].SortKey) == 1,
            Deadline,
            "the warm-up write to be applied");
    }

    /// <summary>The tables as the kv store creates them, so that the test sees them empty rather than missing.</summary>
    private static async Task CreateTablesAsync(NpgsqlDataSource rows)
    {
        foreach (var table in Tables)
        {
            await using var command = rows.CreateCommand($"CREATE TABLE IF NOT EXISTS {table} (partition_key text NOT NULL, sort_key text NOT NULL, value bytea NOT NULL, PRIMARY KEY (partition_key, sort_key))");
            await command.ExecuteNonQueryAsync(Ct);
        }
    }

    /// <summary>The rows of each table, read in one statement: one snapshot of all three.</summary>
    private static async Task<long[]> CountAsync(NpgsqlDataSource rows)
    {
        await using var command = rows.CreateCommand("SELECT " + string.Join(", ", Tables.Select(t => $"(SELECT count(*) FROM {t})")));
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return [.. Enumerable.Range(0, Tables.Length).Select(reader.GetInt64)];
    }

    private static async Task<long> CountExpectedValuesAsync(NpgsqlDataSource rows)
    {
        var total = 0L;
        foreach (var table in Tables)
        {
            total += await ScalarAsync(rows, $"SELECT count(*) FROM {table} WHERE value = convert_to(rpad(sort_key, {ValueBytes}, '.'), 'UTF8')");
        }

        return total;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource rows, string sql, params object[] args)
    {
        await using var command = rows.CreateCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");
}

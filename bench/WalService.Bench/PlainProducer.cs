using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace WalService.Bench;

/// <summary>
/// The Kafka mode's reference: a plain Confluent.Kafka producer with the settings of the service's own producer
/// (<c>src/WalService.Kafka/KafkaClusters.cs</c>), writing the same payloads in calls of the same size, each record
/// with a unique 26-byte key as the service keys a record by its 26-character message id. With <c>headers</c>, each
/// record also carries headers of the names and sizes the service writes (<c>src/WalService.Kafka/EnvelopeHeaders.cs</c>),
/// so the records are as large as the service's and only the service's own work differs.
/// </summary>
internal static class PlainProducer
{
    /// <summary>The service's producer settings; the cluster's bootstrap servers go on top.</summary>
    public static IReadOnlyDictionary<string, string> ServiceSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["acks"] = "all",
        ["enable.idempotence"] = "true",
        ["linger.ms"] = "5",
        ["compression.type"] = "lz4",
        ["message.timeout.ms"] = "15000",
    };

    public static IProducer<byte[], byte[]> Build(string bootstrapServers, TextWriter output)
    {
        var config = new ProducerConfig(new Dictionary<string, string>(ServiceSettings, StringComparer.Ordinal))
        {
            BootstrapServers = bootstrapServers,
            ClientId = "walservice-bench",
        };
        return new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) =>
            {
                if (m.Level <= SyslogLevel.Warning)
                {
                    output.WriteLine($"  plain producer {m.Level}: {m.Facility} {m.Message}");
                }
            })
            .Build();
    }

    /// <summary>
    /// The call of loop <c>i</c>: produce <paramref name="size"/> records at once and wait for all their delivery
    /// reports, as one <c>WriteToLogBatch</c> call of that size waits for all its entries.
    /// </summary>
    public static Func<int, Func<CancellationToken, Task<CallOutcome>>> Calls(IProducer<byte[], byte[]> producer, string topic, byte[] payload, int size, string? headersOf) => loop =>
    {
        long sequence = 0;
        var reports = new Task<DeliveryResult<byte[], byte[]>>[size];
        return async _ =>
        {
            int durable = 0, notDurable = 0;
            string? problem = null;
            for (var i = 0; i < size; i++)
            {
                var key = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{loop:D4}{sequence++:D22}"));
                var message = new Message<byte[], byte[]> { Key = key, Value = payload, Headers = headersOf is null ? null : ServiceLikeHeaders(key, headersOf) };
                try
                {
                    reports[i] = producer.ProduceAsync(topic, message, CancellationToken.None);
                }
                catch (KafkaException ex)
                {
                    reports[i] = Task.FromException<DeliveryResult<byte[], byte[]>>(ex);
                }
            }

            foreach (var report in reports)
            {
                try
                {
                    if ((await report).Status == PersistenceStatus.Persisted)
                    {
                        durable++;
                        continue;
                    }

                    problem ??= "the cluster did not confirm the write";
                }
                catch (KafkaException ex)
                {
                    problem ??= $"kafka: {ex.Error.Reason}";
                }

                notDurable++;
            }

            return new CallOutcome(durable, notDurable, null, problem);
        };
    };

    /// <summary>The headers the service gives a record of namespace <paramref name="ns"/> written in a traced request, with values of the same sizes.</summary>
    private static Headers ServiceLikeHeaders(byte[] messageId, string ns)
    {
        var now = Encoding.ASCII.GetBytes(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return new Headers
        {
            { "wal-message-id", messageId.ToArray() },
            { "wal-namespace", Encoding.UTF8.GetBytes(ns) },
            { "wal-deliver-at", now },
            { "wal-attempt", "0"u8.ToArray() },
            { "wal-written-at", now.ToArray() },
            { "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"u8.ToArray() },
        };
    }
}

using System.Security.Cryptography;
using Amazon.Runtime;
using Confluent.Kafka;
using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.LocalBackends;

namespace WalService.Bench;

/// <summary>
/// One bench run: (optionally) start the server, make sure the namespace exists, then the three phases in order
/// (Health/Check baseline, WriteToLog, WriteToLogBatch), each write phase followed by a wait for the backlog to drain;
/// or, with a Kafka cluster or an SQS endpoint, the Kafka mode (<see cref="KafkaBench"/>) or the SQS mode (<see cref="SqsBench"/>);
/// or, with <c>--mode</c>, a delivery-timing mode on whichever backend (<see cref="TimingBench"/>), or the transaction
/// mode on the embedded backend with a PostgreSQL it starts (<see cref="TransactionBench"/>), or the replication mode with
/// three servers and Redis servers it starts (<see cref="ReplicationBench"/>).
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        BenchCluster? cluster = null;
        SqsEndpoint? sqs = null;
        PostgresServer? postgres = null;
        string? storeConnectionString = null;
        ServerProcess? server = null;
        try
        {
            if (settings.Mode == BenchSettings.ReplicationMode)
            {
                var (throughput, lateness) = await ReplicationBench.RunAsync(settings, output, cancellationToken);
                Write(throughput.WriteText, throughput.WriteMarkdown);
                Write(lateness.WriteText, lateness.WriteMarkdown);
                return 0;
            }

            if (settings.IsKafka)
            {
                cluster = BenchCluster.Open(settings);
                settings = settings with { KafkaBootstrap = cluster.BootstrapServers };
                output.WriteLine(cluster.IsMock ? $"started librdkafka's mock cluster: {cluster.BootstrapServers}" : $"Kafka cluster: {cluster.BootstrapServers}");
            }

            if (settings.IsSqs)
            {
                sqs = await SqsEndpoint.OpenAsync(settings);
                output.WriteLine(sqs.IsEmulator ? $"started the SQS emulator: {sqs.ServiceUrl}" : $"SQS endpoint: {sqs.ServiceUrl}");
            }

            if (settings.Mode == BenchSettings.TransactionMode)
            {
                postgres = await PostgresServer.StartAsync();
                storeConnectionString = await postgres.CreateDatabaseAsync("bench");
                output.WriteLine($"started PostgreSQL on 127.0.0.1:{postgres.Port}, the server's kv store '{TransactionBench.Store}'");
            }

            if (settings.StartServer is { } dll)
            {
                var config = cluster?.ServerSettings(settings.KafkaCluster, settings.KafkaGroupProtocol) ?? sqs?.ServerSettings() ?? new Dictionary<string, string?>();
                if (storeConnectionString is not null)
                {
                    config = new Dictionary<string, string?>(config) { [$"ConnectionStrings:{TransactionBench.Store}"] = storeConnectionString };
                }

                server = await ServerProcess.StartAsync(dll, config, cancellationToken);
                output.WriteLine($"started server pid {server.Process.Id}: gRPC {server.GrpcAddress}, ops {server.OpsAddress}, data {server.DataDirectory}");
                settings = settings with { Address = server.GrpcAddress, OpsAddress = server.OpsAddress };
            }

            if (storeConnectionString is not null)
            {
                var (latency, throughput) = await TransactionBench.RunAsync(settings, storeConnectionString, server, output, cancellationToken);
                latency = latency with { ServerPeakRssBytes = server?.PeakRssBytes(), LoadAverage = TimingReport.ReadLoadAverage() };
                throughput = throughput with { ServerPeakRssBytes = server?.PeakRssBytes(), ClientPeakRssBytes = ClientPeakRss() };
                Write(latency.WriteText, latency.WriteMarkdown);
                Write(throughput.WriteText, throughput.WriteMarkdown);
                return 0;
            }

            if (settings.IsTiming)
            {
                var timing = await TimingBench.RunAsync(settings, cluster, server, output, cancellationToken) with { ServerPeakRssBytes = server?.PeakRssBytes(), LoadAverage = TimingReport.ReadLoadAverage() };
                Write(timing.WriteText, timing.WriteMarkdown);
                return 0;
            }

            var comparison = cluster is not null ? await KafkaBench.RunAsync(settings, cluster, server, output, cancellationToken)
                : sqs is not null ? await SqsBench.RunAsync(settings, sqs, server, output, cancellationToken)
                : null;
            if (comparison is not null)
            {
                comparison = comparison with { ServerPeakRssBytes = server?.PeakRssBytes(), ClientPeakRssBytes = ClientPeakRss() };
                Write(comparison.WriteText, comparison.WriteMarkdown);
                return 0;
            }

            var report = await RunPhasesAsync(settings, server, output, cancellationToken);
            report = report with { ServerPeakRssBytes = server?.PeakRssBytes(), ClientPeakRssBytes = ClientPeakRss() };
            Write(report.WriteText, report.WriteMarkdown);
            return 0;
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or TimeoutException or KafkaException or AmazonServiceException or AmazonClientException or HttpRequestException or StackExchange.Redis.RedisException)
        {
            output.WriteLine($"bench failed: {ex.Message}");
            return 1;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            cluster?.Dispose();
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            if (sqs is not null)
            {
                await sqs.DisposeAsync();
            }
        }

        void Write(Action<TextWriter> text, Action<TextWriter> markdown)
        {
            text(output);
            if (settings.Markdown)
            {
                output.WriteLine();
                markdown(output);
            }
        }
    }

    /// <summary>A reader of the ops endpoint's <c>/metrics</c>, or null (with a warning) when there is none or it does not answer.</summary>
    public static async Task<MetricsScraper?> ConnectMetricsAsync(BenchSettings settings, HttpClient http, TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.OpsAddress is not { } ops)
        {
            return null;
        }

        var metrics = new MetricsScraper(http, ops, settings.Namespace);
        if (await metrics.TryReadAsync(cancellationToken) is null)
        {
            output.WriteLine($"warning: {metrics.Address} does not answer; the drain is judged by GetMessageStatus only");
            return null;
        }

        return metrics;
    }

    private static long? ClientPeakRss() => ServerProcess.ReadStatusKb(Environment.ProcessId, "VmHWM:") * 1024;

    private static async Task<BenchReport> RunPhasesAsync(BenchSettings settings, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(settings.Address, settings.Connections);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        var log = new WriteAheadLog.WriteAheadLogClient(channels.For(0));

        var metrics = await ConnectMetricsAsync(settings, http, output, cancellationToken);
        output.WriteLine(await BenchNamespace.EnsureAsync(admin, settings, cancellationToken));
        var probe = new Probe(server?.Process, metrics);
        var drain = new DrainWatcher(log, probe, settings.Namespace, settings.DrainTimeout);
        var payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(settings.PayloadBytes));

        var run = settings.Phases;
        PhaseResult? health = null, single = null, batch = null;
        var first = true;

        // The first phase that runs warms up longer, so its window does not pay for the server's JIT compilation.
        BenchSettings First()
        {
            var phase = first ? settings with { Warmup = settings.Warmup + settings.InitialWarmup } : settings;
            first = false;
            return phase;
        }

        if (run.Contains("health"))
        {
            output.WriteLine($"phase Health/Check: {settings.Concurrency} concurrent calls");
            health = await LoadGenerator.RunAsync("Health/Check", First(), i => GrpcCalls.Health(channels, i), probe, cancellationToken);
        }

        if (run.Contains("single"))
        {
            output.WriteLine($"phase WriteToLog: {settings.Concurrency} concurrent calls, {settings.PayloadBytes}-byte payloads");
            single = await WritePhaseAsync("WriteToLog", First(), i => GrpcCalls.Single(channels, i, settings.Namespace, payload), probe, drain, admin, output, cancellationToken);
        }

        if (run.Contains("batch"))
        {
            output.WriteLine($"phase WriteToLogBatch: {settings.Concurrency} concurrent calls of {settings.BatchSize} entries");
            batch = await WritePhaseAsync($"WriteToLogBatch x{settings.BatchSize}", First(), i => GrpcCalls.Batch(channels, i, settings.Namespace, payload, settings.BatchSize), probe, drain, admin, output, cancellationToken);
        }

        return new BenchReport { Settings = settings, Health = health, Single = single, Batch = batch };
    }

    /// <summary>
    /// A write phase, then the wait for its backlog (judged by the last message id's status too when the namespace
    /// tracks status). With <see cref="BenchSettings.PauseConsumers"/>, the namespace is paused while the phase runs
    /// and resumed before the wait.
    /// </summary>
    public static async Task<PhaseResult> WritePhaseAsync(
        string name,
        BenchSettings settings,
        Func<int, Func<CancellationToken, Task<CallOutcome>>> callFor,
        Probe probe,
        DrainWatcher drain,
        NamespaceAdmin.NamespaceAdminClient admin,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        if (settings.PauseConsumers)
        {
            await admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = settings.Namespace }, cancellationToken: cancellationToken);
        }

        var before = await probe.TakeAsync(cancellationToken);
        var phase = await LoadGenerator.RunAsync(name, settings, callFor, probe, cancellationToken);
        if (settings.PauseConsumers)
        {
            await admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = settings.Namespace }, cancellationToken: cancellationToken);
        }

        output.WriteLine($"  {phase.TotalDurable} messages durable; waiting up to {settings.DrainTimeout.TotalSeconds:0} s for the consumers to apply them");
        return phase with { Drain = await drain.WatchAsync(before, settings.TrackStatus ? phase.LastMessageId : null, cancellationToken) };
    }
}

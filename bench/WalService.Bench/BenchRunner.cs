using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// One bench run: (optionally) start the server, make sure the namespace exists, then the three phases in order
/// (Health/Check baseline, WriteToLog, WriteToLogBatch), each write phase followed by a wait for the backlog to drain.
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ServerProcess? server = null;
        try
        {
            if (settings.StartServer is { } dll)
            {
                server = await ServerProcess.StartAsync(dll, cancellationToken);
                output.WriteLine($"started server pid {server.Process.Id}: gRPC {server.GrpcAddress}, ops {server.OpsAddress}, data {server.DataDirectory}");
                settings = settings with { Address = server.GrpcAddress, OpsAddress = server.OpsAddress };
            }

            var report = await RunPhasesAsync(settings, server, output, cancellationToken);
            report = report with { ServerPeakRssBytes = server?.PeakRssBytes(), ClientPeakRssBytes = ServerProcess.ReadStatusKb(Environment.ProcessId, "VmHWM:") * 1024 };
            report.WriteText(output);
            if (settings.Markdown)
            {
                output.WriteLine();
                report.WriteMarkdown(output);
            }

            return 0;
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or TimeoutException)
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
        }
    }

    private static async Task<BenchReport> RunPhasesAsync(BenchSettings settings, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(settings.Address, settings.Connections);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        var log = new WriteAheadLog.WriteAheadLogClient(channels.For(0));

        MetricsScraper? metrics = null;
        if (settings.OpsAddress is { } ops)
        {
            metrics = new MetricsScraper(http, ops, settings.Namespace);
            if (await metrics.TryReadAsync(cancellationToken) is null)
            {
                output.WriteLine($"warning: {metrics.Address} does not answer; the drain is judged by GetMessageStatus only");
                metrics = null;
            }
        }

        output.WriteLine(await EnsureNamespaceAsync(admin, settings, cancellationToken));
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
            health = await LoadGenerator.RunAsync("Health/Check", First(), i => HealthCall(channels, i), probe, cancellationToken);
        }

        if (run.Contains("single"))
        {
            output.WriteLine($"phase WriteToLog: {settings.Concurrency} concurrent calls, {settings.PayloadBytes}-byte payloads");
            single = await WritePhaseAsync("WriteToLog", First(), i => SingleCall(channels, i, settings.Namespace, payload), probe, drain, output, cancellationToken);
        }

        if (run.Contains("batch"))
        {
            output.WriteLine($"phase WriteToLogBatch: {settings.Concurrency} concurrent calls of {settings.BatchSize} entries");
            batch = await WritePhaseAsync($"WriteToLogBatch x{settings.BatchSize}", First(), i => BatchCall(channels, i, settings.Namespace, payload, settings.BatchSize), probe, drain, output, cancellationToken);
        }

        return new BenchReport { Settings = settings, Health = health, Single = single, Batch = batch };
    }

    private static async Task<PhaseResult> WritePhaseAsync(
        string name,
        BenchSettings settings,
        Func<int, Func<CancellationToken, Task<CallOutcome>>> callFor,
        Probe probe,
        DrainWatcher drain,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        var before = await probe.TakeAsync(cancellationToken);
        var phase = await LoadGenerator.RunAsync(name, settings, callFor, probe, cancellationToken);
        output.WriteLine($"  {phase.TotalDurable} messages durable; waiting up to {settings.DrainTimeout.TotalSeconds:0} s for the consumers to apply them");
        return phase with { Drain = await drain.WatchAsync(before, phase.LastMessageId, cancellationToken) };
    }

    private static Func<CancellationToken, Task<CallOutcome>> HealthCall(ChannelSet channels, int loop)
    {
        var client = new Health.HealthClient(channels.For(loop));
        var request = new HealthCheckRequest();
        return async ct =>
        {
            var reply = await client.CheckAsync(request, cancellationToken: ct);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? new CallOutcome(1, 0, null, null)
                : new CallOutcome(0, 1, null, $"health status {reply.Status}");
        };
    }

    private static Func<CancellationToken, Task<CallOutcome>> SingleCall(ChannelSet channels, int loop, string ns, ByteString payload)
    {
        var client = new WriteAheadLog.WriteAheadLogClient(channels.For(loop));
        var request = new WriteToLogRequest { Namespace = ns, Payload = payload };
        return async ct => CallOutcome.Of(await client.WriteToLogAsync(request, cancellationToken: ct));
    }

    private static Func<CancellationToken, Task<CallOutcome>> BatchCall(ChannelSet channels, int loop, string ns, ByteString payload, int size)
    {
        var client = new WriteAheadLog.WriteAheadLogClient(channels.For(loop));
        var request = new WriteToLogBatchRequest();
        for (var i = 0; i < size; i++)
        {
            request.Entries.Add(new WriteToLogRequest { Namespace = ns, Payload = payload });
        }

        return async ct => CallOutcome.Of(await client.WriteToLogBatchAsync(request, cancellationToken: ct));
    }

    /// <summary>Creates the namespace (embedded backend, noop target, the chosen consumer settings) unless it exists.</summary>
    private static async Task<string> EnsureNamespaceAsync(NamespaceAdmin.NamespaceAdminClient admin, BenchSettings settings, CancellationToken cancellationToken)
    {
        var ns = settings.Namespace;
        try
        {
            var existing = await admin.GetNamespaceAsync(new GetNamespaceRequest { Name = ns }, cancellationToken: cancellationToken);
            var c = existing.Config;
            return $"namespace '{ns}' exists (state {existing.State}, backend {c.BackendCase}, target {c.Target?.KindCase}, consumer concurrency {c.Consumer?.Concurrency ?? 0}, batch {c.Consumer?.BatchSize ?? 0}; 0 = default)";
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Created below.
        }

        var config = new NamespaceConfig
        {
            Name = ns,
            Embedded = new EmbeddedBackend(),
            Target = new Target { Noop = new NoopTarget() },
            Consumer = new ConsumerSettings { Concurrency = settings.ConsumerConcurrency, BatchSize = settings.ConsumerBatchSize },
        };
        try
        {
            await admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: cancellationToken);
            return $"namespace '{ns}' created (embedded backend, noop target, consumer concurrency {settings.ConsumerConcurrency}, batch {settings.ConsumerBatchSize})";
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            return $"namespace '{ns}' exists";
        }
    }
}

using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Durability against the real server process: what was answered <c>durable = TRUE</c> must reach its target after
/// the process is killed or terminated and started again on the same data.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const int Writers = 16;
    private const int MaxWritesPerWriter = 2_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-process-").FullName;
    private HttpTargetServer _target = null!;
    private ServerProcess _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _target = await HttpTargetServer.StartAsync();
        _server = new ServerProcess(_folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _target.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task EveryDurableWriteIsDeliveredAfterKillNine()
    {
        await RunStepsAsync(async () =>
        {
            Step("1. start the server and create a namespace with an http target");
            await _server.StartAsync();
            var ns = await CreateNamespaceAsync(_server.CreateClient());

            Step($"2. {Writers} writers write until about 3,000 writes are acknowledged, then the server is killed with SIGKILL");
            var acknowledged = new ConcurrentDictionary<string, string>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => WriteUntilStoppedAsync(_server.CreateClient(), ns, w, acknowledged, stop.Token)).ToList();
            await Eventually.WaitAsync(() => acknowledged.Count >= 3_000 || writers.All(t => t.IsCompleted), TimeSpan.FromSeconds(60), "3,000 acknowledged writes");
            await _server.KillAsync();
            await stop.CancelAsync();
            var attempted = (await Task.WhenAll(writers)).Sum();
            Step($"   killed after {acknowledged.Count} acknowledged of {attempted} attempted writes");

            Step("3. start the server again on the same data");
            await _server.StartAsync();

            Step("4. every acknowledged message reaches the target");
            await Eventually.WaitAsync(() => acknowledged.Keys.All(Applied), TimeSpan.FromSeconds(90), "every acknowledged message to be applied");
            Assert.True(acknowledged.Count >= 1_000, $"only {acknowledged.Count} writes were acknowledged before the kill");
            foreach (var (id, payload) in acknowledged)
            {
                Assert.Contains(_target.For(id), r => Encoding.UTF8.GetString(r.Body) == payload);
            }

            Step($"   all {acknowledged.Count} delivered; {_target.Received.Count - acknowledged.Count} redeliveries (at-least-once)");
        });
    }

    [Fact]
    public async Task DelayedMessagesSurviveSigtermAndArriveOnTimeAfterRestart()
    {
        await RunStepsAsync(async () =>
        {
            Step("1. start the server and write 50 messages due in 4 seconds");
            await _server.StartAsync();
            var client = _server.CreateClient();
            var ns = await CreateNamespaceAsync(client);
            var writtenAt = DateTimeOffset.UtcNow;
            var ids = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                var response = await client.WriteAsync(ns, Encoding.UTF8.GetBytes($"delayed-{i}"), new WalWriteOptions { Delay = TimeSpan.FromSeconds(4) }, Ct);
                Assert.Equal(Trilean.True, response.Durable);
                ids.Add(response.MessageId);
            }

            Step("2. SIGTERM: the server stops within 30 seconds, cleanly");
            await _server.TerminateAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, _server.ExitCode);
            Assert.Empty(_target.Received);

            Step("3. start again; every message arrives, none before its time");
            await _server.StartAsync();
            await Eventually.WaitAsync(() => ids.All(Applied), TimeSpan.FromSeconds(30), "the delayed messages to be applied");
            Assert.All(_target.Received, r => Assert.True(r.ReceivedAt - writtenAt >= TimeSpan.FromSeconds(4), $"{r.MessageId} arrived early"));
        });
    }

    private static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");

    private static async Task<int> WriteUntilStoppedAsync(WalClient client, string ns, int writer, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        var attempted = 0;
        for (var i = 0; i < MaxWritesPerWriter && !stop.IsCancellationRequested; i++)
        {
            var payload = $"w{writer}-{i}";
            attempted++;
            try
            {
                var response = await client.WriteAsync(ns, Encoding.UTF8.GetBytes(payload), cancellationToken: CancellationToken.None);
                if (response.Durable == Trilean.True)
                {
                    acknowledged[response.MessageId] = payload;
                }
            }
            catch (RpcException)
            {
                break;
            }
        }

        return attempted;
    }

    private bool Applied(string id) => _target.For(id).Any(r => r.AnsweredStatus == 200);

    private async Task<string> CreateNamespaceAsync(WalClient client)
    {
        var config = new NamespaceConfig
        {
            Name = "durability",
            Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } },
            Consumer = new ConsumerSettings { Concurrency = 16, BatchSize = 200 },
            Retry = new RetryPolicy { InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) },
        };
        await client.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config.Name;
    }

    private async Task RunStepsAsync(Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine("server log tail:" + Environment.NewLine + _server.LogTail);
            throw;
        }
    }
}

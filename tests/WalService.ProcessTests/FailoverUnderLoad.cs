using System.Collections.Concurrent;
using System.Text;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two server processes sharing a namespace: writers on both write until 2,000 writes are acknowledged, the first is
/// killed with SIGKILL, the second takes 500 more, and then every acknowledged payload must reach the target.
/// </summary>
internal static class FailoverUnderLoad
{
    private const int Writers = 8;

    public static async Task RunAsync(ServerProcess first, ServerProcess second, string ns, HttpTargetServer target)
    {
        var received = target.Received.Count;
        Step($"2. {Writers} writers, half on each process, write until 2,000 writes are acknowledged; then the first is killed with SIGKILL");
        var acknowledged = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers)
            .Select(w => WriteUntilStoppedAsync(w % 2 == 0 ? first.CreateClient() : second.CreateClient(), ns, w, acknowledged, stop.Token))
            .ToList();
        await Eventually.WaitAsync(() => acknowledged.Count >= 2_000 || writers.All(t => t.IsCompleted), TimeSpan.FromSeconds(60), "2,000 acknowledged writes");
        await first.KillAsync();
        var atKill = acknowledged.Count;

        Step("3. the second process goes on taking writes; then the writers stop");
        await Eventually.WaitAsync(() => acknowledged.Count >= atKill + 500 || writers.All(t => t.IsCompleted), TimeSpan.FromSeconds(60), "500 more acknowledged writes");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Step($"   {atKill} acknowledged before the kill, {acknowledged.Count} in all");

        Step("4. the second takes over what the first had in flight, and every acknowledged message reaches the target");
        await Eventually.WaitAsync(() => acknowledged.Keys.All(id => target.For(id).Any(r => r.AnsweredStatus == 200)), TimeSpan.FromSeconds(120), "every acknowledged message to be applied");
        Assert.True(atKill >= 1_000, $"only {atKill} writes were acknowledged before the kill");
        Assert.True(acknowledged.Count > atKill, "no write was acknowledged after the kill");
        foreach (var (id, payload) in acknowledged)
        {
            Assert.Contains(target.For(id), r => Encoding.UTF8.GetString(r.Body) == payload);
        }

        Step($"   all {acknowledged.Count} delivered; {target.Received.Count - received - acknowledged.Count} redeliveries (at-least-once)");
    }

    public static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");

    private static async Task<int> WriteUntilStoppedAsync(WalClient client, string ns, int writer, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        var written = 0;
        for (var i = 0; i < 5_000 && !stop.IsCancellationRequested; i++)
        {
            var payload = $"w{writer}-{i}";
            try
            {
                var response = await client.WriteAsync(ns, Encoding.UTF8.GetBytes(payload), cancellationToken: CancellationToken.None);
                if (response.Durable == Trilean.True)
                {
                    acknowledged[response.MessageId] = payload;
                    written++;
                }
            }
            catch (RpcException)
            {
                break;
            }
        }

        return written;
    }
}

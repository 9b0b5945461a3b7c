using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WalService.LocalBackends;

namespace WalService.TestSupport;

/// <summary>One POST the target received.</summary>
public sealed record ReceivedRequest(string Path, string MessageId, int Attempt, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt, int AnsweredStatus);

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port, standing in for a delivery target. It records every request and
/// answers by path: <c>/ok</c> 200; <c>/status/{code}</c> that status; <c>/fail/{n}</c> 503 for the first n attempts
/// of each message, then 200; <c>/fail-chunk/{n}</c> 503 the first time chunk n of a transaction arrives (header
/// <c>wal-chunk</c>), else 200; <c>/switch</c> whatever <see cref="SwitchStatus"/> says; <c>/slow/{ms}</c> 200 after that
/// many milliseconds (recorded when it arrives); <c>/retry-after/{s}</c> 503 with <c>Retry-After: s</c> the first time a
/// message arrives, then 200.
/// </summary>
public sealed class HttpTargetServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private LoopbackHttpServer _http = null!;

    public Uri BaseAddress => _http.BaseAddress;

    /// <summary>The status <c>/switch</c> answers with.</summary>
    public int SwitchStatus { get; set; } = 200;

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public static async Task<HttpTargetServer> StartAsync()
    {
        var server = new HttpTargetServer();
        server._http = await LoopbackHttpServer.StartAsync(app => app.MapPost("/{**path}", server.HandleAsync));
        return server;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public IReadOnlyList<ReceivedRequest> For(string messageId) => [.. _received.Where(r => r.MessageId == messageId)];

    /// <summary>Waits until a request for the message was answered with a 2xx or 409, and returns it.</summary>
    public Task<ReceivedRequest> WaitForAppliedAsync(string messageId, TimeSpan timeout) =>
        Eventually.WaitAsync(
            () => Task.FromResult(_received.FirstOrDefault(r => r.MessageId == messageId && r.AnsweredStatus is (>= 200 and < 300) or 409)),
            timeout,
            $"message {messageId} to be applied at the target");

    public ValueTask DisposeAsync() => _http.DisposeAsync();

    private async Task HandleAsync(HttpContext context, string path)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var messageId = context.Request.Headers["wal-message-id"].ToString();
        var attempt = int.TryParse(context.Request.Headers["wal-attempt"], out var a) ? a : 0;
        var status = Answer(path, messageId, context.Request.Headers["wal-chunk"].ToString());
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        _received.Enqueue(new ReceivedRequest("/" + path, messageId, attempt, headers, body.ToArray(), DateTimeOffset.UtcNow, status));
        if (path.Split('/') is ["slow", var ms])
        {
            // A slow target: it answers only after this long.
            await Task.Delay(int.Parse(ms, System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted);
        }

        if (path.Split('/') is ["retry-after", var seconds] && status == 503)
        {
            context.Response.Headers.RetryAfter = seconds;
        }

        context.Response.StatusCode = status;
    }

    private int Answer(string path, string messageId, string chunk)
    {
        var parts = path.Split('/');
        return parts[0] switch
        {
            "status" when parts.Length > 1 => int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            "fail" when parts.Length > 1 => _received.Count(r => r.MessageId == messageId) < int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) ? 503 : 200,
            "fail-chunk" when parts.Length > 1 => chunk == parts[1] && !_received.Any(r => r.MessageId == messageId && r.Headers.GetValueOrDefault("wal-chunk") == chunk) ? 503 : 200,
            "switch" => SwitchStatus,
            "retry-after" => _received.Any(r => r.MessageId == messageId) ? 200 : 503,
            _ => 200,
        };
    }
}

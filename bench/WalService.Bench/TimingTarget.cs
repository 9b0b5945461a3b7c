using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WalService.LocalBackends;

namespace WalService.Bench;

/// <summary>One POST the timing target received, stamped with the wall clock the moment its handler began.</summary>
/// <param name="Namespace">The first path segment: the namespace whose target URL this is.</param>
/// <param name="Sequence">The message's number in its run, from the payload (<see cref="TimingPayload"/>); -1 when the payload is not one.</param>
/// <param name="DueUnixMicroseconds">The due time the bench wrote into the payload, in microseconds since 1970 (UTC).</param>
/// <param name="ReceivedUnixMicroseconds">When the request reached the handler, in microseconds since 1970 (UTC).</param>
/// <param name="Attempt">The <c>wal-attempt</c> header (1-based); 0 when absent.</param>
/// <param name="Status">The status the target answered.</param>
internal sealed record Receipt(string Namespace, string MessageId, long Sequence, long DueUnixMicroseconds, long ReceivedUnixMicroseconds, int Attempt, int Status);

/// <summary>
/// The delivery target of the timing modes: Kestrel on 127.0.0.1 and a free port, in the bench process. It records
/// every POST and answers by path: <c>/{namespace}/ok</c> 200; <c>/{namespace}/fail-once</c> 503 to a message's
/// first attempt (<c>wal-attempt: 1</c>) and 200 to the others.
/// </summary>
internal sealed class TimingTarget : IAsyncDisposable
{
    private readonly ConcurrentQueue<Receipt> _receipts = new();
    private readonly ConcurrentDictionary<string, StrongBox<int>> _applied = new(StringComparer.Ordinal);
    private LoopbackHttpServer _http = null!;

    public Uri BaseAddress => _http.BaseAddress;

    public static async Task<TimingTarget> StartAsync()
    {
        var target = new TimingTarget();
        target._http = await LoopbackHttpServer.StartAsync(app => app.Run(target.HandleAsync));
        return target;
    }

    /// <summary>The URL a namespace's <c>http</c> target names: <c>/{ns}/ok</c>, or <c>/{ns}/fail-once</c> with <paramref name="failOnce"/>.</summary>
    public string Url(string ns, bool failOnce = false) => new Uri(BaseAddress, $"/{ns}/{(failOnce ? "fail-once" : "ok")}").ToString();

    /// <summary>Requests of namespace <paramref name="ns"/> answered 200 so far (a message delivered twice counts twice).</summary>
    public int Applied(string ns) => _applied.TryGetValue(ns, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>The requests of namespace <paramref name="ns"/> so far.</summary>
    public IReadOnlyList<Receipt> For(string ns) => [.. _receipts.Where(r => r.Namespace == ns)];

    public ValueTask DisposeAsync() => _http.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var received = TimingPayload.NowMicroseconds();
        var body = new byte[TimingPayload.Size];
        var read = 0;
        while (read < body.Length && await context.Request.Body.ReadAsync(body.AsMemory(read)) is var n and > 0)
        {
            read += n;
        }

        var parts = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var attempt = int.TryParse(context.Request.Headers["wal-attempt"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var a) ? a : 0;
        var status = parts is [_, "fail-once"] && attempt <= 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        var (sequence, due) = TimingPayload.Read(body.AsSpan(0, read));
        var ns = parts.FirstOrDefault() ?? string.Empty;
        _receipts.Enqueue(new Receipt(ns, context.Request.Headers["wal-message-id"].ToString(), sequence, due, received, attempt, status));
        if (status == StatusCodes.Status200OK)
        {
            Interlocked.Increment(ref _applied.GetOrAdd(ns, _ => new StrongBox<int>()).Value);
        }

        context.Response.StatusCode = status;
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WalService.IntegrationTests;

/// <summary>One HTTP/1.1 request as the raw target parsed it off the wire: request line, header lines, body.</summary>
internal sealed record RawRequest(string RequestLine, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    public IReadOnlyList<string> Values(string name) =>
        [.. Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];
}

/// <summary>
/// A TCP listener on 127.0.0.1 standing in for an http target with no HTTP library in between: it keeps every byte it
/// receives, splits them into requests by the headers' end and <c>Content-Length</c>, as an HTTP/1.1 server does, and
/// answers each with <c>200 OK</c>. A header that smuggled a second request would show here as two requests.
/// </summary>
internal sealed class RawHttpTarget : IAsyncDisposable
{
    private static readonly byte[] Ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
    private static readonly byte[] HeadersEnd = "\r\n\r\n"u8.ToArray();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<byte> _bytes = [];
    private readonly List<RawRequest> _requests = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;

    private RawHttpTarget()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Every byte received, on all connections, as Latin-1 text.</summary>
    public string Received
    {
        get
        {
            lock (_gate)
            {
                return Encoding.Latin1.GetString([.. _bytes]);
            }
        }
    }

    public IReadOnlyList<RawRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static RawHttpTarget Start() => new();

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        var stream = connection.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
            {
                lock (_gate)
                {
                    _bytes.AddRange(buffer.AsSpan(0, read));
                }

                pending.AddRange(buffer.AsSpan(0, read));
                while (TryTakeRequest(pending) is { } request)
                {
                    lock (_gate)
                    {
                        _requests.Add(request);
                    }

                    await stream.WriteAsync(Ok, _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client closed the connection, or the target stopped.
        }
    }

    /// <summary>The first complete request in <paramref name="pending"/>, removed from it; null until one is complete.</summary>
    private static RawRequest? TryTakeRequest(List<byte> pending)
    {
        var end = pending.ToArray().AsSpan().IndexOf(HeadersEnd);
        if (end < 0)
        {
            return null;
        }

        var lines = Encoding.Latin1.GetString([.. pending.GetRange(0, end)]).Split("\r\n");
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).Select(p => (p[0], p.Length > 1 ? p[1].Trim() : string.Empty)).ToList();
        var length = headers.Where(h => string.Equals(h.Item1, "Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(h => int.Parse(h.Item2, CultureInfo.InvariantCulture)).FirstOrDefault();
        var total = end + HeadersEnd.Length + length;
        if (pending.Count < total)
        {
            return null;
        }

        var body = pending.GetRange(end + HeadersEnd.Length, length).ToArray();
        pending.RemoveRange(0, total);
        return new RawRequest(lines[0], headers, body);
    }
}

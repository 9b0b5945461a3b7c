using System.Net;
using System.Net.Sockets;

namespace WalService.DockerTests;

/// <summary>
/// Whether a Docker engine answers here, looked for where Testcontainers also looks: <c>DOCKER_HOST</c> when set,
/// else the usual sockets (system, rootless, Docker Desktop). Each endpoint gets <c>GET /_ping</c> and at most
/// <see cref="Timeout"/>; any HTTP answer counts, so an engine that wants TLS and refuses plain HTTP counts too.
/// </summary>
public static class DockerEngine
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Whether an endpoint answered, and what was probed with what outcome.</summary>
    public static async Task<(bool Answers, string Probed)> ProbeAsync()
    {
        var outcomes = new List<string>();
        foreach (var endpoint in Candidates())
        {
            var outcome = await PingAsync(endpoint);
            if (outcome is null)
            {
                return (true, $"{endpoint} answered");
            }

            outcomes.Add($"{endpoint}: {outcome}");
        }

        return (false, string.Join("; ", outcomes));
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host)
        {
            yield return host;
            yield break;
        }

        yield return "unix:///var/run/docker.sock";
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            yield return "unix://" + Path.Combine(runtime, "docker.sock");
        }

        yield return "unix://" + Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "run", "docker.sock");
    }

    /// <summary>Null when the endpoint gave an HTTP answer, else why not.</summary>
    private static async Task<string?> PingAsync(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp"))
        {
            return "not a unix:// or tcp:// address";
        }

        if (uri.Scheme == "unix" && !File.Exists(uri.AbsolutePath))
        {
            return "no such socket";
        }

        using var handler = new SocketsHttpHandler { ConnectCallback = (_, ct) => ConnectAsync(uri, ct) };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(new Uri("http://docker/_ping"));
            return null;
        }
        catch (HttpRequestException ex)
        {
            return ex.InnerException?.Message ?? ex.Message;
        }
        catch (TaskCanceledException)
        {
            return $"no answer within {Timeout.TotalSeconds:0} s";
        }
    }

    private static async ValueTask<Stream> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var unix = endpoint.Scheme == "unix";
        var socket = unix ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(unix ? new UnixDomainSocketEndPoint(endpoint.AbsolutePath) : new DnsEndPoint(endpoint.Host, endpoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

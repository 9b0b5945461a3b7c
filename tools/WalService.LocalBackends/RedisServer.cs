using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WalService.LocalBackends;

/// <summary>
/// A real Redis server (Debian's <c>redis-server</c> package) on 127.0.0.1 and a free port, without persistence, in a
/// process of its own. It can be stopped as a crash would and started again on the same port.
/// <c>scripts/prepare.sh</c> installs the package.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private Process? _process;

    private RedisServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.ResumeAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port; returns once it accepts connections. Its data starts empty.</summary>
    public async Task ResumeAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--save", string.Empty, "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Redis is not installed: install the Debian package 'redis-server' (scripts/prepare.sh does)", ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnsweringAsync(_process);
    }

    /// <summary>Kills the server at once (SIGKILL); what it held is gone.</summary>
    public async Task HaltAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>Sends one command in Redis's inline form (words without spaces) and answers the reply's first line.</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        await using var stream = client.GetStream();
        using var writer = new StreamWriter(stream) { NewLine = "\r\n", AutoFlush = true };
        using var reader = new StreamReader(stream);
        await writer.WriteLineAsync(command);
        return await reader.ReadLineAsync() ?? string.Empty;
    }

    public async ValueTask DisposeAsync() => await HaltAsync();

    private async Task WaitUntilAnsweringAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode} on port {Port}");
            }

            try
            {
                if (await CommandAsync("PING") == "+PONG")
                {
                    return;
                }
            }
            catch (SocketException) when (deadline.Elapsed < StartDeadline)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartDeadline)
            {
                throw new TimeoutException($"redis-server did not answer on port {Port} within {StartDeadline.TotalSeconds} s");
            }

            await Task.Delay(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

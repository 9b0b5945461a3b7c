using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using WalService.Client;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// The real server binary (<c>dotnet WalService.Server.dll</c>) on loopback ports of its own and a data folder the
/// test chooses, so it can be killed and started again on the same data. Its output is kept for failure reports.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _dataDirectory;
    private Process? _process;
    private ServiceProvider? _clients;

    public ServerProcess(string dataDirectory)
    {
        _dataDirectory = dataDirectory;
        GrpcPort = FreePort();
        OpsPort = FreePort();
    }

    public int GrpcPort { get; }

    /// <summary>More settings for the process, as environment variables (<c>Wal__Shard</c>, ...).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public int OpsPort { get; }

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string LogTail => string.Join(System.Environment.NewLine, _log.TakeLast(60));

    /// <summary>Whether one of the last 500 lines of output contains every one of <paramref name="fragments"/>.</summary>
    public bool Logged(params string[] fragments) => _log.Any(line => fragments.All(f => line.Contains(f, StringComparison.Ordinal)));

    public static string ServerDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = RepositoryRoot.File("src", "WalService.Server", "bin", configuration, "net10.0", "WalService.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build the server first (dotnet build)", dll);
        }
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet", [ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dataDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{GrpcPort}";
        start.Environment["Kestrel__Endpoints__Ops__Url"] = $"http://127.0.0.1:{OpsPort}";
        start.Environment["Wal__DataDirectory"] = Path.Combine(_dataDirectory, "data");
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WaitAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"the server exited with {_process.ExitCode}:{System.Environment.NewLine}{LogTail}");
                }

                try
                {
                    return (await http.GetAsync(new Uri($"http://127.0.0.1:{OpsPort}/healthz"))).IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or too busy starting to answer within the client's timeout.
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            "the server to answer /healthz");
    }

    /// <summary>A client as an application gets one: from <c>AddWalClient</c>, through the gRPC client factory.</summary>
    public WalClient CreateClient()
    {
        _clients ??= new ServiceCollection().AddWalClient(o => o.Address = GrpcAddress).BuildServiceProvider();
        return _clients.GetRequiredService<WalClient>();
    }

    /// <summary>SIGKILL: the process gets no chance to flush or clean up.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the process to exit on its own.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        await SignalAsync("TERM");
        using var cts = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await KillAsync();
        }

        _process?.Dispose();
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"could not send SIG{signal}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 500)
        {
            _log.TryDequeue(out _);
        }
    }
}

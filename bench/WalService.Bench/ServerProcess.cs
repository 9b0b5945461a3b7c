using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace WalService.Bench;

/// <summary>
/// A WalService server started by the bench: <c>dotnet WalService.Server.dll</c> on two free loopback ports, with a
/// fresh temporary data folder. It can be stopped and started again on the same ports and folder
/// (<see cref="RestartAsync"/>). Disposing it stops the process by its pid (SIGTERM, then SIGKILL after 30 s) and
/// deletes the folder.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly Queue<string> _tail = new();
    private readonly string _folder;
    private readonly ProcessStartInfo _start;

    private ServerProcess(ProcessStartInfo start, string folder, Uri grpc, Uri ops)
    {
        _start = start;
        _folder = folder;
        GrpcAddress = grpc;
        OpsAddress = ops;
        Process = Launch();
    }

    /// <summary>The server's process; a new one after each <see cref="RestartAsync"/>.</summary>
    public Process Process { get; private set; }

    public Uri GrpcAddress { get; }

    public Uri OpsAddress { get; }

    public string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>
    /// Starts the server, with <paramref name="settings"/> (configuration keys such as <c>Wal:Kafka:Clusters:default:BootstrapServers</c>)
    /// as environment variables, and waits until its <c>grpc.health.v1.Health/Check</c> answers SERVING.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dllPath, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("walservice-bench-").FullName;
        var grpc = new Uri($"http://127.0.0.1:{FreePort()}");
        var ops = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add(Path.GetFullPath(dllPath));
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = grpc.ToString().TrimEnd('/');
        start.Environment["Kestrel__Endpoints__Ops__Url"] = ops.ToString().TrimEnd('/');
        start.Environment["Wal__DataDirectory"] = Path.Combine(folder, "data");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var server = new ServerProcess(start, folder, grpc, ops);
        try
        {
            await server.WaitUntilServingAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the server, as a crash (SIGKILL, <paramref name="crash"/>) or gracefully (SIGTERM), waits for it to
    /// exit, starts it again on the same ports with the same data folder and settings, and waits until it serves.
    /// Returns when (UTC) the new process was started.
    /// </summary>
    public async Task<DateTime> RestartAsync(bool crash, CancellationToken cancellationToken)
    {
        await SignalAsync(crash ? "-KILL" : "-TERM");
        using (var stop = new CancellationTokenSource(StopTimeout))
        {
            await Process.WaitForExitAsync(stop.Token);
        }

        Process.Dispose();
        var launched = DateTime.UtcNow;
        Process = Launch();
        await WaitUntilServingAsync(cancellationToken);
        return launched;
    }

    /// <summary>Peak resident set size of the server so far (VmHWM of /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long? PeakRssBytes() => ReadStatusKb(Process.Id, "VmHWM:") * 1024;

    /// <summary>The last lines the server printed, for when something went wrong.</summary>
    public IReadOnlyList<string> Tail()
    {
        lock (_tail)
        {
            return [.. _tail];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            // A graceful stop first (SIGTERM to this pid only), as an operator would; a kill only if it hangs.
            await SignalAsync("-TERM");

            using var stop = new CancellationTokenSource(StopTimeout);
            try
            {
                await Process.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                Process.Kill();
                await Process.WaitForExitAsync();
            }
        }

        Process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder; nothing depends on it.
        }
    }

    /// <summary>A value in kB from /proc/&lt;pid&gt;/status, e.g. VmHWM or VmRSS; null where there is no such file.</summary>
    public static long? ReadStatusKb(int pid, string field)
    {
        var path = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status";
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        var number = line?[field.Length..].Trim().Split(' ')[0];
        return long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : null;
    }

    /// <summary>Sends <paramref name="signal"/> (<c>-TERM</c>, <c>-KILL</c>) to the server's pid only.</summary>
    private async Task SignalAsync(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [signal, Process.Id.ToString(CultureInfo.InvariantCulture)]);
        if (kill is not null)
        {
            await kill.WaitForExitAsync();
        }
    }

    private Process Launch()
    {
        var process = Process.Start(_start) ?? throw new InvalidOperationException($"could not start '{_start.ArgumentList[0]}'");
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var health = new Health.HealthClient(channel);
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {Process.ExitCode} while starting:\n{string.Join('\n', Tail())}");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"the server did not answer SERVING within {StartTimeout.TotalSeconds} s:\n{string.Join('\n', Tail())}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host that runs this bench (set by the SDK), else the one on PATH.</summary>
    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";
}

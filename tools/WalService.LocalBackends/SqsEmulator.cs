using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.SQS;

namespace WalService.LocalBackends;

/// <summary>
/// A real SQS emulator (the npm package <c>fauxqs</c>, pinned in <c>tests/sqs-emulator</c>) in a Node process of its
/// own, on 127.0.0.1 and a free port. It speaks the AWS JSON protocol AWSSDK.SQS v4 uses. <c>scripts/prepare.sh</c>
/// installs Node and the locked packages. The process also exits when its standard input closes, so it does not
/// outlive a test process that dies before disposing it.
/// </summary>
public sealed class SqsEmulator : IAsyncDisposable
{
    private const string ReadyLine = "listening on ";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;
    private TaskCompletionSource? _ready;

    private SqsEmulator(int port) => Port = port;

    public int Port { get; }

    /// <summary>The emulator's endpoint, <c>http://127.0.0.1:PORT</c>: the client's <c>ServiceURL</c>.</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The last lines the emulator printed, for failure messages.</summary>
    public string LogTail => string.Join(Environment.NewLine, _log.TakeLast(40));

    public static async Task<SqsEmulator> StartAsync()
    {
        var emulator = new SqsEmulator(FreePort());
        await emulator.LaunchAsync();
        return emulator;
    }

    /// <summary>Starts the emulator again on the same port after <see cref="StopAsync"/>. It keeps queues in memory: they are gone.</summary>
    public Task StartAgainAsync() => _process is { HasExited: false }
        ? throw new InvalidOperationException("the SQS emulator is running")
        : LaunchAsync();

    /// <summary>Closes the emulator's standard input, which stops it; kills it (this process only) if it lingers.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: false);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>A client as the SQS backend will configure one: the emulator's URL, a region to sign for, dummy keys.</summary>
    public AmazonSQSClient CreateClient() => new(
        new BasicAWSCredentials("test", "test"),
        new AmazonSQSConfig { ServiceURL = ServiceUrl, AuthenticationRegion = "us-east-1" });

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task LaunchAsync()
    {
        var folder = EmulatorFolder();
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "fauxqs")))
        {
            throw new InvalidOperationException($"the SQS emulator is not installed in {folder}: run scripts/prepare.sh (it runs npm ci there, and installs the Debian packages 'nodejs' and 'npm' when missing)");
        }

        var start = new ProcessStartInfo("node", ["serve.mjs", Port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node is not installed: install the Debian packages 'nodejs' and 'npm' (scripts/prepare.sh does)", e);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ready = ready;
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Ready once it prints its address; an exit first fails the start with what it printed.
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(ready.Task, exited).WaitAsync(StartTimeout) == exited && !ready.Task.IsCompleted)
            {
                throw new InvalidOperationException($"the SQS emulator exited with {process.ExitCode}:{Environment.NewLine}{LogTail}");
            }
        }
        catch (TimeoutException e)
        {
            await StopAsync();
            throw new TimeoutException($"waited {StartTimeout.TotalSeconds:0}s for the SQS emulator to print '{ReadyLine}{ServiceUrl}'", e);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith(ReadyLine + ServiceUrl, StringComparison.Ordinal))
        {
            _ready?.TrySetResult();
        }

        _log.Enqueue(line);
        if (_log.Count > 200)
        {
            _log.TryDequeue(out _);
        }
    }

    private static string EmulatorFolder() => RepositoryRoot.File("tests", "sqs-emulator");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Text.Json;
using WalService.Bench;
using WalService.LocalBackends;

namespace WalService.PeerBench;

/// <summary>
/// A peer run: starts one PostgreSQL server, then runs each system, one after another, in a child process of its own
/// (this program again, with <c>--peer NAME</c>) on a database of its own on that server, so that each system's CPU
/// time and peak memory are its own. While a child writes, the run measures the server's CPU and, when the child says
/// half its messages have been attempted, stops PostgreSQL at once (<c>pg_ctl stop -m immediate</c>) for
/// <c>--fault</c> seconds and starts it again.
/// </summary>
internal static class PeerRun
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(20);

    public static async Task<IReadOnlyList<PeerResult>> RunAsync(PeerSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        await using var postgres = await PostgresServer.StartAsync();
        output.WriteLine($"PostgreSQL on 127.0.0.1:{postgres.Port}");
        var results = new List<PeerResult>();
        foreach (var system in settings.Systems)
        {
            var connectionString = await postgres.CreateDatabaseAsync("peer_" + system.Replace('-', '_'));
            output.WriteLine($"{system}: {PeerSystems.Describe(system)}");
            results.Add(await RunChildAsync(system, connectionString, settings, postgres, output, cancellationToken));
        }

        return results;
    }

    private static async Task<PeerResult> RunChildAsync(string system, string connectionString, PeerSettings settings, PostgresServer postgres, TextWriter output, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ServerProcess.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(PeerRun).Assembly.Location);
        foreach (var argument in (string[])["--peer", system, "--connection-string", connectionString, .. settings.ChildArguments()])
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the peer's child process");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ChildTimeout);
        var errors = child.StandardError.ReadToEndAsync(timeout.Token);
        var cpu = new PostgresCpu(postgres);
        var fault = Task.CompletedTask;
        PeerResult? result = null;
        try
        {
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                switch (line)
                {
                    case PeerChild.StartLine:
                        cpu.Resume();
                        break;
                    case PeerChild.HalfwayLine when settings.Fault > TimeSpan.Zero:
                        fault = StopPostgresAsync(postgres, cpu, settings.Fault, output);
                        break;
                    case PeerChild.EndLine:
                        await fault;
                        cpu.Pause();
                        break;
                    case var _ when line.StartsWith(PeerChild.ResultPrefix, StringComparison.Ordinal):
                        result = JsonSerializer.Deserialize<PeerResult>(line[PeerChild.ResultPrefix.Length..]);
                        continue;
                }

                output.WriteLine($"  {line}");
            }

            await child.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }

            await fault;
        }

        return result is not null && child.ExitCode == 0
            ? result with { PostgresCpuSeconds = cpu.Counted.TotalSeconds }
            : throw new InvalidOperationException($"{system} failed (exit code {child.ExitCode}):\n{await errors}");
    }

    private static async Task StopPostgresAsync(PostgresServer postgres, PostgresCpu cpu, TimeSpan fault, TextWriter output)
    {
        cpu.Pause();
        await postgres.HaltAsync();
        output.WriteLine($"  PostgreSQL stopped (immediate) for {fault.TotalSeconds:0.#} s");
        await Task.Delay(fault);
        await postgres.ResumeAsync();
        cpu.Resume();
        output.WriteLine("  PostgreSQL started again");
    }
}

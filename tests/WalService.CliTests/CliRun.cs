using System.Text;

namespace WalService.CliTests;

/// <summary>One run of walctl: its exit code and what it wrote.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Runs walctl against <paramref name="server"/> (or, by default, against none: any call fails the test).</summary>
    public static async Task<CliRun> RunAsync(FakeServer? server, string[] args, string stdin = "")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin);
        var exitCode = await WalCtl.RunAsync(
            args,
            stdout,
            stderr,
            input,
            server is null ? _ => throw new InvalidOperationException("walctl asked for a client it should not need") : server.CreateClient);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs walctl with its own channel factory, for what it refuses before it connects anywhere.</summary>
    public static async Task<CliRun> RunWithDefaultChannelsAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(string.Empty);
        var exitCode = await WalCtl.RunAsync(args, stdout, stderr, input);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs walctl with standard input given as raw bytes, the way Program.cs hands over the console.</summary>
    public static async Task<CliRun> RunWithRawStdinAsync(FakeServer server, string[] args, byte[] stdin)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StreamReader(new MemoryStream(stdin), Encoding.UTF8);
        var exitCode = await WalCtl.RunAsync(args, stdout, stderr, input, server.CreateClient);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using WalService.Core;

namespace WalService.ServiceTests;

/// <summary>
/// docker-compose.yml, checked without a Docker engine: Debian's docker-compose validates it, and the service's
/// settings are keys the server reads, pointing at the compose file's own PostgreSQL.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheComposeFileIsValidAndConfiguresTheServerForItsPostgres()
    {
        var config = await ComposeConfigAsync();
        var environment = EnvironmentLine().Matches(config).ToDictionary(m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal), m => m.Groups[2].Value.Trim());
        var settings = new ConfigurationBuilder().AddInMemoryCollection(environment!).Build();

        Assert.Equal("postgres", settings["Wal:ControlPlane:Provider"]);
        Assert.Equal("postgres", new NpgsqlConnectionStringBuilder(settings.GetConnectionString("ControlPlane")).Host);
        Assert.Equal("/data", settings.GetSection(WalOptions.Section).Get<WalOptions>()!.DataDirectory);
        Assert.EndsWith(":7070", settings["Kestrel:Endpoints:Grpc:Url"], StringComparison.Ordinal);
        Assert.EndsWith(":7071", settings["Kestrel:Endpoints:Ops:Url"], StringComparison.Ordinal);
        Assert.Contains("published: 7070", config, StringComparison.Ordinal);
        Assert.Contains("image: postgres:15", config, StringComparison.Ordinal);
    }

    private static async Task<string> ComposeConfigAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "WalService.slnx")))
        {
            root = root.Parent;
        }

        var start = new ProcessStartInfo("docker-compose", ["-f", Path.Combine(root.FullName, "docker-compose.yml"), "config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose is missing: install Debian's 'docker-compose' (scripts/prepare.sh does)");
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"docker-compose config failed: {error}");
        return output;
    }

    [GeneratedRegex(@"^\s+((?:Wal|ConnectionStrings|Kestrel)__[\w_]+):\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();
}

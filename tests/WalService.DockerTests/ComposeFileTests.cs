using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using WalService.Core;
using WalService.LocalBackends;
using WalService.Sqs;

namespace WalService.DockerTests;

/// <summary>
/// docker-compose.yml, checked without a Docker engine: Debian's docker-compose validates it, and the service's
/// settings are keys the server reads, pointing at the compose file's own PostgreSQL, Kafka and LocalStack.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheComposeFileIsValidAndConfiguresTheServerForItsPostgres()
    {
        var config = await ComposeAsync("config");
        var settings = ServerSettings(config);

        Assert.Equal("postgres", settings["Wal:ControlPlane:Provider"]);
        Assert.Equal("postgres", new NpgsqlConnectionStringBuilder(settings.GetConnectionString("ControlPlane")).Host);
        Assert.Equal("/data", settings.GetSection(WalOptions.Section).Get<WalOptions>()!.DataDirectory);
        Assert.EndsWith(":7070", settings["Kestrel:Endpoints:Grpc:Url"], StringComparison.Ordinal);
        Assert.EndsWith(":7071", settings["Kestrel:Endpoints:Ops:Url"], StringComparison.Ordinal);
        Assert.Contains("published: 7070", config, StringComparison.Ordinal);
        Assert.Contains("image: postgres:15", config, StringComparison.Ordinal);
    }

    /// <summary>The server refuses to listen on 0.0.0.0 without authentication unless told this is a trial on purpose.</summary>
    [Fact]
    public async Task TheComposeFilesServerListensOnEveryInterfaceOnlyWithAnonymousAccessAllowedExplicitly()
    {
        var config = await ComposeAsync("config");
        var settings = ServerSettings(config);

        Assert.StartsWith("http://0.0.0.0:", settings["Kestrel:Endpoints:Grpc:Url"], StringComparison.Ordinal);
        Assert.True(settings.GetValue<bool>("Wal:Auth:AllowAnonymous"));
        Assert.Empty(settings.GetSection("Wal:Auth:ApiKeys").GetChildren());
    }

    [Fact]
    public async Task TheServersDefaultKafkaClusterIsTheComposeFilesKafkaOnTheListenerItAdvertises()
    {
        var config = await ComposeAsync("config");
        var services = (await ComposeAsync("config", "--services")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var bootstrap = ServerSettings(config)["Wal:Kafka:Clusters:default:BootstrapServers"];
        var kafka = KafkaLine().Matches(config).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);

        Assert.NotNull(bootstrap);
        var port = bootstrap[(bootstrap.LastIndexOf(':') + 1)..];
        Assert.Contains(bootstrap[..bootstrap.LastIndexOf(':')], services);
        Assert.Contains("image: apache/kafka:", config, StringComparison.Ordinal);
        Assert.Equal("broker,controller", kafka["KAFKA_PROCESS_ROLES"]);
        var advertised = Assert.Single(kafka["KAFKA_ADVERTISED_LISTENERS"].Split(','), l => l.EndsWith("://" + bootstrap, StringComparison.Ordinal));
        var listener = advertised[..advertised.IndexOf("://", StringComparison.Ordinal)];
        Assert.Contains(kafka["KAFKA_LISTENERS"].Split(','), l => l.StartsWith(listener + "://", StringComparison.Ordinal) && l.EndsWith(":" + port, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheServersSqsEndpointIsTheComposeFilesLocalStackWithOnlySqsOnThePortItListensOn()
    {
        var config = await ComposeAsync("config");
        var services = (await ComposeAsync("config", "--services")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sqs = ServerSettings(config).GetSection(SqsOptions.Section).Get<SqsOptions>()!;
        var blocks = ServiceBlock().Matches(config).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

        var endpoint = new Uri(sqs.ServiceUrl);
        Assert.Equal("us-east-1", sqs.Region);
        Assert.Contains(endpoint.Host, services);
        var localStack = blocks[endpoint.Host];
        Assert.Contains("image: localstack/localstack:", localStack, StringComparison.Ordinal);
        var environment = LocalStackLine().Matches(localStack).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);
        Assert.Equal("sqs", environment["SERVICES"]);
        Assert.EndsWith(":" + endpoint.Port, environment["GATEWAY_LISTEN"], StringComparison.Ordinal);
        Assert.Contains("condition: service_healthy", DependsOn(blocks["walservice"], endpoint.Host), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+AWS_ACCESS_KEY_ID: test$", blocks["walservice"]);
        Assert.Matches(@"(?m)^\s+AWS_SECRET_ACCESS_KEY: test$", blocks["walservice"]);
    }

    /// <summary>
    /// The example of a cache replicated to three regions works against the compose file: the first server's Redis is
    /// the compose file's, its remotes are the other two servers on their gRPC ports, and each of those has a Redis
    /// database of its own.
    /// </summary>
    [Fact]
    public async Task TheServersReplicateACacheToTwoOtherRegionsEachWithARedisDatabaseOfItsOwn()
    {
        var config = await ComposeAsync("config");
        var services = (await ComposeAsync("config", "--services")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var eu = ServerSettings(config);
        var example = Google.Protobuf.JsonParser.Default.Parse<WalService.Api.V1.NamespaceConfig>(await File.ReadAllTextAsync(RepositoryRoot.File("docs", "examples", "cache-replicated.json"), Ct));

        Assert.Contains("redis", services);
        Assert.Equal("redis:6379", eu["Wal:Redis:default:Configuration"]);
        var databases = new List<string?> { "0" };
        foreach (var region in example.Target.Replicate.Regions.Where(r => r.Target.Wal is not null))
        {
            var remote = new Uri(eu[$"Wal:Remotes:{region.Target.Wal.Endpoint}:Address"]!);
            Assert.Contains(remote.Host, services);
            var settings = ServerSettings(config, remote.Host);
            Assert.EndsWith(":" + remote.Port, settings["Kestrel:Endpoints:Grpc:Url"], StringComparison.Ordinal);
            var redis = settings["Wal:Redis:default:Configuration"]!;
            Assert.StartsWith("redis:6379", redis, StringComparison.Ordinal);
            databases.Add(Regex.Match(redis, @"defaultDatabase=(\d+)").Groups[1].Value);
        }

        Assert.Equal(3, databases.Distinct().Count());
    }

    /// <summary>The lines of <paramref name="service"/>'s <c>depends_on</c> entry for <paramref name="dependency"/>.</summary>
    private static string DependsOn(string service, string dependency)
    {
        var match = Regex.Match(service, $@"(?m)^      {Regex.Escape(dependency)}:\n((?:        .*\n)*)");
        Assert.True(match.Success, $"walservice does not depend on {dependency}");
        return match.Groups[1].Value;
    }

    /// <summary>The settings of the compose file's service <paramref name="service"/> (the first region's server by default).</summary>
    private static IConfiguration ServerSettings(string config, string service = "walservice")
    {
        var block = ServiceBlock().Matches(config).Single(m => m.Groups[1].Value == service).Groups[2].Value;
        var environment = EnvironmentLine().Matches(block).ToDictionary(m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal), m => m.Groups[2].Value.Trim().Trim('"'));
        return new ConfigurationBuilder().AddInMemoryCollection(environment!).Build();
    }

    private static async Task<string> ComposeAsync(params string[] command)
    {
        var start = new ProcessStartInfo("docker-compose", ["-f", RepositoryRoot.File("docker-compose.yml"), .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose is missing: install Debian's 'docker-compose' (scripts/prepare.sh does)");
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"docker-compose {string.Join(' ', command)} failed: {error}");
        return output;
    }

    [GeneratedRegex(@"^\s+((?:Wal|ConnectionStrings|Kestrel)__[\w_]+):\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();

    [GeneratedRegex(@"^\s+(KAFKA_\w+):\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex KafkaLine();

    [GeneratedRegex(@"^\s+(SERVICES|GATEWAY_LISTEN):\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex LocalStackLine();

    /// <summary>A service of <c>docker-compose config</c>'s output: its name, then its lines (indented deeper).</summary>
    [GeneratedRegex(@"^  ([\w-]+):\n((?:    .*\n)+)", RegexOptions.Multiline)]
    private static partial Regex ServiceBlock();
}

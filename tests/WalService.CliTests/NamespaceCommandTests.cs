using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;

namespace WalService.CliTests;

public sealed class NamespaceCommandTests
{
    private const string OrdersJson = """{"name": "orders", "target": {"noop": {}}, "retry": {"max_attempts": 5}}""";

    [Fact]
    public async Task ApplyCreatesANamespaceThatDoesNotExist()
    {
        // Arrange
        var server = new FakeServer()
            .Fail("GetNamespace", StatusCode.NotFound, "namespace 'orders' is not registered")
            .On<CreateNamespaceRequest>("CreateNamespace", r => new Namespace { Config = r.Config, Version = 1 });

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "apply", "-f", "-"], stdin: OrdersJson);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("created orders (version 1)", run.Stdout.TrimEnd());
        var config = server.Single<CreateNamespaceRequest>("CreateNamespace").Config;
        Assert.Equal(5, config.Retry.MaxAttempts);
        Assert.NotNull(config.Target.Noop);
    }

    [Fact]
    public async Task ApplyUpdatesAnExistingNamespaceAgainstItsCurrentVersion()
    {
        // Arrange
        var server = new FakeServer()
            .On<GetNamespaceRequest>("GetNamespace", r => new Namespace { Config = new NamespaceConfig { Name = r.Name }, Version = 7 })
            .On<UpdateNamespaceRequest>("UpdateNamespace", r => new Namespace { Config = r.Config, Version = 8 });

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "apply", "-f", "-"], stdin: OrdersJson);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("updated orders (version 8)", run.Stdout.TrimEnd());
        Assert.Equal(7, server.Single<UpdateNamespaceRequest>("UpdateNamespace").ExpectedVersion);
        Assert.DoesNotContain(server.Calls, c => c.Method == "CreateNamespace");
    }

    [Fact]
    public async Task ApplyWithInvalidJsonNamesTheFileAndTheProblem()
    {
        // Arrange
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, """{"name": "orders", "targte": {}}""", TestContext.Current.CancellationToken);

        try
        {
            // Act
            var run = await CliRun.RunAsync(null, ["namespace", "apply", "-f", path]);

            // Assert
            Assert.Equal(ExitCodes.Usage, run.ExitCode);
            Assert.StartsWith($"error: {path}: not a valid wal.v1.NamespaceConfig", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("targte", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{"name": """, "not a valid wal.v1.NamespaceConfig")]
    [InlineData("""{"target": {"noop": {}}}""", "the config has no \"name\"")]
    [InlineData("""{"name": "orders", "max_delay": "a week"}""", "not a valid wal.v1.NamespaceConfig")]
    public async Task ApplyRefusesAConfigItCannotUse(string json, string expected)
    {
        // Act
        var run = await CliRun.RunAsync(null, ["namespace", "apply", "-f", "-"], stdin: json);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("error: standard input: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListFollowsPageTokensToTheEnd()
    {
        // Arrange
        var server = new FakeServer().On<ListNamespacesRequest>("ListNamespaces", r => r.PageToken switch
        {
            "" => Page("next-1", "alpha", "beta"),
            "next-1" => Page("next-2", "gamma"),
            _ => Page(string.Empty, "delta"),
        });

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "list", "--page-size", "2", "-o", "json"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var all = JsonParser.Default.Parse<ListNamespacesResponse>(run.Stdout);
        Assert.Equal(["alpha", "beta", "gamma", "delta"], all.Namespaces.Select(n => n.Config.Name));
        Assert.Equal(3, server.Calls.Count);
        Assert.All(server.Calls, c => Assert.Equal(2, ((ListNamespacesRequest)c.Request).PageSize));
    }

    [Fact]
    public async Task ListPrintsATable()
    {
        // Arrange
        var server = new FakeServer().On<ListNamespacesRequest>("ListNamespaces", _ => Page(string.Empty, "orders"));

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "list"]);

        // Assert
        var lines = run.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal("NAME    VERSION  STATE   SHARD    BACKEND   TARGET", lines[0]);
        Assert.Equal("orders  1        ACTIVE  default  embedded  noop", lines[1]);
    }

    [Fact]
    public async Task DeleteSendsForce()
    {
        // Arrange
        var server = new FakeServer().On<DeleteNamespaceRequest>("DeleteNamespace", _ => new Google.Protobuf.WellKnownTypes.Empty());

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "delete", "orders", "--force"]);

        // Assert
        Assert.Equal("deleted orders", run.Stdout.TrimEnd());
        Assert.True(server.Single<DeleteNamespaceRequest>("DeleteNamespace").Force);
    }

    [Fact]
    public async Task PausePrintsTheNewVersion()
    {
        // Arrange
        var server = new FakeServer().On<PauseNamespaceRequest>("PauseNamespace", r => new Namespace
        {
            Config = new NamespaceConfig { Name = r.Name },
            Version = 3,
            State = NamespaceState.Paused,
        });

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "pause", "orders"]);

        // Assert
        Assert.Equal("paused orders (version 3)", run.Stdout.TrimEnd());
    }

    private static ListNamespacesResponse Page(string nextPageToken, params string[] names)
    {
        var page = new ListNamespacesResponse { NextPageToken = nextPageToken };
        page.Namespaces.Add(names.Select(n => new Namespace
        {
            Config = new NamespaceConfig { Name = n, Target = new Target { Noop = new NoopTarget() } },
            Version = 1,
            State = NamespaceState.Active,
        }));
        return page;
    }
}

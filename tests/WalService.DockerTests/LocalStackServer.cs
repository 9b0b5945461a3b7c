using Amazon.Runtime;
using Amazon.SQS;
using Testcontainers.LocalStack;
using WalService.DockerTests;
using WalService.TestSupport;

[assembly: AssemblyFixture(typeof(LocalStackServer))]

namespace WalService.DockerTests;

/// <summary>
/// For the whole lane: LocalStack with only SQS in a container, and the in-process server whose
/// <c>Wal:Sqs:ServiceUrl</c> is it, creating namespaces' queues itself. The server takes its credentials from the
/// standard AWS chain, as in production; LocalStack checks no signature, so dummy keys in this process's environment
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>) do, unless real ones are set. Where no Docker engine
/// answers, nothing starts and <see cref="SkipReason"/> says what was probed.
/// </summary>
public sealed class LocalStackServer : IAsyncLifetime
{
    public const string Image = "localstack/localstack:3.8";
    public const string Region = "us-east-1";
    private LocalStackContainer? _localStack;
    private WalServerFactory? _factory;
    private AmazonSQSClient? _client;

    /// <summary>Why the lane cannot run here; null once LocalStack and the server run.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>LocalStack's endpoint as published on this host.</summary>
    public string ServiceUrl => Running(_localStack).GetConnectionString();

    /// <summary>A plain SQS client on LocalStack, for looking at what the service created.</summary>
    public AmazonSQSClient Client => Running(_client);

    public WalServerFactory Factory => Running(_factory);

    public async ValueTask InitializeAsync()
    {
        var (answers, probed) = await DockerEngine.ProbeAsync();
        if (!answers)
        {
            SkipReason = $"no Docker engine answers here ({probed})";
            return;
        }

        foreach (var key in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)))
            {
                Environment.SetEnvironmentVariable(key, "test");
            }
        }

        _localStack = new LocalStackBuilder(Image).WithEnvironment("SERVICES", "sqs").Build();
        await _localStack.StartAsync(TestContext.Current.CancellationToken);
        _client = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = ServiceUrl, AuthenticationRegion = Region });
        _factory = new WalServerFactory();
        _factory.Settings["Wal:Sqs:ServiceUrl"] = ServiceUrl;
        _factory.Settings["Wal:Sqs:Region"] = Region;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        _client?.Dispose();
        if (_localStack is not null)
        {
            await _localStack.DisposeAsync();
        }
    }

    private T Running<T>(T? part)
        where T : class =>
        part ?? throw new InvalidOperationException(SkipReason ?? "LocalStack has not started");
}

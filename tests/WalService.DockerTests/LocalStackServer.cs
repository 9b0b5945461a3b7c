using Amazon.Runtime;
using Amazon.SQS;
using Testcontainers.LocalStack;
using WalService.DockerTests;

[assembly: AssemblyFixture(typeof(LocalStackServer))]

namespace WalService.DockerTests;

/// <summary>
/// For the whole lane: LocalStack with only SQS in a container, and the in-process server whose
/// <c>Wal:Sqs:ServiceUrl</c> is it, creating namespaces' queues itself. The server takes its credentials from the
/// standard AWS chain, as in production; LocalStack checks no signature, so dummy keys in this process's environment
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>) do, unless real ones are set.
/// </summary>
public sealed class LocalStackServer() : ContainerBackend("LocalStack")
{
    public const string Image = "localstack/localstack:3.8";
    public const string Region = "us-east-1";
    private LocalStackContainer? _localStack;
    private AmazonSQSClient? _client;

    /// <summary>LocalStack's endpoint as published on this host.</summary>
    public string ServiceUrl => Running(_localStack).GetConnectionString();

    /// <summary>A plain SQS client on LocalStack, for looking at what the service created.</summary>
    public AmazonSQSClient Client => Running(_client);

    protected override async Task StartContainerAsync(CancellationToken cancellationToken)
    {
        foreach (var key in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)))
            {
                Environment.SetEnvironmentVariable(key, "test");
            }
        }

        _localStack = new LocalStackBuilder(Image).WithEnvironment("SERVICES", "sqs").Build();
        await _localStack.StartAsync(cancellationToken);
        _client = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = ServiceUrl, AuthenticationRegion = Region });
    }

    protected override IEnumerable<KeyValuePair<string, string?>> ServerSettings() =>
    [
        new("Wal:Sqs:ServiceUrl", ServiceUrl),
        new("Wal:Sqs:Region", Region),
    ];

    protected override async ValueTask StopContainerAsync()
    {
        _client?.Dispose();
        if (_localStack is not null)
        {
            await _localStack.DisposeAsync();
        }
    }
}

using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>A test against the in-process server, with a real HTTP target server of its own.</summary>
public abstract class ServerTest(WalServerFactory factory) : IClassFixture<WalServerFactory>, IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    protected WalServerFactory Factory { get; } = factory;

    protected WalClient Wal { get; private set; } = null!;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Target = await HttpTargetServer.StartAsync();
        Wal = Factory.CreateWalClient();
    }

    public async ValueTask DisposeAsync()
    {
        await Target.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task<NamespaceConfig> CreateAsync(NamespaceConfig config)
    {
        await Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config;
    }

    protected async Task<string> WriteDurableAsync(string ns, string payload, WalWriteOptions? options = null)
    {
        var response = await Wal.WriteAsync(ns, System.Text.Encoding.UTF8.GetBytes(payload), options, Ct);
        Assert.Equal(Trilean.True, response.Durable);
        Assert.Equal(0, response.Code);
        return response.MessageId;
    }

    protected static async Task<RpcException> AssertRpcErrorAsync(StatusCode expected, Func<Task> call, string? messageContains = null)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, error.Status.Detail, StringComparison.Ordinal);
        }

        return error;
    }

    protected Task<MessageStatus> WaitForStateAsync(string ns, string id, MessageState state) =>
        Eventually.WaitAsync(
            async () =>
            {
                var status = await Wal.GetStatusAsync(ns, id, Ct);
                return status.State == state ? status : null;
            },
            Deadline,
            $"message {id} to reach {state}");
}

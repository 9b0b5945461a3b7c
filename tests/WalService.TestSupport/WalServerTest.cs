using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using Xunit;

namespace WalService.TestSupport;

/// <summary>
/// A test against an in-process server, with a real HTTP target server of its own. Each lane's base names the server
/// and how long a wait may take there.
/// </summary>
public abstract class WalServerTest(TimeSpan deadline) : IAsyncLifetime
{
    protected WalClient Wal { get; private set; } = null!;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract WalServerFactory Factory { get; }

    /// <summary>Why this test cannot run here (its backend is missing, e.g. no Docker engine answers); null where it can.</summary>
    protected virtual string? SkipReason => null;

    public virtual async ValueTask InitializeAsync()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        Target = await HttpTargetServer.StartAsync();
        Wal = Factory.CreateWalClient();
    }

    public async ValueTask DisposeAsync()
    {
        if (Target is not null)
        {
            await Target.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected async Task<NamespaceConfig> CreateAsync(NamespaceConfig config)
    {
        await Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config;
    }

    /// <summary>Creates the namespace and waits until its consumer delivers: a warm-up write to <c>/ok</c> is applied.</summary>
    protected async Task<NamespaceConfig> CreateConsumingAsync(NamespaceConfig config)
    {
        await CreateAsync(config);
        var warmUp = await WriteDurableAsync(config.Name, "warm-up", new WalWriteOptions { Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } } });
        await Target.WaitForAppliedAsync(warmUp, deadline);
        return config;
    }

    protected async Task<string> WriteDurableAsync(string ns, string payload, WalWriteOptions? options = null)
    {
        var response = await Wal.WriteAsync(ns, System.Text.Encoding.UTF8.GetBytes(payload), options, Ct);
        Assert.True(response.Durable == Trilean.True, $"write answered {response.Durable}: {response.Message}");
        Assert.Equal(0, response.Code);
        return response.MessageId;
    }

    protected Task<MessageStatus> WaitForStateAsync(string ns, string id, MessageState state) =>
        Eventually.WaitAsync(
            async () =>
            {
                var status = await Wal.GetStatusAsync(ns, id, Ct);
                return status.State == state ? status : null;
            },
            deadline,
            $"message {id} to reach {state}");

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
}

using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Administration;

namespace WalService.UnitTests.Administration;

/// <summary>A namespace registered on a backend this server lacks: every request that needs the backend says so alike.</summary>
public sealed class MissingBackendTests
{
    private const string Expected = "namespace 'orders' uses the kafka backend, which this server does not provide yet";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WritesStatusReadsAndDeadLetterRequestsAllAnswerUnimplementedInOneWording()
    {
        await using var core = new AdministrationServices();
        var config = new NamespaceConfig { Name = "orders", Target = new Target { Noop = new NoopTarget() }, Kafka = new KafkaBackend() };
        await core.Store.CreateAsync(config, core.Time.GetUtcNow(), Ct);

        var write = await core.Writes.WriteAsync(new WriteToLogRequest { Namespace = "orders" }, null, Ct);
        var status = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Statuses.GetAsync("orders", "m1", null, anyNamespace: false, Ct));
        var list = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.ListDeadLettersAsync("orders", 0, string.Empty, Ct));
        var redrive = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.RedriveDeadLettersAsync("orders", [], 0, string.Empty, Ct));
        var purge = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.PurgeDeadLettersAsync("orders", [], string.Empty, Ct));

        Assert.Equal(((int)StatusCode.Unimplemented, Expected), (write.Response.Code, write.Response.Message));
        Assert.All([status, list, redrive, purge], refused => Assert.Equal((StatusCode.Unimplemented, Expected), (refused.Code, refused.Message)));
    }
}

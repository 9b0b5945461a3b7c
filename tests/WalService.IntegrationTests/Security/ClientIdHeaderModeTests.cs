using Grpc.Core;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>
/// Without API keys or certificates, clients name themselves in <c>wal-client-id</c>: admin calls stay open unless
/// Wal:Auth:Admins names who may, and statuses are judged by allowed_clients like writes.
/// </summary>
public sealed class ClientIdHeaderModeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnceAdminsAreNamedAdminCallsNeedAnAdminClientId()
    {
        await using var server = new AuthServer([new("Wal:Auth:Admins:0", "ops")]);
        server.Start();
        var request = new ListNamespacesRequest();

        var admin = await server.Clients(clientId: "ops").Admin.ListNamespacesAsync(request, cancellationToken: Ct);
        var other = await Assert.ThrowsAsync<RpcException>(() => server.Clients(clientId: "dev").Admin.ListNamespacesAsync(request, cancellationToken: Ct).ResponseAsync);
        var nobody = await Assert.ThrowsAsync<RpcException>(() => server.Clients().Admin.ListNamespacesAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.NotNull(admin);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Contains("client 'dev' is not an admin", other.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, nobody.StatusCode);
        Assert.Contains("'wal-client-id'", nobody.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageStatusIsForTheNamespacesAllowedClients()
    {
        await using var server = new AuthServer([]);
        server.Start();
        var config = AuthorizationMatrixFixture.Config(Namespaces.UniqueName("billing"), "billing");
        await server.Clients().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var billing = server.Clients(clientId: "billing").Log;
        var written = await billing.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name }, cancellationToken: Ct);
        var request = new GetMessageStatusRequest { Namespace = config.Name, MessageId = written.MessageId };

        var own = await billing.GetMessageStatusAsync(request, cancellationToken: Ct);
        var other = await Assert.ThrowsAsync<RpcException>(() => server.Clients(clientId: "marketing").Log.GetMessageStatusAsync(request, cancellationToken: Ct).ResponseAsync);
        var nobody = await Assert.ThrowsAsync<RpcException>(() => server.Clients().Log.GetMessageStatusAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(written.MessageId, own.MessageId);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Contains("client 'marketing' is not in allowed_clients", other.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, nobody.StatusCode);
    }
}

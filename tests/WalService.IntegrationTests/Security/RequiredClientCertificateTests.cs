using Grpc.Core;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>With Mode Require, the TLS handshake itself turns away a client without a certificate.</summary>
public sealed class RequiredClientCertificateTests : MutualTlsTest
{
    [Fact]
    public async Task AClientWithoutCertificateCannotConnectAndOneFromTheCaIsServed()
    {
        var request = new ListNamespacesRequest();

        var refused = await Assert.ThrowsAsync<RpcException>(() => Server.Clients().Admin.ListNamespacesAsync(request, cancellationToken: Ct).ResponseAsync);
        var served = await Server.Clients(certificate: Certificates.Client("ops")).Admin.ListNamespacesAsync(request, cancellationToken: Ct);

        // Under TLS 1.3 the client may learn of the refusal only after sending its request: the connection then
        // breaks mid-call (INTERNAL) rather than before it (UNAVAILABLE). Either way no answer came from the server.
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        Assert.NotNull(served);
    }

    [Fact]
    public async Task ACertificateFromTheCaThatIsNotAnAdminIsDeniedAdminCalls()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Server.Clients(certificate: Certificates.Client("dev")).Admin
            .ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("client 'dev' is not an admin", error.Status.Detail, StringComparison.Ordinal);
    }
}

using Grpc.Core;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>Settings that would leave the server open or misread its keys stop it at start, saying what to set instead.</summary>
public sealed class StartupRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnApiKeyInTheOldPlainFormIsRefusedNamingTheHashedFormAndNotTheKey()
    {
        await using var server = new AuthServer([new("Wal:Auth:ApiKeys:plain-secret-key", "billing")]);

        var error = StartFailure(server);

        Assert.Contains("Wal:Auth:ApiKeys:<client id>:Sha256", error, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-secret-key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHashThatIsNotLowercaseSha256HexIsRefusedNamingTheClient()
    {
        await using var server = new AuthServer([new("Wal:Auth:ApiKeys:billing:Sha256", new string('A', 64))]);

        var error = StartFailure(server);

        Assert.Contains("Wal:Auth:ApiKeys:billing:Sha256: must be 64 lowercase hex digits", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCertificatesWithoutACaAreRefused()
    {
        await using var server = new AuthServer([new("Wal:Auth:ClientCertificates:Mode", "Require")]);

        var error = StartFailure(server);

        Assert.Contains("Wal:Auth:ClientCertificates:CaPath: required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:7070")]
    [InlineData("http://[::]:7070")]
    [InlineData("http://*:7070")]
    [InlineData("http://wal.example.internal:7070")]
    public async Task ANetworkFacingEndpointWithoutAuthenticationIsRefusedNamingAllowAnonymous(string url)
    {
        await using var server = new AuthServer([new("Kestrel:Endpoints:Grpc:Url", url)]);

        var error = StartFailure(server);

        Assert.Contains("Wal:Auth:AllowAnonymous", error, StringComparison.Ordinal);
        Assert.Contains("Kestrel:Endpoints:Grpc:Url", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANetworkFacingEndpointWithoutAuthenticationStartsWhenAnonymousIsAllowed()
    {
        await using var server = new AuthServer([new("Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:7070"), new("Wal:Auth:AllowAnonymous", "true")]);
        server.Start();

        var listed = await server.Clients().Admin.ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct);

        Assert.NotNull(listed);
    }

    [Fact]
    public async Task ANetworkFacingEndpointWithApiKeysStarts()
    {
        await using var server = new AuthServer([new("Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:7070"), AuthServer.ApiKey("billing", "k-1")]);
        server.Start();

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Clients().Admin.ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    /// <summary>The message of the exception that stopped the server from starting, with its inner ones.</summary>
    private static string StartFailure(AuthServer server)
    {
        var error = Record.Exception(server.Start);
        Assert.NotNull(error);
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }
}

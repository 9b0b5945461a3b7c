using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests.Security;

/// <summary>API keys as the server checks them: by hash, exactly as sent, with refusals logged without the key.</summary>
public sealed class ApiKeyAuthenticationTests : IAsyncLifetime
{
    private const string Key = "billing-key-5e0c27a9";

    private readonly AuthServer _server = new([AuthServer.ApiKey("billing", Key), new("Wal:Auth:Admins:0", "billing")]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _server.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task TheRightKeyNamesItsClient()
    {
        var config = AuthorizationMatrixFixture.Config(Namespaces.UniqueName("billing"), "billing");
        var clients = _server.Clients(apiKey: Key);

        await clients.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var written = await clients.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name }, cancellationToken: Ct);

        Assert.Equal(Trilean.True, written.Durable);
    }

    [Fact]
    public async Task AWrongKeyIsUnauthenticatedAndTheLogNamesTheReasonButNotTheKey()
    {
        const string wrong = "guessed-key-0000";

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Clients(apiKey: wrong).Admin
            .ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("unknown API key in the authorization header", error.Status.Detail);
        var refusal = Assert.Single(_server.Logs.Lines, l => l.EventId == 4000);
        Assert.Contains("(unknown_key)", refusal.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Logs.Lines, l => l.Text.Contains(wrong, StringComparison.Ordinal));
        Assert.DoesNotContain(_server.Logs.Lines, l => l.Text.Contains(AuthServer.ApiKey("x", wrong).Value!, StringComparison.Ordinal));
    }

    /// <remarks>
    /// .NET's HTTP client trims header values before sending, so the header is set on the server's request itself,
    /// as a client that sends the space would have it arrive.
    /// </remarks>
    [Fact]
    public async Task AKeyWithATrailingSpaceIsAnotherKey()
    {
        var spaced = await SendRawAsync("Bearer " + Key + " ");
        var exact = await SendRawAsync("Bearer " + Key);

        Assert.Equal("16", spaced.Response.Headers["grpc-status"].ToString());
        Assert.Equal("unknown API key in the authorization header", spaced.Response.Headers["grpc-message"].ToString());
        Assert.Equal(StatusCodes.Status200OK, exact.Response.StatusCode);
        Assert.Empty(exact.Response.Headers["grpc-message"].ToString());
    }

    [Fact]
    public async Task AnAuthorizationHeaderThatIsNotBearerIsUnauthenticatedNamingTheForm()
    {
        var client = new NamespaceAdmin.NamespaceAdminClient(_server.Channel());

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListNamespacesAsync(
            new ListNamespacesRequest(), new Metadata { { "authorization", "Basic " + Key } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("'Bearer <api key>'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallWithoutKeyIsUnauthenticatedAndAClientIdHeaderIsNoIdentity()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Clients(clientId: "billing").Admin
            .ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("no client identity", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthChecksNeedNoKey()
    {
        var health = new Health.HealthClient(_server.Channel());

        var answer = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    var reply = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
                    return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? reply : null;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    // Not published yet: the health service knows of no service until the first check has run.
                    return null;
                }
            },
            TimeSpan.FromSeconds(10),
            "grpc.health.v1 to answer SERVING without a key");

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
    }

    /// <summary>ListNamespaces with an empty request, its authorization header exactly <paramref name="authorization"/>.</summary>
    private Task<HttpContext> SendRawAsync(string authorization) =>
        _server.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Post;
            context.Request.Protocol = HttpProtocol.Http2;
            context.Request.Path = "/wal.v1.NamespaceAdmin/ListNamespaces";
            context.Request.ContentType = "application/grpc";
            context.Request.Headers.Authorization = authorization;
            context.Request.Body = new MemoryStream([0, 0, 0, 0, 0]);
        });
}

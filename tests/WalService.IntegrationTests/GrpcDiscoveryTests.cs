using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

public sealed class GrpcDiscoveryTests(WalServerFactory factory) : ServerTest(factory)
{
    private GrpcChannel Channel() => GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Factory.Server.CreateHandler() });

    [Fact]
    public async Task HealthCheckAnswersServing()
    {
        using var channel = Channel();

        var health = new Health.HealthClient(channel);

        // The health service answers from published results; the first is published as the server starts.
        var reply = await Eventually.WaitAsync(
            async () =>
            {
                var answer = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
                return answer.Status == HealthCheckResponse.Types.ServingStatus.Serving ? answer : null;
            },
            Deadline,
            "grpc.health.v1 to answer SERVING");

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task ReflectionListsBothServices()
    {
        using var channel = Channel();
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(cancellationToken: Ct);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, Ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("wal.v1.WriteAheadLog", services);
        Assert.Contains("wal.v1.NamespaceAdmin", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}

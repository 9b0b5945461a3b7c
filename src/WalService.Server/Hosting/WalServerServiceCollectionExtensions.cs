using Microsoft.Extensions.Diagnostics.HealthChecks;
using WalService.Core.DependencyInjection;
using WalService.Sqlite;
using WalService.Kafka;
using WalService.Postgres;
using WalService.Server.Grpc;
using WalService.Server.Ops;
using WalService.Sqs;
using WalService.Targets;

namespace WalService.Server.Hosting;

public static class WalServerServiceCollectionExtensions
{
    /// <summary>Largest gRPC message the server takes: a full batch plus its framing.</summary>
    private const int MaxReceiveMessageBytes = 8 * 1024 * 1024;

    /// <summary>The gRPC front door and control plane, health, reflection, and the runtime with its providers.</summary>
    public static IServiceCollection AddWalServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ControlPlaneOptions>().BindConfiguration(ControlPlaneOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddWalAuth();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(25));

        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = MaxReceiveMessageBytes;
            // The only interceptor: it answers Core's refusals and bounds the detail of whatever status the services throw.
            o.Interceptors.Add<ErrorAnswerInterceptor>();
        });
        services.AddGrpcReflection();
        // grpc.health.v1 answers from the last published result (every 5 s) instead of probing the stores on every
        // call, so load balancers polling it cost next to nothing; /readyz still probes on every request.
        services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = true).AddCheck<ReadinessCheck>("wal", tags: [ReadinessCheck.Tag]);
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.Zero;
            o.Period = TimeSpan.FromSeconds(5);
        });

        var wal = services.AddWalCore().AddEmbedded().AddKafka().AddSqs().AddTargets()
            .AddPostgresKvStores(configuration.GetSection("ConnectionStrings").AsEnumerable(makePathsRelative: true));
        var provider = configuration[$"{ControlPlaneOptions.Section}:Provider"] ?? "sqlite";
        if (string.Equals(provider, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = configuration.GetConnectionString("ControlPlane");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Wal:ControlPlane:Provider is 'postgres' but ConnectionStrings:ControlPlane is not set");
            }

            wal.AddPostgresControlPlane(connectionString);
        }
        else
        {
            wal.AddSqliteControlPlane();
        }

        return services;
    }
}

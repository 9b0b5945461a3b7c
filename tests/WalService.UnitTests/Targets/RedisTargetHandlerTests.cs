using System.ComponentModel.DataAnnotations;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Targets.Redis;

namespace WalService.UnitTests.Targets;

public sealed class RedisTargetHandlerTests
{
    private static RedisTargetOptions Options(params (string Name, string Configuration)[] endpoints)
    {
        var options = new RedisTargetOptions();
        foreach (var (name, configuration) in endpoints)
        {
            options.Endpoints[name] = new RedisEndpointOptions { Configuration = configuration };
        }

        return options;
    }

    private static RedisTargetHandler Handler(params (string Name, string Configuration)[] endpoints) =>
        new(new RedisConnections(Microsoft.Extensions.Options.Options.Create(Options(endpoints))));

    [Fact]
    public void AnEmptyEndpointIsTheDefaultRedis()
    {
        var handler = Handler(("Default", "127.0.0.1:6379"));

        Assert.Empty(handler.Validate(new Target { Redis = new RedisTarget() }, "config.target"));
    }

    [Fact]
    public void AnUnknownEndpointIsNamedWithTheSettingThatWouldConfigureIt()
    {
        var handler = Handler(("default", "127.0.0.1:6379"));

        var problems = handler.Validate(new Target { Redis = new RedisTarget { Endpoint = "eu" } }, "config.target");

        Assert.Equal(["config.target.redis.endpoint 'eu' is not a Redis of this server's configuration (Wal:Redis:eu:Configuration)"], problems);
    }

    [Fact]
    public void ANegativeTtlIsAViolation()
    {
        var handler = Handler(("default", "127.0.0.1:6379"));

        var problems = handler.Validate(new Target { Redis = new RedisTarget { Ttl = new Duration { Seconds = -1 } } }, "target");

        Assert.Equal(["target.redis.ttl must not be negative"], problems);
    }

    [Fact]
    public void TheDeliveryTimeoutCoversTheClientsConnectAndCommandTimeouts()
    {
        var handler = Handler(("slow", "127.0.0.1:6379,connectTimeout=4000,asyncTimeout=7000"), ("fast", "127.0.0.1:6379,connectTimeout=100,syncTimeout=100"));

        Assert.Equal(TimeSpan.FromSeconds(11), handler.DeliveryTimeout(new Target { Redis = new RedisTarget { Endpoint = "slow" } }));
        Assert.Equal(TimeSpan.FromSeconds(5), handler.DeliveryTimeout(new Target { Redis = new RedisTarget { Endpoint = "fast" } }));
    }

    [Fact]
    public void AnEmptyOrMalformedConfigurationStopsTheServerNamingTheSetting()
    {
        var options = Options(("empty", " "), ("bad", "127.0.0.1:6379,notAnOption=1"), ("good", "127.0.0.1:6379"));

        var problems = options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage).ToList();

        Assert.Equal(2, problems.Count);
        Assert.Equal("Wal:Redis:empty:Configuration is required", problems[0]);
        Assert.StartsWith("Wal:Redis:bad:Configuration is not a StackExchange.Redis configuration string", problems[1], StringComparison.Ordinal);
    }
}

using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.UnitTests;

public sealed class NamespaceSettingsTests
{
    [Fact]
    public void ZeroOrAbsentFieldsTakeTheApiMdDefaults()
    {
        var settings = NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = "n", Retry = new RetryPolicy() } });

        Assert.Equal("default", settings.Shard);
        Assert.Equal(BackendKind.Embedded, settings.Backend);
        Assert.Equal(RetrySettings.Default, settings.Retry);
        Assert.Equal(TimeSpan.FromDays(7), settings.MaxDelay);
        Assert.Equal(1024 * 1024, settings.MaxPayloadBytes);
        Assert.Equal(TimeSpan.FromHours(24), settings.DedupWindow);
        Assert.Equal(4, settings.Concurrency);
        Assert.Equal(100, settings.BatchSize);
        Assert.Equal(0, settings.WritesPerSecond);
        Assert.False(settings.AllowTargetOverride);
        Assert.True(settings.TrackStatus);
    }

    [Fact]
    public void SetFieldsWinOverDefaults()
    {
        var config = new NamespaceConfig
        {
            Name = "n",
            Shard = "eu",
            Kafka = new KafkaBackend { Topic = "t" },
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) },
            Consumer = new ConsumerSettings { Concurrency = 9, BatchSize = 7 },
            TrackStatus = false,
        };

        var settings = NamespaceSettings.From(new Namespace { Config = config });

        Assert.Equal("eu", settings.Shard);
        Assert.Equal(BackendKind.Kafka, settings.Backend);
        Assert.Equal(3, settings.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.Retry.InitialBackoff);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Retry.MaxBackoff);
        Assert.Equal(9, settings.Concurrency);
        Assert.Equal(7, settings.BatchSize);
        Assert.False(settings.TrackStatus);
    }
}

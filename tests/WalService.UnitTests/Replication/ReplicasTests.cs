using WalService.Core.Model;
using WalService.Core.Model.Storage;

namespace WalService.UnitTests.Replication;

/// <summary>Replica ids, keys and ordering scopes.</summary>
public sealed class ReplicasTests
{
    private const string MessageId = "01M94WGKATGJY7YBV7F6QYC000";

    [Fact]
    public void AReplicaIdSplitsBackIntoItsMessageAndRegion()
    {
        var id = Replicas.Id(MessageId, "eu-west-1");

        Assert.True(Replicas.TrySplit(id, out var messageId, out var region));
        Assert.Equal((MessageId, "eu-west-1"), (messageId, region));
        Assert.Equal(MessageId, Replicas.MessageIdOf(new EnvelopeMeta { MessageId = id, Region = region }));
    }

    [Theory]
    [InlineData(MessageId)]
    [InlineData("named.Upper")]
    [InlineData(".eu")]
    [InlineData("x.-eu")]
    public void AnIdThatIsNoReplicasIsLeftWhole(string id)
    {
        Assert.False(Replicas.TrySplit(id, out var messageId, out var region));
        Assert.Equal((id, string.Empty), (messageId, region));
    }

    [Fact]
    public void AReplicaWaitsOnlyForTheEarlierMessagesOfItsKeyInItsOwnRegion()
    {
        var message = new EnvelopeMeta { OrderingKey = "k" };
        var near = new EnvelopeMeta { OrderingKey = "k", Region = "near" };
        var far = new EnvelopeMeta { OrderingKey = "k", Region = "far" };

        Assert.Equal("k", Replicas.OrderingScope(message));
        Assert.NotEqual(Replicas.OrderingScope(near), Replicas.OrderingScope(far));
        Assert.NotEqual(Replicas.OrderingScope(message), Replicas.OrderingScope(near));
        Assert.Equal(string.Empty, Replicas.OrderingScope(new EnvelopeMeta { Region = "near" }));
    }

    [Fact]
    public void AReplicasIdempotencyKeyHoldsACharacterNoClientKeyMayHold()
    {
        Assert.Contains(Replicas.IdempotencyKey(Replicas.Id(MessageId, "near")), char.IsControl);
    }

    [Theory]
    [InlineData("eu-west-1", true)]
    [InlineData("a", true)]
    [InlineData("-eu", false)]
    [InlineData("EU", false)]
    [InlineData("eu.west", false)]
    [InlineData("", false)]
    public void RegionNamesAreLowercaseLettersDigitsAndDashes(string region, bool valid)
    {
        Assert.Equal(valid, Replicas.IsRegionName(region));
    }

    [Fact]
    public void ARegionNameIsAtMost63Characters()
    {
        Assert.True(Replicas.IsRegionName(new string('a', 63)));
        Assert.False(Replicas.IsRegionName(new string('a', 64)));
    }
}

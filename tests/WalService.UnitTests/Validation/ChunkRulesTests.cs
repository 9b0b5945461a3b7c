using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.UnitTests.Validation;

public sealed class ChunkRulesTests
{
    private static NamespaceSettings Settings(BackendTraits? traits = null, Action<NamespaceConfig>? change = null)
    {
        var config = new NamespaceConfig { Name = "orders", Target = new Target { Noop = new NoopTarget() } };
        change?.Invoke(config);
        return NamespaceSettings.From(new Namespace { Config = config, Version = 1 }, traits);
    }

    [Fact]
    public void AWellFormedChunkWithinTheDefaultsPasses()
    {
        var chunk = new Chunk { TransactionId = "order-42:v1.a_b", Sequence = 999, Last = true };

        Assert.Null(ChunkRules.Validate(chunk, Settings()));
    }

    [Fact]
    public void ASequenceAtTheNamespacesMaxChunksIsRefusedNamingTheSetting()
    {
        var settings = Settings(change: c => c.Transactions = new TransactionSettings { MaxChunks = 10 });

        var rejection = ChunkRules.Validate(new Chunk { TransactionId = "t", Sequence = 10 }, settings);

        Assert.NotNull(rejection);
        Assert.Equal(StatusCode.InvalidArgument, rejection.Code);
        Assert.StartsWith("chunk.sequence", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("transactions.max_chunks=10", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATransactionIdWithANewlineAtItsEndIsRefused()
    {
        var rejection = ChunkRules.Validate(new Chunk { TransactionId = "abc\n", Sequence = 0 }, Settings());

        Assert.NotNull(rejection);
        Assert.StartsWith("chunk.transaction_id", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransactionSettingsTakeTheirDefaultsWhenAbsent()
    {
        var settings = Settings();

        Assert.Equal(1000, settings.MaxChunks);
        Assert.Equal(64L * 1024 * 1024, settings.MaxTransactionBytes);
        Assert.Equal(TimeSpan.FromHours(1), settings.TransactionTimeout);
    }
}

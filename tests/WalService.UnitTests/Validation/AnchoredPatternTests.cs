using WalService.Api.V1;
using WalService.Core.Validation;
using WalService.Kafka;
using WalService.Sqs;
using WalService.Sqs.Targets;

namespace WalService.UnitTests.Validation;

/// <summary>
/// Every anchored name pattern refuses a trailing newline: .NET's <c>$</c> also matches before a final <c>\n</c>,
/// so each pattern ends in <c>\z</c>.
/// </summary>
public sealed class AnchoredPatternTests
{
    [Fact]
    public void NamespaceNameWithATrailingNewlineIsRefused()
    {
        var config = new NamespaceConfig { Name = "abc\n", Target = new Target { Noop = new NoopTarget() } };

        var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);

        Assert.Contains(errors, e => e.StartsWith("config.name 'abc\\n' must match", StringComparison.Ordinal));
    }

    [Fact]
    public void NamespaceNameWithoutTheNewlineIsAccepted() =>
        Assert.Empty(NamespaceConfigValidator.Validate(new NamespaceConfig { Name = "abc", Target = new Target { Noop = new NoopTarget() } }, TestTargets.Catalog));

    [Fact]
    public void KvTableWithATrailingNewlineIsRefused()
    {
        var errors = TestTargets.Catalog.Validate(new Target { Kv = new KvTarget { Table = "x\n" } }, "config.target").ToList();

        Assert.Contains(errors, e => e.StartsWith("config.target.kv.table 'x\\n' must match", StringComparison.Ordinal));
        Assert.Empty(TestTargets.Catalog.Validate(new Target { Kv = new KvTarget { Table = "x" } }, "config.target"));
    }

    [Fact]
    public void KafkaTopicWithATrailingNewlineIsRefused()
    {
        Assert.False(KafkaTopics.IsLegalName("x\n"));
        Assert.True(KafkaTopics.IsLegalName("x"));
    }

    [Fact]
    public void SqsStandardQueueNameWithATrailingNewlineIsRefused()
    {
        Assert.False(SqsQueues.IsLegalName("x\n", fifo: false));
        Assert.True(SqsQueues.IsLegalName("x", fifo: false));
    }

    [Fact]
    public void SqsFifoQueueNameWithATrailingNewlineIsRefused()
    {
        Assert.False(SqsQueues.IsLegalName("x.fifo\n", fifo: true));
        Assert.True(SqsQueues.IsLegalName("x.fifo", fifo: true));
    }

    [Theory]
    [InlineData("x\n")]
    [InlineData("ab\n")]
    public void SqsAttributeNameWithATrailingNewlineIsRefused(string name)
    {
        Assert.False(SqsTargetHandler.IsLegalAttributeName(name));
        Assert.True(SqsTargetHandler.IsLegalAttributeName(name.TrimEnd('\n')));
    }
}

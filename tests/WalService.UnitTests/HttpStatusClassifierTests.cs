using System.Net.Http.Headers;
using WalService.Core.Abstractions;
using WalService.Targets.Http;

namespace WalService.UnitTests;

public sealed class HttpStatusClassifierTests
{
    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(299)]
    [InlineData(409)]
    public void SuccessAndConflictAreApplied(int status) => Assert.Equal(DeliveryVerdict.Applied, HttpStatusClassifier.Classify(status));

    [Theory]
    [InlineData(408)]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(599)]
    public void TransientStatusesAreRetried(int status) => Assert.Equal(DeliveryVerdict.Retry, HttpStatusClassifier.Classify(status));

    [Theory]
    [InlineData(100)]
    [InlineData(301)]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(422)]
    public void OtherStatusesAreDeadLettered(int status) => Assert.Equal(DeliveryVerdict.DeadLetter, HttpStatusClassifier.Classify(status));

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void RetryAfterInSecondsOrAsADateIsThePushbackOfA429OrA503(int status)
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(7), HttpStatusClassifier.RetryAfter(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now));
        Assert.Equal(TimeSpan.FromSeconds(30), HttpStatusClassifier.RetryAfter(status, new RetryConditionHeaderValue(now.AddSeconds(30)), now));
    }

    [Fact]
    public void RetryAfterIsIgnoredOnOtherStatusesWhenAbsentOrPast()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Null(HttpStatusClassifier.RetryAfter(500, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now));
        Assert.Null(HttpStatusClassifier.RetryAfter(503, null, now));
        Assert.Null(HttpStatusClassifier.RetryAfter(503, new RetryConditionHeaderValue(now.AddSeconds(-5)), now));
    }
}

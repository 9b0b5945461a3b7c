using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.CliTests;

public sealed class StatusCommandTests
{
    [Fact]
    public async Task PrintsStateAttemptsErrorAndTimes()
    {
        // Arrange
        var server = new FakeServer().On<GetMessageStatusRequest>("GetMessageStatus", r => new MessageStatus
        {
            MessageId = r.MessageId,
            State = MessageState.RetryScheduled,
            Attempts = 2,
            LastError = "HTTP 503",
            NextAttemptAt = Timestamp.FromDateTime(new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
        });

        // Act
        var run = await CliRun.RunAsync(server, ["status", "orders", "01ID"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            """
            message_id:      01ID
            state:           RETRY_SCHEDULED
            attempts:        2
            last_error:      HTTP 503
            next_attempt_at: 2030-01-02T03:04:05Z
            applied_at:      -
            """,
            run.Stdout.ReplaceLineEndings("\n").TrimEnd());
        Assert.Equal("orders", server.Single<GetMessageStatusRequest>("GetMessageStatus").Namespace);
    }

    [Fact]
    public async Task AReplicatedMessageShowsALinePerRegion()
    {
        // Arrange
        var server = new FakeServer().On<GetMessageStatusRequest>("GetMessageStatus", r => new MessageStatus
        {
            MessageId = r.MessageId,
            State = MessageState.RetryScheduled,
            Regions =
            {
                new RegionStatus { Region = "eu", State = MessageState.Applied, Attempts = 1 },
                new RegionStatus { Region = "ap", State = MessageState.RetryScheduled, Attempts = 4, LastError = "wal remote 'ap' answered UNAVAILABLE" },
            },
        });

        // Act
        var run = await CliRun.RunAsync(server, ["status", "cache", "01ID"]);

        // Assert
        var lines = run.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("REGION", StringComparison.Ordinal));
        Assert.True(header > 0, run.Stdout);
        Assert.Matches(@"^eu\s+APPLIED\s+1\s", lines[header + 1]);
        Assert.Matches(@"^ap\s+RETRY_SCHEDULED\s+4\s.*UNAVAILABLE", lines[header + 2]);
    }
}

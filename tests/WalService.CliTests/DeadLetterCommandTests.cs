using WalService.Api.V1;

namespace WalService.CliTests;

public sealed class DeadLetterCommandTests
{
    [Fact]
    public async Task PurgeWithAllPurgesEveryDeadLetter()
    {
        // Arrange
        var server = new FakeServer().On<PurgeDeadLettersRequest>("PurgeDeadLetters", _ => new PurgeDeadLettersResponse { Purged = 3 });

        // Act
        var run = await CliRun.RunAsync(server, ["dlq", "purge", "orders", "--all"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("purged 3", run.Stdout.TrimEnd());
        var request = server.Single<PurgeDeadLettersRequest>("PurgeDeadLetters");
        Assert.Equal("orders", request.Namespace);
        Assert.Empty(request.MessageIds);
    }

    [Fact]
    public async Task PurgeWithIdsPurgesOnlyThose()
    {
        // Arrange
        var server = new FakeServer().On<PurgeDeadLettersRequest>("PurgeDeadLetters", r => new PurgeDeadLettersResponse { Purged = r.MessageIds.Count });

        // Act
        var run = await CliRun.RunAsync(server, ["dlq", "purge", "orders", "01A", "01B"]);

        // Assert
        Assert.Equal("purged 2", run.Stdout.TrimEnd());
        Assert.Equal(["01A", "01B"], server.Single<PurgeDeadLettersRequest>("PurgeDeadLetters").MessageIds);
    }

    [Fact]
    public async Task RedriveWithoutIdsRedrivesAllAtTheGivenRate()
    {
        // Arrange
        var server = new FakeServer().On<RedriveDeadLettersRequest>("RedriveDeadLetters", _ => new RedriveDeadLettersResponse { Redriven = 12 });

        // Act
        var run = await CliRun.RunAsync(server, ["dlq", "redrive", "orders", "--max-per-second", "50"]);

        // Assert
        Assert.Equal("redriven 12", run.Stdout.TrimEnd());
        var request = server.Single<RedriveDeadLettersRequest>("RedriveDeadLetters");
        Assert.Empty(request.MessageIds);
        Assert.Equal(50, request.MaxPerSecond);
    }

    [Fact]
    public async Task ListFollowsPageTokensAndPrintsOneLinePerDeadLetter()
    {
        // Arrange
        var server = new FakeServer().On<ListDeadLettersRequest>("ListDeadLetters", r =>
        {
            var page = new ListDeadLettersResponse { NextPageToken = r.PageToken.Length == 0 ? "more" : string.Empty };
            page.DeadLetters.Add(new DeadLetter { MessageId = r.PageToken.Length == 0 ? "01A" : "01B", Attempts = 8, LastError = "HTTP 400\nbad request" });
            return page;
        });

        // Act
        var run = await CliRun.RunAsync(server, ["dlq", "list", "orders"]);

        // Assert
        var lines = run.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("MESSAGE_ID", lines[0], StringComparison.Ordinal);
        Assert.Equal("01A         8         -                 HTTP 400 bad request", lines[1]);
        Assert.StartsWith("01B", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedriveAndPurgeOfOneRegionSendTheRegion()
    {
        // Arrange
        var server = new FakeServer()
            .On<RedriveDeadLettersRequest>("RedriveDeadLetters", _ => new RedriveDeadLettersResponse { Redriven = 3 })
            .On<PurgeDeadLettersRequest>("PurgeDeadLetters", _ => new PurgeDeadLettersResponse { Purged = 1 });

        // Act
        var redrive = await CliRun.RunAsync(server, ["dlq", "redrive", "cache", "--region", "ap"]);
        var purge = await CliRun.RunAsync(server, ["dlq", "purge", "cache", "01A", "--region", "us"]);

        // Assert
        Assert.Equal(("redriven 3", "purged 1"), (redrive.Stdout.TrimEnd(), purge.Stdout.TrimEnd()));
        Assert.Equal("ap", server.Single<RedriveDeadLettersRequest>("RedriveDeadLetters").Region);
        Assert.Equal("us", server.Single<PurgeDeadLettersRequest>("PurgeDeadLetters").Region);
    }

    [Fact]
    public async Task ListShowsARegionColumnWhenADeadLetterHasARegion()
    {
        // Arrange
        var server = new FakeServer().On<ListDeadLettersRequest>("ListDeadLetters", _ => new ListDeadLettersResponse
        {
            DeadLetters = { new DeadLetter { MessageId = "01A", Region = "ap", Attempts = 8, LastError = "HTTP 503" } },
        });

        // Act
        var run = await CliRun.RunAsync(server, ["dlq", "list", "cache"]);

        // Assert
        var lines = run.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("MESSAGE_ID  REGION", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^01A\s+ap\s+8\s", lines[1]);
    }
}

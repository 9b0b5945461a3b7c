namespace WalService.CliTests;

/// <summary>Mistakes on the command line are refused before any call, with exit code 2 and a message on stderr.</summary>
public sealed class UsageTests
{
    [Fact]
    public async Task WriteWithBothPayloadArgumentAndFileIsUsageError()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "orders", "hello", "--file", "payload.bin"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("not both", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("walctl write --help", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task DlqPurgeWithoutIdsOrAllRefuses()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["dlq", "purge", "orders"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("error: refusing to purge every dead letter of 'orders' without --all", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DlqPurgeWithIdsAndAllIsUsageError()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["dlq", "purge", "orders", "01ABC", "--all"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("not both", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommandExitsWithUsageErrorAndHelpOnStderr()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["frobnicate"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("'frobnicate'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task UnknownSubcommandShowsTheGroupsHelp()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["namespace", "frobnicate"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("namespace [command] [options]", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pause <NAME>", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommandShowsHelpOnStderr()
    {
        // Act
        var run = await CliRun.RunAsync(null, []);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Commands:", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--delay", "5", "needs a unit")]
    [InlineData("--delay", "-5s", "negative")]
    [InlineData("--header", "no-equals-sign", "is not name=value")]
    [InlineData("--header", "=value", "is not name=value")]
    [InlineData("--output", "yaml", "yaml")]
    [InlineData("--address", "ftp://example", "is not an http:// or https:// URL")]
    [InlineData("--timeout", "soon", "not a duration")]
    public async Task InvalidOptionValueIsUsageError(string option, string value, string expected)
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "orders", "hello", option, value]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedHeaderNameIsUsageError()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "orders", "hello", "--header", "a=1", "--header", "a=2"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("'a' is given more than once", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--page-size")]
    [InlineData("--max-per-second")]
    public async Task NegativeCountIsUsageError(string option)
    {
        // Act
        var run = await CliRun.RunAsync(null, ["dlq", option == "--page-size" ? "list" : "redrive", "orders", option, "-1"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"{option} must be zero or more", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingArgumentIsUsageError()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["status", "orders"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyWithoutFileIsUsageError()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["namespace", "apply"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--file", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootHelpGoesToStdoutWithExamplesAndExitCodes()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["--help"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Examples:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("walctl namespace apply -f orders.json", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("7    the server cannot be reached", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task CommandHelpExplainsTheCommandWithoutItsArguments()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "--help"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("durable = UNKNOWN", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--ordering-key", run.Stdout, StringComparison.Ordinal);
    }
}

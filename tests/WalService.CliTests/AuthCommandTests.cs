using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WalService.CliTests;

/// <summary><c>walctl auth</c>: hashes and keys for the server's configuration, made without any server.</summary>
public sealed class AuthCommandTests
{
    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task HashKeyPrintsTheLowercaseHexSha256OfTheArgumentExactlyAsWritten()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["auth", "hash-key", "s3cret "]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(Sha256Hex("s3cret "), run.Stdout.TrimEnd('\n'));
        Assert.NotEqual(Sha256Hex("s3cret"), run.Stdout.TrimEnd('\n'));
    }

    [Theory]
    [InlineData("s3cret\n")]
    [InlineData("s3cret\r\n")]
    [InlineData("s3cret")]
    public async Task HashKeyFromStandardInputLeavesOutOneLineEndingOnly(string stdin)
    {
        // Act
        var run = await CliRun.RunAsync(null, ["auth", "hash-key"], stdin);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(Sha256Hex("s3cret"), run.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public async Task HashKeyRefusesAnEmptyKey()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["auth", "hash-key", "-"], "\n");

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("KEY", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task NewKeyPrintsAFreshRandomKeyWithItsHash()
    {
        // Act
        var first = await CliRun.RunAsync(null, ["auth", "new-key", "-o", "json"]);
        var second = await CliRun.RunAsync(null, ["auth", "new-key", "-o", "json"]);

        // Assert
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        using var one = JsonDocument.Parse(first.Stdout);
        using var two = JsonDocument.Parse(second.Stdout);
        var key = one.RootElement.GetProperty("key").GetString()!;
        Assert.Equal(43, key.Length);
        Assert.Equal(Sha256Hex(key), one.RootElement.GetProperty("sha256").GetString());
        Assert.NotEqual(key, two.RootElement.GetProperty("key").GetString());
    }
}

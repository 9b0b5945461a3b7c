using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using WalService.LocalBackends;

namespace WalService.Bench;

/// <summary>
/// The SQS endpoint of the SQS mode: the fauxqs emulator hosted by the bench (<see cref="SqsEmulator"/> of
/// tools/WalService.LocalBackends: a Node process of its own on a free loopback port, stopped with the bench), or an existing
/// endpoint such as LocalStack. The emulator checks no signature; requests are signed with the AWS keys of the
/// environment, or dummy ones where there are none.
/// </summary>
internal sealed class SqsEndpoint : IAsyncDisposable
{
    private const string Dummy = "test";
    private readonly SqsEmulator? _emulator;
    private readonly Process? _node;

    private SqsEndpoint(SqsEmulator? emulator, string serviceUrl, string region)
    {
        _emulator = emulator;
        _node = emulator is null ? null : NodeOf(emulator.Port);
        ServiceUrl = serviceUrl;
        Region = region;
    }

    public string ServiceUrl { get; }

    public string Region { get; }

    public bool IsEmulator => _emulator is not null;

    /// <summary>The emulator's CPU time, when the bench hosts it and found its process.</summary>
    public EmulatorCpu? Cpu => _node is null ? null : EmulatorCpu.Of(_node);

    public static async Task<SqsEndpoint> OpenAsync(BenchSettings settings)
    {
        if (!settings.SqsEmulator)
        {
            var url = settings.SqsUrl ?? throw new InvalidOperationException("the SQS mode needs --sqs-emulator or --sqs-url");
            return new SqsEndpoint(null, url.OriginalString.TrimEnd('/'), settings.SqsRegion);
        }

        var emulator = await SqsEmulator.StartAsync();
        return new SqsEndpoint(emulator, emulator.ServiceUrl, settings.SqsRegion);
    }

    /// <summary>
    /// Configuration of a server the bench starts: this endpoint and region (<c>Wal:Sqs</c>), and dummy AWS keys
    /// unless the environment has keys (the server takes them from the standard AWS chain).
    /// </summary>
    public IReadOnlyDictionary<string, string?> ServerSettings()
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Wal:Sqs:ServiceUrl"] = ServiceUrl,
            ["Wal:Sqs:Region"] = Region,
        };
        foreach (var key in (string[])["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)))
            {
                settings[key] = Dummy;
            }
        }

        return settings;
    }

    /// <summary>A client configured as the server configures its own (<c>src/WalService.Sqs/SqsQueues.cs</c>): this endpoint, signed for <see cref="Region"/>.</summary>
    public AmazonSQSClient CreateClient() => new(
        new BasicAWSCredentials(Key("AWS_ACCESS_KEY_ID"), Key("AWS_SECRET_ACCESS_KEY")),
        new AmazonSQSConfig { ServiceURL = ServiceUrl, AuthenticationRegion = Region });

    public async ValueTask DisposeAsync()
    {
        _node?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    private static string Key(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : Dummy;

    /// <summary>The emulator's Node process: the child of this process started as <c>node serve.mjs PORT</c>; null without /proc.</summary>
    private static Process? NodeOf(int port)
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var arguments = $"serve.mjs\0{port.ToString(CultureInfo.InvariantCulture)}\0";
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // Field 4 of stat is the parent's pid; the name in field 2 may hold spaces, the fields after its closing parenthesis are plain.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == self
                    && File.ReadAllText(Path.Combine(folder, "cmdline")).Contains(arguments, StringComparison.Ordinal))
                {
                    return Process.GetProcessById(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or ArgumentException)
            {
                // The process ended meanwhile.
            }
        }

        return null;
    }
}

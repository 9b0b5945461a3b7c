using System.Text;
using Google.Protobuf;

namespace WalService.Cli;

/// <summary>Reads a payload or a document from a file or from standard input (named <c>-</c>).</summary>
internal static class InputReader
{
    public const string StdinName = "-";

    /// <summary>
    /// The bytes of <paramref name="path"/>, or of <paramref name="stdin"/> when the path is <c>-</c>. Standard input
    /// given as a <see cref="StreamReader"/> is read as raw bytes, so binary payloads pass through unchanged; any
    /// other reader is read as text and encoded as UTF-8.
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(string path, TextReader stdin, CancellationToken cancellationToken)
    {
        if (path == StdinName)
        {
            return await ReadStdinBytesAsync(stdin, cancellationToken);
        }

        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{path}: {Describe(e)}", e);
        }
    }

    /// <summary>The text of <paramref name="path"/>, or of <paramref name="stdin"/> when the path is <c>-</c>.</summary>
    public static async Task<string> ReadTextAsync(string path, TextReader stdin, CancellationToken cancellationToken)
    {
        if (path == StdinName)
        {
            return await stdin.ReadToEndAsync(cancellationToken);
        }

        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{path}: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// Parses <paramref name="json"/>, the protobuf JSON form of a <typeparamref name="T"/> read from
    /// <paramref name="source"/>; what is not one is a usage error naming the source and the message type.
    /// </summary>
    public static T ParseJson<T>(string source, string json)
        where T : IMessage<T>, new()
    {
        try
        {
            return JsonParser.Default.Parse<T>(json);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            throw new UsageException($"{source}: not a valid {new T().Descriptor.FullName}: {e.Message}", e);
        }
    }

    /// <summary>How a file is named in messages: standard input is called so.</summary>
    public static string DisplayName(string path) => path == StdinName ? "standard input" : path;

    private static async Task<byte[]> ReadStdinBytesAsync(TextReader stdin, CancellationToken cancellationToken)
    {
        if (stdin is StreamReader { BaseStream: var stream })
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }

        return Encoding.UTF8.GetBytes(await stdin.ReadToEndAsync(cancellationToken));
    }

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}

namespace WalService.Core.Model;

/// <summary>The defaults of <c>NamespaceConfig</c> (API.md), taken wherever a field is zero or absent.</summary>
public static class NamespaceDefaults
{
    public const string Shard = "default";
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>
    /// The default and the most <c>max_payload_bytes</c> of a namespace on SQS: a message is at most 256 KiB, body and
    /// attributes together; 16 KiB of that is kept for the metadata attributes, and the body is the payload
    /// base64-encoded (4 characters per 3 bytes), so 3/4 of 240 KiB = 180 KiB.
    /// </summary>
    public const int SqsMaxPayloadBytes = (256 - 16) * 1024 / 4 * 3;
    public const int Concurrency = 4;
    public const int BatchSize = 100;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);
    public static readonly TimeSpan DedupWindow = TimeSpan.FromHours(24);
    public static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(10);
}

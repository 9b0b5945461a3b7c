using System.Security.Cryptography;
using System.Text;

namespace WalService.Server.Security;

/// <summary>
/// The configured API keys, held as SHA-256 hashes only. A presented key is hashed and compared with every
/// configured hash in constant time, so neither the comparison nor the number of matching bytes shows in the timing.
/// </summary>
internal sealed class ApiKeyTable
{
    private const int HashBytes = 32;

    private readonly (string ClientId, byte[] Hash)[] _keys;

    public ApiKeyTable(IEnumerable<KeyValuePair<string, string>> hashesByClient)
    {
        ArgumentNullException.ThrowIfNull(hashesByClient);
        _keys = [.. hashesByClient.Select(k => (k.Key, Convert.FromHexString(k.Value)))];
    }

    public bool IsEmpty => _keys.Length == 0;

    /// <summary>True for 64 lowercase hex digits, the form <c>Wal:Auth:ApiKeys:&lt;client id&gt;:Sha256</c> takes.</summary>
    public static bool IsSha256Hex(string? value) =>
        value is { Length: HashBytes * 2 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes, exactly as given (never trimmed).</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>The client id whose key this is, or null. Every configured hash is compared, whatever matches first.</summary>
    public string? Find(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> presented = stackalloc byte[HashBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), presented);
        string? found = null;
        foreach (var (clientId, hash) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                found ??= clientId;
            }
        }

        return found;
    }
}

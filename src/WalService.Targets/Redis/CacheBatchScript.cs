using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;
using WalService.Api.V1;
using WalService.Core.Validation;

namespace WalService.Targets.Redis;

/// <summary>
/// The one Lua script that applies a message's <see cref="CacheMutationBatch"/>, and its arguments. Redis runs a script
/// alone, so the batch applies atomically: no client sees part of it. StackExchange.Redis loads the script once per
/// server (SCRIPT LOAD) and then sends EVALSHA.
/// </summary>
/// <remarks>
/// Last writer wins per key. A message's version is its original write time in Unix milliseconds, zero-padded to
/// 15 digits, a colon and its message id (26 characters of digits and capitals, sortable by write time), so ordering
/// versions as strings orders them by write time, then id. Every version has that shape, so Redis's locale-aware
/// string comparison in Lua orders them as bytes do. The version of key K lives in <c>wal-version:{K}</c>, whose hash
/// tag puts it in K's cluster slot when K has no braces of its own:
/// <code>
/// KEYS  = [ K1, wal-version:{K1}, K2, wal-version:{K2}, ... ]
/// ARGV  = [ version, op1, value1, ttl1, op2, value2, ttl2, ... ]   op: 1 = set, 0 = delete; ttl in ms, 0 = none
/// </code>
/// A mutation applies when the stored version is absent or lower, or equal and an earlier mutation of this run set it
/// (a later mutation of a key in the same message wins). Equal otherwise means this message was applied already: a
/// no-op, and the delivery counts as applied.
/// </remarks>
internal static class CacheBatchScript
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Answers how many mutations it applied.</summary>
    public const string Text = """
        local version = ARGV[1]
        local mine = {}
        local applied = 0
        for i = 1, #KEYS / 2 do
          local key, versionKey = KEYS[2 * i - 1], KEYS[2 * i]
          local stored = redis.call('GET', versionKey)
          if not stored or stored < version or (stored == version and mine[key]) then
            local ttl = tonumber(ARGV[3 * i + 1])
            if ARGV[3 * i - 1] == '1' then
              if ttl > 0 then redis.call('SET', key, ARGV[3 * i], 'PX', ttl) else redis.call('SET', key, ARGV[3 * i]) end
            else
              redis.call('DEL', key)
            end
            if ttl > 0 then redis.call('SET', versionKey, version, 'PX', ttl) else redis.call('SET', versionKey, version) end
            mine[key] = true
            applied = applied + 1
          end
        end
        return applied
        """;

    private const string VersionKeyPrefix = "wal-version:{";
    private const int WriteTimeDigits = 15;

    /// <summary>
    /// A message's version: <paramref name="originalWriteTimeMs"/> zero-padded to 15 digits, ':' and the message id. A
    /// write time before 1970 counts as 1970 (a 15-digit number cannot carry a sign).
    /// </summary>
    public static string Version(long originalWriteTimeMs, string messageId) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Math.Max(0, originalWriteTimeMs):D15}:{messageId}");

    /// <summary>The key that keeps <paramref name="key"/>'s version.</summary>
    public static string VersionKey(string key) => string.Concat(VersionKeyPrefix, key, "}");

    /// <summary>
    /// The script's keys and arguments for <paramref name="batch"/> (not empty), or why the batch can never apply: a key
    /// empty or longer than <see cref="MaxKeyBytes"/>, a negative or malformed ttl. A mutation's ttl wins over
    /// <paramref name="targetTtl"/>; neither, or zero, is no expiry.
    /// </summary>
    public static string? TryBuild(CacheMutationBatch batch, Duration? targetTtl, string version, out RedisKey[] keys, out RedisValue[] values)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var count = batch.Mutations.Count;
        keys = new RedisKey[2 * count];
        values = new RedisValue[1 + (3 * count)];
        values[0] = version;
        var defaultTtlMs = targetTtl is { } t && TimeRules.IsWellFormed(t) ? Milliseconds(t) : 0;
        for (var i = 0; i < count; i++)
        {
            var mutation = batch.Mutations[i];
            if (KeyProblem(mutation.Key) is { } problem)
            {
                return $"mutations[{i}].key {problem}";
            }

            var ttlMs = defaultTtlMs;
            if (mutation.Ttl is { } ttl)
            {
                if (!TimeRules.IsWellFormed(ttl) || ttl.Seconds < 0 || ttl.Nanos < 0)
                {
                    return $"mutations[{i}].ttl must be a well-formed duration that is not negative";
                }

                ttlMs = Milliseconds(ttl) is > 0 and var own ? own : defaultTtlMs;
            }

            keys[2 * i] = mutation.Key;
            keys[(2 * i) + 1] = VersionKey(mutation.Key);
            var set = mutation.OpCase != CacheMutation.OpOneofCase.Delete;
            values[(3 * i) + 1] = set ? 1 : 0;
            values[(3 * i) + 2] = set ? mutation.SetValue.Memory : RedisValue.EmptyString;
            values[(3 * i) + 3] = ttlMs;
        }

        return null;
    }

    private static string? KeyProblem(string key)
    {
        if (key.Length == 0)
        {
            return "is required";
        }

        // Three bytes per UTF-16 unit at most: only a long key needs counting.
        return key.Length * 3 > MaxKeyBytes && Encoding.UTF8.GetByteCount(key) > MaxKeyBytes
            ? string.Create(CultureInfo.InvariantCulture, $"{ClientText.Quote(key)} is longer than {MaxKeyBytes} bytes")
            : null;
    }

    /// <summary>A non-negative duration in whole milliseconds, rounded up so that a sub-millisecond ttl still expires.</summary>
    private static long Milliseconds(Duration ttl) => Math.Max(0, (ttl.Seconds * 1000) + ((ttl.Nanos + 999_999) / 1_000_000));
}

using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Runtime;

namespace WalService.Core.Validation;

/// <summary>
/// Checks a <see cref="NamespaceConfig"/> as a whole and names every violation (docs/api.md "NamespaceConfig": "a config is validated as a
/// whole"). Target-specific rules come from the target's handler through <see cref="TargetCatalog"/>.
/// </summary>
public static partial class NamespaceConfigValidator
{
    public const int MaxConcurrency = 256;
    public const int MaxBatchSize = 1000;

    /// <summary>The most <c>transactions.max_chunks</c> a namespace may set.</summary>
    public const int MaxChunks = 100_000;

    /// <summary>The most <c>transactions.max_bytes</c> a namespace may set: 1 GiB.</summary>
    public const long MaxTransactionBytes = 1024L * 1024 * 1024;

    public static IReadOnlyList<string> Validate(NamespaceConfig? config, TargetCatalog targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var errors = new List<string>();
        if (config is null)
        {
            errors.Add("config is required");
            return errors;
        }

        if (!IsNamespaceName(config.Name))
        {
            errors.Add($"config.name {ClientText.Quote(config.Name)} must match ^[a-z0-9][a-z0-9._-]{{0,127}}$");
        }

        if (config.Shard.Length > 128)
        {
            errors.Add("config.shard must be at most 128 characters");
        }

        if (config.Target is null || config.Target.KindCase == Target.KindOneofCase.None)
        {
            errors.Add("config.target is required: set one of http, kv, kafka, sqs, redis, wal, noop");
        }
        else
        {
            errors.AddRange(targets.Validate(config.Target, "config.target"));
        }

        ValidateRetry(config.Retry, errors);
        Setting(config.MaxDelay, "config.max_delay", errors);
        Setting(config.DedupWindow, "config.dedup_window", errors);
        if (config.MaxPayloadBytes < 0)
        {
            errors.Add("config.max_payload_bytes must not be negative");
        }

        if (config.Consumer is { } consumer)
        {
            InRange(consumer.Concurrency, 0, MaxConcurrency, "config.consumer.concurrency", errors);
            InRange(consumer.BatchSize, 0, MaxBatchSize, "config.consumer.batch_size", errors);
        }

        if (config.Limits is { } limits)
        {
            if (limits.WritesPerSecond < 0 || double.IsNaN(limits.WritesPerSecond) || double.IsInfinity(limits.WritesPerSecond))
            {
                errors.Add("config.limits.writes_per_second must be a finite number, 0 or more");
            }

            if (limits.Burst < 0)
            {
                errors.Add("config.limits.burst must not be negative");
            }
        }

        ValidateTransactions(config.Transactions, errors);
        for (var i = 0; i < config.AllowedClients.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(config.AllowedClients[i]))
            {
                errors.Add($"config.allowed_clients[{i}] must not be empty");
            }
        }

        return errors;
    }

    /// <summary>A Duration setting a caller sent, checked by <see cref="TimeRules.Setting"/>: protobuf's range, sign, and at most 100 years.</summary>
    public static void Setting(Duration? value, string field, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (TimeRules.Setting(value, field) is { } invalid)
        {
            errors.Add(invalid);
        }
    }

    private static void ValidateRetry(RetryPolicy? retry, List<string> errors)
    {
        if (retry is null)
        {
            return;
        }

        InRange(retry.MaxAttempts, 0, 1000, "config.retry.max_attempts", errors);
        Setting(retry.InitialBackoff, "config.retry.initial_backoff", errors);
        Setting(retry.MaxBackoff, "config.retry.max_backoff", errors);
        if (retry.BackoffMultiplier != 0 && !(retry.BackoffMultiplier >= 1 && retry.BackoffMultiplier <= 100))
        {
            errors.Add("config.retry.backoff_multiplier must be between 1 and 100 (0 = default 2.0)");
        }

        if (!(retry.Jitter >= 0 && retry.Jitter <= 1))
        {
            errors.Add("config.retry.jitter must be between 0 and 1");
        }

        if (retry.InitialBackoff is { } initial && retry.MaxBackoff is { } max &&
            TimeRules.IsWellFormed(initial) && TimeRules.IsWellFormed(max) && max.ToTimeSpan() > TimeSpan.Zero && initial.ToTimeSpan() > max.ToTimeSpan())
        {
            errors.Add("config.retry.initial_backoff must not exceed config.retry.max_backoff");
        }
    }

    private static void ValidateTransactions(TransactionSettings? transactions, List<string> errors)
    {
        if (transactions is null)
        {
            return;
        }

        InRange(transactions.MaxChunks, 0, MaxChunks, "config.transactions.max_chunks", errors);
        if (transactions.MaxBytes < 0 || transactions.MaxBytes > MaxTransactionBytes)
        {
            errors.Add($"config.transactions.max_bytes must be between 0 and {MaxTransactionBytes} (0 = default 64 MiB)");
        }

        Setting(transactions.Timeout, "config.transactions.timeout", errors);
    }

    private static void InRange(int value, int min, int max, string field, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{field} must be between {min} and {max}");
        }
    }

    /// <summary>Whether <paramref name="name"/> is a well-formed namespace name, <c>^[a-z0-9][a-z0-9._-]{0,127}$</c>.</summary>
    public static bool IsNamespaceName(string name) => NamePattern().IsMatch(name);

    // \z, not $: $ also matches before a final newline, which would let "abc\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace WalService.Targets.Redis;

/// <summary>
/// The Redis servers <c>redis</c> targets may name, bound from <c>Wal:Redis</c>: <c>Wal:Redis:&lt;name&gt;:Configuration</c>
/// for each, checked at start. A <c>RedisTarget.endpoint</c> names one of them (empty = <c>default</c>).
/// </summary>
public sealed class RedisTargetOptions : IValidatableObject
{
    public const string Section = "Wal:Redis";

    /// <summary>The name an empty <c>RedisTarget.endpoint</c> stands for.</summary>
    public const string DefaultEndpoint = "default";

    /// <summary>
    /// Redis servers by name. Names compare without regard to case, as configuration keys do, so
    /// <c>Wal__Redis__Default__Configuration</c> in the environment configures <c>default</c>.
    /// </summary>
    public Dictionary<string, RedisEndpointOptions> Endpoints { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration key of an endpoint's connection string, as errors name it.</summary>
    public static string SettingOf(string name) => $"{Section}:{name}:Configuration";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, endpoint) in Endpoints)
        {
            string? problem = null;
            if (string.IsNullOrWhiteSpace(endpoint.Configuration))
            {
                problem = "is required";
            }
            else
            {
                try
                {
                    ConfigurationOptions.Parse(endpoint.Configuration);
                }
                catch (ArgumentException ex)
                {
                    problem = $"is not a StackExchange.Redis configuration string: {ex.Message}";
                }
            }

            if (problem is not null)
            {
                yield return new ValidationResult($"{SettingOf(name)} {problem}", [nameof(Endpoints)]);
            }
        }
    }
}

/// <summary>One named Redis: <c>Wal:Redis:&lt;name&gt;</c>.</summary>
public sealed class RedisEndpointOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string (<c>host:port,password=...,ssl=true</c>; several hosts for replicas
    /// or a cluster); required. <c>abortConnect=false</c> is always in force, so a Redis that is down at start only
    /// delays deliveries.
    /// </summary>
    public string Configuration { get; set; } = string.Empty;
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace WalService.Targets.Http;

/// <summary>Where <c>http</c> targets may send, bound from <c>Wal:Targets:Http</c> and checked at start.</summary>
public sealed class HttpTargetOptions : IValidatableObject
{
    public const string Section = "Wal:Targets:Http";

    /// <summary>The setting's full name, as errors name it.</summary>
    public const string AllowedHostsSetting = Section + ":AllowedHosts";

    /// <summary>
    /// Hosts an <c>HttpTarget.url</c> may name, a namespace's or a target override's: each a host name or address
    /// (<c>orders.internal</c>, <c>10.0.0.7</c>, <c>::1</c>), or <c>*.suffix</c>, which matches any name ending in
    /// <c>.suffix</c> (<c>*.example.com</c> matches <c>a.example.com</c> and <c>a.b.example.com</c>, not
    /// <c>example.com</c>). Compared without regard to case; no scheme, port or path; internationalised names in their
    /// <c>xn--</c> form. [empty: any host]
    /// </summary>
    public List<string> AllowedHosts { get; } = [];

    /// <summary>Whether a URL naming <paramref name="host"/> may be a target: always when <see cref="AllowedHosts"/> is empty.</summary>
    public bool IsAllowed(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (AllowedHosts.Count == 0)
        {
            return true;
        }

        var name = Normalize(host);
        return name.Length > 0 && AllowedHosts.Any(pattern => Matches(Normalize(pattern), name));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedHosts.Count; i++)
        {
            if (!IsValidPattern(AllowedHosts[i]))
            {
                yield return new ValidationResult(
                    string.Create(CultureInfo.InvariantCulture, $"{AllowedHostsSetting}:{i} '{AllowedHosts[i]}' must be a host name, an IP address or *.suffix (no scheme, port or path)"),
                    [nameof(AllowedHosts)]);
            }
        }
    }

    private static bool Matches(string pattern, string host) => pattern.StartsWith("*.", StringComparison.Ordinal)
        ? host.Length > pattern.Length - 1 && host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
        : string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);

    private static bool IsValidPattern(string pattern)
    {
        var name = Normalize(pattern);
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            return Uri.CheckHostName(name[2..]) == UriHostNameType.Dns;
        }

        return Uri.CheckHostName(name) != UriHostNameType.Unknown;
    }

    /// <summary>A host as <see cref="Uri"/> gives it, or a pattern: trimmed, without IPv6 brackets or a final dot.</summary>
    private static string Normalize(string host)
    {
        var name = host.Trim();
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        return name.TrimEnd('.');
    }
}

using System.ComponentModel.DataAnnotations;

namespace WalService.Targets.Wal;

/// <summary>The WalServices <c>wal</c> targets may forward to, bound from <c>Wal:Remotes</c> and checked at start.</summary>
public sealed class WalRemotesOptions : IValidatableObject
{
    public const string Section = "Wal:Remotes";

    /// <summary>Remotes by name (compared exactly, as <c>WalTarget.endpoint</c> is). [none: no wal target is accepted]</summary>
    public Dictionary<string, WalRemoteOptions> Remotes { get; } = new(StringComparer.Ordinal);

    /// <summary>The setting a remote's <paramref name="key"/> is read from, as errors name it.</summary>
    public static string Setting(string name, string key) => $"{Section}:{name}:{key}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Remotes.SelectMany(r => Problems(r.Key, r.Value)).Select(p => new ValidationResult(p, [nameof(Remotes)]));

    private static IEnumerable<string> Problems(string name, WalRemoteOptions remote)
    {
        if (string.IsNullOrWhiteSpace(remote.Address))
        {
            yield return $"{Setting(name, "Address")} is required";
        }
        else if (!Uri.TryCreate(remote.Address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0)
        {
            yield return $"{Setting(name, "Address")} '{remote.Address}' must be an absolute http:// or https:// address without path, query or user";
        }

        var hasCertificate = !string.IsNullOrEmpty(remote.ClientCertificatePath);
        var hasKey = !string.IsNullOrEmpty(remote.ClientKeyPath);
        if (hasKey && !hasCertificate)
        {
            yield return $"{Setting(name, "ClientKeyPath")} is set without {Setting(name, "ClientCertificatePath")}";
        }
        else if (hasCertificate && !hasKey)
        {
            yield return $"{Setting(name, "ClientCertificatePath")} is set without {Setting(name, "ClientKeyPath")}";
        }

        foreach (var (key, path) in new[] { ("ClientCertificatePath", remote.ClientCertificatePath), ("ClientKeyPath", remote.ClientKeyPath), ("CaCertificatePath", remote.CaCertificatePath) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                yield return $"{Setting(name, key)}: no file '{path}'";
            }
        }

        if (remote.Deadline <= TimeSpan.Zero || remote.Deadline > TimeSpan.FromMinutes(10))
        {
            yield return $"{Setting(name, "Deadline")} must be more than 0 and at most 10 minutes";
        }
    }
}

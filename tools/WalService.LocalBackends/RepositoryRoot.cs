namespace WalService.LocalBackends;

/// <summary>The repository a test or the bench runs from: the nearest folder above its binaries that holds <c>WalService.slnx</c>.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    /// <summary>A path inside the repository, e.g. <c>File("docs", "examples", "orders.json")</c>.</summary>
    public static string File(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "WalService.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"no WalService.slnx above {AppContext.BaseDirectory}");
    }
}

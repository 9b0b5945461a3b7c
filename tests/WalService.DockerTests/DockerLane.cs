namespace WalService.DockerTests;

/// <summary>What the docker lane's tests share.</summary>
internal static class DockerLane
{
    /// <summary>How long a wait may take: generous, since a consumer's first group join on a fresh broker takes seconds.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
}

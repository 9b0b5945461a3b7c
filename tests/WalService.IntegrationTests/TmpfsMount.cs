using System.Diagnostics;

namespace WalService.IntegrationTests;

/// <summary>A small tmpfs mounted for one test (needs root and a kernel that allows it), unmounted when disposed.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/>; null, with why, where that is not possible here.</summary>
    public static (TmpfsMount? Mount, string Why) TryMount(long bytes)
    {
        var path = Directory.CreateTempSubdirectory("wal-tmpfs-").FullName;
        var (ok, output) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        if (ok)
        {
            return (new TmpfsMount(path), string.Empty);
        }

        Directory.Delete(path);
        return (null, $"cannot mount a tmpfs here (mount: {output.Trim()})");
    }

    /// <summary>Writes a file until the file system is full; answers its path.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var chunk = new byte[64 * 1024];
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        return filler;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static (bool Ok, string Output) Run(string command, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode == 0, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, ex.Message);
        }
    }
}

using System.Globalization;
using WalService.Bench;
using WalService.LocalBackends;

namespace WalService.PeerBench;

/// <summary>
/// The CPU time of a PostgreSQL server, summed over its postmaster and the postmaster's children: user + system time
/// of each, plus that of children that have exited (connections closed) as the postmaster's cumulative child time.
/// An immediate stop ends all of them, so <see cref="Pause"/> adds what they used before it and <see cref="Resume"/>
/// starts counting the new processes afresh.
/// </summary>
internal sealed class PostgresCpu(PostgresServer server)
{
    private long _counted;
    private long? _since;

    /// <summary>Starts counting.</summary>
    public void Resume() => _since = Ticks();

    /// <summary>Adds the time used since <see cref="Resume"/>; call it before the server stops.</summary>
    public void Pause()
    {
        if (_since is { } since && Ticks() is { } now)
        {
            _counted += now - since;
        }

        _since = null;
    }

    /// <summary>The time counted so far.</summary>
    public TimeSpan Counted => ProcStat.Time(_counted);

    private long? Ticks()
    {
        if (server.PostmasterPid() is not { } postmaster || ProcStat.Read(StatPath(postmaster)) is not { } root)
        {
            return null;
        }

        var ticks = root.OwnTicks + root.ExitedChildrenTicks;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.Read(StatPath(pid)) is { } stat && stat.ParentPid == postmaster)
            {
                ticks += stat.OwnTicks + stat.ExitedChildrenTicks;
            }
        }

        return ticks;
    }

    private static string StatPath(int pid) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
}

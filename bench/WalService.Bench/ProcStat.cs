using System.Globalization;

namespace WalService.Bench;

/// <summary>
/// What the bench reads from <c>/proc/&lt;pid&gt;/stat</c> (or a thread's <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/stat</c>):
/// the parent pid (field 4) and CPU time in clock ticks of 1/100 s: user + system of the process itself (fields 14 and
/// 15), and of its children that have exited and been waited for (fields 16 and 17).
/// </summary>
internal readonly record struct ProcStat(int ParentPid, long OwnTicks, long ExitedChildrenTicks)
{
    /// <summary>The stat at <paramref name="path"/>; null when it cannot be read (no /proc, or the process ended meanwhile).</summary>
    public static ProcStat? Read(string path)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The name in field 2 may hold spaces; the fields after its closing parenthesis are plain.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcStat(
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture));
    }

    /// <summary><paramref name="ticks"/> clock ticks (1/100 s) as a time span.</summary>
    public static TimeSpan Time(long ticks) => TimeSpan.FromMilliseconds(ticks * 10);
}

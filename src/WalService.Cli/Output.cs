using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace WalService.Cli;

/// <summary>How results are printed: <c>text</c> for people, <c>json</c> (the protobuf JSON form) for scripts.</summary>
public enum OutputFormat
{
    Text,
    Json,
}

/// <summary>
/// Writes results to standard output. In JSON mode every command prints one protobuf JSON document, with default
/// values included so scripts find every field; it parses back with <c>Google.Protobuf.JsonParser</c>, so
/// <c>namespace get -o json</c>'s <c>config</c> can be fed to <c>namespace apply</c>.
/// </summary>
internal sealed class Output(TextWriter stdout, OutputFormat format)
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation("  "));
    private static readonly JsonFormatter SparseJson = new(JsonFormatter.Settings.Default.WithIndentation("  "));

    public OutputFormat Format { get; } = format;

    public bool IsJson => Format == OutputFormat.Json;

    /// <summary>
    /// Writes <paramref name="message"/> in protobuf JSON form; without <paramref name="includeDefaults"/> only the
    /// fields that are set, which reads better where zero means "the default".
    /// </summary>
    public void WriteJson(IMessage message, bool includeDefaults = true) =>
        stdout.WriteLine((includeDefaults ? Json : SparseJson).Format(message));

    public void WriteLine(string line) => stdout.WriteLine(line);

    /// <summary>The message as JSON with <c>-o json</c>; otherwise whatever <paramref name="writeText"/> prints for people.</summary>
    public void Write(IMessage message, Action writeText)
    {
        ArgumentNullException.ThrowIfNull(writeText);
        if (IsJson)
        {
            WriteJson(message);
        }
        else
        {
            writeText();
        }
    }

    /// <summary>Writes <c>name: value</c> lines with the values aligned.</summary>
    public void WriteFields(params (string Name, string Value)[] fields)
    {
        var width = fields.Max(f => f.Name.Length) + 2;
        foreach (var (name, value) in fields)
        {
            stdout.WriteLine((name + ":").PadRight(width) + value);
        }
    }

    /// <summary>Writes a table whose columns are as wide as their widest cell; the last column is not padded.</summary>
    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]));
            stdout.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    /// <summary>An RFC 3339 UTC time, or <c>-</c> when absent.</summary>
    public static string Time(Timestamp? timestamp) =>
        timestamp is null ? "-" : timestamp.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>The value, or <c>-</c> when empty.</summary>
    public static string OrDash(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    /// <summary>
    /// The proto name of an enum value without its type prefix: <c>MESSAGE_STATE_APPLIED</c> is printed
    /// <c>APPLIED</c>, as docs/api.md names it.
    /// </summary>
    public static string EnumName<TEnum>(TEnum value, string prefix)
        where TEnum : struct, System.Enum
    {
        var name = typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name
            ?? Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
    }
}

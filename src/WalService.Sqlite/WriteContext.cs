using Microsoft.Data.Sqlite;

namespace WalService.Sqlite;

/// <summary>
/// What an operation of <see cref="SqliteWriter"/> runs its statements through: the writer's connection, the group
/// transaction, and commands prepared once per SQL text and reused. Parameters are positional: <c>$p0</c>, <c>$p1</c>, …
/// </summary>
internal sealed class WriteContext(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> _raw = new(StringComparer.Ordinal);

    public SqliteTransaction? Transaction { get; set; }

    public int Execute(string sql, params ReadOnlySpan<object?> args) => Command(sql, args).ExecuteNonQuery();

    public object? Scalar(string sql, params ReadOnlySpan<object?> args) => Command(sql, args).ExecuteScalar();

    public SqliteDataReader Query(string sql, params ReadOnlySpan<object?> args) => Command(sql, args).ExecuteReader();

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        foreach (var statement in _raw.Values)
        {
            statement.Dispose();
        }
    }

    /// <summary>The statement for <paramref name="sql"/>, prepared on first use, for the hottest paths (see <see cref="RawStatement"/>).</summary>
    public RawStatement Raw(string sql)
    {
        if (!_raw.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(connection, sql);
            _raw[sql] = statement;
        }

        return statement;
    }

    private SqliteCommand Command(string sql, ReadOnlySpan<object?> args)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < args.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
            }

            _commands[sql] = command;
        }

        command.Transaction = Transaction;
        for (var i = 0; i < args.Length; i++)
        {
            command.Parameters[i].Value = args[i] ?? DBNull.Value;
        }

        return command;
    }
}

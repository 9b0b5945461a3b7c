using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite;

/// <summary>
/// The one writer of a SQLite file, with group commit: every operation queued while a transaction commits joins the
/// next one, so one fsync serves many concurrent writes. An operation's task completes only after the transaction
/// holding it committed (and, with <c>synchronous=FULL</c>, reached the disk).
/// </summary>
/// <remarks>
/// Operations run on the writer's connection one after another, inside one transaction. When one throws, the
/// transaction is rolled back and each operation of the batch is run again in a transaction of its own, so one bad
/// operation fails alone.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 2000;
    private readonly Channel<IOperation> _queue = Channel.CreateUnbounded<IOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly WriteContext _context;
    private readonly FileHealth? _health;
    private readonly Task _loop;

    public SqliteWriter(SqliteDatabase database)
    {
        _health = database.Health;
        _connection = database.Open();
        _context = new WriteContext(_connection);
        // A thread of its own that blocks while idle: when work arrives the system wakes it at once, where an async
        // loop would first wait its turn in the thread pool's queue behind every request.
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Runs <paramref name="operation"/> in the next group transaction; completes after that transaction committed.</summary>
    /// <exception cref="CommitUncertainException">The commit itself failed: the operation may or may not be on disk.</exception>
    public Task<T> ExecuteAsync<T>(Func<WriteContext, T> operation)
    {
        var op = new Operation<T>(operation);
        if (!_queue.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(SqliteWriter), "the embedded log is shutting down");
        }

        return op.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _context.Dispose();
        await _connection.DisposeAsync();
    }

    private void Run()
    {
        var batch = new List<IOperation>(MaxBatch);
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
            }

            try
            {
                if (!TryCommit(batch))
                {
                    foreach (var op in batch)
                    {
                        TryCommit([op]);
                    }
                }
            }
            catch (Exception ex)
            {
                // Even a rollback failed: fail what is left of this batch, and keep serving the next one.
                _health?.Failed(ex);
                foreach (var op in batch)
                {
                    op.Fail(new CommitUncertainException(ex));
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Runs the operations in one transaction; false when one of them threw and nothing was committed.</summary>
    private bool TryCommit(IReadOnlyList<IOperation> batch)
    {
        SqliteTransaction transaction;
        try
        {
            transaction = _connection.BeginTransaction(deferred: false);
        }
        catch (SqliteException ex)
        {
            _health?.Failed(ex);
            foreach (var op in batch)
            {
                op.Fail(ex);
            }

            return true;
        }

        _context.Transaction = transaction;
        using (transaction)
        {
            try
            {
                foreach (var op in batch)
                {
                    op.Run(_context);
                }
            }
            catch (Exception ex)
            {
                transaction.Rollback();
                if (batch.Count == 1)
                {
                    // Alone, it failed on its own: a storage error counts (a statement error is ignored there).
                    _health?.Failed(ex);
                    batch[0].Fail(ex);
                    return true;
                }

                return false;
            }

            try
            {
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                _health?.Failed(ex);
                foreach (var op in batch)
                {
                    op.Fail(new CommitUncertainException(ex));
                }

                return true;
            }
        }

        _health?.Succeeded();
        foreach (var op in batch)
        {
            op.Complete();
        }

        return true;
    }

    private interface IOperation
    {
        void Run(WriteContext context);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class Operation<T>(Func<WriteContext, T> body) : IOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public void Run(WriteContext context) => _result = body(context);

        public void Complete() => _completion.TrySetResult(_result);

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}

/// <summary>A commit failed in a way that leaves open whether it reached the disk.</summary>
public sealed class CommitUncertainException : Exception
{
    public CommitUncertainException()
    {
    }

    public CommitUncertainException(string message)
        : base(message)
    {
    }

    public CommitUncertainException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CommitUncertainException(Exception innerException)
        : base("the commit failed; the write may or may not be on disk", innerException)
    {
    }
}

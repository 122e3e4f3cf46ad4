using System.Data.Common;
using System.Data;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using FastLoad.Engine.Native;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// Cold-path helpers over DuckDB.NET.Data: open a database, run statements with positional parameters
/// (<c>$1</c>, <c>$2</c>, ...), read rows, and look at SQL text before running it.
/// </summary>
public static class DuckDbSql
{
    /// <summary>The in-memory data source.</summary>
    public const string Memory = DuckDBConnectionStringBuilder.InMemoryDataSource;

    /// <summary>
    /// Opens (creating if needed) the database file at <paramref name="path"/>, or an in-memory one for
    /// <see cref="Memory"/>. DuckDB.NET shares one database among the connections of a process that open the same
    /// path; it is closed (its WAL checkpointed) when the last of them is disposed.
    /// </summary>
    /// <exception cref="DbException">DuckDB could not open it (missing folder, not a database, locked).</exception>
    public static DuckDBConnection Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        EnsureAvailable();
        var builder = new DuckDBConnectionStringBuilder { DataSource = path };
        var db = new DuckDBConnection(builder.ConnectionString);
        try
        {
            db.Open();
        }
        catch
        {
            db.Dispose();
            throw;
        }
        return db;
    }

    /// <summary>
    /// Another connection to the database <paramref name="db"/> is connected to, for another thread (e.g. a second
    /// appender: DuckDB appends from several connections to one table concurrently). A file database is shared by
    /// path (DuckDB.NET keeps one database per file open in the process); an in-memory one is duplicated.
    /// </summary>
    public static DuckDBConnection Connect(this DuckDBConnection db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.DataSource.Equals(Memory, StringComparison.OrdinalIgnoreCase)) return db.Duplicate();
        var another = new DuckDBConnection(db.ConnectionString);
        try
        {
            another.Open();
        }
        catch
        {
            another.Dispose();
            throw;
        }
        return another;
    }

    /// <summary>Runs one or more statements, binding <paramref name="parameters"/> to <c>$1</c>, <c>$2</c>, ... (null is NULL); returns the rows changed.</summary>
    public static long Execute(this DuckDBConnection db, string sql, params object?[] parameters)
    {
        using DuckDBCommand command = Command(db, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Runs a query (parameters as in <see cref="Execute"/>); read its rows with <c>Read()</c>, then dispose it.</summary>
    public static DuckDBDataReader Query(this DuckDBConnection db, string sql, params object?[] parameters)
    {
        using DuckDBCommand command = Command(db, sql, parameters);
        return command.ExecuteReader();
    }

    /// <summary>The first cell of the first row, or null when there is no row or the cell is NULL.</summary>
    public static object? Scalar(this DuckDBConnection db, string sql, params object?[] parameters)
    {
        using DuckDBCommand command = Command(db, sql, parameters);
        object? value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>The cell as a long (any integer type; NULL is null).</summary>
    public static long? Int64OrNull(this DuckDBDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetFieldValue<long>(column);

    /// <summary>The cell as a double (any number, DECIMAL too; NULL is null).</summary>
    public static double? DoubleOrNull(this DuckDBDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : reader.GetFieldType(column) == typeof(decimal) ? (double)reader.GetDecimal(column) : reader.GetFieldValue<double>(column);

    /// <summary>The cell as a string (NULL is null).</summary>
    public static string? StringOrNull(this DuckDBDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static DuckDBCommand Command(DuckDBConnection db, string sql, object?[] parameters)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(sql);
        DuckDBCommand command = db.CreateCommand();
        command.CommandText = sql;
        foreach (object? p in parameters) command.Parameters.Add(new DuckDBParameter(p ?? DBNull.Value));
        return command;
    }

    /// <summary>DuckDB's message without the lines after the first (the "LINE 1: ..." pointer and hints), for one-line errors.</summary>
    public static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n');
        return newline < 0 ? message : message[..newline].TrimEnd();
    }

    // --- SQL text, looked at without running it ------------------------------------------------------------
    // DuckDB.NET.Data runs statements; it has no call that only parses. These use DuckDB.NET.Bindings' native
    // methods on the connection's native handle (duckdb_extract_statements: parse, no bind, nothing runs).

    /// <summary>How many statements <paramref name="sql"/> holds; throws DuckDB's parser error for SQL that does not parse.</summary>
    public static int CountStatements(DuckDBConnection db, string sql)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(sql);
        int count = NativeMethods.ExtractStatements.DuckDBExtractStatements(db.NativeConnection, sql, out DuckDBExtractedStatements extracted);
        using (extracted)
        {
            if (count > 0) return count;
            string? error = extracted.IsInvalid ? null : NativeMethods.ExtractStatements.DuckDBExtractStatementsError(extracted);
            throw new DuckDbError(string.IsNullOrEmpty(error) ? "the SQL holds no statement" : error);
        }
    }

    /// <summary>
    /// True when <paramref name="sql"/> is exactly one statement and a query (SELECT, FROM ..., VALUES, WITH ...):
    /// it parses alone as one statement, and again as one statement inside <c>SELECT * FROM ( ... )</c>, so it can
    /// sit in a subquery (e.g. <c>COPY ( ... ) TO</c>) without anything reaching outside it. Throws DuckDB's parser
    /// error when it does not parse at all.
    /// </summary>
    public static bool IsSingleQuery(DuckDBConnection db, string sql)
    {
        if (CountStatements(db, sql) != 1) return false;
        try
        {
            return CountStatements(db, $"SELECT * FROM (\n{TrimStatement(sql)}\n)") == 1;
        }
        catch (DbException)
        {
            return false; // INSERT, ATTACH, PRAGMA ...: not a query, so not valid as a subquery
        }
    }

    /// <summary>The statement without trailing semicolons and white space, so it can sit in a subquery.</summary>
    public static string TrimStatement(string sql)
    {
        ReadOnlySpan<char> s = sql.AsSpan().TrimEnd();
        while (s.Length > 0 && s[^1] == ';') s = s[..^1].TrimEnd();
        return s.ToString();
    }

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted SQL identifier.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // --- the native library --------------------------------------------------------------------------------

    private static int _available;

    /// <summary>
    /// Loads libduckdb now (DuckDB.NET.Bindings resolves it through the app's deps.json: runtimes/linux-x64/native/
    /// next to the assemblies), so a missing library is reported up front as <see cref="NativeLibraryMissingException"/>.
    /// </summary>
    public static void EnsureAvailable()
    {
        if (Volatile.Read(ref _available) == 1) return;
        try
        {
            _ = NativeMethods.Helpers.DuckDBVectorSize();
        }
        catch (DllNotFoundException e)
        {
            throw NativeLibraries.DuckDbMissing(e);
        }
        Volatile.Write(ref _available, 1);
    }

    /// <summary>The library's version string, e.g. "v1.5.6".</summary>
    public static string LibraryVersion
    {
        get
        {
            EnsureAvailable();
            return NativeMethods.Startup.DuckDBLibraryVersion();
        }
    }
}

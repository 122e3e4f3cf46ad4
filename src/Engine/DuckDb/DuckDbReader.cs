using System.Runtime.InteropServices;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// A streaming query result: DuckDB produces the rows as <see cref="Read"/> asks for them, one data chunk
/// (up to 2048 rows) at a time, so a result of any size costs one chunk of managed memory. Cells are the CLR values
/// of <see cref="DuckDbResult"/>. Created by <see cref="DuckDbConnection.ExecuteReader"/>; not thread-safe; the
/// connection must stay open until the reader is disposed.
/// </summary>
public sealed unsafe class DuckDbReader : IDisposable
{
    private const int SelectStatement = 1; // duckdb_statement_type DUCKDB_STATEMENT_TYPE_SELECT

    private DuckDbResultStruct _result;
    private nint _prepared;
    private readonly DuckDbResult.ResultColumns _columns;
    private bool _done;

    private DuckDbReader(DuckDbResultStruct result, nint prepared)
    {
        _result = result;
        _prepared = prepared;
        fixed (DuckDbResultStruct* r = &_result) _columns = DuckDbResult.ResultColumns.Of(r);
    }

    public int ColumnCount => _columns.Names.Length;
    public string ColumnName(int column) => _columns.Names[column];
    public DuckDbType ColumnType(int column) => _columns.Types[column];

    /// <summary>
    /// Clears <paramref name="rows"/> and fills it with the next chunk's rows (one array per row); false once the
    /// result is exhausted. An error while producing rows (e.g. a failed cast) throws <see cref="DuckDbException"/>.
    /// </summary>
    public bool Read(List<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ObjectDisposedException.ThrowIf(_prepared == 0 && _result.InternalData == 0, this);
        rows.Clear();
        if (_done) return false;
        nint chunk = DuckDbNative.FetchChunk(_result);
        if (chunk == 0)
        {
            _done = true;
            fixed (DuckDbResultStruct* r = &_result)
            {
                byte* error = DuckDbNative.ResultError(r);
                if (error is not null) throw DuckDbException.FromNative(error, "DuckDB query failed");
            }
            return false;
        }
        try
        {
            DuckDbResult.AppendChunk(chunk, _columns, rows);
        }
        finally
        {
            DuckDbNative.DestroyDataChunk(&chunk);
        }
        return true;
    }

    /// <summary>
    /// Runs every statement of <paramref name="sql"/> but the last to completion, then the last one streaming.
    /// A single SELECT whose columns include types the reader does not decode (LIST, STRUCT, INTERVAL, UUID, ENUM...)
    /// is run with those columns cast to VARCHAR, so any query can be read.
    /// </summary>
    internal static DuckDbReader Execute(DuckDbConnection connection, string sql)
    {
        nint handle = connection.Handle;
        nint extracted = 0;
        try
        {
            ulong count = ExtractStatements(connection, sql, &extracted);
            if (count == 0) throw new DuckDbException("the SQL holds no statement");
            for (ulong i = 0; i + 1 < count; i++)
            {
                nint prepared = PrepareExtracted(handle, extracted, i);
                try
                {
                    DuckDbResultStruct result = default;
                    if (DuckDbNative.ExecutePrepared(prepared, &result) != DuckDbNative.Success)
                    {
                        DuckDbException ex = DuckDbException.FromNative(DuckDbNative.ResultError(&result), "DuckDB query failed");
                        DuckDbNative.DestroyResult(&result);
                        throw ex;
                    }
                    DuckDbNative.DestroyResult(&result);
                }
                finally
                {
                    DuckDbNative.DestroyPrepare(&prepared);
                }
            }
            nint last = PrepareExtracted(handle, extracted, count - 1);
            if (count == 1 && NeedsCast(last, out string? castList))
            {
                // If the wrapped text does not prepare (e.g. a trailing comment), run the query as given and let
                // the reader name the column to cast.
                nint wrapped = TryPrepare(handle, $"SELECT * REPLACE ({castList}) FROM (\n{TrimStatement(sql)}\n)");
                if (wrapped != 0)
                {
                    DuckDbNative.DestroyPrepare(&last);
                    last = wrapped;
                }
            }
            return ExecuteStreaming(last);
        }
        finally
        {
            if (extracted != 0) DuckDbNative.DestroyExtracted(&extracted);
        }
    }

    /// <summary>
    /// True when <paramref name="sql"/> is exactly one statement and a SELECT, so it can sit in a subquery without
    /// anything outside it running; false for several statements or another kind. Throws on a parse or bind error.
    /// </summary>
    internal static bool IsSingleSelect(DuckDbConnection connection, string sql)
    {
        nint handle = connection.Handle;
        nint extracted = 0;
        try
        {
            if (ExtractStatements(connection, sql, &extracted) != 1) return false;
            nint prepared = PrepareExtracted(handle, extracted, 0);
            try
            {
                return DuckDbNative.PreparedStatementType(prepared) == SelectStatement;
            }
            finally
            {
                DuckDbNative.DestroyPrepare(&prepared);
            }
        }
        finally
        {
            if (extracted != 0) DuckDbNative.DestroyExtracted(&extracted);
        }
    }

    /// <summary>Splits <paramref name="sql"/> into statements (the caller destroys <paramref name="extracted"/>); throws on a parse error.</summary>
    private static ulong ExtractStatements(DuckDbConnection connection, string sql, nint* extracted)
    {
        ArgumentNullException.ThrowIfNull(sql);
        byte[] sqlZ = DuckDbConnection.Utf8Z(sql);
        ulong count;
        fixed (byte* s = sqlZ) count = DuckDbNative.ExtractStatements(connection.Handle, s, extracted);
        if (count == 0 && DuckDbNative.ExtractStatementsError(*extracted) is var error && error is not null)
            throw DuckDbException.FromNative(error, "DuckDB could not parse the query");
        return count;
    }

    /// <summary>The statement without trailing semicolons, so it can sit in a subquery.</summary>
    internal static string TrimmedStatement(string sql) => TrimStatement(sql);

    private static DuckDbReader ExecuteStreaming(nint prepared)
    {
        DuckDbResultStruct result = default;
        if (DuckDbNative.ExecutePreparedStreaming(prepared, &result) != DuckDbNative.Success)
        {
            DuckDbException ex = DuckDbException.FromNative(DuckDbNative.ResultError(&result), "DuckDB query failed");
            DuckDbNative.DestroyResult(&result);
            DuckDbNative.DestroyPrepare(&prepared);
            throw ex;
        }
        return new DuckDbReader(result, prepared);
    }

    private static nint PrepareExtracted(nint connection, nint extracted, ulong index)
    {
        nint prepared = 0;
        if (DuckDbNative.PrepareExtractedStatement(connection, extracted, index, &prepared) != DuckDbNative.Success) ThrowPrepareError(prepared);
        return prepared;
    }

    /// <summary>The prepared statement, or 0 when DuckDB refuses it.</summary>
    private static nint TryPrepare(nint connection, string sql)
    {
        byte[] sqlZ = DuckDbConnection.Utf8Z(sql);
        nint prepared = 0;
        int state;
        fixed (byte* s = sqlZ) state = DuckDbNative.Prepare(connection, s, &prepared);
        if (state == DuckDbNative.Success) return prepared;
        if (prepared != 0) DuckDbNative.DestroyPrepare(&prepared);
        return 0;
    }

    private static void ThrowPrepareError(nint prepared)
    {
        DuckDbException ex = DuckDbException.FromNative(prepared == 0 ? null : DuckDbNative.PrepareError(prepared), "DuckDB could not prepare the query");
        if (prepared != 0) DuckDbNative.DestroyPrepare(&prepared);
        throw ex;
    }

    /// <summary>True when a SELECT has columns the reader cannot decode; <paramref name="castList"/> is then the REPLACE list casting them.</summary>
    private static bool NeedsCast(nint prepared, out string? castList)
    {
        castList = null;
        if (DuckDbNative.PreparedStatementType(prepared) != SelectStatement) return false;
        ulong count = DuckDbNative.PreparedStatementColumnCount(prepared);
        var list = new System.Text.StringBuilder();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (ulong c = 0; c < count; c++)
        {
            if (DuckDbResult.CanRead(DuckDbNative.PreparedStatementColumnType(prepared, c))) continue;
            byte* nameZ = DuckDbNative.PreparedStatementColumnName(prepared, c);
            string name = Marshal.PtrToStringUTF8((nint)nameZ) ?? "";
            if (nameZ is not null) DuckDbNative.Free(nameZ);
            if (!seen.Add(name)) return false; // duplicate names cannot be REPLACEd: let the reader report the type
            string quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            list.Append(list.Length == 0 ? "" : ", ").Append("CAST(").Append(quoted).Append(" AS VARCHAR) AS ").Append(quoted);
        }
        if (list.Length == 0) return false;
        castList = list.ToString();
        return true;
    }

    /// <summary>The statement without trailing semicolons, so it can sit in a subquery.</summary>
    private static string TrimStatement(string sql)
    {
        ReadOnlySpan<char> s = sql.AsSpan().TrimEnd();
        while (s.Length > 0 && s[^1] == ';') s = s[..^1].TrimEnd();
        return s.ToString();
    }

    public void Dispose()
    {
        if (_result.InternalData != 0)
        {
            fixed (DuckDbResultStruct* r = &_result) DuckDbNative.DestroyResult(r);
            _result = default;
        }
        if (_prepared != 0)
        {
            nint prepared = _prepared;
            _prepared = 0;
            DuckDbNative.DestroyPrepare(&prepared);
        }
    }
}

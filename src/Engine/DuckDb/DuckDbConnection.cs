using System.Runtime.InteropServices;
using System.Text;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// One DuckDB database and one connection to it (cold path). Not thread-safe: use one per thread.
/// Bulk loads go through <see cref="DuckDbChunkAppender"/>.
/// </summary>
public sealed unsafe class DuckDbConnection : IDisposable
{
    private nint _database;      // 0 for a connection made by Connect(): the first one owns the database
    private nint _connection;
    private readonly nint _sharedDatabase;

    private DuckDbConnection(nint database, nint connection, bool ownsDatabase = true)
    {
        _database = ownsDatabase ? database : 0;
        _sharedDatabase = database;
        _connection = connection;
    }

    /// <summary>
    /// Another connection to the same database, for another thread (e.g. a second appender: DuckDB appends from
    /// several connections to one table concurrently). Dispose it before the connection it came from.
    /// </summary>
    public DuckDbConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_connection == 0, this);
        nint connection = 0;
        if (DuckDbNative.Connect(_sharedDatabase, &connection) != DuckDbNative.Success)
            throw new DuckDbException("cannot open another connection to the DuckDB database");
        return new DuckDbConnection(_sharedDatabase, connection, ownsDatabase: false);
    }

    /// <summary>The raw <c>duckdb_connection</c>; valid until <see cref="Dispose"/>.</summary>
    internal nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_connection == 0, this);
            return _connection;
        }
    }

    /// <summary>Opens (creating if needed) the database file at <paramref name="path"/>; <c>":memory:"</c> for an in-memory one.</summary>
    public static DuckDbConnection Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] pathZ = Utf8Z(path);
        nint database = 0;
        byte* error = null;
        int state;
        fixed (byte* p = pathZ) state = DuckDbNative.OpenExt(p, &database, 0, &error);
        if (state != DuckDbNative.Success)
        {
            DuckDbException ex = DuckDbException.FromNative(error, $"cannot open DuckDB database '{path}'");
            if (error is not null) DuckDbNative.Free(error);
            if (database != 0) DuckDbNative.Close(&database);
            throw ex;
        }
        nint connection = 0;
        if (DuckDbNative.Connect(database, &connection) != DuckDbNative.Success)
        {
            DuckDbNative.Close(&database);
            throw new DuckDbException($"cannot connect to DuckDB database '{path}'");
        }
        return new DuckDbConnection(database, connection);
    }

    /// <summary>Runs one or more statements; returns the rows changed by the last (0 for DDL).</summary>
    public long Execute(string sql)
    {
        DuckDbResultStruct result = RunQuery(sql);
        try
        {
            return (long)DuckDbNative.RowsChanged(&result);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    /// <summary>Runs a query and reads the whole result into memory.</summary>
    public DuckDbResult Query(string sql)
    {
        DuckDbResultStruct result = RunQuery(sql);
        try
        {
            return DuckDbResult.Read(&result);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (one or more statements) and streams the last statement's rows chunk by chunk;
    /// see <see cref="DuckDbReader"/>. Dispose the reader before running anything else on this connection.
    /// </summary>
    public DuckDbReader ExecuteReader(string sql) => DuckDbReader.Execute(this, sql);

    /// <summary>True when <paramref name="sql"/> is one SELECT statement and nothing else; throws on a parse or bind error.</summary>
    public bool IsSingleSelect(string sql) => DuckDbReader.IsSingleSelect(this, sql);

    /// <summary>A chunk appender for <paramref name="table"/> whose columns are, in order, <paramref name="columnTypes"/>.</summary>
    public DuckDbChunkAppender CreateAppender(string table, ReadOnlySpan<DuckDbType> columnTypes, string? schema = null) =>
        new(this, table, columnTypes, schema);

    private DuckDbResultStruct RunQuery(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        byte[] sqlZ = Utf8Z(sql);
        DuckDbResultStruct result = default;
        int state;
        fixed (byte* s = sqlZ) state = DuckDbNative.Query(Handle, s, &result);
        if (state != DuckDbNative.Success)
        {
            // duckdb_query fills the result even on error; the message lives in it until it is destroyed.
            DuckDbException ex = DuckDbException.FromNative(DuckDbNative.ResultError(&result), "DuckDB query failed");
            DuckDbNative.DestroyResult(&result);
            throw ex;
        }
        return result;
    }

    internal static byte[] Utf8Z(string s)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    public void Dispose()
    {
        if (_connection != 0)
        {
            nint connection = _connection;
            _connection = 0;
            DuckDbNative.Disconnect(&connection);
        }
        if (_database != 0)
        {
            nint database = _database;
            _database = 0;
            DuckDbNative.Close(&database);
        }
        GC.SuppressFinalize(this);
    }

    ~DuckDbConnection()
    {
        // Closing the database flushes the WAL; do it even when the owner forgot Dispose.
        if (_connection != 0) { nint c = _connection; DuckDbNative.Disconnect(&c); }
        if (_database != 0) { nint d = _database; DuckDbNative.Close(&d); }
    }
}

/// <summary>
/// A query result read fully into managed memory: column names and types, and cells as CLR values —
/// <c>null</c>, <see cref="bool"/>, <see cref="long"/> (all integers up to BIGINT, DATE as days, TIMESTAMP/TIME as µs),
/// <see cref="ulong"/> (UBIGINT), <see cref="Int128"/>/<see cref="UInt128"/>, <see cref="double"/> (FLOAT, DOUBLE),
/// <see cref="decimal"/> (DECIMAL up to 28 digits; wider ones as <see cref="double"/>),
/// <see cref="string"/> (VARCHAR) or <see cref="byte"/>[] (BLOB). Other types: cast them in SQL (e.g. <c>::VARCHAR</c>).
/// </summary>
public sealed class DuckDbResult
{
    private readonly string[] _names;
    private readonly DuckDbType[] _types;
    private readonly List<object?[]> _rows;

    private DuckDbResult(string[] names, DuckDbType[] types, List<object?[]> rows)
    {
        _names = names;
        _types = types;
        _rows = rows;
    }

    public int ColumnCount => _names.Length;
    public int RowCount => _rows.Count;
    public string ColumnName(int column) => _names[column];
    public DuckDbType ColumnType(int column) => _types[column];

    public object? GetValue(int row, int column) => _rows[row][column];
    public bool IsNull(int row, int column) => _rows[row][column] is null;

    public long GetInt64(int row, int column) => _rows[row][column] switch
    {
        long v => v,
        bool b => b ? 1 : 0,
        ulong u => checked((long)u),
        Int128 h => checked((long)h),
        UInt128 uh => checked((long)uh),
        null => throw new InvalidCastException($"row {row} column '{_names[column]}' is NULL"),
        var other => throw new InvalidCastException($"column '{_names[column]}' ({_types[column]}) is not an integer: {other.GetType().Name}"),
    };

    public double GetDouble(int row, int column) => _rows[row][column] switch
    {
        double d => d,
        decimal m => (double)m,
        long v => v,
        ulong u => u,
        Int128 h => (double)h,
        UInt128 uh => (double)uh,
        null => throw new InvalidCastException($"row {row} column '{_names[column]}' is NULL"),
        var other => throw new InvalidCastException($"column '{_names[column]}' ({_types[column]}) is not a number: {other.GetType().Name}"),
    };

    public bool GetBoolean(int row, int column) => _rows[row][column] switch
    {
        bool b => b,
        null => throw new InvalidCastException($"row {row} column '{_names[column]}' is NULL"),
        var other => throw new InvalidCastException($"column '{_names[column]}' ({_types[column]}) is not a boolean: {other.GetType().Name}"),
    };

    public byte[] GetBlob(int row, int column) => _rows[row][column] switch
    {
        byte[] b => b,
        null => throw new InvalidCastException($"row {row} column '{_names[column]}' is NULL"),
        var other => throw new InvalidCastException($"column '{_names[column]}' ({_types[column]}) is not a blob: {other.GetType().Name}"),
    };

    /// <summary>The cell as text (null for NULL): numbers invariant, blobs as <c>0x</c>-prefixed lowercase hex.</summary>
    public string? GetString(int row, int column) => _rows[row][column] switch
    {
        null => null,
        string s => s,
        byte[] b => "0x" + Convert.ToHexStringLower(b),
        bool v => v ? "true" : "false",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };

    internal static unsafe DuckDbResult Read(DuckDbResultStruct* result)
    {
        ResultColumns columns = ResultColumns.Of(result);
        var rows = new List<object?[]>();
        while (true)
        {
            nint chunk = DuckDbNative.FetchChunk(*result);
            if (chunk == 0) break;
            try
            {
                AppendChunk(chunk, columns, rows);
            }
            finally
            {
                DuckDbNative.DestroyDataChunk(&chunk);
            }
        }
        return new DuckDbResult(columns.Names, columns.Types, rows);
    }

    /// <summary>The types this reader turns into CLR values (see the class summary); others must be cast in SQL.</summary>
    public static bool CanRead(DuckDbType type) => type is >= DuckDbType.Boolean and <= DuckDbType.Time
        or >= DuckDbType.HugeInt and <= DuckDbType.TimestampNs
        or DuckDbType.TimestampTz or DuckDbType.UHugeInt;

    /// <summary>Names and types of a result's columns, with the physical layout of each DECIMAL.</summary>
    internal sealed class ResultColumns
    {
        public required string[] Names { get; init; }
        public required DuckDbType[] Types { get; init; }
        public required (DuckDbType Internal, int Scale)[] Decimals { get; init; }

        public static unsafe ResultColumns Of(DuckDbResultStruct* result)
        {
            int count = checked((int)DuckDbNative.ColumnCount(result));
            var names = new string[count];
            var types = new DuckDbType[count];
            var decimals = new (DuckDbType Internal, int Scale)[count];
            for (int c = 0; c < count; c++)
            {
                names[c] = Marshal.PtrToStringUTF8((nint)DuckDbNative.ColumnName(result, (ulong)c)) ?? "";
                types[c] = DuckDbNative.ColumnType(result, (ulong)c);
                if (types[c] == DuckDbType.Decimal)
                {
                    nint logical = DuckDbNative.ColumnLogicalType(result, (ulong)c);
                    decimals[c] = (DuckDbNative.DecimalInternalType(logical), DuckDbNative.DecimalScale(logical));
                    DuckDbNative.DestroyLogicalType(&logical);
                }
            }
            return new ResultColumns { Names = names, Types = types, Decimals = decimals };
        }
    }

    /// <summary>Appends one row array per row of <paramref name="chunk"/> to <paramref name="rows"/>.</summary>
    internal static unsafe void AppendChunk(nint chunk, ResultColumns columns, List<object?[]> rows)
    {
        int count = columns.Names.Length;
        int size = (int)DuckDbNative.DataChunkGetSize(chunk);
        int first = rows.Count;
        for (int r = 0; r < size; r++) rows.Add(new object?[count]);
        for (int c = 0; c < count; c++)
        {
            DuckDbType type = columns.Types[c];
            nint vector = DuckDbNative.DataChunkGetVector(chunk, (ulong)c);
            void* data = DuckDbNative.VectorGetData(vector);
            ulong* validity = DuckDbNative.VectorGetValidity(vector);
            for (int r = 0; r < size; r++)
            {
                if (validity is not null && (validity[r >> 6] & (1UL << (r & 63))) == 0) continue;
                rows[first + r][c] = type == DuckDbType.Decimal
                    ? ReadDecimal(columns.Decimals[c].Internal, columns.Decimals[c].Scale, data, r)
                    : ReadCell(type, data, r, columns.Names[c]);
            }
        }
    }

    private static unsafe object ReadCell(DuckDbType type, void* data, int r, string name) => type switch
    {
        DuckDbType.Boolean => ((byte*)data)[r] != 0,
        DuckDbType.TinyInt => (long)((sbyte*)data)[r],
        DuckDbType.SmallInt => (long)((short*)data)[r],
        DuckDbType.Integer or DuckDbType.Date => (long)((int*)data)[r],
        DuckDbType.BigInt or DuckDbType.Timestamp or DuckDbType.Time or DuckDbType.TimestampS or DuckDbType.TimestampMs
            or DuckDbType.TimestampNs or DuckDbType.TimestampTz => ((long*)data)[r],
        DuckDbType.UTinyInt => (long)((byte*)data)[r],
        DuckDbType.USmallInt => (long)((ushort*)data)[r],
        DuckDbType.UInteger => (long)((uint*)data)[r],
        DuckDbType.UBigInt => ((ulong*)data)[r],
        DuckDbType.HugeInt => ReadHuge((ulong*)data, r),
        DuckDbType.UHugeInt => new UInt128(((ulong*)data)[2 * r + 1], ((ulong*)data)[2 * r]),
        DuckDbType.Float => (double)((float*)data)[r],
        DuckDbType.Double => ((double*)data)[r],
        DuckDbType.Varchar => Encoding.UTF8.GetString(StringBytes(data, r)),
        DuckDbType.Blob => StringBytes(data, r).ToArray(),
        _ => throw new NotSupportedException($"column '{name}' has DuckDB type {type}, which FastLoad does not read; cast it in SQL (e.g. {name}::VARCHAR)"),
    };

    /// <summary>DECIMAL is stored as a scaled integer of the internal type (SMALLINT, INTEGER, BIGINT or HUGEINT).</summary>
    private static unsafe object ReadDecimal(DuckDbType internalType, int scale, void* data, int r)
    {
        Int128 raw = internalType switch
        {
            DuckDbType.SmallInt => ((short*)data)[r],
            DuckDbType.Integer => ((int*)data)[r],
            DuckDbType.BigInt => ((long*)data)[r],
            _ => (Int128)ReadHuge((ulong*)data, r),
        };
        if (scale <= 28 && TryDecimal(raw, scale, out decimal d)) return d;
        return (double)raw / Math.Pow(10, scale);
    }

    private static bool TryDecimal(Int128 raw, int scale, out decimal value)
    {
        bool negative = raw < 0;
        UInt128 magnitude = (UInt128)(negative ? -raw : raw);
        ulong low = (ulong)magnitude;
        ulong high = (ulong)(magnitude >> 64);
        if (high > uint.MaxValue) { value = 0; return false; }
        value = new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)(uint)high, negative, (byte)scale);
        return true;
    }

    private static unsafe object ReadHuge(ulong* data, int r) => (Int128)new UInt128(data[2 * r + 1], data[2 * r]);

    /// <summary>
    /// <c>duckdb_string_t</c> (16 bytes): uint32 length, then up to 12 bytes inline, or a 4-byte prefix and a pointer at +8.
    /// </summary>
    private static unsafe ReadOnlySpan<byte> StringBytes(void* data, int r)
    {
        byte* s = (byte*)data + 16 * r;
        uint length = *(uint*)s;
        byte* bytes = length <= 12 ? s + 4 : *(byte**)(s + 8);
        return new ReadOnlySpan<byte>(bytes, (int)length);
    }
}

using System.Data.Common;
using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace FastLoad.Engine.DuckDb;

/// <summary>
/// Runs SQL through DuckDB.NET.Data in streaming mode (DuckDB produces the rows as they are read, so a result of any
/// size costs one chunk of managed memory) and hands out cells as plain CLR values, the same for every caller:
/// <c>null</c>, <see cref="bool"/>, <see cref="long"/> (every integer type up to BIGINT and UINTEGER; DATE as days
/// since 1970, TIME as µs since midnight, TIMESTAMP / TIMESTAMPTZ / TIMESTAMP_S / TIMESTAMP_MS as µs since 1970,
/// TIMESTAMP_NS as ns; ±infinity as ±<see cref="long.MaxValue"/>, or ±<see cref="int.MaxValue"/> days),
/// <see cref="ulong"/> (UBIGINT), <see cref="Int128"/> / <see cref="UInt128"/> (HUGEINT, UHUGEINT),
/// <see cref="double"/> (FLOAT, DOUBLE), <see cref="decimal"/> (DECIMAL, at the column's scale),
/// <see cref="string"/> (VARCHAR) and <see cref="byte"/>[] (BLOB).
/// <para>
/// A single query whose columns include other types (LIST, STRUCT, MAP, INTERVAL, UUID, ENUM, ...) is run with those
/// columns cast to VARCHAR, so any query can be read; with several statements, each result that has rows is read in
/// turn (<see cref="NextResult"/>) and such columns throw <see cref="NotSupportedException"/> naming the cast to write.
/// </para>
/// Not thread-safe; the connection must stay open until the reader is disposed.
/// </summary>
public sealed class QueryReader : IDisposable
{
    private enum Kind : byte { Boolean, Int64, UInt64, HugeInt, UHugeInt, Double, Decimal, Varchar, Blob, Date, Time, Timestamp, TimestampNsRaw, TimestampNs, Unsupported }

    private readonly DuckDBCommand _command;
    private readonly DuckDBDataReader _reader;
    private readonly (string Name, DuckDBType Type)[]? _declared; // a single query's columns as DESCRIBE gave them
    private string[] _names = [];
    private DuckDBType[] _types = [];
    private Kind[] _kinds = [];
    private byte[] _scales = [];
    private bool _hasResult;
    private bool _pendingRow; // Read() moved onto a row that the last Read(rows) did not take yet

    private QueryReader(DuckDBCommand command, DuckDBDataReader reader, (string Name, DuckDBType Type)[]? declared)
    {
        _command = command;
        _reader = reader;
        _declared = declared;
        _hasResult = reader.FieldCount > 0;
        Describe();
    }

    public int ColumnCount => _names.Length;
    public string ColumnName(int column) => _names[column];

    /// <summary>The column's DuckDB type as the query declares it (VARCHAR for the columns cast to text).</summary>
    public DuckDBType ColumnType(int column) => _types[column];

    /// <summary>
    /// Runs <paramref name="sql"/> on <paramref name="db"/>. DuckDB's error (parse, bind, or a run-time error while
    /// producing the first rows) surfaces as <see cref="DbException"/>, here or from a later <see cref="Read"/>.
    /// </summary>
    public static QueryReader Execute(DuckDBConnection db, string sql)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(sql);
        if (DuckDbSql.IsSingleQuery(db, sql) && Describe(db, sql) is { } declared)
        {
            string? wrapped = Wrap(sql, declared);
            if (wrapped is not null)
            {
                try
                {
                    return Run(db, wrapped, declared);
                }
                catch (DbException)
                {
                    // The wrapped text failed where the query alone might not: run it as given and let the cells say which cast to write.
                }
            }
            return Run(db, sql, wrapped is null ? declared : null);
        }
        return Run(db, sql, null);
    }

    private static QueryReader Run(DuckDBConnection db, string sql, (string, DuckDBType)[]? declared)
    {
        DuckDBCommand command = db.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        try
        {
            return new QueryReader(command, command.ExecuteReader(), declared);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Clears <paramref name="rows"/> and fills it with up to 2048 rows of the current result (one array per row);
    /// false once the result is exhausted. A run-time error while producing rows throws <see cref="DbException"/>.
    /// </summary>
    public bool Read(List<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        rows.Clear();
        if (!_hasResult) return false;
        while (rows.Count < 2048 && (_pendingRow || _reader.Read()))
        {
            _pendingRow = false;
            var row = new object?[_names.Length];
            for (int c = 0; c < row.Length; c++) row[c] = _reader.IsDBNull(c) ? null : Cell(c);
            rows.Add(row);
        }
        return rows.Count > 0;
    }

    /// <summary>Moves to the result of the next statement that returns rows (several statements); false when there is none.</summary>
    public bool NextResult()
    {
        if (!_hasResult) return false;
        _hasResult = _reader.NextResult();
        _pendingRow = false;
        if (_hasResult) Describe();
        return _hasResult;
    }

    private void Describe()
    {
        int count = _hasResult ? _reader.FieldCount : 0;
        _names = new string[count];
        _types = new DuckDBType[count];
        _kinds = new Kind[count];
        _scales = new byte[count];
        if (count == 0) return;
        // DuckDB.NET knows a column's type once it holds a chunk: read the first row now (kept for Read).
        bool hasRow = _reader.Read();
        _pendingRow = hasRow;
        System.Data.DataTable? schema = null;
        for (int c = 0; c < count; c++)
        {
            _names[c] = _reader.GetName(c);
            DuckDBType actual = Enum.TryParse(_reader.GetDataTypeName(c), out DuckDBType t) ? t : DuckDBType.Invalid;
            DuckDBType declared = _declared is { } d && c < d.Length ? d[c].Type : actual;
            _types[c] = declared == DuckDBType.TimestampNs && actual == DuckDBType.BigInt ? DuckDBType.TimestampNs : actual;
            _kinds[c] = KindOf(_types[c], actual);
            if (_kinds[c] == Kind.Decimal)
            {
                schema ??= _reader.GetSchemaTable();
                _scales[c] = schema.Rows[c][System.Data.Common.SchemaTableColumn.NumericScale] is byte s ? s : (byte)0;
            }
        }
    }

    private static Kind KindOf(DuckDBType type, DuckDBType actual) => type switch
    {
        DuckDBType.Boolean => Kind.Boolean,
        DuckDBType.TinyInt or DuckDBType.SmallInt or DuckDBType.Integer or DuckDBType.BigInt
            or DuckDBType.UnsignedTinyInt or DuckDBType.UnsignedSmallInt or DuckDBType.UnsignedInteger => Kind.Int64,
        DuckDBType.UnsignedBigInt => Kind.UInt64,
        DuckDBType.HugeInt => Kind.HugeInt,
        DuckDBType.UnsignedHugeInt => Kind.UHugeInt,
        DuckDBType.Float or DuckDBType.Double => Kind.Double,
        DuckDBType.Decimal => Kind.Decimal,
        DuckDBType.Varchar => Kind.Varchar,
        DuckDBType.Blob => Kind.Blob,
        DuckDBType.Date => Kind.Date,
        DuckDBType.Time => Kind.Time,
        DuckDBType.Timestamp or DuckDBType.TimestampTz or DuckDBType.TimestampS or DuckDBType.TimestampMs => Kind.Timestamp,
        DuckDBType.TimestampNs => actual == DuckDBType.BigInt ? Kind.TimestampNsRaw : Kind.TimestampNs,
        _ => Kind.Unsupported,
    };

    private object Cell(int c)
    {
        DuckDBDataReader r = _reader;
        switch (_kinds[c])
        {
            case Kind.Boolean: return r.GetBoolean(c);
            case Kind.Int64: return r.GetFieldValue<long>(c);
            case Kind.UInt64: return r.GetFieldValue<ulong>(c);
            case Kind.HugeInt: return r.GetFieldValue<DuckDBHugeInt>(c).ToInt128();
            case Kind.UHugeInt: return r.GetFieldValue<DuckDBUHugeInt>(c).ToUInt128();
            case Kind.Double: return r.GetFieldValue<double>(c);
            case Kind.Decimal: return Decimal(c);
            case Kind.Varchar: return r.GetString(c);
            case Kind.Blob:
                {
                    using Stream stream = r.GetStream(c);
                    var bytes = new MemoryStream();
                    stream.CopyTo(bytes);
                    return bytes.ToArray();
                }
            case Kind.Date: return (long)r.GetFieldValue<DuckDBDateOnly>(c).ToDuckDBDate().Days;
            case Kind.Time:
                {
                    DuckDBTimeOnly t = r.GetFieldValue<DuckDBTimeOnly>(c);
                    return ((t.Hour * 60L + t.Min) * 60 + t.Sec) * 1_000_000 + t.Microsecond;
                }
            case Kind.Timestamp: return r.GetFieldValue<DuckDBTimestamp>(c).ToDuckDBTimestampStruct().Micros;
            case Kind.TimestampNsRaw: return r.GetFieldValue<long>(c);
            case Kind.TimestampNs:
                {
                    // Not cast in SQL (several statements): DuckDB.NET gives microseconds, so the last three digits are 0.
                    long micros = r.GetFieldValue<DuckDBTimestamp>(c).ToDuckDBTimestampStruct().Micros;
                    return micros is long.MaxValue or -long.MaxValue ? micros : micros * 1000;
                }
            default:
                throw new NotSupportedException($"column '{_names[c]}' has DuckDB type {_reader.GetDataTypeName(c)}, which FastLoad does not read; cast it in SQL (e.g. {_names[c]}::VARCHAR)");
        }
    }

    /// <summary>DuckDB.NET's decimal, given the column's scale (2.5 in a DECIMAL(5,2) column reads 2.50, as DuckDB prints it).</summary>
    private decimal Decimal(int c)
    {
        decimal value;
        try
        {
            value = _reader.GetDecimal(c);
        }
        catch (OverflowException)
        {
            throw new NotSupportedException($"column '{_names[c]}' holds a DECIMAL wider than .NET's decimal; cast it in SQL (e.g. {_names[c]}::DOUBLE or {_names[c]}::VARCHAR)");
        }
        int scale = _scales[c];
        if (scale > 28 || value.Scale >= scale) return value;
        decimal zero = new(0, 0, 0, false, (byte)scale); // adding 0 at scale s gives the sum that scale
        try
        {
            return value + zero;
        }
        catch (OverflowException)
        {
            return value;
        }
    }

    // --- a single query: its columns before it runs ----------------------------------------------------------

    private static readonly Dictionary<string, DuckDBType> Readable = new(StringComparer.Ordinal)
    {
        ["BOOLEAN"] = DuckDBType.Boolean,
        ["TINYINT"] = DuckDBType.TinyInt,
        ["SMALLINT"] = DuckDBType.SmallInt,
        ["INTEGER"] = DuckDBType.Integer,
        ["BIGINT"] = DuckDBType.BigInt,
        ["UTINYINT"] = DuckDBType.UnsignedTinyInt,
        ["USMALLINT"] = DuckDBType.UnsignedSmallInt,
        ["UINTEGER"] = DuckDBType.UnsignedInteger,
        ["UBIGINT"] = DuckDBType.UnsignedBigInt,
        ["HUGEINT"] = DuckDBType.HugeInt,
        ["UHUGEINT"] = DuckDBType.UnsignedHugeInt,
        ["FLOAT"] = DuckDBType.Float,
        ["DOUBLE"] = DuckDBType.Double,
        ["VARCHAR"] = DuckDBType.Varchar,
        ["BLOB"] = DuckDBType.Blob,
        ["DATE"] = DuckDBType.Date,
        ["TIME"] = DuckDBType.Time,
        ["TIMESTAMP"] = DuckDBType.Timestamp,
        ["TIMESTAMP WITH TIME ZONE"] = DuckDBType.TimestampTz,
        ["TIMESTAMP_S"] = DuckDBType.TimestampS,
        ["TIMESTAMP_MS"] = DuckDBType.TimestampMs,
        ["TIMESTAMP_NS"] = DuckDBType.TimestampNs,
    };

    /// <summary>The columns of a single query (DuckDB's <c>DESCRIBE</c>: binds it, runs nothing); null if DESCRIBE fails.</summary>
    private static (string Name, DuckDBType Type)[]? Describe(DuckDBConnection db, string sql)
    {
        var columns = new List<(string, DuckDBType)>();
        try
        {
            using DuckDBDataReader r = db.Query($"DESCRIBE SELECT * FROM (\n{DuckDbSql.TrimStatement(sql)}\n)");
            while (r.Read())
            {
                string type = r.GetString(1);
                columns.Add((r.GetString(0),
                    Readable.TryGetValue(type, out DuckDBType t) ? t
                    : type.StartsWith("DECIMAL(", StringComparison.Ordinal) ? DuckDBType.Decimal
                    : DuckDBType.Invalid));
            }
        }
        catch (DbException)
        {
            return null; // a bind error: running the query itself reports it
        }
        return [.. columns];
    }

    /// <summary>
    /// <c>SELECT * REPLACE (...)</c> around the query: columns of types not read here cast to VARCHAR, TIMESTAMP_NS as
    /// its nanoseconds (DuckDB.NET reads it as microseconds). Null when nothing needs it, or when two columns share a
    /// name (REPLACE cannot tell them apart).
    /// </summary>
    private static string? Wrap(string sql, (string Name, DuckDBType Type)[] columns)
    {
        var list = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool duplicate = false;
        foreach ((string name, DuckDBType type) in columns)
        {
            duplicate |= !seen.Add(name);
            if (type is not (DuckDBType.Invalid or DuckDBType.TimestampNs)) continue;
            string quoted = DuckDbSql.Identifier(name);
            list.Append(list.Length == 0 ? "" : ", ")
                .Append(type == DuckDBType.TimestampNs ? $"epoch_ns({quoted})" : $"CAST({quoted} AS VARCHAR)")
                .Append(" AS ").Append(quoted);
        }
        if (list.Length == 0 || duplicate) return null;
        return $"SELECT * REPLACE ({list}) FROM (\n{DuckDbSql.TrimStatement(sql)}\n)";
    }

    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
    }
}

using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A query result read whole for assertions: through <see cref="QueryReader"/> (DuckDB.NET.Data's reader underneath),
/// so cells are its CLR values (integers as long, HUGEINT as Int128, DECIMAL as decimal, BLOB as byte[], ...).
/// </summary>
public sealed class ResultTable
{
    private readonly string[] _names;
    private readonly DuckDBType[] _types;
    private readonly List<object?[]> _rows = [];

    private ResultTable(QueryReader reader)
    {
        _names = new string[reader.ColumnCount];
        _types = new DuckDBType[reader.ColumnCount];
        for (int c = 0; c < _names.Length; c++)
        {
            _names[c] = reader.ColumnName(c);
            _types[c] = reader.ColumnType(c);
        }
        var chunk = new List<object?[]>();
        while (reader.Read(chunk)) _rows.AddRange(chunk);
    }

    public static ResultTable Of(DuckDBConnection db, string sql)
    {
        using QueryReader reader = QueryReader.Execute(db, sql);
        return new ResultTable(reader);
    }

    public int ColumnCount => _names.Length;
    public int RowCount => _rows.Count;
    public string ColumnName(int column) => _names[column];
    public DuckDBType ColumnType(int column) => _types[column];
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
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };
}

public static class ResultTableExtensions
{
    /// <summary>Runs <paramref name="sql"/> and reads the whole result.</summary>
    public static ResultTable Table(this DuckDBConnection db, string sql) => ResultTable.Of(db, sql);
}

using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>
/// A small query result (aggregates for report and compare) read whole through a <see cref="DuckDBDataReader"/>, with
/// the numeric getters those need: any integer, DECIMAL or floating column as long or double.
/// </summary>
internal sealed class Rows
{
    private readonly List<object?[]> _rows = [];

    private Rows()
    {
    }

    public int RowCount => _rows.Count;

    public static Rows Of(DuckDBConnection db, string sql)
    {
        var rows = new Rows();
        using DuckDBDataReader reader = db.Query(sql);
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int c = 0; c < row.Length; c++) row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            rows._rows.Add(row);
        }
        return rows;
    }

    public bool IsNull(int row, int column) => _rows[row][column] is null;

    public long GetInt64(int row, int column) => _rows[row][column] switch
    {
        long v => v,
        int v => v,
        short v => v,
        sbyte v => v,
        byte v => v,
        ushort v => v,
        uint v => v,
        ulong v => checked((long)v),
        BigInteger v => (long)v,
        decimal v => (long)v,
        double v => (long)v,
        bool v => v ? 1 : 0,
        null => throw new InvalidCastException($"row {row} column {column} is NULL"),
        var other => throw new InvalidCastException($"column {column} is not an integer: {other.GetType().Name}"),
    };

    public double GetDouble(int row, int column) => _rows[row][column] switch
    {
        double v => v,
        float v => v,
        decimal v => (double)v,
        BigInteger v => (double)v,
        null => throw new InvalidCastException($"row {row} column {column} is NULL"),
        _ => GetInt64(row, column),
    };

    public string? GetString(int row, int column) => _rows[row][column] switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };
}

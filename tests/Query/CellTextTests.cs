using FastLoad.Engine.DuckDb;
using FastLoad.Runner.Query;
using DuckDB.NET.Native;

namespace FastLoad.Tests.Query;

public sealed class CellTextTests
{
    private static string[] Texts(string sql)
    {
        using var db = DuckDbSql.Open(":memory:");
        using QueryReader reader = QueryReader.Execute(db, sql);
        var rows = new List<object?[]>();
        Assert.True(reader.Read(rows));
        var texts = new string[reader.ColumnCount];
        for (int c = 0; c < texts.Length; c++) texts[c] = CellText.Format(reader.ColumnType(c), rows[0][c]) ?? "NULL";
        return texts;
    }

    [Fact]
    public void Timestamps_dates_and_times_read_as_iso_8601()
    {
        Assert.Equal(
            ["2026-11-22T08:30:00.250000Z", "2026-11-22T08:30:00.250000", "2026-11-22T08:30:01.000000", "2026-11-22T08:30:00.250000",
             "2026-11-22T08:30:00.123456789", "1969-12-31T23:59:59.500000Z", "2026-11-22", "08:30:00.250000", "infinity", "-infinity"],
            Texts("""
                SELECT TIMESTAMPTZ '2026-11-22 08:30:00.25+00', TIMESTAMP '2026-11-22 08:30:00.25', TIMESTAMP_S '2026-11-22 08:30:01',
                       TIMESTAMP_MS '2026-11-22 08:30:00.25', TIMESTAMP_NS '2026-11-22 08:30:00.123456789',
                       TIMESTAMPTZ '1969-12-31 23:59:59.5+00', DATE '2026-11-22', TIME '08:30:00.25',
                       'infinity'::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ
                """));
    }

    [Fact]
    public void Numbers_are_invariant_and_flagged_for_right_alignment()
    {
        Assert.Equal(["-7", "18446744073709551615", "170141183460469231731687303715884105727", "0.1", "2.50", "true", "0x00ff", "NaN"],
            Texts("SELECT -7::TINYINT, 18446744073709551615::UBIGINT, 170141183460469231731687303715884105727::HUGEINT, 0.1::DOUBLE, 2.5::DECIMAL(5, 2), true, '\\x00\\xFF'::BLOB, 'nan'::DOUBLE"));
        Assert.True(CellText.IsNumber(DuckDBType.Decimal));
        Assert.True(CellText.IsNumber(DuckDBType.UnsignedHugeInt));
        Assert.False(CellText.IsNumber(DuckDBType.TimestampTz));
        Assert.False(CellText.IsNumber(DuckDBType.Varchar));
    }
}

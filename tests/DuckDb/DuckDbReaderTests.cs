using FastLoad.Engine.DuckDb;

namespace FastLoad.Tests.DuckDb;

public sealed class DuckDbReaderTests
{
    [Fact]
    public void Streams_a_result_chunk_by_chunk_with_every_row_once()
    {
        using var db = DuckDbConnection.Open(":memory:");
        using DuckDbReader reader = db.ExecuteReader("SELECT range AS n, 'v' || range AS s FROM range(5000)");
        Assert.Equal(2, reader.ColumnCount);
        Assert.Equal("n", reader.ColumnName(0));
        Assert.Equal(DuckDbType.BigInt, reader.ColumnType(0));
        var rows = new List<object?[]>();
        long expected = 0;
        int chunks = 0;
        while (reader.Read(rows))
        {
            chunks++;
            Assert.InRange(rows.Count, 1, 2048);
            foreach (object?[] row in rows)
            {
                Assert.Equal(expected, row[0]);
                Assert.Equal("v" + expected, row[1]);
                expected++;
            }
        }
        Assert.Equal(5000, expected);
        Assert.True(chunks >= 3);
        Assert.False(reader.Read(rows));
        Assert.Empty(rows);
    }

    [Fact]
    public void Runs_every_statement_and_streams_the_last()
    {
        using var db = DuckDbConnection.Open(":memory:");
        using DuckDbReader reader = db.ExecuteReader("CREATE TABLE t AS SELECT 41 AS x; UPDATE t SET x = x + 1; SELECT x FROM t;");
        var rows = new List<object?[]>();
        Assert.True(reader.Read(rows));
        Assert.Equal(42L, Assert.Single(rows)[0]);
    }

    [Fact]
    public void Casts_columns_of_types_it_does_not_decode_to_text()
    {
        using var db = DuckDbConnection.Open(":memory:");
        using DuckDbReader reader = db.ExecuteReader("SELECT [1, 2] AS l, 'a'::ENUM ('a', 'b') AS e, 5 AS n -- trailing comment");
        Assert.Equal(DuckDbType.Varchar, reader.ColumnType(0));
        Assert.Equal(DuckDbType.Varchar, reader.ColumnType(1));
        Assert.Equal(DuckDbType.Integer, reader.ColumnType(2));
        var rows = new List<object?[]>();
        Assert.True(reader.Read(rows));
        Assert.Equal(["[1, 2]", "a", 5L], rows[0]);
    }

    [Fact]
    public void Errors_carry_duckdbs_message()
    {
        using var db = DuckDbConnection.Open(":memory:");
        Assert.StartsWith("Parser Error", Assert.Throws<DuckDbException>(() => db.ExecuteReader("SELEC 1")).Message);
        Assert.StartsWith("Catalog Error", Assert.Throws<DuckDbException>(() => db.ExecuteReader("SELECT 1; SELECT * FROM nope")).Message);
        // A run-time error surfaces from ExecuteReader or from a later Read, depending on how far DuckDB ran ahead.
        var rows = new List<object?[]>();
        DuckDbException e = Assert.Throws<DuckDbException>(() =>
        {
            using DuckDbReader reader = db.ExecuteReader("SELECT CASE WHEN range < 3000 THEN range ELSE error('boom at ' || range) END FROM range(5000)");
            while (reader.Read(rows)) { }
        });
        Assert.Contains("boom at", e.Message);
    }
}

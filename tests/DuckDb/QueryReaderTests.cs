using System.Data.Common;
using DuckDB.NET.Native;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Tests.DuckDb;

public sealed class QueryReaderTests
{
    [Fact]
    public void Streams_a_result_chunk_by_chunk_with_every_row_once()
    {
        using var db = DuckDbSql.Open(DuckDbSql.Memory);
        using QueryReader reader = QueryReader.Execute(db, "SELECT range AS n, 'v' || range AS s FROM range(5000)");
        Assert.Equal(2, reader.ColumnCount);
        Assert.Equal("n", reader.ColumnName(0));
        Assert.Equal(DuckDBType.BigInt, reader.ColumnType(0));
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
        using var db = DuckDbSql.Open(DuckDbSql.Memory);
        using QueryReader reader = QueryReader.Execute(db, "CREATE TABLE t AS SELECT 41 AS x; UPDATE t SET x = x + 1; SELECT x FROM t;");
        var rows = new List<object?[]>();
        Assert.True(reader.Read(rows));
        Assert.Equal(42L, Assert.Single(rows)[0]);
        Assert.False(reader.NextResult());
    }

    [Fact]
    public void Several_statements_with_rows_are_read_one_result_after_the_other()
    {
        using var db = DuckDbSql.Open(DuckDbSql.Memory);
        using QueryReader reader = QueryReader.Execute(db, "SELECT 1 AS a; CREATE TABLE t AS SELECT 'x' AS b; SELECT b, 2 AS c FROM t");
        var rows = new List<object?[]>();
        Assert.Equal("a", reader.ColumnName(0));
        Assert.True(reader.Read(rows));
        Assert.Equal([1L], Assert.Single(rows));
        Assert.False(reader.Read(rows));
        Assert.True(reader.NextResult());
        Assert.Equal(2, reader.ColumnCount);
        Assert.Equal("b", reader.ColumnName(0));
        Assert.True(reader.Read(rows));
        Assert.Equal(["x", 2L], Assert.Single(rows));
        Assert.False(reader.NextResult());
    }

    [Fact]
    public void Casts_columns_of_types_it_does_not_decode_to_text()
    {
        using var db = DuckDbSql.Open(DuckDbSql.Memory);
        using QueryReader reader = QueryReader.Execute(db, "SELECT [1, 2] AS l, 'a'::ENUM ('a', 'b') AS e, 5 AS n -- trailing comment");
        Assert.Equal(DuckDBType.Varchar, reader.ColumnType(0));
        Assert.Equal(DuckDBType.Varchar, reader.ColumnType(1));
        Assert.Equal(DuckDBType.Integer, reader.ColumnType(2));
        var rows = new List<object?[]>();
        Assert.True(reader.Read(rows));
        Assert.Equal(["[1, 2]", "a", 5L], rows[0]);
    }

    [Fact]
    public void An_empty_result_still_has_its_columns()
    {
        using var db = DuckDbSql.Open(DuckDbSql.Memory);
        using QueryReader reader = QueryReader.Execute(db, "SELECT range AS n, 'x' AS s FROM range(10) WHERE range > 100");
        Assert.Equal(["n", "s"], new[] { reader.ColumnName(0), reader.ColumnName(1) });
        Assert.Equal(DuckDBType.BigInt, reader.ColumnType(0));
        var rows = new List<object?[]>();
        Assert.False(reader.Read(rows));
        Assert.Empty(rows);
    }

    [Fact]
    public void Errors_carry_duckdbs_message()
    {
        using var db = DuckDbSql.Open(DuckDbSql.Memory);
        Assert.StartsWith("Parser Error", Assert.ThrowsAny<DbException>(() => QueryReader.Execute(db, "SELEC 1")).Message);
        // A later statement runs when the reader moves on to it: its error surfaces then.
        Assert.StartsWith("Catalog Error", Assert.ThrowsAny<DbException>(() =>
        {
            using QueryReader reader = QueryReader.Execute(db, "SELECT 1; SELECT * FROM nope");
            var all = new List<object?[]>();
            while (reader.Read(all)) { }
            reader.NextResult();
        }).Message);
        // A run-time error surfaces from Execute or from a later Read, depending on how far DuckDB ran ahead.
        var rows = new List<object?[]>();
        DbException e = Assert.ThrowsAny<DbException>(() =>
        {
            using QueryReader reader = QueryReader.Execute(db, "SELECT CASE WHEN range < 3000 THEN range ELSE error('boom at ' || range) END FROM range(5000)");
            while (reader.Read(rows)) { }
        });
        Assert.Contains("boom at", e.Message);
    }
}

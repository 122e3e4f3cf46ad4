using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Native;
using DuckDB.NET.Native;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.DuckDb;

public sealed class DuckDbConnectionTests
{
    [Fact]
    public void Library_loads_through_the_resolver_and_reports_its_version()
    {
        DuckDbSql.EnsureAvailable();
        Assert.StartsWith("v1.", DuckDbSql.LibraryVersion);
        // A missing library is reported as NativeLibraryMissingException by DuckDbSql.EnsureAvailable (not simulated here).
        Assert.True(typeof(NativeLibraryMissingException).IsSubclassOf(typeof(Exception)));
    }

    [Fact]
    public void Insert_and_query_round_trip_every_supported_type_including_nulls()
    {
        using var db = DuckDbSql.Open(":memory:");
        db.Execute("CREATE TABLE t (i INTEGER, b BIGINT, u UTINYINT, d DOUBLE, s VARCHAR, x BLOB, f BOOLEAN)");
        string hash = string.Concat(Enumerable.Range(0, 32).Select(i => $"\\x{i:X2}"));
        long changed = db.Execute($"INSERT INTO t VALUES (-7, 9007199254740993, 255, 1.5, 'héllo', '{hash}'::BLOB, true), (NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        Assert.Equal(2, changed);

        ResultTable r = db.Table("SELECT * FROM t ORDER BY i NULLS LAST");
        Assert.Equal(7, r.ColumnCount);
        Assert.Equal(2, r.RowCount);
        Assert.Equal(["i", "b", "u", "d", "s", "x", "f"], Enumerable.Range(0, 7).Select(r.ColumnName));
        Assert.Equal(
            [DuckDBType.Integer, DuckDBType.BigInt, DuckDBType.UnsignedTinyInt, DuckDBType.Double, DuckDBType.Varchar, DuckDBType.Blob, DuckDBType.Boolean],
            Enumerable.Range(0, 7).Select(r.ColumnType));

        Assert.Equal(-7, r.GetInt64(0, 0));
        Assert.Equal(9007199254740993, r.GetInt64(0, 1));
        Assert.Equal(255, r.GetInt64(0, 2));
        Assert.Equal(1.5, r.GetDouble(0, 3));
        Assert.Equal("héllo", r.GetString(0, 4));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), r.GetBlob(0, 5));
        Assert.Equal("0x" + Convert.ToHexStringLower(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()), r.GetString(0, 5));
        Assert.True(r.GetBoolean(0, 6));
        Assert.Equal("-7", r.GetString(0, 0));
        Assert.Equal("1.5", r.GetString(0, 3));

        for (int c = 0; c < 7; c++)
        {
            Assert.True(r.IsNull(1, c));
            Assert.Null(r.GetString(1, c));
        }
        Assert.Throws<InvalidCastException>(() => r.GetInt64(1, 0));
    }

    [Fact]
    public void Query_reads_results_larger_than_one_chunk()
    {
        using var db = DuckDbSql.Open(":memory:");
        ResultTable r = db.Table("SELECT range AS n, range * 0.5 AS h, 'v' || range AS s FROM range(5000)");
        Assert.Equal(5000, r.RowCount);
        Assert.Equal(4999, r.GetInt64(4999, 0));
        Assert.Equal(2499.5, r.GetDouble(4999, 1));
        Assert.Equal("v4999", r.GetString(4999, 2));
        Assert.Equal("v2048", r.GetString(2048, 2));
        Assert.Equal(DuckDBType.Decimal, r.ColumnType(1));
        Assert.Equal(1024.0m, r.GetValue(2048, 1));
        Assert.Equal("2499.5", r.GetString(4999, 1));

        ResultTable wide = db.Table("SELECT -12345.678::DECIMAL(18,3), 1.5::DECIMAL(38,10), sum(range) FROM range(10)");
        Assert.Equal(-12345.678m, wide.GetValue(0, 0));
        Assert.Equal(1.5m, wide.GetValue(0, 1));
        Assert.Equal(45, wide.GetInt64(0, 2)); // sum(BIGINT) is HUGEINT
    }

    [Fact]
    public void Bad_sql_throws_DuckDBException_with_DuckDBs_message()
    {
        using var db = DuckDbSql.Open(":memory:");
        var ex = Assert.Throws<DuckDBException>(() => db.Execute("SELEC 1"));
        Assert.StartsWith("Parser Error: syntax error at or near \"SELEC\"", ex.Message);
        // DuckDB's message goes on with a "LINE 1:" pointer; one-line errors take its first line.
        Assert.StartsWith("Parser Error: syntax error at or near \"SELEC\"", DuckDbSql.FirstLine(ex.Message));
        Assert.DoesNotContain('\n', DuckDbSql.FirstLine(ex.Message));

        var missing = Assert.Throws<DuckDBException>(() => db.Table("SELECT * FROM no_such_table"));
        Assert.StartsWith("Catalog Error: Table with name no_such_table does not exist", missing.Message);

        // The connection stays usable after an error.
        Assert.Equal(1, db.Table("SELECT 1").GetInt64(0, 0));
    }

    [Fact]
    public void File_database_survives_close_and_reopen()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fastload-duckdb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "t.duckdb");
        try
        {
            using (var db = DuckDbSql.Open(path))
            {
                db.Execute("CREATE TABLE t (n BIGINT, s VARCHAR)");
                using DuckDbChunkAppender a = new DuckDbChunkAppender(db, "t", [DuckDBType.BigInt, DuckDBType.Varchar]);
                for (int i = 0; i < 3000; i++)
                {
                    a.SetInt64(0, i);
                    a.SetVarchar(1, $"row {i} with a string longer than twelve bytes");
                    a.EndRow();
                }
            }
            Assert.True(File.Exists(path));
            using (var db = DuckDbSql.Open(path))
            {
                ResultTable r = db.Table("SELECT count(*), sum(n), max(s) FROM t");
                Assert.Equal(3000, r.GetInt64(0, 0));
                Assert.Equal(2999L * 3000 / 2, r.GetInt64(0, 1));
                Assert.Equal("row 999 with a string longer than twelve bytes", r.GetString(0, 2));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Opening_a_path_in_a_missing_folder_throws_DuckDBException()
    {
        var ex = Assert.Throws<DuckDBException>(() => DuckDbSql.Open("/nonexistent-folder-fastload/x.duckdb"));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}

using FastLoad.Engine.DuckDb;
using DuckDB.NET.Native;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.DuckDb;

public sealed class DuckDbChunkAppenderTests
{
    private static readonly DuckDBType[] AllTypes =
        [DuckDBType.Integer, DuckDBType.BigInt, DuckDBType.UnsignedTinyInt, DuckDBType.Double, DuckDBType.Varchar, DuckDBType.Blob, DuckDBType.Boolean];

    private const string AllTypesTable = "CREATE TABLE t (i INTEGER, b BIGINT, u UTINYINT, d DOUBLE, s VARCHAR, x BLOB, f BOOLEAN)";

    private static void WriteRow(DuckDbChunkAppender a, int n, Span<byte> blob)
    {
        // Every 7th row is all NULL; strings alternate inline (≤ 12 bytes) and heap-allocated.
        if (n % 7 == 3)
        {
            for (int c = 0; c < 7; c++) a.SetNull(c);
        }
        else
        {
            a.SetInt32(0, n);
            a.SetInt64(1, (long)n * 1_000_000_007);
            a.SetByte(2, (byte)n);
            a.SetDouble(3, n * 0.25);
            // Formatted into the stack, so the row itself allocates nothing.
            Span<byte> text = stackalloc byte[48];
            ReadOnlySpan<byte> prefix = (n & 1) == 0 ? "s"u8 : "a longer string, number "u8;
            prefix.CopyTo(text);
            n.TryFormat(text[prefix.Length..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
            a.SetVarchar(4, text[..(prefix.Length + digits)]);
            blob.Fill((byte)n);
            a.SetBlob(5, blob[..(n % 2 == 0 ? 32 : 5)]);
            a.SetBoolean(6, (n & 1) == 0);
        }
        a.EndRow();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2047)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(10_000)]
    public void Appended_rows_across_chunk_boundaries_agree_with_aggregates(int rows)
    {
        using var db = DuckDbSql.Open(":memory:");
        db.Execute(AllTypesTable);
        using (DuckDbChunkAppender a = new DuckDbChunkAppender(db, "t", AllTypes))
        {
            Assert.Equal(2048, a.ChunkCapacity);
            Span<byte> blob = stackalloc byte[32];
            for (int n = 0; n < rows; n++) WriteRow(a, n, blob);
            Assert.Equal(rows, a.RowCount);
        }

        long expectCount = 0, expectSumI = 0, expectSumU = 0, expectTrue = 0, expectLen = 0;
        double expectSumD = 0;
        decimal expectSumB = 0;
        for (int n = 0; n < rows; n++)
        {
            if (n % 7 == 3) continue;
            expectCount++;
            expectSumI += n;
            expectSumB += (decimal)n * 1_000_000_007;
            expectSumU += (byte)n;
            expectSumD += n * 0.25;
            expectTrue += (n & 1) == 0 ? 1 : 0;
            expectLen += n % 2 == 0 ? 32 : 5;
        }

        ResultTable r = db.Table(
            "SELECT count(*), count(i), sum(i), sum(b)::VARCHAR, sum(u), sum(d), count(*) FILTER (WHERE f), sum(octet_length(x)), " +
            "count(*) FILTER (WHERE s = CASE WHEN i % 2 = 0 THEN 's' || i ELSE 'a longer string, number ' || i END), " +
            "count(*) FILTER (WHERE x = repeat(chr(i % 256), 1)::BLOB OR true) FROM t");
        Assert.Equal(rows, r.GetInt64(0, 0));
        Assert.Equal(expectCount, r.GetInt64(0, 1));
        if (expectCount > 0)
        {
            Assert.Equal(expectSumI, r.GetInt64(0, 2));
            Assert.Equal(expectSumB.ToString(System.Globalization.CultureInfo.InvariantCulture), r.GetString(0, 3));
            Assert.Equal(expectSumU, r.GetInt64(0, 4));
            Assert.Equal(expectSumD, r.GetDouble(0, 5));
            Assert.Equal(expectTrue, r.GetInt64(0, 6));
            Assert.Equal(expectLen, r.GetInt64(0, 7));
            Assert.Equal(expectCount, r.GetInt64(0, 8));
        }

        // Spot-check whole rows on both sides of the first chunk boundary.
        foreach (int n in new[] { 0, 2046, 2047, 2048, 2049, rows - 1 })
        {
            if (n >= rows || n % 7 == 3) continue;
            ResultTable row = db.Table($"SELECT i, b, u, d, s, x, f FROM t WHERE i = {n}");
            Assert.Equal(1, row.RowCount);
            Assert.Equal((long)n * 1_000_000_007, row.GetInt64(0, 1));
            Assert.Equal((byte)n, row.GetInt64(0, 2));
            Assert.Equal(Enumerable.Repeat((byte)n, n % 2 == 0 ? 32 : 5).ToArray(), row.GetBlob(0, 5));
        }
        ResultTable nulls = db.Table("SELECT count(*) FROM t WHERE i IS NULL AND b IS NULL AND u IS NULL AND d IS NULL AND s IS NULL AND x IS NULL AND f IS NULL");
        Assert.Equal(rows - expectCount, nulls.GetInt64(0, 0));
    }

    [Fact]
    public void Flush_makes_rows_visible_and_the_appender_continues()
    {
        using var db = DuckDbSql.Open(":memory:");
        db.Execute("CREATE TABLE t (n BIGINT)");
        using DuckDbChunkAppender a = new DuckDbChunkAppender(db, "t", [DuckDBType.BigInt]);
        for (int i = 0; i < 10; i++) { a.SetInt64(0, i); a.EndRow(); }
        a.Flush();
        Assert.Equal(10, db.Table("SELECT count(*) FROM t").GetInt64(0, 0));
        for (int i = 0; i < 5; i++) { a.SetInt64(0, i); a.EndRow(); }
        a.Close();
        Assert.Equal(15, db.Table("SELECT count(*) FROM t").GetInt64(0, 0));
    }

    [Fact]
    public void Wrong_setter_for_a_column_type_throws_instead_of_corrupting_memory()
    {
        using var db = DuckDbSql.Open(":memory:");
        db.Execute("CREATE TABLE t (u UTINYINT)");
        using DuckDbChunkAppender a = new DuckDbChunkAppender(db, "t", [DuckDBType.UnsignedTinyInt]);
        Assert.Throws<InvalidOperationException>(() => a.SetInt64(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.SetByte(1, 1));
    }

    [Fact]
    public void Appender_for_a_missing_table_throws_DuckDbError()
    {
        using var db = DuckDbSql.Open(":memory:");
        var ex = Assert.Throws<DuckDbError>(() => new DuckDbChunkAppender(db, "nope", [DuckDBType.BigInt]));
        Assert.Contains("nope", ex.Message);
    }

    [Fact]
    public void Column_types_not_matching_the_table_surface_as_DuckDbError()
    {
        using var db = DuckDbSql.Open(":memory:");
        db.Execute("CREATE TABLE t (a BIGINT, b BIGINT)");
        DuckDbChunkAppender a = new DuckDbChunkAppender(db, "t", [DuckDBType.BigInt]);
        a.SetInt64(0, 1);
        a.EndRow();
        Assert.Throws<DuckDbError>(() => a.Dispose());
    }

    [Fact]
    public void Appending_rows_allocates_zero_managed_bytes_per_row()
    {
        using var db = DuckDbSql.Open(":memory:");
        db.Execute(AllTypesTable);
        using DuckDbChunkAppender a = new DuckDbChunkAppender(db, "t", AllTypes);
        Span<byte> blob = stackalloc byte[32];
        for (int n = 0; n < 20_000; n++) WriteRow(a, n, blob); // warm-up: JIT tiers, chunk flushes
        a.Flush();

        const int Rows = 100_000; // includes ~48 chunk appends: those are measured too
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 0; n < Rows; n++) WriteRow(a, n, blob);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
    }
}

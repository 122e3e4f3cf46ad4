using FastLoad.Engine.DuckDb;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Query;

/// <summary>`fastload query` as a user runs it: output formats, several files, parquet, errors.</summary>
public sealed class QueryCommandTests : IDisposable
{
    private readonly ResultsFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private static async Task<ProcessResult> Query(params string[] args) => await ProcessRunner.RunFastloadAsync("", ["query", .. args]);

    [Fact]
    public async Task Table_output_aligns_numbers_right_and_shows_nulls_timestamps_and_blobs()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        ProcessResult r = await Query(file, "SELECT id, outcome, ack_ms, block, ack_at, tx_hash AS h, (SELECT l.tx_hash FROM tx_log l WHERE l.id = txs.id) AS raw FROM txs ORDER BY id");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("""
            id  outcome        ack_ms  block  ack_at                       h       raw
            --  -------------  ------  -----  ---------------------------  ------  ------
             1  accepted          2.5     42  2026-11-22T08:30:00.002500Z  0x0102  0x0102
             2  nonce_too_low       3   NULL  2026-11-22T08:30:00.004000Z  0xab    0xab
             3  accepted          0.6   NULL  2026-11-22T08:30:00.002600Z  0xff    0xff
            (3 rows)

            """.ReplaceLineEndings("\n"), r.StdOut);
    }

    [Fact]
    public async Task Csv_quotes_commas_quotes_and_line_breaks_and_keeps_null_apart_from_empty()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        ProcessResult r = await Query(file, "--format", "csv",
            "SELECT id, error, CASE id WHEN 1 THEN '' WHEN 3 THEN 'two' || chr(10) || 'lines' END AS note FROM txs ORDER BY id");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("id,error,note\n1,,\"\"\n2,\"nonce too low: have 5, want \"\"7\"\"\",\n3,,\"two\nlines\"\n", r.StdOut);
    }

    [Fact]
    public async Task Json_lines_give_numbers_bare_and_text_timestamps_and_nulls_as_json()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        ProcessResult r = await Query(file, "--format", "json",
            "SELECT id, outcome, ack_ms, block, inclusion_ms, ack_at, error, id = 1 AS first, 18446744073709551615::UBIGINT AS big FROM txs WHERE id <= 2 ORDER BY id");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(
            "{\"id\":1,\"outcome\":\"accepted\",\"ack_ms\":2.5,\"block\":42,\"inclusion_ms\":1000,\"ack_at\":\"2026-11-22T08:30:00.002500Z\",\"error\":null,\"first\":true,\"big\":18446744073709551615}\n" +
            "{\"id\":2,\"outcome\":\"nonce_too_low\",\"ack_ms\":3,\"block\":null,\"inclusion_ms\":null,\"ack_at\":\"2026-11-22T08:30:00.004000Z\",\"error\":\"nonce too low: have 5, want \\\"7\\\"\",\"first\":false,\"big\":18446744073709551615}\n",
            r.StdOut);
    }

    [Fact]
    public async Task Several_files_stack_every_view_and_table_keeping_each_run_attributable()
    {
        _fixture.WriteRun("a.duckdb", "run-a");
        _fixture.WriteRun("b.duckdb", "run-b", extraAccepted: 2);
        string glob = Path.Combine(_fixture.Directory, "*.duckdb");

        ProcessResult txs = await Query(glob, "--format", "csv", "SELECT run_id, count(*) AS n FROM txs GROUP BY 1 ORDER BY 1");
        Assert.True(txs.ExitCode == 0, txs.StdErr);
        Assert.Equal("run_id,n\nrun-a,3\nrun-b,5\n", txs.StdOut);

        // nodes has no run_id column: each row gets its file's.
        ProcessResult nodes = await Query(glob, "--format", "csv", "SELECT run_id, node, url FROM nodes ORDER BY ALL");
        Assert.True(nodes.ExitCode == 0, nodes.StdErr);
        Assert.Equal("run_id,node,url\nrun-a,0,http://a:8545\nrun-a,1,http://b:8545\nrun-b,0,http://a:8545\nrun-b,1,http://b:8545\n", nodes.StdOut);

        ProcessResult samples = await Query(glob, "--format", "csv", "SELECT run_id, sum(sent) AS sent FROM samples GROUP BY 1 ORDER BY 1");
        Assert.Equal("run_id,sent\nrun-a,3\nrun-b,3\n", samples.StdOut);

        // Files named one by one work the same, and each stays reachable by its own name.
        ProcessResult named = await Query(_fixture.PathOf("a.duckdb"), _fixture.PathOf("b.duckdb"), "--format", "csv",
            "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM b.txs) AS b_txs");
        Assert.True(named.ExitCode == 0, named.StdErr);
        Assert.Equal("runs,b_txs\n2,5\n", named.StdOut);
    }

    [Fact]
    public async Task Format_parquet_writes_a_file_that_reads_back_with_the_same_rows()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a", extraAccepted: 5000);
        string parquet = _fixture.PathOf("txs.parquet");
        ProcessResult copy = await Query(file, "--format", "parquet", "--output", parquet, "SELECT * FROM txs;");
        Assert.True(copy.ExitCode == 0, copy.StdErr);
        Assert.Equal("", copy.StdOut);

        using var db = DuckDbSql.Open(":memory:");
        var back = db.Table($"SELECT count(*), count(*) FILTER (WHERE outcome = 'nonce_too_low' AND error LIKE 'nonce too low%') FROM read_parquet('{parquet}')");
        Assert.Equal(5003, back.GetInt64(0, 0));
        Assert.Equal(1, back.GetInt64(0, 1));
    }

    [Theory]
    [InlineData("attach-same", "query is read-only")]
    [InlineData("attach-other", "query is read-only")]
    [InlineData("detach-reattach", "query is read-only")]
    [InlineData("unlock", "query is read-only")]
    [InlineData("copy-to", "query is read-only")]
    [InlineData("delete", "read-only")]
    [InlineData("parquet-several", "an export takes exactly one SELECT query")]
    [InlineData("parquet-escape", "Parser Error")]
    public async Task Sql_cannot_change_a_results_file_or_write_any_other(string attack, string expected)
    {
        string a = _fixture.WriteRun("a.duckdb", "run-a");
        string b = _fixture.WriteRun("b.duckdb", "run-b");
        string stray = _fixture.PathOf("stray.csv");
        string[] args = attack switch
        {
            "attach-same" => [a, $"ATTACH '{a}' AS w; DELETE FROM w.tx_log"],
            "attach-other" => [a, $"ATTACH '{b}' AS w; DELETE FROM w.tx_log"],
            "detach-reattach" => [a, $"USE memory; DETACH a; ATTACH '{a}' AS w; DELETE FROM w.tx_log"],
            "unlock" => [a, $"SET enable_external_access = true; ATTACH '{b}' AS w; DELETE FROM w.tx_log"],
            "copy-to" => [a, $"COPY (SELECT * FROM txs) TO '{stray}' (FORMAT csv)"],
            "delete" => [a, "DELETE FROM tx_log"],
            // The parquet export wraps the SQL in COPY (...) TO --output: breaking out of it must not reach other files.
            "parquet-several" => ["--format", "parquet", "--output", _fixture.PathOf("out.parquet"), a,
                $"SELECT 1; USE memory; DETACH a; ATTACH '{a}' AS w; DELETE FROM w.tx_log; COPY (SELECT 1) TO '{stray}'"],
            "parquet-escape" => ["--format", "parquet", "--output", _fixture.PathOf("out.parquet"), a,
                $"SELECT 1) TO '{stray}' (FORMAT csv); ATTACH '{b}' AS w; DELETE FROM w.tx_log; COPY (SELECT 1"],
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };
        ProcessResult r = await Query(args);
        Assert.Equal(2, r.ExitCode);
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.StdErr);
        Assert.StartsWith("fastload query: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.False(File.Exists(stray));
        foreach (string file in new[] { a, b })
        {
            using var db = DuckDbSql.Open(file);
            Assert.Equal(3, db.Table("SELECT count(*) FROM tx_log").GetInt64(0, 0));
        }
    }

    [Fact]
    public async Task Output_option_writes_the_file_and_nothing_to_stdout()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        string csv = _fixture.PathOf("out.csv");
        ProcessResult r = await Query(file, "--format", "csv", "--output", csv, "SELECT outcome, count(*) AS n FROM txs GROUP BY 1 ORDER BY 1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("", r.StdOut);
        Assert.Equal("outcome,n\naccepted,2\nnonce_too_low,1\n", File.ReadAllText(csv));
    }

    [Fact]
    public async Task Large_results_stream_through_every_row()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        ProcessResult r = await Query(file, "--format", "csv", "SELECT range AS n, 'row ' || range AS s FROM range(300000)");
        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(300_001, lines.Length);
        Assert.Equal("299999,row 299999", lines[^1]);
    }

    [Fact]
    public async Task Types_the_reader_does_not_decode_are_shown_as_text()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        ProcessResult r = await Query(file, "--format", "csv", "SELECT [1, 2] AS l, INTERVAL 90 SECOND AS i, {'a': 1} AS s, 7 AS n;");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("l,i,s,n\n\"[1, 2]\",00:01:30,{'a': 1},7\n", r.StdOut);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("not-duckdb", "is not a DuckDB database")]
    [InlineData("not-results", "is not a FastLoad results file")]
    [InlineData("sql-error", "Catalog Error: Table with name nope does not exist")]
    [InlineData("no-sql", "no SQL given")]
    [InlineData("nothing", "give one or more results files")]
    [InlineData("no-match", "no file matches")]
    [InlineData("bad-format", "--format")]
    public async Task Bad_input_gives_one_line_and_exit_code_2(string kind, string expected)
    {
        string results = _fixture.WriteRun("a.duckdb", "run-a");
        string text = _fixture.PathOf("text.duckdb");
        File.WriteAllText(text, "hello, I am not a database\n");
        string plain = _fixture.PathOf("plain.duckdb");
        using (var db = DuckDbSql.Open(plain)) db.Execute("CREATE TABLE t (x INTEGER)");
        string[] args = kind switch
        {
            "missing" => [_fixture.PathOf("gone.duckdb"), "SELECT 1"],
            "not-duckdb" => [text, "SELECT 1"],
            "not-results" => [plain, "SELECT 1"],
            "sql-error" => [results, "SELECT * FROM nope"],
            "no-sql" => [results],
            "nothing" => [],
            "no-match" => [Path.Combine(_fixture.Directory, "*.parquet"), "SELECT 1"],
            "bad-format" => ["--format", "xml", results, "SELECT 1"],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        ProcessResult r = await Query(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.StdErr);
        Assert.Contains(expected, lines[0]);
        if (kind != "bad-format") Assert.StartsWith("fastload query: ", lines[0]);
    }

    [Fact]
    public async Task Help_shows_examples_for_table_csv_parquet_and_several_files()
    {
        ProcessResult r = await Query("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--format csv", r.StdOut);
        Assert.Contains("--format parquet --output txs.parquet", r.StdOut);
        Assert.Contains("'results/*.duckdb'", r.StdOut);
        Assert.Contains("--output", r.StdOut);
    }

    [Fact]
    public async Task A_file_another_process_is_writing_gives_one_line_saying_so()
    {
        string file = _fixture.WriteRun("a.duckdb", "run-a");
        using var writer = DuckDbSql.Open(file); // this process holds the write lock
        ProcessResult r = await Query(file, "SELECT count(*) FROM txs");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("fastload query: ", r.StdErr);
        Assert.Contains("open for writing in another process", r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

using System.Diagnostics;
using System.Text;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Results;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;
using DuckDB.NET.Data;

namespace FastLoad.Tests.Results;

public class ResultsWriterTests
{
    private static RunInfo Info => new() { RunId = "test-run", CommandLine = "fastload run --it's quoted", SettingsJson = "{}", TxType = "eip1559", TargetRate = 100 };

    private static TxRecord Record(long id, long startTicks, int micros, TxOutcome outcome, int errorId = 0)
    {
        var hash = new byte[32];
        hash[0] = (byte)id;
        hash[31] = 0xAB;
        long ticksPerMicro = Stopwatch.Frequency / 1_000_000;
        return new TxRecord
        {
            Id = id, Hash = new Hash256(hash), Wallet = (int)(id % 3), Nonce = (ulong)id, Node = (byte)(id % 2), Outcome = (byte)outcome, ErrorId = errorId,
            IntendedTicks = startTicks + micros * ticksPerMicro, SentTicks = startTicks + (micros + 10) * ticksPerMicro, AckTicks = startTicks + (micros + 1000) * ticksPerMicro,
        };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_record_becomes_a_row_and_the_txs_view_joins_them_back(int drainThreads)
    {
        string path = TestPaths.NewFile(".duckdb");
        long start = Stopwatch.GetTimestamp();
        using (ResultsWriter writer = ResultsWriter.Create(path, Info))
        {
            writer.DrainThreads = drainThreads;
            writer.WriteNodes(["http://a:8545/", "http://b:8545/"]);
            writer.WriteWallets(WalletSet.Derive(TestKeys.Funder, "writer-test", 3, Shard.Single, 1, 2).All);
            writer.Begin(start, new DateTime(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc), () => (0, [new NodeCounters(), new NodeCounters()]));
            int nonceError = writer.Errors.Intern(TxOutcome.NonceTooLow, "nonce too low: next nonce 5, tx nonce 3"u8);
            for (long id = 1; id <= 5000; id++)
                writer.Add(Record(id, start, (int)id * 100, id % 1000 == 0 ? TxOutcome.NonceTooLow : TxOutcome.Accepted, id % 1000 == 0 ? nonceError : 0));
            writer.AddInclusion(new InclusionRecord { Id = 7, Block = 42, SeenTicks = start + 2_000_000 * (Stopwatch.Frequency / 1_000_000) });
            writer.AddBlock(1, new BlockSeen(42, "0xbeef", start, 1_800_000_000, 150, 3_150_000, 1));
            writer.Finish(new RunFinal { Status = "complete", Sent = 5000, AckP99Ms = 1.5, Verdicts = [new VerdictLine("tps", 100, 90, false, ">=", "tx/s")] });
            Assert.Equal(0, writer.Dropped);
            Assert.Equal(5000, writer.Rows);
        }

        using DuckDBConnection db = DuckDbSql.Open(path);
        Assert.Equal(5000, db.Table("SELECT count(*) FROM txs").GetInt64(0, 0));
        ResultTable row = db.Table("SELECT tx_hash, wallet, address, nonce, node_url, intended_us, sent_us, ack_us, ack_ms, outcome, error, block, block_seen_us, inclusion_ms, epoch_us(intended_at) FROM txs WHERE id = 7");
        Assert.Equal("0x07" + new string('0', 60) + "ab", row.GetString(0, 0));
        Assert.Equal(1, row.GetInt64(0, 1));
        Assert.Equal(WalletSet.Derive(TestKeys.Funder, "writer-test", 3, Shard.Single, 1, 2).All[1].Address.ToString(), row.GetString(0, 2));
        Assert.Equal(7, row.GetInt64(0, 3));
        Assert.Equal("http://b:8545/", row.GetString(0, 4));
        Assert.Equal(700, row.GetInt64(0, 5));
        Assert.Equal(710, row.GetInt64(0, 6));
        Assert.Equal(1700, row.GetInt64(0, 7));
        Assert.Equal(1.0, row.GetDouble(0, 8), 6);
        Assert.Equal("accepted", row.GetString(0, 9));
        Assert.True(row.IsNull(0, 10));
        Assert.Equal(42, row.GetInt64(0, 11));
        Assert.Equal(2_000_000, row.GetInt64(0, 12));
        Assert.Equal(1999.3, row.GetDouble(0, 13), 6);
        Assert.Equal((new DateTime(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10 + 700, row.GetInt64(0, 14));

        ResultTable errors = db.Table("SELECT outcome, error, count(*) FROM txs WHERE outcome <> 'accepted' GROUP BY ALL");
        Assert.Equal(1, errors.RowCount);
        Assert.Equal(("nonce_too_low", "nonce too low: next nonce 5, tx nonce 3", 5L), (errors.GetString(0, 0), errors.GetString(0, 1), errors.GetInt64(0, 2)));
        Assert.Equal(1, db.Table("SELECT count(*) FROM blocks WHERE node = 1 AND number = 42 AND our_tx_count = 1 AND gas_used = 3150000").GetInt64(0, 0));
        ResultTable run = db.Table("SELECT run_id, status, command_line, sent, ack_p99_ms, verdict, targets, dropped_records FROM runs");
        Assert.Equal(("test-run", "complete", "fastload run --it's quoted"), (run.GetString(0, 0), run.GetString(0, 1), run.GetString(0, 2)));
        Assert.Equal(5000, run.GetInt64(0, 3));
        Assert.Equal(1.5, run.GetDouble(0, 4));
        Assert.Equal("FAIL", run.GetString(0, 5));
        Assert.Equal("http://a:8545/,http://b:8545/", run.GetString(0, 6));
        Assert.Equal(0, run.GetInt64(0, 7));
        Assert.Equal(1, db.Table("SELECT count(*) FROM verdicts WHERE target = 'tps' AND NOT pass AND actual = 90").GetInt64(0, 0));
    }

    [Fact]
    public void A_default_name_another_run_took_meanwhile_becomes_the_next_free_one_and_a_given_one_is_refused()
    {
        string dir = Directory.CreateDirectory(TestPaths.NewFile("")).FullName;
        string taken = Path.Combine(dir, "20261129-170453.duckdb");
        File.WriteAllText(taken, "another run's file");
        File.WriteAllText(Path.Combine(dir, "20261129-170453-2.duckdb"), "and another");
        using (ResultsWriter writer = ResultsWriter.Create(taken, Info, nextFreeName: true))
        {
            Assert.Equal(Path.Combine(dir, "20261129-170453-3.duckdb"), writer.Path);
            writer.Finish(new RunFinal { Status = "complete" });
        }
        Assert.Equal("another run's file", File.ReadAllText(taken));
        var e = Assert.Throws<IOException>(() => ResultsWriter.Create(taken, Info));
        Assert.Contains("already exists: pass another --out path", e.Message);
    }

    [Fact]
    public void Each_sample_records_the_process_memory()
    {
        string path = TestPaths.NewFile(".duckdb");
        var kept = new byte[48 << 20];
        Array.Fill(kept, (byte)1);
        GC.Collect();
        // Sending "began" 3 s ago: the first sample is due at once, so no waiting for a second to pass.
        long start = Stopwatch.GetTimestamp() - 3 * Stopwatch.Frequency;
        using (ResultsWriter writer = ResultsWriter.Create(path, Info))
        {
            writer.WriteNodes(["http://a:8545/", "http://b:8545/"]);
            writer.Begin(start, DateTime.UtcNow, () => (0, [new NodeCounters(), new NodeCounters()]));
            writer.Finish(new RunFinal { Status = "complete" });
        }
        long rssAfter = Environment.WorkingSet;
        GC.KeepAlive(kept);

        using DuckDBConnection db = DuckDbSql.Open(path);
        ResultTable r = db.Table("SELECT t_s, count(*), min(rss_mb), max(rss_mb), min(managed_heap_mb), max(managed_heap_mb) FROM samples GROUP BY t_s ORDER BY t_s LIMIT 1");
        Assert.Equal(1, r.RowCount);
        Assert.InRange(r.GetInt64(0, 0), 3, 10); // seconds since the start, taken as soon as the writer began
        Assert.Equal(2, r.GetInt64(0, 1)); // one row per node, the same process figures in each
        Assert.Equal(r.GetDouble(0, 2), r.GetDouble(0, 3));
        Assert.Equal(r.GetDouble(0, 4), r.GetDouble(0, 5));
        double rssMb = r.GetDouble(0, 2), heapMb = r.GetDouble(0, 4);
        Assert.InRange(heapMb, 48, rssMb);                        // the 48 MiB array is live and resident
        Assert.InRange(rssMb, 48, rssAfter / ProcessMemory.BytesPerMiB * 1.5);
    }

    [Fact]
    public void A_full_queue_drops_and_counts_instead_of_blocking()
    {
        string path = TestPaths.NewFile(".duckdb");
        long start = Stopwatch.GetTimestamp();
        using ResultsWriter writer = ResultsWriter.Create(path, Info, capacity: 64);
        writer.WriteNodes(["http://a:8545/"]);
        // Not begun: nothing drains, so the ring holds 64 and the rest are dropped, counted.
        for (long id = 1; id <= 100; id++) writer.Add(Record(id, start, 0, TxOutcome.Accepted));
        Assert.Equal(36, writer.Dropped);
        writer.Begin(start, DateTime.UtcNow, null);
        writer.Finish(new RunFinal { Status = "complete" });
        using DuckDBConnection db = DuckDbSql.Open(path);
        Assert.Equal(64, db.Table("SELECT count(*) FROM tx_log").GetInt64(0, 0));
        Assert.Equal(36, db.Table("SELECT dropped_records FROM runs").GetInt64(0, 0));
    }

    [Fact]
    public void Rows_are_committed_while_running_not_only_at_the_end()
    {
        string path = TestPaths.NewFile(".duckdb");
        long start = Stopwatch.GetTimestamp();
        using ResultsWriter writer = ResultsWriter.Create(path, Info);
        writer.WriteNodes(["http://a:8545/"]);
        writer.Begin(start, DateTime.UtcNow, null);
        for (long id = 1; id <= 3000; id++) writer.Add(Record(id, start, 0, TxOutcome.Accepted));
        // The writer commits at least every FlushInterval (500 ms): the WAL holds the rows before Finish.
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(5) && !WalHoldsRows(path + ".wal")) Thread.Sleep(50);
        Assert.True(WalHoldsRows(path + ".wal"), "no commit within 5 s");
        Assert.True(wait.Elapsed < TimeSpan.FromSeconds(2), $"first commit after {wait.Elapsed}");
        writer.Finish(new RunFinal { Status = "complete" });
    }

    private static bool WalHoldsRows(string wal) => File.Exists(wal) && new FileInfo(wal).Length > 3000 * 8;

    [Fact]
    public void Creating_over_an_existing_file_is_refused()
    {
        string path = TestPaths.NewFile(".duckdb");
        File.WriteAllText(path, "precious");
        IOException e = Assert.Throws<IOException>(() => ResultsWriter.Create(path, Info));
        Assert.Contains("already exists", e.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }
}

public class ErrorTableTests
{
    [Fact]
    public void Same_text_same_id_and_outcome_keeps_texts_apart()
    {
        var table = new ErrorTable();
        int a = table.Intern(TxOutcome.NonceTooLow, "nonce too low"u8);
        Assert.Equal(a, table.Intern(TxOutcome.NonceTooLow, Encoding.UTF8.GetBytes("nonce too low")));
        int b = table.Intern(TxOutcome.Other, "nonce too low"u8);
        Assert.NotEqual(a, b);
        Assert.Equal(0, table.Intern(TxOutcome.Other, ""u8));
        Assert.Equal(2, table.Count);
        Assert.Equal([(a, TxOutcome.NonceTooLow, "nonce too low"), (b, TxOutcome.Other, "nonce too low")], table.Since(1));
        Assert.Equal([(b, TxOutcome.Other, "nonce too low")], table.Since(b));
    }

    [Fact]
    public void Long_texts_are_cut_and_the_table_is_bounded()
    {
        var table = new ErrorTable();
        int id = table.Intern(TxOutcome.Other, Encoding.UTF8.GetBytes(new string('x', 1000)));
        Assert.Equal(ErrorTable.MaxMessageBytes, table.Since(id)[0].Message.Length);
        for (int i = 0; i < ErrorTable.MaxMessages + 100; i++) table.Intern(TxOutcome.NonceTooLow, Encoding.UTF8.GetBytes($"nonce too low: {i}"));
        int overflow = table.Intern(TxOutcome.NonceTooLow, "yet another"u8);
        Assert.Equal(overflow, table.Intern(TxOutcome.NonceTooLow, "and another"u8));
        Assert.Contains("more distinct messages", table.Since(overflow)[0].Message);
        Assert.True(table.Count <= ErrorTable.MaxMessages + 2);
    }

    [Fact]
    public void Interning_a_known_text_allocates_nothing()
    {
        var table = new ErrorTable();
        ReadOnlySpan<byte> text = "insufficient funds for gas * price + value"u8;
        for (int i = 0; i < 100_000; i++) table.Intern(TxOutcome.InsufficientFunds, text); // past tiered JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) table.Intern(TxOutcome.InsufficientFunds, text);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

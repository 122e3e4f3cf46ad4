using BenchmarkDotNet.Attributes;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Benchmarks.DuckDb;

/// <summary>
/// Bulk-appends N txs-like rows (12 columns, two of them NULL half the time) through <see cref="DuckDbChunkAppender"/>
/// into a fresh table, in memory and in a file. One op = one row, so Op/s is rows/s (goal: ≥ 2,000,000).
/// Each iteration opens a new database, so the file case includes the final flush and the checkpoint on close.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int Rows = 1_000_000;

    private static readonly DuckDbType[] TxsTypes =
    [
        DuckDbType.Integer,  // run_id
        DuckDbType.Blob,     // tx_hash (32 bytes)
        DuckDbType.Integer,  // wallet
        DuckDbType.BigInt,   // nonce
        DuckDbType.UTinyInt, // node
        DuckDbType.UTinyInt, // tx_type
        DuckDbType.BigInt,   // intended_us
        DuckDbType.BigInt,   // sent_us
        DuckDbType.BigInt,   // ack_us
        DuckDbType.UTinyInt, // outcome
        DuckDbType.BigInt,   // block (NULL half the time)
        DuckDbType.BigInt,   // included_us (NULL half the time)
    ];

    private const string CreateTxs =
        "CREATE TABLE txs (run_id INTEGER, tx_hash BLOB, wallet INTEGER, nonce BIGINT, node UTINYINT, tx_type UTINYINT, " +
        "intended_us BIGINT, sent_us BIGINT, ack_us BIGINT, outcome UTINYINT, block BIGINT, included_us BIGINT)";

    private readonly byte[] _hashes = new byte[1024 * 32];
    private string _dir = "";
    private DuckDbConnection? _db;

    [Params("memory", "file")]
    public string Target { get; set; } = "memory";

    [GlobalSetup]
    public void GlobalSetup()
    {
        new Random(42).NextBytes(_hashes);
        _dir = Path.Combine(Path.GetTempPath(), "fastload-bench-duckdb-" + Environment.ProcessId);
        Directory.CreateDirectory(_dir);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Directory.Delete(_dir, recursive: true);

    [IterationSetup]
    public void IterationSetup()
    {
        string path = Path.Combine(_dir, "txs.duckdb");
        File.Delete(path);
        File.Delete(path + ".wal");
        _db = DuckDbConnection.Open(Target == "file" ? path : ":memory:");
        _db.Execute(CreateTxs);
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _db?.Dispose();
        _db = null;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long AppendTxs()
    {
        DuckDbConnection db = _db!;
        using (DuckDbChunkAppender a = db.CreateAppender("txs", TxsTypes))
        {
            ReadOnlySpan<byte> hashes = _hashes;
            long t0 = 1_700_000_000_000_000;
            for (int i = 0; i < Rows; i++)
            {
                long intended = t0 + i * 100L;
                a.SetInt32(0, 7);
                a.SetBlob(1, hashes.Slice((i & 1023) * 32, 32));
                a.SetInt32(2, i & 4095);
                a.SetInt64(3, i >> 12);
                a.SetByte(4, (byte)(i & 3));
                a.SetByte(5, 2);
                a.SetInt64(6, intended);
                a.SetInt64(7, intended + 35);
                a.SetInt64(8, intended + 900);
                a.SetByte(9, (byte)(i & 1));
                if ((i & 1) == 0)
                {
                    a.SetInt64(10, 1000 + (i >> 10));
                    a.SetInt64(11, intended + 2_000_000);
                }
                else
                {
                    a.SetNull(10);
                    a.SetNull(11);
                }
                a.EndRow();
            }
        }
        if (Target == "file") db.Execute("CHECKPOINT");
        return Rows;
    }
}

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Results;
using FastLoad.Engine.Rpc;

namespace FastLoad.Benchmarks.DuckDb;

/// <summary>
/// How fast results reach a DuckDB file. One op = one tx row, so Op/s is rows/s (goal: ≥ 2,000,000).
/// <list type="bullet">
/// <item><c>AppendTxLog</c>: FastLoad's chunk appender (on DuckDB.NET.Bindings' native methods) alone, writing the
/// results schema's <c>tx_log</c> row (9 columns, a 32-byte hash blob), into memory or a file (with the final
/// checkpoint).</item>
/// <item><c>AppendTxLogDuckDbNet</c>: the same rows through DuckDB.NET.Data's own appender
/// (<c>CreateAppender</c>, <c>CreateRow().AppendValue(...).EndRow()</c>), the alternative to the hand-written one.</item>
/// <item><c>WriterEndToEnd</c>: the <see cref="ResultsWriter"/> as a run uses it: records queued from this thread
/// through the lock-free ring (waiting, not dropping, when it is full), drained by the writer thread, committed every
/// 500 ms, then Finish (summary + checkpoint). Every iteration writes a new file.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int Rows = 1_000_000;

    private static readonly DuckDBType[] TxLogTypes =
    [
        DuckDBType.BigInt, DuckDBType.Blob, DuckDBType.Integer, DuckDBType.BigInt, DuckDBType.UnsignedTinyInt,
        DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.UnsignedTinyInt, DuckDBType.UnsignedTinyInt,
    ];

    private readonly byte[] _hashes = new byte[1024 * 32];
    private string _dir = "";
    private string _path = "";
    private DuckDBConnection? _db;

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
    public void AppendSetup()
    {
        _path = NewPath();
        _db = DuckDbSql.Open(Target == "file" ? _path : DuckDbSql.Memory);
        ResultsSchema.Create(_db);
    }

    [IterationCleanup]
    public void AppendCleanup()
    {
        _db?.Dispose();
        _db = null;
    }

    private string NewPath()
    {
        foreach (string f in Directory.GetFiles(_dir)) File.Delete(f);
        return Path.Combine(_dir, $"run-{Guid.NewGuid():N}.duckdb");
    }

    [BenchmarkCategory(Macro.HotPath.Category)]
    [Benchmark(OperationsPerInvoke = Rows)]
    public long AppendTxLog()
    {
        AppendChunk(_db!, _hashes, Rows);
        if (Target == "file") _db!.Execute("CHECKPOINT");
        return Rows;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long AppendTxLogDuckDbNet()
    {
        AppendDuckDbNet(_db!, _hashes, Rows);
        if (Target == "file") _db!.Execute("CHECKPOINT");
        return Rows;
    }

    /// <summary><paramref name="rows"/> tx_log rows through FastLoad's chunk appender (the results writer's hot path).</summary>
    internal static void AppendChunk(DuckDBConnection db, byte[] hashes1024, int rows)
    {
        using var a = new DuckDbChunkAppender(db, "tx_log", TxLogTypes);
        ReadOnlySpan<byte> hashes = hashes1024;
        for (int i = 0; i < rows; i++)
        {
            long intended = i * 100L;
            a.SetInt64(0, i + 1);
            a.SetBlob(1, hashes.Slice((i & 1023) * 32, 32));
            a.SetInt32(2, i & 4095);
            a.SetInt64(3, i >> 12);
            a.SetByte(4, (byte)(i & 3));
            a.SetInt64(5, intended);
            a.SetInt64(6, intended + 35);
            a.SetInt64(7, intended + 900);
            a.SetByte(8, (byte)TxOutcome.Accepted);
            a.SetByte(9, 0); // op: transfer
            a.EndRow();
        }
    }

    /// <summary>The same rows through DuckDB.NET.Data's appender: CreateRow().AppendValue(...).EndRow().</summary>
    internal static void AppendDuckDbNet(DuckDBConnection db, byte[] hashes1024, int rows)
    {
        using DuckDB.NET.Data.DuckDBAppender a = db.CreateAppender("tx_log");
        Span<byte> hashes = hashes1024;
        for (int i = 0; i < rows; i++)
        {
            long intended = i * 100L;
            a.CreateRow()
                .AppendValue((long?)(i + 1))
                .AppendValue(hashes.Slice((i & 1023) * 32, 32))
                .AppendValue((int?)(i & 4095))
                .AppendValue((long?)(i >> 12))
                .AppendValue((byte?)(i & 3))
                .AppendValue((long?)intended)
                .AppendValue((long?)(intended + 35))
                .AppendValue((long?)(intended + 900))
                .AppendValue((byte?)TxOutcome.Accepted)
                .AppendValue((byte?)0)
                .EndRow();
        }
    }
}

/// <summary>
/// The <see cref="ResultsWriter"/> thread's drain rate: the iteration setup queues 1M records into the writer's ring
/// (not timed); the benchmark starts the writer and finishes it, so it times draining the ring into the appenders,
/// the commits, and the final summary update and checkpoint. Always a file. (Producers are response handlers that
/// queue a record each; their cost shows in the run's results-on/off ratio, see README.)
/// </summary>
[MemoryDiagnoser]
public class ResultsWriterBenchmarks
{
    private const int Rows = 1_000_000;

    private readonly byte[] _hashes = new byte[1024 * 32];
    private string _dir = "";
    private ResultsWriter? _writer;
    private long _start;

    /// <summary>Threads draining into tx_log, each with its own connection and appender (the writer's default is 2 on 2+ cores).</summary>
    [Params(1, 2)]
    public int DrainThreads { get; set; } = 2;

    [GlobalSetup]
    public void GlobalSetup()
    {
        new Random(42).NextBytes(_hashes);
        _dir = Path.Combine(Path.GetTempPath(), "fastload-bench-writer-" + Environment.ProcessId);
        Directory.CreateDirectory(_dir);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Directory.Delete(_dir, recursive: true);

    [IterationSetup]
    public void IterationSetup()
    {
        foreach (string f in Directory.GetFiles(_dir)) File.Delete(f);
        var info = new RunInfo { RunId = "bench", CommandLine = "bench", SettingsJson = "{}", TxType = "eip1559" };
        _writer = ResultsWriter.Create(Path.Combine(_dir, $"run-{Guid.NewGuid():N}.duckdb"), info, capacity: Rows);
        _writer.DrainThreads = DrainThreads;
        _writer.WriteNodes(["http://127.0.0.1:8545/"]);
        _start = Stopwatch.GetTimestamp();
        var record = new TxRecord { Outcome = (byte)TxOutcome.Accepted };
        for (int i = 0; i < Rows; i++)
        {
            record.Id = i + 1;
            record.Hash = new Hash256(_hashes.AsSpan((i & 1023) * 32, 32));
            record.Wallet = i & 4095;
            record.Nonce = (ulong)(i >> 12);
            record.IntendedTicks = _start + i * 100L;
            record.SentTicks = record.IntendedTicks + 35_000;
            record.AckTicks = record.IntendedTicks + 900_000;
            if (!_writer.TryAdd(record)) throw new InvalidOperationException("ring full");
        }
    }

    [BenchmarkCategory(Macro.HotPath.Category)]
    [Benchmark(OperationsPerInvoke = Rows)]
    public long WriterDrain()
    {
        ResultsWriter writer = _writer!;
        writer.Begin(_start, DateTime.UtcNow, null);
        writer.Finish(new RunFinal { Status = "complete" });
        if (writer.Rows != Rows) throw new InvalidOperationException($"{writer.Rows} rows written");
        return writer.Rows;
    }
}

using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Results;

/// <summary>What a results file says about its run, written when the file is created.</summary>
public sealed record RunInfo
{
    public required string RunId { get; init; }
    public required string CommandLine { get; init; }
    public string Version { get; init; } = typeof(RunInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    public string Machine { get; init; } = $"{Environment.MachineName}; {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; {Environment.ProcessorCount} cores; .NET {Environment.Version}";
    public required string SettingsJson { get; init; }
    public required string TxType { get; init; }
    public string WorkloadOp { get; init; } = "transfer";
    public double? TargetRate { get; init; }

    /// <summary>The load shape (<c>--shape</c>, e.g. ramp:50..300); null for --max.</summary>
    public string? Shape { get; init; }

    /// <summary>The read traffic's method (<c>--read-method</c>), or null without <c>--read-rate</c>.</summary>
    public string? ReadMethod { get; init; }

    /// <summary>Reads/s across all nodes (<c>--read-rate</c>), or null.</summary>
    public double? ReadRate { get; init; }

    /// <summary>The share of included txs whose receipt is fetched (<c>--receipts</c>), 0..100.</summary>
    public double ReceiptsPercent { get; init; }

    /// <summary>The run's shard (<c>--shard i/N</c>; 0/1 unsharded): <c>runs.shard</c> and <c>runs.shard_count</c>.</summary>
    public Shard Shard { get; init; } = Shard.Single;

    /// <summary>A run id from the start time plus 4 random hex digits: sorts by time, unique across files.</summary>
    public static string NewRunId(DateTime utc) =>
        string.Create(CultureInfo.InvariantCulture, $"{utc:yyyyMMdd'T'HHmmss'Z'}-{Random.Shared.Next(0x10000):x4}");
}

/// <summary>Cumulative counters of one node, read once a second for the <c>samples</c> table; <paramref name="Intended"/>: tokens the shape made due (null for --max);
/// <paramref name="WaitSigningTicks"/> / <paramref name="WaitNetworkTicks"/>: the sender's cumulative waits (stopwatch ticks).</summary>
public readonly record struct NodeCounters(long Sent, long Acked, long Errors, long Included, long InFlight, int RingFill, long? Intended = null, long Reads = 0, long ReadErrors = 0,
    long WaitSigningTicks = 0, long WaitNetworkTicks = 0);

/// <summary>What the run reports at the end, for the <c>runs</c> row and <c>verdicts</c>.</summary>
public sealed record RunFinal
{
    public required string Status { get; init; } // complete | interrupted | failed
    public string? StatusReason { get; init; }
    public long? Late { get; init; }
    public double? MaxLagMs { get; init; }
    public long? Unsent { get; init; }
    public long? GapRepairs { get; init; }
    public double? DurationSeconds { get; init; }
    public long? Sent { get; init; }
    public long? Accepted { get; init; }
    public long? Errors { get; init; }
    public long? Included { get; init; }
    public long? NotIncluded { get; init; }
    public double? AckP50Ms { get; init; }
    public double? AckP99Ms { get; init; }
    public double? InclusionP50Ms { get; init; }
    public double? InclusionP99Ms { get; init; }
    public IReadOnlyList<VerdictLine> Verdicts { get; init; } = [];

    /// <summary>The workload's post-run ledger check (erc20, mix); null when it has none or it did not run.</summary>
    public Workloads.WorkloadCheck? Ledger { get; init; }

    public long? Reads { get; init; }
    public long? ReadErrors { get; init; }
    public double? ReadP50Ms { get; init; }
    public double? ReadP99Ms { get; init; }

    /// <summary>Receipts fetched after the run (<c>--receipts</c>) and how many of them show a revert; null when none were asked for.</summary>
    public long? ReceiptsFetched { get; init; }
    public long? Reverted { get; init; }

    /// <summary>fastload probe: its phases as judged (the <c>phases</c> table).</summary>
    public IReadOnlyList<Probe.ProbeStep> Phases { get; init; } = [];

    /// <summary>fastload probe: the confirmed rate (<c>runs.sustainable_rate</c>).</summary>
    public double? SustainableRate { get; init; }

    /// <summary>Self-telemetry totals and the bottleneck verdict (runs.wait_signing_ms … bound_evidence); null when not judged.</summary>
    public double? WaitSigningMs { get; init; }
    public double? WaitNetworkMs { get; init; }
    public double? RingEmptyPercent { get; init; }
    public double? RingFullPercent { get; init; }
    public double? SignerBusyPercent { get; init; }
    public double? CpuPercent { get; init; }
    public string? BoundBy { get; init; }
    public string? BoundEvidence { get; init; }

    /// <summary>--confirm-ws: what each stream did (the <c>streams</c> rows' figures), in stream order; empty without streams.</summary>
    public IReadOnlyList<StreamFinal> Streams { get; init; } = [];

    /// <summary>--confirm-ws: txs at least one stream mentioned, and the earliest mention's latency; null without streams.</summary>
    public long? Preconfirmed { get; init; }
    public double? PreconfP50Ms { get; init; }
    public double? PreconfP99Ms { get; init; }
}

/// <summary>One confirmation stream at the end of the run (a <c>streams</c> row).</summary>
public sealed record StreamFinal(int Stream, long Messages, long Hashes, long Preconfirmed, double? PreconfP50Ms, double? PreconfP99Ms, long Connects, string? Error);

/// <summary>
/// Streams a run's results into a DuckDB file (schema: <see cref="ResultsSchema"/>). Response handlers and the
/// block watchers hand it fixed-size records through bounded lock-free rings (<see cref="Add"/>,
/// <see cref="AddInclusion"/>: no allocation, never blocks; a full ring drops the record and counts it in
/// <see cref="Dropped"/>). One background thread drains the rings into chunk appenders, takes a sample per second,
/// and commits at least every <see cref="FlushInterval"/>, so a crash loses at most that much and the file stays
/// valid (DuckDB replays its WAL on open). <see cref="Finish"/> writes the summary and checkpoints.
/// <para>
/// The running tables (tx_log, tx_errors, tx_inclusions, errors, blocks, samples) go through
/// <see cref="DuckDbChunkAppender"/>, not DuckDB.NET's <c>DuckDBAppender</c>: on the 1M-row tx_log job it appends
/// faster (median ratios 1.10-1.21 into memory, 1.04-1.11 into a file with the checkpoint, <c>bench append-ratio</c>),
/// at 0 B per row where DuckDB.NET allocates a 64 B row object per row, and it can flush (commit) without being
/// closed, which the 500 ms commits need. The once-only tables (wallets,
/// tx_resolutions) use DuckDB.NET's appender; the rest of the file goes through DuckDB.NET.Data commands.
/// </para>
/// </summary>
public sealed class ResultsWriter : IDisposable
{
    private static readonly DuckDBType[] TxLogTypes =
    [
        DuckDBType.BigInt, DuckDBType.Blob, DuckDBType.Integer, DuckDBType.BigInt, DuckDBType.UnsignedTinyInt,
        DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.UnsignedTinyInt, DuckDBType.UnsignedTinyInt,
    ];

    private static readonly DuckDBType[] InclusionTypes = [DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt];
    private static readonly DuckDBType[] PreconfTypes = [DuckDBType.BigInt, DuckDBType.UnsignedTinyInt, DuckDBType.BigInt];
    private static readonly DuckDBType[] TxErrorTypes = [DuckDBType.BigInt, DuckDBType.Integer];
    private static readonly DuckDBType[] ErrorTypes = [DuckDBType.Integer, DuckDBType.Varchar, DuckDBType.Varchar];

    private static readonly DuckDBType[] BlockTypes =
    [
        DuckDBType.UnsignedTinyInt, DuckDBType.BigInt, DuckDBType.Varchar, DuckDBType.BigInt, DuckDBType.BigInt,
        DuckDBType.Integer, DuckDBType.BigInt, DuckDBType.Integer,
    ];

    private static readonly DuckDBType[] SampleTypes =
    [
        DuckDBType.Integer, DuckDBType.UnsignedTinyInt, DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt,
        DuckDBType.BigInt, DuckDBType.Integer, DuckDBType.Double, DuckDBType.Double, DuckDBType.Integer, DuckDBType.Integer, DuckDBType.Integer,
        DuckDBType.Double, DuckDBType.Double, DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt,
        DuckDBType.Double, DuckDBType.Double,
    ];

    private static readonly DuckDBType[] ReadLogTypes =
    [
        DuckDBType.BigInt, DuckDBType.UnsignedTinyInt, DuckDBType.UnsignedTinyInt, DuckDBType.BigInt, DuckDBType.BigInt, DuckDBType.BigInt,
        DuckDBType.UnsignedTinyInt, DuckDBType.Integer,
    ];

    private readonly DuckDBConnection _db;
    private readonly BoundedRing<TxRecord> _txs;
    private readonly BoundedRing<InclusionRecord> _inclusions;
    private readonly BoundedRing<ReadRecord> _reads;
    private readonly BoundedRing<PreconfRecord> _preconfs;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(int Node, BlockSeen Block)> _blocks = new();
    private DuckDbChunkAppender? _txInclusions, _errors, _blockRows, _samples, _readRows, _preconfRows; // lane 0's
    private Lane[] _lanes = [];
    private int _errorsCommitted; // error ids below this are committed (tx_errors rows may refer to them)
    private volatile bool _stopping;
    private long _startTicks;
    private Func<(long Signed, NodeCounters[] Nodes)>? _sampler;
    private long _dropped;
    private long _rows;
    private int _errorsWritten = 1;
    private Exception? _failure;

    private ResultsWriter(string path, DuckDBConnection db, int capacity)
    {
        Path = path;
        _db = db;
        _txs = new BoundedRing<TxRecord>(capacity);
        _inclusions = new BoundedRing<InclusionRecord>(capacity);
        _reads = new BoundedRing<ReadRecord>(Math.Max(1024, capacity / 4));
        _preconfs = new BoundedRing<PreconfRecord>(capacity);
    }

    public string Path { get; }

    /// <summary>Error texts of this run; response handlers intern into it.</summary>
    public ErrorTable Errors { get; } = new();

    /// <summary>Longest time between two commits while running.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Records not kept because the writer had fallen behind (its ring was full) or had failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>tx_log rows written so far.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Sending began (<see cref="Begin"/>), so the file may hold results.</summary>
    public bool Begun => _lanes.Length > 0;

    /// <summary>
    /// Threads draining tx records, each with its own connection and appender into <c>tx_log</c> (DuckDB appends
    /// from several connections concurrently: 1.7M rows/s with one, 2.2–2.6M with two on this 2-core VM). The first
    /// also writes inclusions, blocks, samples and error texts.
    /// </summary>
    public int DrainThreads { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>Set if writing failed part-way (e.g. disk full); the file keeps what was committed before.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>
    /// Creates a new results file (refusing to overwrite one) with the schema and the run's row. The default
    /// ring capacity holds about 4 s of records at 60k tx/s.
    /// </summary>
    /// <param name="nextFreeName">The path is a default name (not the user's --out): when another run took it meanwhile
    /// (two runs started in the same second in one folder), take the next free one (<c>NAME-2.duckdb</c>, …) instead of failing.</param>
    public static ResultsWriter Create(string path, RunInfo info, int capacity = 1 << 18, bool nextFreeName = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (nextFreeName)
        {
            string stem = full.EndsWith(".duckdb", StringComparison.Ordinal) ? full[..^".duckdb".Length] : full;
            // results/20261129-170453-2 → results/20261129-170453 (the default name's own suffix, not its time)
            if (System.Text.RegularExpressions.Regex.Match(stem, @"^(.*[0-9]{8}-[0-9]{6})-[0-9]+$") is { Success: true } m) stem = m.Groups[1].Value;
            for (int i = 2; File.Exists(full); i++) full = $"{stem}-{i}.duckdb";
        }
        if (File.Exists(full)) throw new IOException($"results file {full} already exists: pass another --out path or delete it");
        string? dir = System.IO.Path.GetDirectoryName(full);
        try
        {
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create the folder for results file {full}: {e.Message}");
        }
        DuckDBConnection db;
        try
        {
            db = DuckDbSql.Open(full);
        }
        catch (DbException e)
        {
            throw new IOException($"cannot create results file {full}: {DuckDbSql.FirstLine(e.Message)}");
        }
        try
        {
            // DuckDB keeps every committed row in memory until a checkpoint writes it into the file, and keeps the
            // written blocks cached until its memory limit presses: with a 256 MB WAL threshold and a 1 GB limit a
            // 2,000 tx/s run grew ~0.2 MB/s for half an hour (and could reach 1 GB). The writer never reads back, so:
            // checkpoint every 4 MB of WAL (~25 s at 2,000 tx/s, well under a second at --max), cap DuckDB at 32 MB
            // (it evicts the written blocks, or spills to <file>.tmp if ever needed; about 18 MB is the floor of
            // partly filled segments), and have its allocator give freed memory back after each task past 8 MB (the
            // default 128 MB kept checkpoint buffers). With 8 MB / 64 MB the cap took ~2.5 min to fill at 2,000 tx/s.
            db.Execute("SET checkpoint_threshold = '4MB'; SET memory_limit = '32MB'; SET allocator_flush_threshold = '8MB'");
            ResultsSchema.Create(db);
            db.Execute("""
                INSERT INTO runs (run_id, schema_version, status, command_line, version, machine, settings, tx_type, workload_op, target_rate, shape)
                VALUES ($1, $2, 'starting', $3, $4, $5, $6, $7, $8, $9, $10)
                """,
                info.RunId, ResultsSchema.Version, info.CommandLine, info.Version, info.Machine, info.SettingsJson, info.TxType, info.WorkloadOp,
                Num(info.TargetRate), info.Shape);
            db.Execute("UPDATE runs SET read_method = $1, read_rate = $2, receipts_percent = $3, shard = $4, shard_count = $5",
                info.ReadMethod, Num(info.ReadRate), info.ReceiptsPercent, info.Shard.Index, info.Shard.Count);
        }
        catch
        {
            db.Dispose();
            throw;
        }
        return new ResultsWriter(full, db, capacity);
    }

    /// <summary>Records the nodes (index = position) and the run's targets. Before <see cref="Begin"/>.</summary>
    public void WriteNodes(IReadOnlyList<string> urls)
    {
        for (int i = 0; i < urls.Count; i++) _db.Execute("INSERT INTO nodes VALUES ($1, $2)", (byte)i, urls[i]);
        _db.Execute("UPDATE runs SET targets = $1", string.Join(',', urls));
    }

    /// <summary>--send-rpc: where each node's txs are sent (node order). Before <see cref="Begin"/>.</summary>
    public void WriteSendTargets(IReadOnlyList<string> urls) => _db.Execute("UPDATE runs SET send_targets = $1", string.Join(',', urls));

    /// <summary>--confirm-ws: the streams (index = position); their figures come with <see cref="Finish"/>. Before <see cref="Begin"/>.</summary>
    public void WriteStreams(IReadOnlyList<string> urls)
    {
        for (int i = 0; i < urls.Count; i++) _db.Execute("INSERT INTO streams (stream, url) VALUES ($1, $2)", (byte)i, urls[i]);
    }

    /// <summary>Records the contracts the workload deployed or reused (name, address, deploy tx). Before <see cref="Begin"/>.</summary>
    public void WriteContracts(IReadOnlyList<Workloads.DeployedContract> contracts)
    {
        foreach (Workloads.DeployedContract c in contracts)
            _db.Execute("INSERT INTO contracts VALUES ($1, $2, $3, $4)", c.Name, c.Address.ToString(), c.DeployTx?.ToString(), c.Reused);
    }

    /// <summary>Records each wallet's index, address and node. Before <see cref="Begin"/>.</summary>
    public void WriteWallets(IReadOnlyList<Wallet> wallets)
    {
        // Cold (once, before sending): DuckDB.NET's appender.
        using DuckDB.NET.Data.DuckDBAppender a = _db.CreateAppender("wallets");
        foreach (Wallet w in wallets)
            a.CreateRow().AppendValue((int?)w.Index).AppendValue(w.Address.ToString()).AppendValue((byte?)w.Node).EndRow();
    }

    /// <summary>Sending starts now: times count from <paramref name="startTicks"/>; the writer thread starts.</summary>
    public void Begin(long startTicks, DateTime startUtc, Func<(long Signed, NodeCounters[] Nodes)>? sampler)
    {
        _startTicks = startTicks;
        _sampler = sampler;
        // Text with an explicit +00, so the session's time zone plays no part.
        _db.Execute("UPDATE runs SET started_at = CAST($1::VARCHAR AS TIMESTAMPTZ), status = 'running'",
            startUtc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00");
        _txInclusions = new DuckDbChunkAppender(_db, "tx_inclusions", InclusionTypes);
        _errors = new DuckDbChunkAppender(_db, "errors", ErrorTypes);
        _blockRows = new DuckDbChunkAppender(_db, "blocks", BlockTypes);
        _samples = new DuckDbChunkAppender(_db, "samples", SampleTypes);
        _readRows = new DuckDbChunkAppender(_db, "read_log", ReadLogTypes);
        _preconfRows = new DuckDbChunkAppender(_db, "tx_preconfs", PreconfTypes);
        var lanes = new Lane[Math.Max(1, DrainThreads)];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = new Lane(this, i, i == 0 ? _db : _db.Connect());
        _lanes = lanes;
        foreach (Lane lane in lanes) lane.Start();
    }

    /// <summary>Queues an answered tx (any thread; never blocks, never allocates); counts it as dropped if the ring is full.</summary>
    public void Add(in TxRecord record)
    {
        if (!_txs.TryWrite(record)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Queues an answered tx if there is room (for callers that would rather wait than drop, e.g. benchmarks).</summary>
    public bool TryAdd(in TxRecord record) => _txs.TryWrite(record);

    /// <summary>Queues one of our txs seen in a block (any thread).</summary>
    public void AddInclusion(in InclusionRecord record)
    {
        if (!_inclusions.TryWrite(record)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Queues a confirmation stream's first mention of one of our txs (any thread; never blocks, never allocates).</summary>
    public void AddPreconf(in PreconfRecord record)
    {
        if (!_preconfs.TryWrite(record)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Queues an answered (or failed) read (any thread; never blocks, never allocates); counts it as dropped if the ring is full.</summary>
    public void AddRead(in ReadRecord record)
    {
        if (!_reads.TryWrite(record)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Queues a block as the watcher of node <paramref name="node"/> saw it.</summary>
    public void AddBlock(int node, BlockSeen block) => _blocks.Enqueue((node, block));

    private long Micros(long ticks) => RunRecorder.Micros(ticks - _startTicks);

    /// <summary>One draining thread: its connection, its tx_log and tx_errors appenders.</summary>
    private sealed class Lane
    {
        private readonly ResultsWriter _writer;
        private readonly int _index;
        private readonly Thread _thread;
        private int _maxErrorId;

        public Lane(ResultsWriter writer, int index, DuckDBConnection connection)
        {
            _writer = writer;
            _index = index;
            Connection = connection;
            TxLog = new DuckDbChunkAppender(connection, "tx_log", TxLogTypes);
            TxErrors = new DuckDbChunkAppender(connection, "tx_errors", TxErrorTypes);
            _thread = new Thread(Run) { Name = $"fastload-results-{index}", IsBackground = true };
        }

        public DuckDBConnection Connection { get; }

        public DuckDbChunkAppender TxLog { get; }

        public DuckDbChunkAppender TxErrors { get; }

        public void Start() => _thread.Start();

        public void Join() => _thread.Join();

        private void Run()
        {
            ResultsWriter w = _writer;
            bool first = _index == 0;
            long lastFlush = Stopwatch.GetTimestamp();
            long flushTicks = (long)(w.FlushInterval.TotalSeconds * Stopwatch.Frequency);
            long nextSample = w._startTicks + Stopwatch.Frequency;
            var sampler = new SampleState();
            try
            {
                while (true)
                {
                    bool stopping = w._stopping; // read before draining: once set, a drain that finds nothing is the last
                    int drained = DrainTxs();
                    if (first) drained += w.DrainOthers();
                    long now = Stopwatch.GetTimestamp();
                    if (first && now >= nextSample)
                    {
                        w.TakeSample(sampler, (int)Math.Round((now - w._startTicks) / (double)Stopwatch.Frequency));
                        nextSample += Stopwatch.Frequency;
                        if (nextSample < now) nextSample = now + Stopwatch.Frequency;
                    }
                    if (now - lastFlush >= flushTicks)
                    {
                        Flush();
                        lastFlush = now;
                    }
                    if (stopping && drained == 0) break;
                    // Idle or trickling: sleep, so the lanes cost the senders and signers next to no CPU. The ring
                    // holds seconds of records, so 10 ms naps never make it overflow.
                    if (drained < 4096) Thread.Sleep(10);
                }
                if (first && Stopwatch.GetTimestamp() - nextSample > -Stopwatch.Frequency / 2)
                    w.TakeSample(sampler, (int)Math.Round((Stopwatch.GetTimestamp() - w._startTicks) / (double)Stopwatch.Frequency));
                Flush();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref w._failure, e, null);
                // Keep draining so producers' rings don't just fill; what is read now is lost and counted.
                while (!w._stopping || w._txs.Count > 0 || w._inclusions.Count > 0 || w._reads.Count > 0 || w._preconfs.Count > 0)
                {
                    while (w._preconfs.TryRead(out _)) Interlocked.Increment(ref w._dropped);
                    while (w._txs.TryRead(out _)) Interlocked.Increment(ref w._dropped);
                    while (w._inclusions.TryRead(out _)) Interlocked.Increment(ref w._dropped);
                    while (w._reads.TryRead(out _)) Interlocked.Increment(ref w._dropped);
                    Thread.Sleep(5);
                }
            }
        }

        /// <summary>Moves queued tx records into this lane's appenders; returns how many it took.</summary>
        private int DrainTxs()
        {
            ResultsWriter w = _writer;
            BoundedRing<TxRecord> ring = w._txs;
            DuckDbChunkAppender log = TxLog, txErrors = TxErrors;
            int n = 0;
            // Claim up to 1024 records per cursor update: the lanes contend once per batch, not once per record.
            while (n < 65_536 && ring.TryBeginReadBatch(1024, out long first, out int count))
            {
                for (long position = first; position < first + count; position++)
                {
                    ref TxRecord r = ref ring[position];
                    log.SetInt64(0, r.Id);
                    log.SetBlob(1, r.Hash.Bytes);
                    log.SetInt32(2, r.Wallet);
                    log.SetInt64(3, (long)r.Nonce);
                    log.SetByte(4, r.Node);
                    log.SetInt64(5, w.Micros(r.IntendedTicks));
                    log.SetInt64(6, w.Micros(r.SentTicks));
                    log.SetInt64(7, w.Micros(r.AckTicks));
                    log.SetByte(8, r.Outcome);
                    log.SetByte(9, r.Op);
                    log.EndRow();
                    if (r.ErrorId != 0)
                    {
                        txErrors.SetInt64(0, r.Id);
                        txErrors.SetInt32(1, r.ErrorId);
                        txErrors.EndRow();
                        if (r.ErrorId > _maxErrorId) _maxErrorId = r.ErrorId;
                    }
                    ring.EndRead(position);
                }
                n += count;
            }
            Interlocked.Add(ref w._rows, n);
            return n;
        }

        private void Flush()
        {
            if (_index == 0) _writer.FlushOthers();
            TxLog.Flush();
            // A tx_errors row is committed only once its message is (lane 0 commits the texts).
            if (_maxErrorId < Volatile.Read(ref _writer._errorsCommitted)) TxErrors.Flush();
        }

        /// <summary>After the thread ended: close the appenders (flushing what is left) and a lane's own connection.</summary>
        public void Close()
        {
            try
            {
                TxLog.Dispose();
                TxErrors.Dispose();
            }
            finally
            {
                if (_index != 0) Connection.Dispose();
            }
        }
    }

    /// <summary>Lane 0's extra work: inclusions, reads and blocks.</summary>
    private int DrainOthers()
    {
        int n = 0;
        DuckDbChunkAppender reads = _readRows!;
        while (_reads.TryRead(out ReadRecord read))
        {
            reads.SetInt64(0, read.Id);
            reads.SetByte(1, read.Node);
            reads.SetByte(2, read.Method);
            reads.SetInt64(3, Micros(read.IntendedTicks));
            reads.SetInt64(4, Micros(read.SentTicks));
            reads.SetInt64(5, Micros(read.AckTicks));
            reads.SetByte(6, read.Outcome);
            reads.SetInt32(7, read.ErrorId);
            reads.EndRow();
            n++;
        }
        DuckDbChunkAppender inclusions = _txInclusions!;
        while (_inclusions.TryRead(out InclusionRecord inc))
        {
            inclusions.SetInt64(0, inc.Id);
            inclusions.SetInt64(1, (long)inc.Block);
            inclusions.SetInt64(2, Micros(inc.SeenTicks));
            inclusions.EndRow();
            n++;
        }
        DuckDbChunkAppender preconfs = _preconfRows!;
        while (_preconfs.TryRead(out PreconfRecord p))
        {
            preconfs.SetInt64(0, p.Id);
            preconfs.SetByte(1, p.Stream);
            preconfs.SetInt64(2, Micros(p.SeenTicks));
            preconfs.EndRow();
            n++;
        }
        while (_blocks.TryDequeue(out (int Node, BlockSeen Block) b))
        {
            DuckDbChunkAppender a = _blockRows!;
            a.SetByte(0, (byte)b.Node);
            a.SetInt64(1, (long)b.Block.Number);
            a.SetVarchar(2, b.Block.Hash.AsSpan());
            a.SetInt64(3, Micros(b.Block.SeenTicks));
            a.SetInt64(4, (long)b.Block.Timestamp);
            a.SetInt32(5, b.Block.TxCount);
            a.SetInt64(6, (long)b.Block.GasUsed);
            a.SetInt32(7, b.Block.OurTxCount);
            a.EndRow();
            n++;
        }
        return n;
    }

    /// <summary>Lane 0 commits new error texts, inclusions, blocks and samples.</summary>
    private void FlushOthers()
    {
        foreach ((int id, TxOutcome outcome, string message) in Errors.Since(_errorsWritten))
        {
            _errors!.SetInt32(0, id);
            _errors.SetVarchar(1, ResultsSchema.OutcomeName(outcome).AsSpan());
            _errors.SetVarchar(2, message.AsSpan());
            _errors.EndRow();
            _errorsWritten = id + 1;
        }
        _errors!.Flush();
        Volatile.Write(ref _errorsCommitted, _errorsWritten);
        _txInclusions!.Flush();
        _preconfRows!.Flush();
        _blockRows!.Flush();
        _samples!.Flush();
        _readRows!.Flush(); // after the error texts: a read's error_id is committed with or after its text
    }

    private sealed class SampleState
    {
        public NodeCounters[]? Last;
        public long LastSigned;
        public long LastTicks = Stopwatch.GetTimestamp();
        public TimeSpan LastCpu = Environment.CpuUsage.TotalTime;
    }

    private void TakeSample(SampleState last, int second)
    {
        if (_sampler is null) return;
        (long signed, NodeCounters[] nodes) = _sampler();
        long now = Stopwatch.GetTimestamp();
        double seconds = Math.Max(1e-3, (now - last.LastTicks) / (double)Stopwatch.Frequency);
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        double cpuPercent = (cpu - last.LastCpu).TotalSeconds / seconds * 100;
        double rssMb = ProcessMemory.ResidentBytes() / ProcessMemory.BytesPerMiB;
        double heapMb = ProcessMemory.ManagedHeapBytes() / ProcessMemory.BytesPerMiB;
        DuckDbChunkAppender a = _samples!;
        for (int i = 0; i < nodes.Length; i++)
        {
            NodeCounters c = nodes[i], p = last.Last?[i] ?? default;
            a.SetInt32(0, second);
            a.SetByte(1, (byte)i);
            a.SetInt64(2, c.Sent - p.Sent);
            a.SetInt64(3, c.Acked - p.Acked);
            a.SetInt64(4, c.Errors - p.Errors);
            a.SetInt64(5, c.Included - p.Included);
            a.SetInt64(6, c.InFlight);
            a.SetInt32(7, c.RingFill);
            a.SetDouble(8, (signed - last.LastSigned) / seconds);
            a.SetDouble(9, cpuPercent);
            a.SetInt32(10, GC.CollectionCount(0));
            a.SetInt32(11, GC.CollectionCount(1));
            a.SetInt32(12, GC.CollectionCount(2));
            a.SetDouble(13, rssMb);
            a.SetDouble(14, heapMb);
            if (c.Intended is long intended) a.SetInt64(15, intended - (p.Intended ?? 0));
            else a.SetNull(15);
            a.SetInt64(16, c.Reads - p.Reads);
            a.SetInt64(17, c.ReadErrors - p.ReadErrors);
            a.SetDouble(18, (c.WaitSigningTicks - p.WaitSigningTicks) * 1000.0 / Stopwatch.Frequency);
            a.SetDouble(19, (c.WaitNetworkTicks - p.WaitNetworkTicks) * 1000.0 / Stopwatch.Frequency);
            a.EndRow();
        }
        last.Last = nodes;
        last.LastSigned = signed;
        last.LastTicks = now;
        last.LastCpu = cpu;
    }

    /// <summary>
    /// Stops the thread after it has written everything queued, then stores the run's end, summary and
    /// verdicts, and checkpoints (the WAL is folded into the file). Safe to call once; Dispose calls it
    /// with status "failed" if the run never did.
    /// </summary>
    public void Finish(RunFinal final)
    {
        if (_finished) return;
        _finished = true;
        _stopping = true;
        foreach (Lane lane in _lanes) lane.Join();
        try
        {
            FinishCore(final);
        }
        catch (DbException e)
        {
            // E.g. the disk filled up: the file keeps what was committed; the run's status may read 'running'.
            Interlocked.CompareExchange(ref _failure, e, null);
        }
        finally
        {
            _db.Dispose();
        }
    }

    private IReadOnlyList<(long Id, string Resolution)> _resolutions = [];

    private IReadOnlyList<ReceiptRecord> _receipts = [];

    /// <summary>Receipts fetched after the run (cold: once); written by <see cref="Finish"/> into <c>tx_receipts</c>.</summary>
    public void AddReceipts(IReadOnlyList<ReceiptRecord> receipts) => _receipts = receipts;

    /// <summary>How lost or unreadable answers were settled (cold: once, after the run); written by <see cref="Finish"/>.</summary>
    public void AddResolutions(IReadOnlyList<(long Id, string Resolution)> resolutions) => _resolutions = resolutions;

    private void FinishCore(RunFinal final)
    {
        {
            // Error texts first (a lane may still hold tx_errors rows waiting for theirs), then the lanes.
            foreach (DuckDbChunkAppender? a in new[] { _errors, _txInclusions, _preconfRows, _blockRows, _samples, _readRows })
            {
                try { a?.Dispose(); } catch (DbException e) { _failure ??= e; }
            }
            foreach (Lane lane in _lanes)
            {
                try { lane.Close(); } catch (DbException e) { _failure ??= e; }
            }
            if (_resolutions.Count > 0 && Failure is null)
            {
                using DuckDB.NET.Data.DuckDBAppender a = _db.CreateAppender("tx_resolutions"); // cold: once, after the run
                foreach ((long id, string resolution) in _resolutions)
                    a.CreateRow().AppendValue((long?)id).AppendValue(resolution).EndRow();
            }
            if (_receipts.Count > 0 && Failure is null)
            {
                using DuckDB.NET.Data.DuckDBAppender a = _db.CreateAppender("tx_receipts"); // cold: once, after the run
                foreach (ReceiptRecord r in _receipts)
                    a.CreateRow().AppendValue((long?)r.Id).AppendValue((long?)(long)r.GasUsed).AppendValue((bool?)r.Success).EndRow();
            }
            // A writer that failed part-way never reports a complete run: rows are missing.
            bool failed = Failure is not null;
            string status = failed ? "failed" : final.Status;
            string? reason = !failed || final.StatusReason?.Contains("writing results failed", StringComparison.Ordinal) == true ? final.StatusReason
                : $"writing results failed: {Failure!.Message}" + (final.StatusReason is null ? "" : $"; {final.StatusReason}");
            _db.Execute("""
                UPDATE runs SET ended_at = now(), status = $1, status_reason = $2, duration_s = $3,
                    late = $4, max_lag_ms = $5, unsent = $6, gap_repairs = $7,
                    sent = $8, accepted = $9, errors = $10, included = $11, not_included = $12, dropped_records = $13,
                    ack_p50_ms = $14, ack_p99_ms = $15, inclusion_p50_ms = $16, inclusion_p99_ms = $17, verdict = $18
                """,
                status, reason, Num(final.DurationSeconds),
                final.Late, Num(final.MaxLagMs), final.Unsent, final.GapRepairs,
                final.Sent, final.Accepted, final.Errors, final.Included, final.NotIncluded, Dropped,
                Num(final.AckP50Ms), Num(final.AckP99Ms), Num(final.InclusionP50Ms), Num(final.InclusionP99Ms),
                final.Verdicts.Count == 0 ? null : final.Verdicts.All(v => v.Pass) ? "PASS" : "FAIL");
            _db.Execute("UPDATE runs SET reads = $1, read_errors = $2, read_p50_ms = $3, read_p99_ms = $4, receipts_fetched = $5, reverted = $6",
                final.Reads, final.ReadErrors, Num(final.ReadP50Ms), Num(final.ReadP99Ms), final.ReceiptsFetched, final.Reverted);
            _db.Execute("""
                UPDATE runs SET wait_signing_ms = $1, wait_network_ms = $2, ring_empty_percent = $3, ring_full_percent = $4,
                    signer_busy_percent = $5, cpu_percent = $6, bound_by = $7, bound_evidence = $8
                """,
                Num(final.WaitSigningMs), Num(final.WaitNetworkMs), Num(final.RingEmptyPercent), Num(final.RingFullPercent),
                Num(final.SignerBusyPercent), Num(final.CpuPercent), final.BoundBy, final.BoundEvidence);
            foreach (VerdictLine v in final.Verdicts)
                _db.Execute("INSERT INTO verdicts VALUES ($1, $2, $3, $4)", v.Target, Num(v.Expected), Num(v.Actual), v.Pass);
            if (final.Ledger is Workloads.WorkloadCheck ledger)
            {
                _db.Execute("UPDATE runs SET ledger_checked = $1, ledger_mismatches = $2", ledger.Checked, ledger.Mismatches.Count);
                foreach (Workloads.LedgerMismatch m in ledger.Mismatches)
                    _db.Execute("INSERT INTO ledger_mismatches VALUES ($1, $2, $3, $4)", m.Wallet, m.Address.ToString(),
                        m.Expected.ToString(CultureInfo.InvariantCulture), m.Actual.ToString(CultureInfo.InvariantCulture));
            }
            if (final.Preconfirmed is long preconfirmed)
                _db.Execute("UPDATE runs SET preconfirmed = $1, preconf_p50_ms = $2, preconf_p99_ms = $3", preconfirmed, Num(final.PreconfP50Ms), Num(final.PreconfP99Ms));
            foreach (StreamFinal f in final.Streams)
            {
                _db.Execute("""
                    UPDATE streams SET messages = $2, hashes = $3, preconfirmed = $4, preconf_p50_ms = $5, preconf_p99_ms = $6, connects = $7, error = $8
                    WHERE stream = $1
                    """, (byte)f.Stream, f.Messages, f.Hashes, f.Preconfirmed, Num(f.PreconfP50Ms), Num(f.PreconfP99Ms), (int)f.Connects, f.Error);
            }
            if (final.SustainableRate is double sustainable) _db.Execute("UPDATE runs SET sustainable_rate = $1", sustainable);
            foreach (Probe.ProbeStep p in final.Phases)
            {
                _db.Execute("INSERT INTO phases SELECT run_id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23 FROM runs",
                    p.Index, p.Name, p.Kind.ToString().ToLowerInvariant(), p.Rate, p.StartUs, p.EndUs,
                    p.Offered, p.Sent, p.Accepted, p.Included, p.IncludedRate, Num(p.InclusionP50Ms), Num(p.InclusionP99Ms),
                    p.BacklogMid, p.BacklogEnd, p.BacklogGrowth, p.BacklogTolerance,
                    p.Kind == Probe.ProbeKind.Phase ? null : p.Pass ? "PASS" : "FAIL", p.Kind == Probe.ProbeKind.Phase ? null : p.Reason,
                    Num(p.BaseFeeStartGwei), Num(p.BaseFeeEndGwei), Num(p.FeeCapGwei), p.Kind == Probe.ProbeKind.Phase ? null : p.FeeWaitSeconds);
            }
            _db.Execute("CHECKPOINT");
        }
    }

    private bool _finished;

    public void Dispose()
    {
        if (!_finished) Finish(new RunFinal { Status = "failed" });
    }

    /// <summary>A double for a parameter: NaN and ±infinity (no value measured) are NULL.</summary>
    private static double? Num(double? value) => value is double d && double.IsFinite(d) ? d : null;
}

using System.Globalization;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;
using FastLoad.Engine.Rpc;
using DuckDB.NET.Data;

namespace FastLoad.Tests.Results;

/// <summary>Results files built with <see cref="ResultsSchema.Create"/> and SQL inserts, for the report and compare tests.</summary>
public static class SyntheticResults
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string TempPath(string name) =>
        Path.Combine(Path.GetTempPath(), $"fastload-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}.duckdb");

    /// <summary>
    /// Ten hand-written txs on two nodes (values worked out in <c>RunMetricsTests</c>). <paramref name="killed"/>: the run
    /// was killed mid-way, so <c>ended_at</c>, <c>duration_s</c> and every summary column are NULL and status is still running.
    /// </summary>
    public static void WriteSmall(string path, bool killed = false)
    {
        using DuckDBConnection db = DuckDbSql.Open(path);
        ResultsSchema.Create(db);
        db.Execute(killed
            ? "INSERT INTO runs (run_id, schema_version, started_at, status, targets, tx_type, workload_op, target_rate) VALUES ('small-killed', 1, '2026-11-22 08:30:00+00', 'running', 'http://a:8545,http://b:8545', '1559', 'transfer', 4)"
            : "INSERT INTO runs VALUES ('small', 1, '2026-11-22 08:30:00+00', '2026-11-22 08:30:05+00', 'complete', 'fastload run', '0.1', 'test', 'http://a:8545,http://b:8545', '{}', '1559', 'transfer', 4, 2.5, 10, 6, 3, 5, 1, 0, 20, 102, 1000, 1600, NULL, NULL, NULL, NULL, NULL, NULL, 'constant', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 1, NULL, NULL, NULL, NULL)"); // ..., shard, shard_count (schema 9), send_targets, preconfirmed, preconf_p50_ms, preconf_p99_ms (schema 11)
        db.Execute("INSERT INTO nodes VALUES (0, 'http://a:8545'), (1, 'http://b:8545')");
        db.Execute("INSERT INTO wallets SELECT range, 'w' || range, range % 2 FROM range(10)");
        // id, node, intended, sent, ack (µs), outcome
        (long Id, int Node, long Intended, long Sent, long? Ack, TxOutcome Outcome)[] txs =
        [
            (1, 0, 0, 1_000, 11_000, TxOutcome.Accepted),               // ack 11 ms, raw 10
            (2, 0, 250_000, 252_000, 262_000, TxOutcome.Accepted),      // 12, raw 10
            (3, 0, 500_000, 500_000, 520_000, TxOutcome.Accepted),      // 20, raw 20; never included
            (4, 0, 750_000, 751_000, 781_000, TxOutcome.NonceTooLow),   // 31, raw 30
            (5, 0, 1_000_000, 1_000_000, 1_040_000, TxOutcome.AlreadyKnown), // 40, raw 40
            (6, 0, 1_250_000, 1_250_000, null, TxOutcome.Pending),      // not answered
            (7, 1, 0, 0, 5_000, TxOutcome.Accepted),                    // 5, raw 5
            (8, 1, 500_000, 500_000, 505_000, TxOutcome.Accepted),      // 5, raw 5
            (9, 1, 1_000_000, 1_002_000, 1_102_000, TxOutcome.Underpriced), // 102, raw 100
            (10, 1, 1_500_000, 1_500_000, 1_600_000, TxOutcome.Underpriced), // 100, raw 100
        ];
        foreach (var t in txs)
            db.Execute(string.Create(C, $"INSERT INTO tx_log VALUES ({t.Id}, unhex(sha256('{t.Id}')), {t.Id - 1}, {t.Id}, {t.Node}, {t.Intended}, {t.Sent}, {(t.Ack is long a ? a.ToString(C) : "NULL")}, {(int)t.Outcome}, 0)"));
        db.Execute("INSERT INTO errors VALUES (1, 'nonce_too_low', 'nonce too low'), (2, 'underpriced', 'transaction underpriced')");
        db.Execute("INSERT INTO tx_errors VALUES (4, 1), (9, 2), (10, 2)");
        // inclusion ms: 1 → 1000, 2 → 750, 5 → 1000, 7 → 1100, 8 → 1600
        db.Execute("INSERT INTO tx_inclusions VALUES (1, 10, 1000000), (2, 10, 1000000), (5, 11, 2000000), (7, 10, 1100000), (8, 11, 2100000)");
        db.Execute("""
            INSERT INTO blocks VALUES
              (0, 10, '0x0a', 1000000, 1795336201, 3, 63000, 3), (0, 11, '0x0b', 2000000, 1795336202, 2, 42000, 2),
              (1, 10, '0x0a', 1100000, 1795336201, 3, 63000, 3), (1, 11, '0x0b', 2100000, 1795336202, 2, 42000, 2),
              (1, 12, '0x0c', 3100000, 1795336203, 0, 0, 0)
            """);
        db.Execute("INSERT INTO samples VALUES (1, 0, 4, 4, 1, 2, 0, 10, 100, 50, 1, 0, 0, 180, 40, 4, 0, 0, 0, 0), (1, 1, 2, 2, 0, 1, 0, 10, 100, 50, 1, 0, 0, 180, 40, 2, 0, 0, 0, 0), (2, 0, 2, 1, 0, 1, 1, 10, 100, 50, 1, 0, 0, 181, 41, 2, 0, 0, 0, 0), (2, 1, 2, 2, 2, 1, 0, 10, 100, 50, 1, 0, 0, 181, 41, 2, 0, 0, 0, 0)");
    }

    /// <summary>A run killed before its first tx: schema and the runs row only.</summary>
    public static void WriteEmpty(string path)
    {
        using DuckDBConnection db = DuckDbSql.Open(path);
        ResultsSchema.Create(db);
        db.Execute("INSERT INTO runs (run_id, schema_version, started_at, status, target_rate) VALUES ('empty', 1, '2026-11-22 08:30:00+00', 'running', 100)");
    }

    /// <summary>One phase of <see cref="WriteProbe"/>'s file, as it goes into <c>phases</c>.</summary>
    public sealed record ProbePhase(string Name, string Kind, double Rate, double IncludedRate, bool Pass, string Reason);

    /// <summary>The phases of <see cref="WriteProbe"/>, in the order run: steps up to a failing 400, bisect, a hold at 300.</summary>
    public static readonly ProbePhase[] ProbePhases =
    [
        new("step 1", "step", 100, 96.8, true, "ok"),
        new("step 2", "step", 200, 196, true, "ok"),
        new("step 3", "step", 400, 310, false, "backlog grew 135 (> 60)"),
        new("bisect 1", "bisect", 300, 296, true, "ok"),
        new("bisect 2", "bisect", 350, 312, false, "inclusion p99 4,100 ms > 3,001 ms; backlog grew 57 (> 52)"),
        new("hold", "hold", 300, 298.5, true, "ok"),
    ];

    /// <summary>The hold's rate: <c>runs.sustainable_rate</c> of <see cref="WriteProbe"/>'s file.</summary>
    public const double ProbeSustainable = 300;

    /// <summary>A probe's results file: a generated 20 s run plus <see cref="ProbePhases"/> in <c>phases</c> and <c>runs.sustainable_rate</c>.</summary>
    public static void WriteProbe(string path, bool sustainable = true)
    {
        WriteGenerated(path, new Profile { Seconds = 20, Rate = 200, Nodes = 1 });
        using DuckDBConnection db = DuckDbSql.Open(path);
        long start = 0;
        for (int i = 0; i < ProbePhases.Length; i++)
        {
            ProbePhase p = ProbePhases[i];
            long end = start + (p.Kind == "hold" ? 4_000_000 : 3_000_000), offered = (long)(p.Rate * (end - start) / 1e6);
            long included = (long)(p.IncludedRate * (end - start) / 1e6), tolerance = (long)(p.Rate * 0.15);
            (long mid, long last) = p.Pass ? (2L, 1L) : (40L, 40 + (long)((p.Rate - p.IncludedRate) * 1.5)); // the reasons say the growth
            db.Execute(string.Create(C, $"""
                INSERT INTO phases VALUES ('gen-200-2', {i}, '{p.Name}', '{p.Kind}', {p.Rate}, {start}, {end}, {offered}, {offered}, {offered},
                  {included}, {p.IncludedRate}, {(p.Pass ? 520 : 1800)}, {(p.Pass ? 1010 : 4100)}, {mid}, {last}, {last - mid}, {tolerance},
                  '{(p.Pass ? "PASS" : "FAIL")}', '{p.Reason}', {1.0 + i * 0.5}, {1.5 + i * 0.5}, 21.0, {(i == 0 ? 0 : 1.5)})
                """));
            start = end + 500_000;
        }
        if (sustainable) db.Execute(string.Create(C, $"UPDATE runs SET sustainable_rate = {ProbeSustainable}"));
    }

    /// <summary>Shape of a generated run.</summary>
    public sealed record Profile
    {
        public int Seconds { get; init; } = 20;
        public double TargetRate { get; init; } = 200;
        public double Rate { get; init; } = 200;
        public int Nodes { get; init; } = 2;
        /// <summary>Ack latency of the fastest tx; the slowest is 4x this (uniform over i % 100).</summary>
        public double AckMs { get; init; } = 2;
        /// <summary>Errors per thousand txs (nonce_too_low and underpriced); tripled in the middle third of the run.</summary>
        public int ErrorsPerMille { get; init; } = 5;
        /// <summary>How long after the block's second it is seen, ms.</summary>
        public int BlockLagMs { get; init; } = 300;
        public bool Killed { get; init; }
        /// <summary>Reads/s (<c>--read-rate</c>, eth_blockNumber, across the nodes); 0 = none.</summary>
        public double ReadRate { get; init; }
        /// <summary>Latency of the fastest read from its intended time; the slowest is 4x this (uniform over i % 100).</summary>
        public double ReadMs { get; init; } = 1;
        /// <summary>Failed reads per thousand (JSON-RPC errors and lost connections, alternately).</summary>
        public int ReadErrorsPerMille { get; init; }
    }

    /// <summary>A realistic run: steady rate, per-tx latency spread, an error burst, one block a second per node.</summary>
    public static void WriteGenerated(string path, Profile p)
    {
        using DuckDBConnection db = DuckDbSql.Open(path);
        ResultsSchema.Create(db);
        long count = (long)(p.Seconds * p.Rate);
        string urls = string.Join(',', Enumerable.Range(0, p.Nodes).Select(n => $"http://127.0.0.1:{8545 + n}"));
        db.Execute(p.Killed
            ? string.Create(C, $"INSERT INTO runs (run_id, schema_version, started_at, status, targets, tx_type, workload_op, target_rate) VALUES ('gen-killed', 1, '2026-11-22 08:30:00+00', 'running', '{urls}', '1559', 'transfer', {p.TargetRate})")
            : string.Create(C, $"INSERT INTO runs (run_id, schema_version, started_at, ended_at, status, targets, tx_type, workload_op, target_rate, duration_s) VALUES ('gen-{p.Rate}-{p.AckMs}', 1, '2026-11-22 08:30:00+00', TIMESTAMPTZ '2026-11-22 08:30:00+00' + INTERVAL ({p.Seconds + 3}) SECOND, 'complete', '{urls}', '1559', 'transfer', {p.TargetRate}, {p.Seconds})"));
        db.Execute(string.Create(C, $"INSERT INTO nodes SELECT range, 'http://127.0.0.1:' || (8545 + range) FROM range({p.Nodes})"));
        db.Execute(string.Create(C, $"INSERT INTO wallets SELECT range, 'w' || range, range % {p.Nodes} FROM range(100)"));
        db.Execute(string.Create(C, $"""
            INSERT INTO tx_log
            SELECT i, unhex(sha256(i::VARCHAR)), i % 100, i // 100, i % {p.Nodes},
                   intended, intended + 200 + (i % 7) * 50,
                   intended + CAST({p.AckMs} * 1000 * (1 + (i % 100) / 33.0) AS BIGINT),
                   CASE WHEN (i * 7919) % 1000 < {p.ErrorsPerMille} * (CASE WHEN intended BETWEEN {p.Seconds / 3 * 1_000_000L} AND {p.Seconds * 2 / 3 * 1_000_000L} THEN 3 ELSE 1 END)
                        THEN (CASE WHEN i % 2 = 0 THEN {(int)TxOutcome.NonceTooLow} ELSE {(int)TxOutcome.Underpriced} END)
                        ELSE {(int)TxOutcome.Accepted} END,
                   0 -- op: transfer
            FROM (SELECT range AS i, CAST(range * 1e6 / {p.Rate} AS BIGINT) AS intended FROM range({count}))
            """));
        db.Execute($"INSERT INTO errors VALUES (1, 'nonce_too_low', 'nonce too low'), (2, 'underpriced', 'replacement transaction underpriced')");
        db.Execute($"INSERT INTO tx_errors SELECT id, CASE outcome WHEN {(int)TxOutcome.NonceTooLow} THEN 1 ELSE 2 END FROM tx_log WHERE outcome NOT IN ({(int)TxOutcome.Accepted})");
        // One chain: block b holds the accepted txs intended in second b-1 (every tenth waits one block more); every node sees it b s + lag.
        db.Execute(string.Create(C, $"""
            INSERT INTO tx_inclusions
            SELECT id, b, b * 1000000 + {p.BlockLagMs * 1000}
            FROM (SELECT id, intended_us // 1000000 + 1 + CASE WHEN id % 10 = 0 THEN 1 ELSE 0 END AS b FROM tx_log WHERE outcome = {(int)TxOutcome.Accepted})
            WHERE b <= {p.Seconds + (p.Killed ? 0 : 2)}
            """));
        db.Execute(string.Create(C, $"""
            INSERT INTO blocks
            SELECT n.node, b.range, '0x' || b.range, b.range * 1000000 + {p.BlockLagMs * 1000}, 1795336200 + b.range,
                   coalesce(c.k, 0) + 3, (coalesce(c.k, 0) + 3) * 21000, coalesce(c.k, 0)
            FROM range(1, {p.Seconds + 3}) b CROSS JOIN nodes n
            LEFT JOIN (SELECT block, count(*) AS k FROM tx_inclusions GROUP BY ALL) c ON c.block = b.range
            """));
        // Per second and node, as the writer's sampler counts them (sent/acked/errors during the second).
        db.Execute(string.Create(C, $"""
            INSERT INTO samples
            SELECT s.range, n.node, coalesce(a.sent, 0), coalesce(b.acked, 0), coalesce(b.errors, 0),
                   0, 3, 500, {p.Rate * 1.5}, 40.0, s.range * 2, s.range // 5, 0, 180.0, 40.0, coalesce(a.sent, 0), 0, 0, 100.0 + s.range, 200.0 + s.range
            FROM range(1, {p.Seconds + 1}) s CROSS JOIN nodes n
            LEFT JOIN (SELECT node, sent_us // 1000000 + 1 AS t, count(*) AS sent FROM tx_log GROUP BY ALL) a ON a.node = n.node AND a.t = s.range
            LEFT JOIN (SELECT node, ack_us // 1000000 + 1 AS t, count(*) AS acked, count(*) FILTER (outcome <> {(int)TxOutcome.Accepted}) AS errors
                       FROM tx_log GROUP BY ALL) b ON b.node = n.node AND b.t = s.range
            """));
        if (p.ReadRate > 0) WriteReads(db, p);
    }

    /// <summary>Reads on the smooth schedule beside the txs: <c>read_log</c>, the samples' read counts and the run's read settings.</summary>
    private static void WriteReads(DuckDBConnection db, Profile p)
    {
        long count = (long)(p.Seconds * p.ReadRate);
        db.Execute(string.Create(C, $"""
            INSERT INTO read_log
            SELECT i, i % {p.Nodes}, 0, intended, intended + 100,
                   intended + CAST({p.ReadMs} * 1000 * (1 + (i % 100) / 33.0) AS BIGINT),
                   CASE WHEN (i * 7919) % 1000 < {p.ReadErrorsPerMille} THEN (CASE WHEN i % 2 = 0 THEN 1 ELSE 4 END) ELSE 0 END,
                   0
            FROM (SELECT range AS i, CAST(range * 1e6 / {p.ReadRate} AS BIGINT) AS intended FROM range({count}))
            """));
        db.Execute("""
            UPDATE samples SET reads = r.n, read_errors = r.errors
            FROM (SELECT node, ack_us // 1000000 + 1 AS t, count(*) AS n, count(*) FILTER (outcome <> 0) AS errors FROM read_log GROUP BY ALL) r
            WHERE r.node = samples.node AND r.t = samples.t_s
            """);
        db.Execute(string.Create(C, $"UPDATE runs SET read_method = 'eth_blockNumber', read_rate = {p.ReadRate}"));
    }
}

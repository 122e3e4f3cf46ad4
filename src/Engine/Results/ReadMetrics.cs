using DuckDB.NET.Data;

namespace FastLoad.Engine.Results;

/// <summary>
/// The read traffic of one results file (<c>run --read-rate</c>), computed with SQL from <c>read_log</c> like
/// <see cref="RunMetrics"/> from the tx rows. A read's row is written when its answer (or its failure) is read, so
/// every row is an answered read. <b>ok</b> = outcome ok; <b>errors</b> = every other outcome (a JSON-RPC error,
/// HTTP 429 or another status, a lost connection, no answer); <b>latency</b> = answer − the read's intended time,
/// <b>raw</b> = answer − its send time. Percentiles are <c>quantile_disc</c>, as for the txs.
/// </summary>
public sealed class ReadMetrics
{
    /// <summary><c>runs.read_method</c> (--read-method as asked); null in a file that did not record it.</summary>
    public string? Method { get; init; }

    /// <summary><c>runs.read_rate</c>: reads/s asked for across all nodes; null when not recorded.</summary>
    public double? TargetRate { get; init; }

    /// <summary>Rows of <c>read_log</c>.</summary>
    public long Reads { get; init; }

    public long Ok { get; init; }

    public long Errors => Reads - Ok;

    /// <summary>Not-ok outcome name → count, largest first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ErrorsByOutcome { get; init; } = [];

    /// <summary>Reads per second of sending time.</summary>
    public double AchievedRate { get; init; }

    /// <summary>Errors / reads × 100; null without reads.</summary>
    public double? ErrorPercent => Reads == 0 ? null : Errors * 100.0 / Reads;

    /// <summary>Ok / reads × 100; null without reads.</summary>
    public double? SuccessPercent => Reads == 0 ? null : Ok * 100.0 / Reads;

    public double? P50Ms { get; init; }
    public double? P90Ms { get; init; }
    public double? P99Ms { get; init; }
    public double? MaxMs { get; init; }

    /// <summary>p99 of answer − send time (hides waits for the connection; compare with <see cref="P99Ms"/>).</summary>
    public double? RawP99Ms { get; init; }

    /// <summary>
    /// The read metrics of the results open on <paramref name="db"/>, or null when the run sent no reads (no
    /// <c>--read-rate</c>, or a file from before schema 5).
    /// </summary>
    public static ReadMetrics? Load(DuckDBConnection db, double durationSeconds)
    {
        if (Rows.Of(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'read_log'").GetInt64(0, 0) == 0) return null;
        bool recorded = Rows.Of(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'read_rate'").GetInt64(0, 0) > 0;
        Rows run = Rows.Of(db, recorded ? "SELECT read_method, read_rate FROM runs LIMIT 1" : "SELECT NULL, NULL");
        Rows r = Rows.Of(db, """
            WITH l AS (SELECT o.name AS outcome, (l.ack_us - l.intended_us) / 1000.0 AS latency_ms, (l.ack_us - l.sent_us) / 1000.0 AS raw_ms
                       FROM read_log l JOIN read_outcomes o USING (outcome))
            SELECT count(*), count(*) FILTER (outcome = 'ok'),
                   quantile_disc(latency_ms, 0.5), quantile_disc(latency_ms, 0.9), quantile_disc(latency_ms, 0.99), max(latency_ms),
                   quantile_disc(raw_ms, 0.99)
            FROM l
            """);
        long reads = r.GetInt64(0, 0);
        if (reads == 0 && (run.RowCount == 0 || run.IsNull(0, 1))) return null;
        Rows errors = Rows.Of(db, """
            SELECT o.name, count(*) AS n FROM read_log l JOIN read_outcomes o USING (outcome)
            WHERE o.name <> 'ok' GROUP BY ALL ORDER BY n DESC, o.name
            """);
        var byOutcome = new List<KeyValuePair<string, long>>();
        for (int i = 0; i < errors.RowCount; i++) byOutcome.Add(new(errors.GetString(i, 0)!, errors.GetInt64(i, 1)));
        return new ReadMetrics
        {
            Method = run.RowCount == 0 ? null : run.GetString(0, 0),
            TargetRate = run.RowCount == 0 || run.IsNull(0, 1) ? null : run.GetDouble(0, 1),
            Reads = reads,
            Ok = r.GetInt64(0, 1),
            ErrorsByOutcome = byOutcome,
            AchievedRate = durationSeconds > 0 ? reads / durationSeconds : 0,
            P50Ms = Nullable(r, 2),
            P90Ms = Nullable(r, 3),
            P99Ms = Nullable(r, 4),
            MaxMs = Nullable(r, 5),
            RawP99Ms = Nullable(r, 6),
        };
    }

    private static double? Nullable(Rows r, int column) => r.IsNull(0, column) ? null : r.GetDouble(0, column);
}

using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>
/// Per-second and per-block series of one results file, for the report's charts. Seconds count from
/// <c>runs.started_at</c>; second <c>s</c> is the interval [s, s+1). Like <see cref="RunMetrics"/>, everything comes from
/// the tx rows and <c>blocks</c>, so a killed run charts too.
/// </summary>
public sealed class RunSeries
{
    /// <summary>Txs sent per second (by actual send time), index = second.</summary>
    public required double[] SentPerSecond { get; init; }

    /// <summary>
    /// Per second from <c>samples</c> (one interval ends at each <c>t_s</c>): txs the shape made due (<c>intended</c>)
    /// and txs sent over the same interval, index = t_s − 1. Null when the file has no intended counts (a --max run, or
    /// a file from before schema 3).
    /// </summary>
    public double[]? IntendedPerSecond { get; init; }
    public double[]? SampledSentPerSecond { get; init; }

    /// <summary>Ack latency percentiles of the txs intended in each second (ms; NaN when none was answered).</summary>
    public required double[] AckP50 { get; init; }
    public required double[] AckP99 { get; init; }

    /// <summary>Inclusion latency percentiles of the txs intended in each second (ms; NaN when none was included).</summary>
    public required double[] InclusionP50 { get; init; }
    public required double[] InclusionP99 { get; init; }

    /// <summary>
    /// Reads answered and, of them, not ok, each second (<c>samples.reads</c>, <c>samples.read_errors</c>; index = t_s − 1);
    /// null when the run sent no reads.
    /// </summary>
    public double[]? ReadsPerSecond { get; init; }
    public double[]? ReadErrorsPerSecond { get; init; }

    /// <summary>Read latency percentiles of the reads due in each second (ms from the intended time; NaN when none); null without reads.</summary>
    public double[]? ReadP50 { get; init; }
    public double[]? ReadP99 { get; init; }

    /// <summary>Error outcome name → errors answered in each second (answers after the last send second count in it).</summary>
    public required IReadOnlyList<KeyValuePair<string, double[]>> ErrorsPerSecond { get; init; }

    /// <summary>Inclusion latency histogram: bucket lower bounds (ms, equal width <see cref="InclusionBucketMs"/>) and counts.</summary>
    public required double[] InclusionBucketStart { get; init; }
    public required long[] InclusionBucketCount { get; init; }
    public double InclusionBucketMs { get; init; }

    /// <summary>Blocks in number order (a block seen by several nodes once): number, all txs, ours, gas used.</summary>
    public required BlockPoint[] Blocks { get; init; }

    /// <summary>True when nodes reported different blocks under one number (separate chains); <see cref="Blocks"/> then sums them per number.</summary>
    public bool SeparateChains { get; init; }

    public int Seconds => SentPerSecond.Length;

    public static RunSeries Load(DuckDBConnection db, int histogramBuckets = 40)
    {
        // The seconds of sending: runs.duration_s rounded up, or (killed run) up to the last send. The last batch can
        // leave a few µs after the end; it and answers after the last second count in the last second.
        Rows span = Rows.Of(db, """
            SELECT (SELECT ceil(max(duration_s) - 1e-6) FROM runs),
                   (SELECT greatest(coalesce(max(sent_us), -1), coalesce(max(intended_us), -1)) // 1000000 + 1 FROM tx_log)
            """);
        int seconds = (int)Math.Max(0, span.IsNull(0, 0) ? span.GetInt64(0, 1) : Math.Max(1, span.GetDouble(0, 0)));

        double[] sent = new double[seconds];
        Rows r = Rows.Of(db, "SELECT sent_us // 1000000 AS s, count(*) FROM tx_log WHERE sent_us IS NOT NULL GROUP BY s");
        for (int i = 0; i < r.RowCount; i++) Add(sent, Math.Min(r.GetInt64(i, 0), seconds - 1), r.GetInt64(i, 1));

        double[]? intended = null, sampledSent = null;
        bool hasIntended = Rows.Of(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'samples' AND column_name = 'intended'").GetInt64(0, 0) > 0;
        if (hasIntended)
        {
            r = Rows.Of(db, "SELECT t_s - 1 AS s, sum(intended), sum(sent) FROM samples WHERE intended IS NOT NULL AND t_s >= 1 GROUP BY s");
            if (r.RowCount > 0)
            {
                intended = Nan(seconds);
                sampledSent = Nan(seconds);
                for (int i = 0; i < r.RowCount; i++)
                {
                    long s = r.GetInt64(i, 0);
                    if (s >= seconds) continue; // the grace period's samples: nothing is due or sent then
                    Put(intended, s, r.GetDouble(i, 1));
                    Put(sampledSent, s, r.GetDouble(i, 2));
                }
            }
        }

        double[] ackP50 = Nan(seconds), ackP99 = Nan(seconds), incP50 = Nan(seconds), incP99 = Nan(seconds);
        r = Rows.Of(db, """
            WITH inc AS (SELECT id, min(seen_us) AS seen_us FROM tx_inclusions GROUP BY id)
            SELECT l.intended_us // 1000000 AS s,
                   quantile_disc((l.ack_us - l.intended_us) / 1000.0, 0.5) FILTER (l.outcome <> 0 AND l.ack_us IS NOT NULL),
                   quantile_disc((l.ack_us - l.intended_us) / 1000.0, 0.99) FILTER (l.outcome <> 0 AND l.ack_us IS NOT NULL),
                   quantile_disc((inc.seen_us - l.intended_us) / 1000.0, 0.5),
                   quantile_disc((inc.seen_us - l.intended_us) / 1000.0, 0.99)
            FROM tx_log l LEFT JOIN inc USING (id)
            GROUP BY s
            """);
        for (int i = 0; i < r.RowCount; i++)
        {
            long s = r.GetInt64(i, 0);
            if (!r.IsNull(i, 1)) Put(ackP50, s, r.GetDouble(i, 1));
            if (!r.IsNull(i, 2)) Put(ackP99, s, r.GetDouble(i, 2));
            if (!r.IsNull(i, 3)) Put(incP50, s, r.GetDouble(i, 3));
            if (!r.IsNull(i, 4)) Put(incP99, s, r.GetDouble(i, 4));
        }

        (double[]? reads, double[]? readErrors, double[]? readP50, double[]? readP99) = LoadReads(db, seconds);

        var errors = new List<KeyValuePair<string, double[]>>();
        r = Rows.Of(db, """
            SELECT o.name, coalesce(l.ack_us, l.sent_us) // 1000000 AS s, count(*)
            FROM tx_log l JOIN outcomes o USING (outcome)
            WHERE o.name NOT IN ('pending', 'accepted', 'already_known')
            GROUP BY ALL ORDER BY o.name, s
            """);
        for (int i = 0; i < r.RowCount; i++)
        {
            string name = r.GetString(i, 0)!;
            if (errors.Count == 0 || errors[^1].Key != name) errors.Add(new(name, new double[seconds]));
            Add(errors[^1].Value, Math.Min(r.GetInt64(i, 1), seconds - 1), r.GetInt64(i, 2));
        }

        // Histogram up to the 99.9th percentile (the tail beyond it goes into the last bucket), nice bucket width.
        double top = ScalarDouble(db, """
            SELECT quantile_disc((i.seen_us - l.intended_us) / 1000.0, 0.999)
            FROM (SELECT id, min(seen_us) AS seen_us FROM tx_inclusions GROUP BY id) i JOIN tx_log l USING (id)
            """);
        double width = 0;
        double[] starts = [];
        long[] counts = [];
        if (!double.IsNaN(top))
        {
            width = NiceStep(Math.Max(top, 1) / histogramBuckets);
            int buckets = (int)Math.Floor(top / width) + 1;
            starts = new double[buckets];
            counts = new long[buckets];
            for (int b = 0; b < buckets; b++) starts[b] = b * width;
            r = Rows.Of(db, FormattableString.Invariant($"""
                SELECT least(greatest(floor((i.seen_us - l.intended_us) / 1000.0 / {width}), 0), {buckets - 1})::BIGINT AS b, count(*)
                FROM (SELECT id, min(seen_us) AS seen_us FROM tx_inclusions GROUP BY id) i JOIN tx_log l USING (id)
                GROUP BY b
                """));
            for (int i = 0; i < r.RowCount; i++) counts[r.GetInt64(i, 0)] = r.GetInt64(i, 1);
        }

        // One row per block (hash); nodes on separate chains have different blocks under one number: summed.
        r = Rows.Of(db, """
            SELECT number, sum(tx), sum(ours), sum(gas), count(*) AS chains
            FROM (SELECT number, coalesce(hash, number::VARCHAR) AS h, max(tx_count) AS tx, max(our_tx_count) AS ours, max(gas_used) AS gas
                  FROM blocks GROUP BY number, h)
            GROUP BY number ORDER BY number
            """);
        bool separateChains = false;
        var blocks = new BlockPoint[r.RowCount];
        for (int i = 0; i < r.RowCount; i++)
        {
            blocks[i] = new BlockPoint(r.GetInt64(i, 0), r.IsNull(i, 1) ? 0 : r.GetInt64(i, 1), r.IsNull(i, 2) ? 0 : r.GetInt64(i, 2), r.IsNull(i, 3) ? 0 : r.GetInt64(i, 3));
            separateChains |= r.GetInt64(i, 4) > 1;
        }

        return new RunSeries
        {
            SentPerSecond = sent,
            IntendedPerSecond = intended,
            SampledSentPerSecond = sampledSent,
            AckP50 = ackP50,
            AckP99 = ackP99,
            InclusionP50 = incP50,
            InclusionP99 = incP99,
            ErrorsPerSecond = errors,
            ReadsPerSecond = reads,
            ReadErrorsPerSecond = readErrors,
            ReadP50 = readP50,
            ReadP99 = readP99,
            InclusionBucketStart = starts,
            InclusionBucketCount = counts,
            InclusionBucketMs = width,
            Blocks = blocks,
            SeparateChains = separateChains,
        };
    }

    /// <summary>The read series: per-second counts from <c>samples</c>, percentiles from <c>read_log</c>; nulls when there were no reads.</summary>
    private static (double[]? Reads, double[]? Errors, double[]? P50, double[]? P99) LoadReads(DuckDBConnection db, int seconds)
    {
        if (seconds == 0 || Rows.Of(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'read_log'").GetInt64(0, 0) == 0) return (null, null, null, null);
        if (Rows.Of(db, "SELECT count(*) FROM read_log").GetInt64(0, 0) == 0) return (null, null, null, null);
        double[]? reads = null, errors = null;
        Rows r = Rows.Of(db, "SELECT t_s - 1 AS s, sum(reads), sum(read_errors) FROM samples WHERE t_s >= 1 GROUP BY s");
        if (r.RowCount > 0)
        {
            reads = new double[seconds];
            errors = new double[seconds];
            for (int i = 0; i < r.RowCount; i++)
            {
                // Reads answered after the last second of sending (the drain) count in it, as errors do.
                long s = Math.Min(r.GetInt64(i, 0), seconds - 1);
                if (!r.IsNull(i, 1)) Add(reads, s, r.GetDouble(i, 1));
                if (!r.IsNull(i, 2)) Add(errors, s, r.GetDouble(i, 2));
            }
        }
        double[] p50 = Nan(seconds), p99 = Nan(seconds);
        r = Rows.Of(db, "SELECT intended_us // 1000000 AS s, quantile_disc((ack_us - intended_us) / 1000.0, 0.5), quantile_disc((ack_us - intended_us) / 1000.0, 0.99) FROM read_log GROUP BY s");
        for (int i = 0; i < r.RowCount; i++)
        {
            long s = r.GetInt64(i, 0);
            if (!r.IsNull(i, 1)) Put(p50, s, r.GetDouble(i, 1));
            if (!r.IsNull(i, 2)) Put(p99, s, r.GetDouble(i, 2));
        }
        return (reads, errors, p50, p99);
    }

    /// <summary>1, 2, 2.5 or 5 times a power of ten, at least <paramref name="raw"/>.</summary>
    public static double NiceStep(double raw)
    {
        if (raw <= 0 || double.IsNaN(raw)) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double m in (ReadOnlySpan<double>)[1, 2, 2.5, 5, 10])
            if (m * power >= raw * (1 - 1e-9)) return m * power;
        return 10 * power;
    }

    private static void Put(double[] series, long second, double value)
    {
        if (second >= 0 && second < series.Length) series[second] = value;
    }

    private static void Add(double[] series, long second, double value)
    {
        if (second >= 0 && second < series.Length) series[second] += value;
    }

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    private static double ScalarDouble(DuckDBConnection db, string sql)
    {
        Rows r = Rows.Of(db, sql);
        return r.IsNull(0, 0) ? double.NaN : r.GetDouble(0, 0);
    }
}

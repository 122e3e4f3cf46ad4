using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>
/// The headline metrics of one results file, computed with SQL from the per-tx rows (<c>tx_log</c>,
/// <c>tx_inclusions</c>) and the <c>blocks</c> table — never from the summary columns of <c>runs</c>, which a
/// killed run leaves NULL. The only <c>runs</c> columns read are the run's identity and settings (run id, start,
/// status, target rate) and <c>duration_s</c> when present; without it the duration is the last send time.
/// <para>Definitions: <b>sent</b> = rows of <c>tx_log</c>; <b>answered</b> = outcome other than pending;
/// <b>accepted</b> = accepted or already_known; <b>errors</b> = answered and not accepted (by outcome class);
/// <b>success %</b> = accepted / answered; <b>ack latency</b> = ack − intended send (the <c>txs.ack_ms</c> column),
/// <b>raw</b> = ack − actual send; <b>accepted</b> counts a tx whose answer was lost (connection_lost, no_answer) but
/// that a block shows landed; <b>included</b> = txs with a block; <b>not included</b> = outcome accepted and no block;
/// <b>inclusion latency</b> = block seen − intended send. Percentiles are <c>quantile_disc</c>: an observed value,
/// the smallest with at least p % of the values at or below it.</para>
/// </summary>
public sealed class RunMetrics
{
    public required string RunId { get; init; }

    /// <summary><c>runs.status</c> (running | complete | interrupted | failed); <c>killed</c> when no end time was written.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Sending time, seconds: <c>runs.duration_s</c>, or the last send time when the run did not record it.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>True when <see cref="DurationSeconds"/> comes from the data (killed run), not from <c>runs.duration_s</c>.</summary>
    public bool DurationFromData { get; init; }

    /// <summary>Target tx/s; null for <c>--max</c>.</summary>
    public double? TargetRate { get; init; }

    /// <summary>The run's load shape (<c>runs.shape</c>, e.g. ramp:50..300); null for --max or a file from before schema 3.</summary>
    public string? Shape { get; init; }

    public required TxMetrics Total { get; init; }

    /// <summary>The same metrics per node, by node index.</summary>
    public required IReadOnlyList<TxMetrics> Nodes { get; init; }

    /// <summary>
    /// --confirm-ws: txs at least one stream mentioned, and the earliest mention - intended send (ms); null for a run
    /// without streams (or a file from before schema 11).
    /// </summary>
    public PreconfMetrics? Preconf { get; init; }

    /// <summary>--confirm-ws: the same per stream, in stream order; empty without streams.</summary>
    public IReadOnlyList<PreconfMetrics> Streams { get; init; } = [];

    /// <summary>The read traffic (<c>--read-rate</c>); null when the run sent no reads.</summary>
    public ReadMetrics? Reads { get; init; }

    /// <summary>Reads the metrics of the results file at <paramref name="path"/>, read-only.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a FastLoad results file, or still open for writing.</exception>
    public static RunMetrics Load(string path)
    {
        using ResultsFiles file = ResultsFile.OpenReadOnly(path);
        return Load(file.Connection);
    }

    /// <summary>Reads the metrics of the results database open on <paramref name="db"/>.</summary>
    public static RunMetrics Load(DuckDBConnection db)
    {
        Rows run = Rows.Of(db, """
            SELECT run_id, epoch_us(started_at), epoch_us(ended_at), status, target_rate, duration_s,
                   (SELECT max(sent_us) FROM tx_log) / 1e6 AS last_send_s
            FROM runs LIMIT 1
            """);
        if (run.RowCount == 0) throw new InvalidDataException("the runs table is empty (the run never started writing)");

        // One pass over the txs: GROUPING SETS gives the total (grouping = 1) and one row per node.
        Rows rows = Rows.Of(db, """
            WITH inc AS (SELECT id, min(seen_us) AS seen_us FROM tx_inclusions GROUP BY id),
            t AS (
                SELECT l.node, o.name AS outcome,
                       CASE WHEN o.name <> 'pending' AND l.ack_us IS NOT NULL THEN (l.ack_us - l.intended_us) / 1000.0 END AS ack_ms,
                       CASE WHEN o.name <> 'pending' AND l.ack_us IS NOT NULL THEN (l.ack_us - l.sent_us) / 1000.0 END AS raw_ms,
                       (inc.seen_us - l.intended_us) / 1000.0 AS inclusion_ms
                FROM tx_log l JOIN outcomes o USING (outcome) LEFT JOIN inc USING (id)
            )
            SELECT GROUPING(node) AS total, node,
                   count(*) AS sent,
                   count(*) FILTER (outcome <> 'pending') AS answered,
                   count(*) FILTER (outcome IN ('accepted', 'already_known') OR (outcome IN ('connection_lost', 'no_answer') AND inclusion_ms IS NOT NULL)) AS accepted,
                   count(*) FILTER (outcome NOT IN ('pending', 'accepted', 'already_known') AND NOT (outcome IN ('connection_lost', 'no_answer') AND inclusion_ms IS NOT NULL)) AS errors,
                   quantile_disc(ack_ms, 0.5) AS ack_p50, quantile_disc(ack_ms, 0.9) AS ack_p90,
                   quantile_disc(ack_ms, 0.99) AS ack_p99, max(ack_ms) AS ack_max,
                   quantile_disc(raw_ms, 0.99) AS raw_p99,
                   count(inclusion_ms) AS included,
                   count(*) FILTER (outcome = 'accepted' AND inclusion_ms IS NULL) AS not_included,
                   quantile_disc(inclusion_ms, 0.5) AS inc_p50, quantile_disc(inclusion_ms, 0.99) AS inc_p99
            FROM t
            GROUP BY GROUPING SETS ((), (node))
            ORDER BY total DESC, node
            """);
        Rows errors = Rows.Of(db, """
            SELECT GROUPING(l.node) AS total, l.node, o.name, count(*) AS n
            FROM tx_log l JOIN outcomes o USING (outcome)
            WHERE o.name NOT IN ('pending', 'accepted', 'already_known')
            GROUP BY GROUPING SETS ((o.name), (l.node, o.name))
            ORDER BY n DESC, o.name
            """);
        // A block seen by two nodes of one chain (same hash) is one block of the run, one block for each node;
        // nodes on separate chains (e.g. two local anvils) have different blocks under the same numbers.
        Rows blocks = Rows.Of(db, """
            SELECT GROUPING(node) AS total, node, count(DISTINCT coalesce(hash, number::VARCHAR)) AS n FROM blocks GROUP BY GROUPING SETS ((), (node))
            """);
        Rows urls = Rows.Of(db, "SELECT node, url FROM nodes");

        double duration = run.IsNull(0, 5) ? (run.IsNull(0, 6) ? 0 : run.GetDouble(0, 6)) : run.GetDouble(0, 5);
        TxMetrics? total = null;
        var nodes = new List<TxMetrics>();
        for (int r = 0; r < rows.RowCount; r++)
        {
            bool isTotal = rows.GetInt64(r, 0) == 1;
            int? node = isTotal ? null : (int)rows.GetInt64(r, 1);
            var m = new TxMetrics
            {
                Node = node,
                Url = node is int n ? Lookup(urls, n) : null,
                Sent = rows.GetInt64(r, 2),
                Answered = rows.GetInt64(r, 3),
                Accepted = rows.GetInt64(r, 4),
                Errors = rows.GetInt64(r, 5),
                ErrorsByClass = ErrorsOf(errors, node),
                AchievedRate = duration > 0 ? rows.GetInt64(r, 2) / duration : 0,
                AckP50Ms = Nullable(rows, r, 6),
                AckP90Ms = Nullable(rows, r, 7),
                AckP99Ms = Nullable(rows, r, 8),
                AckMaxMs = Nullable(rows, r, 9),
                RawAckP99Ms = Nullable(rows, r, 10),
                Included = rows.GetInt64(r, 11),
                NotIncluded = rows.GetInt64(r, 12),
                InclusionP50Ms = Nullable(rows, r, 13),
                InclusionP99Ms = Nullable(rows, r, 14),
                Blocks = BlocksOf(blocks, node),
            };
            if (isTotal) total = m;
            else nodes.Add(m);
        }

        bool ended = !run.IsNull(0, 2);
        string? shape = null;
        if (Rows.Of(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'shape'").GetInt64(0, 0) > 0)
            shape = Rows.Of(db, "SELECT shape FROM runs LIMIT 1").GetString(0, 0);
        (PreconfMetrics? preconf, IReadOnlyList<PreconfMetrics> streams) = PreconfOf(db);
        return new RunMetrics
        {
            Preconf = preconf,
            Streams = streams,
            RunId = run.GetString(0, 0) ?? "",
            Status = !ended && run.GetString(0, 3) is null or "running" ? "killed" : run.GetString(0, 3) ?? "unknown",
            StartedAt = FromMicros(run.GetInt64(0, 1)),
            EndedAt = ended ? FromMicros(run.GetInt64(0, 2)) : null,
            DurationSeconds = duration,
            DurationFromData = run.IsNull(0, 5),
            TargetRate = run.IsNull(0, 4) ? null : run.GetDouble(0, 4),
            Shape = shape,
            // GROUPING SETS always yields the () row, even over an empty table.
            Total = total ?? throw new InvalidDataException("no totals row"),
            Nodes = nodes,
            Reads = ReadMetrics.Load(db, duration),
        };
    }

    /// <summary>From <c>tx_preconfs</c> and <c>tx_log</c>: the earliest mention per tx, and each stream's mentions.</summary>
    private static (PreconfMetrics?, IReadOnlyList<PreconfMetrics>) PreconfOf(DuckDBConnection db)
    {
        // The streams this connection sees (a file's table, or a merged view), not any attached file's.
        if (Rows.Of(db, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'streams' AND database_name = current_database() UNION ALL SELECT count(*) FROM duckdb_views() WHERE view_name = 'streams' AND database_name = current_database()") is var found
            && found.GetInt64(0, 0) + found.GetInt64(1, 0) == 0) return (null, []);
        Rows rows = Rows.Of(db, """
            WITH p AS (SELECT pc.id, pc.stream, (pc.preconf_us - l.intended_us) / 1000.0 AS ms FROM tx_preconfs pc JOIN tx_log l USING (id)),
            earliest AS (SELECT id, min(ms) AS ms FROM p GROUP BY id)
            SELECT NULL AS stream, NULL AS url, count(ms), quantile_disc(ms, 0.5), quantile_disc(ms, 0.99), (SELECT count(*) FROM streams) FROM earliest
            UNION ALL
            SELECT * FROM (
                SELECT s.stream, s.url, count(p.ms), quantile_disc(p.ms, 0.5), quantile_disc(p.ms, 0.99), NULL
                FROM streams s LEFT JOIN p USING (stream) GROUP BY s.stream, s.url ORDER BY s.stream)
            """);
        if (rows.GetInt64(0, 5) == 0) return (null, []); // a run without streams
        var streams = new List<PreconfMetrics>();
        for (int r = 1; r < rows.RowCount; r++)
            streams.Add(new PreconfMetrics((int)rows.GetInt64(r, 0), rows.GetString(r, 1), rows.GetInt64(r, 2), Nullable(rows, r, 3), Nullable(rows, r, 4)));
        return (new PreconfMetrics(null, null, rows.GetInt64(0, 2), Nullable(rows, 0, 3), Nullable(rows, 0, 4)), streams);
    }

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    private static double? Nullable(Rows r, int row, int column) => r.IsNull(row, column) ? null : r.GetDouble(row, column);

    private static string? Lookup(Rows urls, int node)
    {
        for (int r = 0; r < urls.RowCount; r++)
            if (urls.GetInt64(r, 0) == node) return urls.GetString(r, 1);
        return null;
    }

    private static IReadOnlyList<KeyValuePair<string, long>> ErrorsOf(Rows errors, int? node)
    {
        var list = new List<KeyValuePair<string, long>>();
        for (int r = 0; r < errors.RowCount; r++)
        {
            bool isTotal = errors.GetInt64(r, 0) == 1;
            if (node is null ? isTotal : !isTotal && errors.GetInt64(r, 1) == node)
                list.Add(new(errors.GetString(r, 2)!, errors.GetInt64(r, 3)));
        }
        return list;
    }

    private static long BlocksOf(Rows blocks, int? node)
    {
        for (int r = 0; r < blocks.RowCount; r++)
        {
            bool isTotal = blocks.GetInt64(r, 0) == 1;
            if (node is null ? isTotal : !isTotal && blocks.GetInt64(r, 1) == node) return blocks.GetInt64(r, 2);
        }
        return 0;
    }
}

/// <summary>Preconfirmations (<c>--confirm-ws</c>): of one stream (<paramref name="Stream"/>, its URL) or, with both null, the earliest of every stream per tx.</summary>
public sealed record PreconfMetrics(int? Stream, string? Url, long Preconfirmed, double? P50Ms, double? P99Ms);

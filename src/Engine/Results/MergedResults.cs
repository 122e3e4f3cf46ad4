using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>
/// Several results files as one run, for <c>fastload report</c> and <c>compare</c> over the files of a sharded run
/// (<c>--shard i/N</c>, one file per shard) or of runs that loaded one target at the same time. In the in-memory
/// database the files are attached to, a view per table gives what one file of the whole run would hold, so
/// <see cref="RunMetrics"/>, <see cref="RunSeries"/> and <see cref="RunTelemetry"/> read it unchanged:
/// <list type="bullet">
/// <item>Times: each file's <c>*_us</c> count from its own <c>runs.started_at</c>; in the merge they count from the
/// earliest start (each file's shifted by its start's distance from it: 0 for shards begun with one <c>--start-at</c>),
/// and <c>samples.t_s</c> by the same shift in whole seconds.</item>
/// <item>Rows of txs are the union of every file's: per-second rates are sums over the files, and every latency
/// percentile is taken over the union of the txs (never an average of the files' percentiles). Tx ids (unique in a
/// file) get the file's number in bits 52 and up, error ids in bits 32 and up, so joins stay within a file. The
/// <c>txs</c> and <c>reads</c> views are each file's own (joined within the file, its run id kept) stacked.</item>
/// <item>Nodes: one per distinct URL over the files (shards loading one node are one node of the merge).</item>
/// <item>Blocks: every file's rows (a block seen by several shards is counted once by its hash, as for several
/// nodes of one chain), with <c>our_tx_count</c> the sum of the files' counts of that block.</item>
/// <item><c>runs</c>: one row: the run ids joined with '+', the earliest start, the last end (NULL while any file has
/// none), one status (the worst), <c>target_rate</c> and the counts summed, <c>duration_s</c> from the earliest start
/// to the last file's end of sending; the percentile columns NULL (a merge cannot take them from the files'
/// summaries); the settings and command line of the first file.</item>
/// <item><c>phases</c>: one row per phase, counts summed. <c>verdicts</c>, <c>contracts</c> and
/// <c>ledger_mismatches</c>: every file's rows.</item>
/// </list>
/// </summary>
internal static class MergedResults
{
    private const long TxIdStride = 1L << 52;
    private const long ErrorIdStride = 1L << 32;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Tables whose rows are simply stacked (with the file's run id where they have none).</summary>
    private static readonly string[] Stacked = ["verdicts", "contracts", "ledger_mismatches"];

    /// <summary>Tables the same in every file (names of codes): the first file's.</summary>
    private static readonly string[] Lookups = ["outcomes", "ops", "read_methods", "read_outcomes"];

    public static void Create(DuckDBConnection db, IReadOnlyList<AttachedFile> files)
    {
        // Each file's start and node URLs, read first: the shifts and the node numbering are literals in the views.
        var starts = new long[files.Count];
        var nodeMaps = new Dictionary<long, int>[files.Count];
        var urls = new List<string>();
        for (int f = 0; f < files.Count; f++)
        {
            string a = Identifier(files[f].Alias);
            object? start = db.Scalar($"SELECT epoch_us(started_at) FROM {a}.main.runs LIMIT 1");
            starts[f] = start is long us ? us : 0;
            nodeMaps[f] = [];
            using DuckDBDataReader nodes = db.Query($"SELECT node, url FROM {a}.main.nodes ORDER BY node");
            while (nodes.Read())
            {
                string url = nodes.GetString(1);
                int merged = urls.IndexOf(url);
                if (merged < 0) { merged = urls.Count; urls.Add(url); }
                nodeMaps[f][Convert.ToInt64(nodes.GetValue(0), C)] = merged;
            }
        }
        if (urls.Count > 255) throw new InvalidDataException($"the files name {urls.Count} distinct nodes: a merge holds at most 255");
        long earliest = starts.Min();

        var sql = new StringBuilder();
        sql.Append("CREATE VIEW memory.main.nodes AS SELECT * FROM (VALUES ");
        for (int n = 0; n < urls.Count; n++) sql.Append(n == 0 ? "" : ", ").Append(C, $"({n}::UTINYINT, {Literal(urls[n])})");
        if (urls.Count == 0) sql.Append("(NULL::UTINYINT, NULL::VARCHAR)");
        sql.Append(") t(node, url)").Append(urls.Count == 0 ? " WHERE false" : "").AppendLine(";");

        foreach (string table in Lookups)
        {
            AttachedFile? first = files.FirstOrDefault(f => Has(f, table));
            if (first is not null) sql.AppendLine($"CREATE VIEW memory.main.{table} AS SELECT * FROM {Identifier(first.Alias)}.main.{table};");
        }

        // Per file: the node renumbering, the shift in µs, the tx id and error id offsets; only the columns a file has
        // are replaced (older files lack some).
        string Node(int f)
        {
            var cases = new StringBuilder("(CASE node");
            foreach ((long from, int to) in nodeMaps[f]) cases.Append(C, $" WHEN {from} THEN {to}");
            return cases.Append(" END)::UTINYINT").ToString();
        }
        long Shift(int f) => starts[f] - earliest;
        (string, Func<int, string>) Id = ("id", f => string.Create(C, $"id + {f * TxIdStride}"));
        (string, Func<int, string>) ErrorId = ("error_id", f => string.Create(C, $"CASE WHEN error_id = 0 THEN 0 ELSE error_id::BIGINT + {f * ErrorIdStride} END"));
        (string, Func<int, string>) NodeColumn = ("node", Node);
        (string, Func<int, string>) Shifted(string column) => (column, f => string.Create(C, $"{column} + {Shift(f)}"));
        (string, Func<int, string>)[] times = [Shifted("intended_us"), Shifted("sent_us"), Shifted("ack_us")];
        var union = new Union(db, sql, files);

        union.Add("tx_log", [Id, NodeColumn, .. times]);
        union.Add("tx_inclusions", [Id, Shifted("seen_us")]);
        union.Add("tx_errors", [Id, ErrorId]);
        union.Add("errors", [ErrorId]);
        union.Add("tx_resolutions", [Id]);
        union.Add("tx_receipts", [Id]);
        union.Add("wallets", [NodeColumn]);
        union.Add("samples", [NodeColumn, ("t_s", f => string.Create(C, $"t_s + {(long)Math.Round(Shift(f) / 1e6)}"))]);
        union.Add("read_log", [Id, NodeColumn, ErrorId, .. times]);
        union.Add("tx_preconfs", [Id, Shifted("preconf_us")]);
        // --confirm-ws streams (schema 11): one row per stream index (the shards of a run watch the same streams), counts
        // summed; the latencies come from tx_preconfs over the union.
        if (union.Add("streams", [], name: "_streams_by_file"))
        {
            sql.AppendLine("""
                CREATE VIEW memory.main.streams AS
                SELECT stream, any_value(url) AS url, sum(messages) AS messages, sum(hashes) AS hashes, sum(preconfirmed) AS preconfirmed,
                       NULL::DOUBLE AS preconf_p50_ms, NULL::DOUBLE AS preconf_p99_ms, sum(connects) AS connects, string_agg(DISTINCT error, '; ') AS error
                FROM memory.main._streams_by_file GROUP BY stream;
                """);
        }
        foreach (string table in Stacked) union.Add(table, []);
        // The files' own per-tx and per-read views, each joined within its file, then stacked (run_id: the file's run).
        union.Add("txs", [Id, NodeColumn, .. times, Shifted("block_seen_us")]);
        union.Add("reads", [Id, NodeColumn, .. times]);

        // Blocks: our_tx_count = the sum over the files of each file's count of that block (hash; number without one).
        if (union.Add("blocks", [NodeColumn, Shifted("seen_us")], name: "_blocks_by_file", withFile: true))
        {
            sql.AppendLine("""
                CREATE VIEW memory.main.blocks AS
                WITH ours AS (
                    SELECT k, sum(n)::INTEGER AS n
                    FROM (SELECT _file, coalesce(hash, number::VARCHAR) AS k, max(our_tx_count) AS n FROM memory.main._blocks_by_file GROUP BY ALL)
                    GROUP BY k)
                SELECT b.* EXCLUDE (_file) REPLACE (ours.n AS our_tx_count)
                FROM memory.main._blocks_by_file b JOIN ours ON ours.k = coalesce(b.hash, b.number::VARCHAR);
                """);
        }
        union.Add("runs", [], name: "_runs_by_file", withFile: true, extra: f => string.Create(C, $", {Shift(f) / 1e6} AS _shift_s"));
        sql.AppendLine(RunsView(Columns(db, files, "runs")));
        if (files.Any(f => Has(f, "phases")))
        {
            union.Add("phases", [Shifted("start_us"), Shifted("end_us")], name: "_phases_by_file");
            // The probe's fee evidence (schema 10): the chain's base fee is one for all shards, the wait the longest.
            string fees = Columns(db, files, "phases").Contains("fee_cap_gwei")
                ? ", min(base_fee_start_gwei) AS base_fee_start_gwei, max(base_fee_end_gwei) AS base_fee_end_gwei, min(fee_cap_gwei) AS fee_cap_gwei, max(fee_wait_s) AS fee_wait_s"
                : "";
            sql.AppendLine($"""
                CREATE VIEW memory.main.phases AS
                SELECT (SELECT run_id FROM memory.main.runs) AS run_id, phase, any_value(name) AS name, any_value(kind) AS kind,
                       sum(rate) AS rate, min(start_us) AS start_us, max(end_us) AS end_us,
                       sum(offered) AS offered, sum(sent) AS sent, sum(accepted) AS accepted, sum(included) AS included,
                       sum(included_rate) AS included_rate, max(inclusion_p50_ms) AS inclusion_p50_ms, max(inclusion_p99_ms) AS inclusion_p99_ms,
                       sum(backlog_mid) AS backlog_mid, sum(backlog_end) AS backlog_end, sum(backlog_growth) AS backlog_growth,
                       sum(backlog_tolerance) AS backlog_tolerance, min(verdict) AS verdict, string_agg(DISTINCT reason, '; ') AS reason{fees}
                FROM memory.main._phases_by_file GROUP BY phase;
                """);
        }
        db.Execute(sql.ToString());
    }

    /// <summary>The merged runs row (see the type's remarks), over the columns the files have.</summary>
    private static string RunsView(HashSet<string> columns)
    {
        var replace = new List<string>
        {
            "(SELECT string_agg(run_id, '+' ORDER BY _file) FROM r) AS run_id",
            "(SELECT min(started_at) FROM r) AS started_at",
            "(SELECT CASE WHEN count(*) = count(ended_at) THEN max(ended_at) END FROM r) AS ended_at",
            // One word for all: the same for every file, else the worst (a file still running or killed shows as running).
            """
            (SELECT CASE WHEN count(DISTINCT status) = 1 THEN any_value(status)
                         WHEN bool_or(status = 'failed') THEN 'failed'
                         WHEN bool_or(status IN ('running', 'starting')) THEN 'running'
                         ELSE 'interrupted' END FROM r) AS status
            """,
            "(SELECT min(schema_version) FROM r) AS schema_version",
            "(SELECT sum(target_rate) FROM r) AS target_rate",
            "(SELECT CASE WHEN count(*) = count(duration_s) THEN max(_shift_s + duration_s) END FROM r) AS duration_s",
        };
        foreach (string sum in (ReadOnlySpan<string>)["sent", "accepted", "errors", "included", "not_included", "dropped_records", "late", "unsent", "gap_repairs", "reads", "read_errors", "receipts_fetched", "reverted", "ledger_checked", "ledger_mismatches"])
            if (columns.Contains(sum)) replace.Add($"(SELECT sum({sum}) FROM r) AS {sum}");
        foreach (string max in (ReadOnlySpan<string>)["max_lag_ms", "read_rate"])
            if (columns.Contains(max)) replace.Add($"(SELECT {(max == "read_rate" ? "sum" : "max")}({max}) FROM r) AS {max}");
        foreach (string none in (ReadOnlySpan<string>)["ack_p50_ms", "ack_p99_ms", "inclusion_p50_ms", "inclusion_p99_ms", "read_p50_ms", "read_p99_ms", "verdict", "shard"])
            if (columns.Contains(none)) replace.Add($"NULL AS {none}");
        return $"""
            CREATE VIEW memory.main.runs AS
            WITH r AS (SELECT * FROM memory.main._runs_by_file)
            SELECT * EXCLUDE (_file, _shift_s) REPLACE (
                {string.Join(",\n    ", replace)}
            )
            FROM r WHERE _file = (SELECT min(_file) FROM r);
            """;
    }

    /// <summary>Views stacking a table of every file that has it (UNION ALL BY NAME), columns replaced per file.</summary>
    private sealed class Union(DuckDBConnection db, StringBuilder sql, IReadOnlyList<AttachedFile> files)
    {
        /// <summary>
        /// A view <paramref name="name"/> (default: the table's) stacking <paramref name="table"/> of every file that
        /// has it, with each of <paramref name="replace"/>'s columns that the file has replaced by its expression for
        /// that file, and a <c>_file</c> column when asked; false when no file has the table.
        /// </summary>
        public bool Add(string table, (string Column, Func<int, string> Expression)[] replace, string? name = null, bool withFile = false, Func<int, string>? extra = null)
        {
            bool first = true;
            for (int f = 0; f < files.Count; f++)
            {
                if (!Has(files[f], table)) continue;
                HashSet<string> columns = Columns(db, [files[f]], table);
                string replaced = string.Join(", ", replace.Where(r => columns.Contains(r.Column)).Select(r => $"{r.Expression(f)} AS {r.Column}"));
                sql.Append(first ? $"CREATE VIEW memory.main.{name ?? table} AS " : "\nUNION ALL BY NAME ");
                sql.Append("SELECT *").Append(replaced.Length > 0 ? $" REPLACE ({replaced})" : "");
                if (withFile) sql.Append(C, $", {f} AS _file");
                sql.Append(extra?.Invoke(f) ?? "");
                sql.Append(" FROM ").Append(Identifier(files[f].Alias)).Append(".main.").Append(table);
                first = false;
            }
            if (!first) sql.AppendLine(";");
            return !first;
        }
    }

    private static bool Has(AttachedFile file, string table) => file.Relations.Exists(r => r.Name == table);

    private static HashSet<string> Columns(DuckDBConnection db, IReadOnlyList<AttachedFile> files, string table)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (AttachedFile file in files)
        {
            using DuckDBDataReader r = db.Query("SELECT column_name FROM information_schema.columns WHERE table_catalog = $1 AND table_schema = 'main' AND table_name = $2", file.Alias, table);
            while (r.Read()) names.Add(r.GetString(0));
        }
        return names;
    }

    private static string Literal(string value) => DuckDbSql.Literal(value);

    private static string Identifier(string name) => DuckDbSql.Identifier(name);
}

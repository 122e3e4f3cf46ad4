using System.Text.Json;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;

namespace FastLoad.Engine.Results;

/// <summary>
/// What the report shows beside the node's figures: the run's settings (<c>runs</c>), FastLoad's own load per second
/// (<c>samples</c>: CPU, ring fill, signer rate, in flight, sender waits) next to the node's acks and inclusions, the
/// bottleneck verdict, and the ack and inclusion latency at fixed percentiles (a CDF). Index = <c>t_s − 1</c>, like
/// <see cref="RunSeries.IntendedPerSecond"/>; NaN where a second has no sample. Files from before schema 6 have no
/// waits (NaN) and no verdict (null).
/// </summary>
public sealed class RunTelemetry
{
    /// <summary>The percentiles of the latency CDF: p50 … p99.99.</summary>
    public static readonly double[] Percentiles = [50, 75, 90, 95, 99, 99.5, 99.9, 99.99];

    /// <summary>(name, value) pairs of the run's settings, in display order; values already text.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; }

    public string? BoundBy { get; init; }
    public string? BoundEvidence { get; init; }

    /// <summary>Process CPU per second, 100 = one core.</summary>
    public required double[] CpuPercent { get; init; }

    /// <summary>Presigned txs waiting (all nodes' rings) at each sample.</summary>
    public required double[] RingFill { get; init; }

    /// <summary>Txs signed per second (all signers).</summary>
    public required double[] SignerRate { get; init; }

    /// <summary>Txs sent and not yet answered (all nodes) at each sample.</summary>
    public required double[] InFlight { get; init; }

    /// <summary>Share of the senders' time spent waiting for signed txs / for the network, % (all nodes' senders).</summary>
    public required double[] WaitSigningPercent { get; init; }
    public required double[] WaitNetworkPercent { get; init; }

    /// <summary>The node's side: answers and inclusions per second (all nodes).</summary>
    public required double[] AckedPerSecond { get; init; }
    public required double[] IncludedPerSecond { get; init; }

    /// <summary>Latency (ms) at each of <see cref="Percentiles"/>; NaN when none was measured.</summary>
    public required double[] AckAtPercentile { get; init; }
    public required double[] InclusionAtPercentile { get; init; }

    public static RunTelemetry Load(DuckDBConnection db, int seconds)
    {
        bool v6 = Rows.Of(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'bound_by'").GetInt64(0, 0) > 0;
        Rows run = Rows.Of(db, v6
            ? "SELECT command_line, tx_type, workload_op, settings, targets, version, machine, bound_by, bound_evidence FROM runs LIMIT 1"
            : "SELECT command_line, tx_type, workload_op, settings, targets, version, machine, NULL, NULL FROM runs LIMIT 1");
        var settings = new List<KeyValuePair<string, string>>();
        string? boundBy = null, evidence = null;
        if (run.RowCount > 0)
        {
            void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) settings.Add(new(key, value)); }
            Add("command line", run.GetString(0, 0));
            Add("tx type", run.GetString(0, 1));
            Add("workload", run.GetString(0, 2));
            Add("targets", run.GetString(0, 4));
            if (run.GetString(0, 3) is string json)
            {
                try
                {
                    using JsonDocument doc = JsonDocument.Parse(json);
                    foreach (string key in (ReadOnlySpan<string>)["rate", "shape", "duration_s", "count", "wallets", "signers", "batch", "connections", "pipelining"])
                        if (doc.RootElement.TryGetProperty(key, out JsonElement value)) Add(key, value.ToString());
                }
                catch (JsonException)
                {
                    Add("settings", json);
                }
            }
            Add("version", run.GetString(0, 5));
            Add("machine", run.GetString(0, 6));
            boundBy = run.GetString(0, 7);
            evidence = run.GetString(0, 8);
        }

        double[] cpu = Nan(seconds), ring = Nan(seconds), signer = Nan(seconds), inFlight = Nan(seconds), waitSigning = Nan(seconds), waitNetwork = Nan(seconds),
            acked = Nan(seconds), included = Nan(seconds);
        bool waits = Rows.Of(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'samples' AND column_name = 'wait_signing_ms'").GetInt64(0, 0) > 0;
        Rows r = Rows.Of(db, $"""
            SELECT t_s - 1 AS s, max(cpu_percent), sum(ring_fill), max(signer_rate), sum(in_flight),
                   {(waits ? "sum(wait_signing_ms) / count(*) / 10.0, sum(wait_network_ms) / count(*) / 10.0" : "NULL, NULL")},
                   sum(acked), sum(included)
            FROM samples WHERE t_s >= 1 GROUP BY s
            """);
        for (int i = 0; i < r.RowCount; i++)
        {
            long s = r.GetInt64(i, 0);
            if (s >= seconds) continue; // the grace period's samples
            Put(cpu, s, r, i, 1);
            Put(ring, s, r, i, 2);
            Put(signer, s, r, i, 3);
            Put(inFlight, s, r, i, 4);
            Put(waitSigning, s, r, i, 5);
            Put(waitNetwork, s, r, i, 6);
            Put(acked, s, r, i, 7);
            Put(included, s, r, i, 8);
        }

        string list = string.Join(", ", Percentiles.Select(p => (p / 100).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        double[] ack = Nan(Percentiles.Length), inclusion = Nan(Percentiles.Length);
        Rows q = Rows.Of(db, $"""
            SELECT (SELECT quantile_disc((ack_us - intended_us) / 1000.0, [{list}]) FROM tx_log WHERE outcome <> 0 AND ack_us IS NOT NULL)::VARCHAR,
                   (SELECT quantile_disc((i.seen_us - l.intended_us) / 1000.0, [{list}])
                    FROM (SELECT id, min(seen_us) AS seen_us FROM tx_inclusions GROUP BY id) i JOIN tx_log l USING (id))::VARCHAR
            """);
        ParseList(q.IsNull(0, 0) ? null : q.GetString(0, 0), ack);
        ParseList(q.IsNull(0, 1) ? null : q.GetString(0, 1), inclusion);

        return new RunTelemetry
        {
            Settings = settings, BoundBy = boundBy, BoundEvidence = evidence,
            CpuPercent = cpu, RingFill = ring, SignerRate = signer, InFlight = inFlight,
            WaitSigningPercent = waitSigning, WaitNetworkPercent = waitNetwork, AckedPerSecond = acked, IncludedPerSecond = included,
            AckAtPercentile = ack, InclusionAtPercentile = inclusion,
        };
    }

    /// <summary>"[1.5, 2.25, ...]" (a DuckDB list as text) into <paramref name="into"/>.</summary>
    private static void ParseList(string? text, double[] into)
    {
        if (text is null) return;
        string[] parts = text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < Math.Min(parts.Length, into.Length); i++)
            if (double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v)) into[i] = v;
    }

    private static void Put(double[] series, long second, Rows r, int row, int column)
    {
        if (second >= 0 && second < series.Length && !r.IsNull(row, column)) series[second] = r.GetDouble(row, column);
    }

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}

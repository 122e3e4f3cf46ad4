using System.Globalization;
using System.Text;
using FastLoad.Engine.Probe;
using FastLoad.Engine.Results;

namespace FastLoad.Runner.Report;

/// <summary>
/// One self-contained HTML page for a results file: inline CSS and inline SVG charts drawn here, no script, no
/// network, system fonts only. Chart ids: <c>chart-rate</c>, <c>chart-ack</c>, <c>chart-inclusion</c>,
/// <c>chart-inclusion-histogram</c>, <c>chart-block-txs</c>, <c>chart-block-gas</c>, <c>chart-errors</c>, and
/// FastLoad's own side: <c>chart-self-load</c>, <c>chart-self-queues</c>, <c>chart-self-rates</c>, <c>chart-latency-cdf</c>;
/// the per-node table is <c>table-nodes</c>, the run's settings <c>table-settings</c>, the verdict <c>p#bound-by</c>.
/// A probe's file (rows in <c>phases</c>) also gets <c>chart-probe</c> (offered vs included rate per phase, each phase
/// tinted by its verdict, the sustainable rate as a line) and <c>table-probe</c> (one row per phase). A run with read
/// traffic (<c>--read-rate</c>) gets the cards <c>card-reads</c> and <c>card-read-latency</c> and the charts
/// <see cref="ReadChartIds"/> (reads and read errors per second, read latency p50/p99 over time).
/// </summary>
internal static class HtmlReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static readonly string[] ChartIds =
    [
        "chart-rate", "chart-ack", "chart-inclusion", "chart-inclusion-histogram", "chart-block-txs", "chart-block-gas", "chart-errors",
        "chart-self-load", "chart-self-queues", "chart-self-rates", "chart-latency-cdf",
    ];

    /// <summary>The read traffic's charts, present only when the run sent reads.</summary>
    public static readonly string[] ReadChartIds = ["chart-reads", "chart-read-latency"];

    private const string Css = """
        :root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --card: #f9fafb; }
        * { box-sizing: border-box; }
        body { margin: 0; padding: 24px 24px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
        header h1 { font-size: 22px; margin: 0 0 4px; }
        header p { margin: 0; color: var(--muted); }
        .status-killed, .status-interrupted, .status-failed { color: #b91c1c; font-weight: 600; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; margin: 20px 0; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
        .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .card .s { color: var(--muted); font-size: 12px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); gap: 16px; }
        figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px 12px 4px; }
        figure h2 { font-size: 15px; margin: 0 0 2px; }
        figure p { margin: 0 0 6px; color: var(--muted); font-size: 12px; }
        svg.chart { display: block; width: 100%; height: auto; max-width: 620px; }
        svg.chart text { font-size: 11px; fill: #374151; }
        svg.chart .label { fill: var(--muted); }
        svg.chart .grid { stroke: #eef0f3; }
        svg.chart .base { stroke: #9ca3af; }
        svg.chart .empty { font-size: 14px; fill: var(--muted); }
        h2.section { font-size: 17px; margin: 28px 0 2px; }
        p.note { margin: 0 0 8px; color: var(--muted); font-size: 12px; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12px; }
        th, td { padding: 4px 5px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
        th { color: var(--muted); font-weight: 600; }
        td.l, th.l { text-align: left; }
        td.wrap { white-space: normal; }
        tr.total td { font-weight: 600; border-top: 2px solid #d1d5db; }
        td.pass { color: #15803d; font-weight: 600; }
        td.fail { color: #b91c1c; font-weight: 600; }
        footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
        p.bound { margin: 0 0 16px; padding: 8px 12px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        """;

    /// <summary>Phase tints of the probe chart (and its legend).</summary>
    private const string PassFill = "#dcfce7", FailFill = "#fee2e2";

    public static string Render(RunMetrics m, RunSeries series, RunTelemetry telemetry, string sourceName, RunPhases? probe = null)
    {
        bool isProbe = probe is { Steps.Count: > 0 };
        TxMetrics t = m.Total;
        var s = new StringBuilder();
        s.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>FastLoad report {Html.Escape(m.RunId)}</title>
            <style>
            {Css}
            </style>
            </head>
            <body>
            <header>
            <h1>FastLoad run {Html.Escape(m.RunId)}</h1>
            <p><span class="status-{Html.Escape(m.Status)}">{Html.Escape(m.Status)}</span> · started {MetricsText.When(m.StartedAt)} · {Html.Escape(MetricsText.Duration(m))} · {Html.Escape(sourceName)}</p>
            </header>

            """);

        s.Append("""<section class="cards">""").Append('\n');
        Card(s, "achieved rate", string.Create(C, $"{t.AchievedRate:N0} tx/s"), m.TargetRate is double target ? string.Create(C, $"target {target:N0} ({t.AchievedRate / target:P1}){(m.Shape is null or "constant" ? "" : $", shape {m.Shape}")}") : m.Shape is { } shape ? $"shape {shape}" : "--max (no target)");
        Card(s, "sent", t.Sent.ToString("N0", C), string.Create(C, $"accepted {t.Accepted:N0}, errors {t.Errors:N0}"));
        Card(s, "success", MetricsText.Pct(t.SuccessPercent), "accepted / answered");
        Card(s, "ack p50 / p99 ms", $"{Num(t.AckP50Ms)} / {Num(t.AckP99Ms)}", $"max {MetricsText.Ms(t.AckMaxMs)}, raw p99 {MetricsText.Ms(t.RawAckP99Ms)}");
        Card(s, "inclusion p50 / p99 ms", $"{Num(t.InclusionP50Ms)} / {Num(t.InclusionP99Ms)}", "block seen − intended send");
        Card(s, "included", MetricsText.Count(t, t.Included), t.Blocks == 0 ? "no block recorded" : string.Create(C, $"in {t.Blocks:N0} blocks, not included {t.NotIncluded:N0}"));
        if (m.Preconf is { } preconf)
        {
            Card(s, "preconf p50 / p99 ms", $"{Num(preconf.P50Ms)} / {Num(preconf.P99Ms)}", string.Create(C, $"{preconf.Preconfirmed:N0} txs, earliest of {m.Streams.Count} stream(s) − intended send"));
            foreach (PreconfMetrics st in m.Streams)
                Card(s, string.Create(C, $"stream {st.Stream} preconf p50 / p99 ms"), $"{Num(st.P50Ms)} / {Num(st.P99Ms)}", string.Create(C, $"{st.Preconfirmed:N0} txs, {st.Url}"));
        }
        if (m.Reads is { } reads)
        {
            string readErrors = reads.ErrorsByOutcome.Count == 0 ? "" : " (" + string.Join(", ", reads.ErrorsByOutcome.Select(e => string.Create(C, $"{e.Key} {e.Value:N0}"))) + ")";
            Card(s, "reads", string.Create(C, $"{reads.AchievedRate:N0} reads/s"),
                string.Create(C, $"{reads.Method ?? "reads"}{(reads.TargetRate is double asked ? string.Create(C, $" at {asked:N0}/s") : "")}: {reads.Reads:N0} answered, errors {reads.Errors:N0} ({MetricsText.Pct(reads.ErrorPercent)}){readErrors}"), "card-reads");
            Card(s, "read p50 / p99 ms", $"{Num(reads.P50Ms)} / {Num(reads.P99Ms)}", $"from intended time; max {MetricsText.Ms(reads.MaxMs)}, raw p99 {MetricsText.Ms(reads.RawP99Ms)}", "card-read-latency");
        }
        if (isProbe)
            Card(s, "sustainable", probe!.SustainableRate is double found ? string.Create(C, $"{found:#,0.###} tx/s") : "none found",
                string.Create(C, $"probe: {probe.Steps.Count} phases, {probe.Steps.Count(p => p.Pass)} passed"));
        s.Append("</section>\n");
        if (telemetry.BoundBy is string bound)
            s.Append($"""<p id="bound-by" class="bound"><b>bound by: {Html.Escape(bound)}</b> ({Html.Escape(telemetry.BoundEvidence ?? "")})</p>""").Append('\n');

        if (isProbe) ProbeSection(s, probe!);

        double[] seconds = new double[series.Seconds];
        for (int i = 0; i < seconds.Length; i++) seconds[i] = i;

        s.Append("""<section class="charts">""").Append('\n');
        if (series.IntendedPerSecond is { } intended && series.SampledSentPerSecond is { } sampledSent)
        {
            // The shape's schedule beside what went out, both from samples (the same intervals).
            var shaped = new SvgChart("chart-rate", "seconds since start", "tx/s")
                .Line("achieved (sent)", SvgChart.Palette[0], seconds, sampledSent)
                .Line("intended (shape)", SvgChart.Palette[7], seconds, intended, dashed: true);
            Figure(s, m.Shape is { } shapeText ? $"Intended vs achieved rate ({shapeText})" : "Intended vs achieved rate",
                "txs the shape made due and txs sent, each second (samples.intended, samples.sent)", shaped);
        }
        else
        {
            var rate = new SvgChart("chart-rate", "seconds since start", "tx/s").Line("achieved", SvgChart.Palette[0], seconds, series.SentPerSecond);
            if (m.TargetRate is double tr)
            {
                double[] targetLine = new double[seconds.Length];
                Array.Fill(targetLine, tr);
                rate.Line("target", SvgChart.Palette[7], seconds, targetLine, dashed: true);
            }
            Figure(s, "Achieved vs target rate", "txs sent in each second", rate);
        }

        Figure(s, "Ack latency over time", "ms from intended send to the node's answer, txs intended in each second",
            new SvgChart("chart-ack", "seconds since start", "ms").Line("p50", SvgChart.Palette[0], seconds, series.AckP50).Line("p99", SvgChart.Palette[1], seconds, series.AckP99));

        Figure(s, "Inclusion latency over time", "ms from intended send until the block holding the tx was seen",
            new SvgChart("chart-inclusion", "seconds since start", "ms") { EmptyText = "no tx was seen in a block" }
                .Line("p50", SvgChart.Palette[2], seconds, series.InclusionP50).Line("p99", SvgChart.Palette[3], seconds, series.InclusionP99));

        double[] bucketMid = new double[series.InclusionBucketStart.Length];
        double[] bucketCount = new double[bucketMid.Length];
        for (int i = 0; i < bucketMid.Length; i++)
        {
            bucketMid[i] = series.InclusionBucketStart[i] + series.InclusionBucketMs / 2;
            bucketCount[i] = series.InclusionBucketCount[i];
        }
        Figure(s, "Inclusion latency histogram", string.Create(C, $"txs per {series.InclusionBucketMs:0.##} ms bucket (the last bucket holds the slowest 0.1 %)"),
            new SvgChart("chart-inclusion-histogram", "inclusion latency, ms", "txs") { BarWidth = Math.Max(series.InclusionBucketMs, 1e-9), EmptyText = "no tx was seen in a block" }
                .Bars("included txs", SvgChart.Palette[2], bucketMid, bucketCount, 0.92));

        double[] blockNumber = new double[series.Blocks.Length], allTxs = new double[blockNumber.Length], ours = new double[blockNumber.Length], gas = new double[blockNumber.Length];
        for (int i = 0; i < blockNumber.Length; i++)
        {
            BlockPoint b = series.Blocks[i];
            (blockNumber[i], allTxs[i], ours[i], gas[i]) = (b.Number, b.TxCount, b.OurTxCount, b.GasUsed);
        }
        string summed = series.SeparateChains ? " (the nodes run separate chains: summed per block number)" : "";
        Figure(s, "Txs per block", "all txs in the block and FastLoad's" + summed,
            new SvgChart("chart-block-txs", "block number", "txs") { BarWidth = 1, EmptyText = "no block recorded" }
                .Bars("all txs", "#93c5fd", blockNumber, allTxs, 0.8).Bars("ours", SvgChart.Palette[0], blockNumber, ours, 0.45));
        Figure(s, "Gas per block", "gas used by each block" + summed,
            new SvgChart("chart-block-gas", "block number", "gas") { BarWidth = 1, EmptyText = "no block recorded" }
                .Bars("gas used", SvgChart.Palette[4], blockNumber, gas, 0.8));

        var errors = new SvgChart("chart-errors", "seconds since start", "errors / s");
        double[] totalErrors = new double[seconds.Length];
        foreach (var (_, perSecond) in series.ErrorsPerSecond)
            for (int i = 0; i < perSecond.Length; i++) totalErrors[i] += perSecond[i];
        errors.Line("all errors", SvgChart.Palette[7], seconds, totalErrors, dashed: series.ErrorsPerSecond.Count > 0);
        int color = 1;
        foreach (var (name, perSecond) in series.ErrorsPerSecond) errors.Line(name, SvgChart.Palette[color++ % 7], seconds, perSecond);
        Figure(s, "Errors by class over time", series.ErrorsPerSecond.Count == 0 ? "no errors in this run" : "error answers in each second, by class", errors);
        s.Append("</section>\n");
        if (m.Reads is { } readMetrics) ReadSection(s, readMetrics, series, seconds);

        SelfSection(s, telemetry, seconds);
        NodeTable(s, m);
        SettingsTable(s, telemetry);
        s.Append(C, $"""
            <footer>Generated by <code>fastload report</code> from {Html.Escape(sourceName)}. Percentiles are observed values (quantile_disc). Ack latency counts from each tx's intended send time, so sender stalls show up as latency.</footer>
            </body>
            </html>

            """);
        return s.ToString();
    }

    /// <summary>The probe's chart and per-phase table (the data <see cref="ProbeTable"/> prints).</summary>
    private static void ProbeSection(StringBuilder s, RunPhases probe)
    {
        IReadOnlyList<ProbeStep> steps = probe.Steps;
        int n = steps.Count;
        double[] x = new double[n], offered = new double[n], included = new double[n];
        string[] labels = new string[n], offeredTitles = new string[n], includedTitles = new string[n];
        var chart = new SvgChart("chart-probe", "phase (offered tx/s), in the order run", "tx/s");
        for (int i = 0; i < n; i++)
        {
            ProbeStep p = steps[i];
            (x[i], offered[i], included[i]) = (i, p.Rate, p.IncludedRate);
            labels[i] = $"{p.Name} ({ProbeTable.Rate(p.Rate)})";
            string verdict = p.Pass ? "PASS" : "FAIL " + p.Reason;
            offeredTitles[i] = $"{p.Name}: offered {ProbeTable.Rate(p.Rate)} tx/s, {verdict}";
            includedTitles[i] = $"{p.Name}: included {ProbeTable.Rate(p.IncludedRate)} tx/s, {verdict}";
            chart.Band(i - 0.5, i + 0.5, p.Pass ? PassFill : FailFill, p.Pass ? "PASS" : "FAIL", $"{p.Name}: {verdict}",
                ("phase", p.Index.ToString(C)), ("verdict", p.Pass ? "PASS" : "FAIL"));
        }
        chart.XLabels = labels;
        chart.Line("offered", SvgChart.Palette[0], x, offered, pointTitles: offeredTitles)
            .Line("included", SvgChart.Palette[2], x, included, pointTitles: includedTitles);
        if (probe.SustainableRate is double rate)
            chart.HLine("sustainable", SvgChart.Palette[3], rate, string.Create(C, $"sustainable {rate:#,0.###} tx/s"));

        s.Append("""<h2 class="section">Probe</h2>""").Append('\n');
        s.Append("""<p class="note">""").Append(Html.Escape(probe.SustainableRate is double r
            ? string.Create(C, $"sustainable: {r:#,0.###} tx/s, the rate the hold confirmed")
            : "no sustainable rate found")).Append("</p>\n");
        s.Append("""<section class="charts">""").Append('\n');
        Figure(s, "Offered vs included rate per phase",
            "tx/s offered and included (our txs per second over the phase, shifted by one block) for each phase; green: PASS, red: FAIL", chart);
        s.Append("</section>\n");

        s.Append("""
            <p class="note">offered and included in tx/s; inclusion latencies in ms from intended send; backlog: growth of our accepted-not-included txs from the middle of the phase to its end, and the most it may grow</p>
            <div class="table-wrap"><table id="table-probe">
            <thead><tr><th>#</th><th class="l">phase</th><th class="l">kind</th><th>offered</th><th>sent</th><th>accepted %</th><th>included</th><th>included tx/s</th><th>incl. p50</th><th>incl. p99</th><th>backlog</th><th>tolerance</th><th class="l">verdict</th><th class="l">reason</th></tr></thead>
            <tbody>

            """);
        foreach (ProbeStep p in steps)
        {
            s.Append(C, $"""<tr data-phase="{p.Index}" data-verdict="{(p.Pass ? "PASS" : "FAIL")}"><td>{p.Index}</td><td class="l">{Html.Escape(p.Name)}</td><td class="l">{p.Kind.ToString().ToLowerInvariant()}</td>""");
            foreach (string cell in (ReadOnlySpan<string>)
            [
                ProbeTable.Rate(p.Rate), p.Sent.ToString("N0", C), p.SuccessPercent.ToString("F1", C), p.Included.ToString("N0", C),
                ProbeTable.Rate(p.IncludedRate), Cell(p.InclusionP50Ms), Cell(p.InclusionP99Ms),
                p.BacklogGrowth.ToString("+#,0;-#,0;0", C), p.BacklogTolerance.ToString("N0", C),
            ])
                s.Append("<td>").Append(Html.Escape(cell)).Append("</td>");
            s.Append($"""<td class="l {(p.Pass ? "pass" : "fail")}">{(p.Pass ? "PASS" : "FAIL")}</td><td class="l wrap">{Html.Escape(p.Pass ? "" : p.Reason)}</td></tr>""").Append('\n');
        }
        s.Append("</tbody>\n</table></div>\n");
    }

    /// <summary>The read traffic (<c>--read-rate</c>): reads and read errors per second (samples), read latency over time (read_log).</summary>
    private static void ReadSection(StringBuilder s, ReadMetrics r, RunSeries series, double[] seconds)
    {
        s.Append("""
            <h2 class="section">Read traffic</h2>
            <p class="note">
            """).Append(Html.Escape(string.Create(C,
                $"{r.Method ?? "reads"}{(r.TargetRate is double asked ? string.Create(C, $" at {asked:N0}/s") : "")} on connections of their own, beside the txs; latency from each read's intended time")))
            .Append("</p>\n<section class=\"charts\">\n");
        var rate = new SvgChart("chart-reads", "seconds since start", "reads / s") { EmptyText = "no per-second samples of the reads" };
        if (series.ReadsPerSecond is { } answered && series.ReadErrorsPerSecond is { } failed)
        {
            rate.Line("answered", SvgChart.Palette[0], seconds, answered).Line("errors", SvgChart.Palette[1], seconds, failed);
            if (r.TargetRate is double target)
            {
                double[] line = new double[seconds.Length];
                Array.Fill(line, target);
                rate.Line("asked (--read-rate)", SvgChart.Palette[7], seconds, line, dashed: true);
            }
        }
        Figure(s, "Reads per second", "reads answered in each second, and of them not ok (samples.reads, samples.read_errors)", rate);
        var latency = new SvgChart("chart-read-latency", "seconds since start", "ms") { EmptyText = "no read was answered" };
        if (series.ReadP50 is { } p50 && series.ReadP99 is { } p99)
            latency.Line("p50", SvgChart.Palette[0], seconds, p50).Line("p99", SvgChart.Palette[1], seconds, p99);
        Figure(s, "Read latency over time", "ms from each read's intended time to its answer, reads due in each second", latency);
        s.Append("</section>\n");
    }

    /// <summary>FastLoad's own load beside the node's, and the latency CDF (samples, tx_log): what the bottleneck verdict rests on.</summary>
    private static void SelfSection(StringBuilder s, RunTelemetry t, double[] seconds)
    {
        s.Append("""
            <h2 class="section">FastLoad's own load beside the node's</h2>
            <p class="note">from the samples table, one point a second: what limited the run shows here (see "bound by" above)</p>
            <section class="charts">

            """);
        Figure(s, "FastLoad CPU and sender waits", "process CPU (100 = one core); share of the senders' time spent waiting for signed txs (ring empty) and for the network (pipelining slots full)",
            new SvgChart("chart-self-load", "seconds since start", "%")
                .Line("CPU", SvgChart.Palette[4], seconds, t.CpuPercent)
                .Line("waiting for signed txs", SvgChart.Palette[1], seconds, t.WaitSigningPercent)
                .Line("waiting for the network", SvgChart.Palette[0], seconds, t.WaitNetworkPercent));
        Figure(s, "Ring fill and in flight", "presigned txs waiting to be sent, and txs sent but not yet answered, at each sample",
            new SvgChart("chart-self-queues", "seconds since start", "txs")
                .Line("ring fill", SvgChart.Palette[2], seconds, t.RingFill)
                .Line("in flight", SvgChart.Palette[3], seconds, t.InFlight));
        Figure(s, "Signing vs the node's answers and inclusions", "txs signed, answered by the node and seen in a block, each second",
            new SvgChart("chart-self-rates", "seconds since start", "tx/s")
                .Line("signed", SvgChart.Palette[4], seconds, t.SignerRate)
                .Line("acked (node)", SvgChart.Palette[0], seconds, t.AckedPerSecond)
                .Line("included (node)", SvgChart.Palette[2], seconds, t.IncludedPerSecond));
        // x: the number of nines, -log10(1 - p): p50 at 0.3, p90 at 1, p99 at 2, p99.9 at 3, p99.99 at 4.
        double[] nines = new double[RunTelemetry.Percentiles.Length];
        for (int i = 0; i < nines.Length; i++) nines[i] = -Math.Log10(1 - RunTelemetry.Percentiles[i] / 100);
        Figure(s, "Latency by percentile (log axis)", "ms at p50, p75, p90, p95, p99, p99.5, p99.9, p99.99; from the intended send time",
            new SvgChart("chart-latency-cdf", "percentile", "ms") { XStep = 1, XTickLabel = Nines, EmptyText = "no tx was answered" }
                .Line("ack", SvgChart.Palette[0], nines, t.AckAtPercentile)
                .Line("inclusion", SvgChart.Palette[2], nines, t.InclusionAtPercentile));
        s.Append("</section>\n");
    }

    /// <summary>A tick of the nines axis: 0 → p0, 1 → p90, 2 → p99, 3 → p99.9, 4 → p99.99.</summary>
    private static string Nines(double n) => n <= 0 ? "p0" : "p" + (100 - 100 * Math.Pow(10, -n)).ToString("0.####", C);

    private static void SettingsTable(StringBuilder s, RunTelemetry t)
    {
        s.Append("""
            <h2 class="section">Settings</h2>
            <div class="table-wrap"><table id="table-settings">
            <tbody>

            """);
        foreach ((string key, string value) in t.Settings)
            s.Append($"""<tr><th class="l">{Html.Escape(key)}</th><td class="l wrap">{Html.Escape(value)}</td></tr>""").Append('\n');
        s.Append("</tbody>\n</table></div>\n");
    }

    private static string Cell(double? ms) => ms is double d ? d.ToString("N1", C) : "-";

    private static string Num(double? v) => v is double d ? d.ToString(d >= 100 ? "N0" : "N1", C) : "-";

    private static void Card(StringBuilder s, string key, string value, string sub, string? id = null) =>
        s.Append($"""<div class="card"{(id is null ? "" : $" id=\"{id}\"")}><div class="k">{Html.Escape(key)}</div><div class="v">{Html.Escape(value)}</div><div class="s">{Html.Escape(sub)}</div></div>""").Append('\n');

    private static void Figure(StringBuilder s, string title, string caption, SvgChart chart) =>
        s.Append($"""<figure><h2>{Html.Escape(title)}</h2><p>{Html.Escape(caption)}</p>""").Append('\n').Append(chart.Render()).Append("\n</figure>\n");

    private static void NodeTable(StringBuilder s, RunMetrics m)
    {
        s.Append("""
            <h2 class="section">Per node</h2>
            <p class="note">latencies in ms: ack from intended send, raw from actual send, inclusion to the block being seen</p>
            <div class="table-wrap"><table id="table-nodes">
            <thead><tr><th class="l">node</th><th class="l">url</th><th>sent</th><th>tx/s</th><th>accepted</th><th>errors</th><th>success %</th><th>ack p50</th><th>ack p90</th><th>ack p99</th><th>ack max</th><th>raw p99</th><th>included</th><th>not incl.</th><th>incl. p50</th><th>incl. p99</th><th>blocks</th><th class="l">errors by class</th></tr></thead>
            <tbody>

            """);
        foreach (TxMetrics n in m.Nodes) Row(s, n, total: false);
        Row(s, m.Total, total: true);
        s.Append("</tbody>\n</table></div>\n");
    }

    private static void Row(StringBuilder s, TxMetrics n, bool total)
    {
        s.Append(total ? """<tr class="total">""" : "<tr>");
        s.Append($"""<td class="l">{(total ? "all" : n.Node?.ToString(C))}</td><td class="l">{Html.Escape(total ? "" : n.Url)}</td>""");
        foreach (string cell in (ReadOnlySpan<string>)
        [
            n.Sent.ToString("N0", C), n.AchievedRate.ToString("N1", C), n.Accepted.ToString("N0", C), n.Errors.ToString("N0", C),
            n.SuccessPercent is double pct ? pct.ToString("F2", C) : "-", Cell(n.AckP50Ms), Cell(n.AckP90Ms), Cell(n.AckP99Ms),
            Cell(n.AckMaxMs), Cell(n.RawAckP99Ms), MetricsText.Count(n, n.Included), MetricsText.Count(n, n.NotIncluded),
            Cell(n.InclusionP50Ms), Cell(n.InclusionP99Ms), n.Blocks.ToString("N0", C),
        ])
            s.Append("<td>").Append(Html.Escape(cell)).Append("</td>");
        s.Append($"""<td class="l wrap">{Html.Escape(n.ErrorsByClass.Count == 0 ? "-" : MetricsText.ErrorList(n))}</td></tr>""").Append('\n');
    }
}

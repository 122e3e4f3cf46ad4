using FastLoad.Engine.DuckDb;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Results;

/// <summary><c>fastload report</c> as a user runs it: the terminal summary, bad input, and the HTML page rendered in headless Chromium.</summary>
public sealed partial class ReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fastload-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task Prints_the_summary_with_a_line_per_node()
    {
        SyntheticResults.WriteSmall(PathOf("small.duckdb"));
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", PathOf("small.duckdb"));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        string[] lines = r.StdOut.Split('\n');
        Assert.Equal("Run small  complete  (small.duckdb)", lines[0]);
        Assert.Contains("  started      2026-11-22 08:30:00Z   duration 2.50 s", lines);
        Assert.Contains("  rate         4 tx/s achieved (target 4, 100.0 %)", lines);
        Assert.Contains("  sent         10   accepted 6   errors 3   unanswered 1   success 66.67 %", lines);
        Assert.Contains("  errors       underpriced 2, nonce_too_low 1", lines);
        Assert.Contains("  ack latency  p50 20.0 ms   p90 102.0 ms   p99 102.0 ms   max 102.0 ms   (from intended send time)", lines);
        Assert.Contains("    (raw)      p99 100.0 ms   (from actual send time)", lines);
        Assert.Contains("  included     5 in 3 blocks   not included 1", lines);
        Assert.Contains("  inclusion    p50 1,000.0 ms   p99 1,600.0 ms   (block seen - intended send time)", lines);
        Assert.Contains(lines, l => l.StartsWith("  0 http://a:8545 ", StringComparison.Ordinal) && l.Contains("80.00 %") && l.EndsWith("nonce_too_low 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  1 http://b:8545 ", StringComparison.Ordinal) && l.Contains("50.00 %") && l.EndsWith("underpriced 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_a_killed_run_from_its_tx_rows()
    {
        SyntheticResults.WriteSmall(PathOf("killed.duckdb"), killed: true);
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", PathOf("killed.duckdb"));

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Run small-killed  killed  (killed.duckdb)", r.StdOut);
        Assert.Contains("duration 1.50 s (to the last send: no end recorded)", r.StdOut);
        Assert.Contains("  rate         7 tx/s achieved (target 4, 166.7 %)", r.StdOut);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("text", "is not a DuckDB database")]
    [InlineData("html-folder", "does not exist")]
    public async Task Bad_input_is_one_line_and_exit_code_2(string what, string expected)
    {
        string file = PathOf("r.duckdb");
        string[] args = ["report", file];
        if (what == "text") File.WriteAllText(file, "not a database");
        if (what == "html-folder")
        {
            SyntheticResults.WriteSmall(file);
            args = [.. args, "--html", PathOf("no/such/dir/r.html")];
        }
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", args);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("fastload report: ", r.StdErr);
        Assert.Contains(expected, r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        if (what == "missing") Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Run_killed_before_its_first_tx_reports_zeros_and_empty_charts()
    {
        string file = PathOf("empty.duckdb"), html = PathOf("empty.html");
        SyntheticResults.WriteEmpty(file);
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", file, "--html", html);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("  sent         0   accepted 0   errors 0   unanswered 0   success -", r.StdOut);
        Assert.Contains("  ack latency  p50 -   p90 -   p99 -   max -   (from intended send time)", r.StdOut);
        string page = File.ReadAllText(html);
        Assert.Equal(HtmlReportChartCount, Regex.Count(page, "<svg id=\"chart-"));
        Assert.Contains("no block recorded", page);
    }

    private const int HtmlReportChartCount = 11;

    [Fact]
    public async Task File_still_open_by_a_writer_is_named_as_such()
    {
        string file = PathOf("busy.duckdb");
        SyntheticResults.WriteSmall(file);
        using var writer = DuckDbSql.Open(file); // this test process holds the write lock, like a run
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", file);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"fastload report: {file} is open for writing in another process (a run still going?)", r.StdErr);
        Assert.Contains($"(PID {Environment.ProcessId})", r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Measures every chart after layout and writes the results into the DOM.</summary>
    private const string RenderCheck = """
        <script>
        (function () {
          var out = [];
          document.querySelectorAll('svg.chart').forEach(function (svg) {
            var box = svg.getBBox(), plot = svg.querySelector('g.plot').getBBox();
            var declared = 0, drawn = 0, flat = 0;
            svg.querySelectorAll('.series').forEach(function (s) {
              var n = +s.getAttribute('data-points');
              declared += n;
              if (s.tagName === 'path') {
                drawn += (s.getAttribute('d').match(/[ML]/g) || []).length;
                if (n > 1 && !(s.getBBox().width > 0)) flat++;
              } else {
                s.querySelectorAll('rect.bar').forEach(function (r) { drawn++; if (!(r.getBBox().width > 0)) flat++; });
              }
            });
            function visible(sel) { var k = 0; svg.querySelectorAll(sel).forEach(function (e) { var b = e.getBBox(); if (b.width > 0 && b.height > 0) k++; }); return k; }
            var frame = svg.getBoundingClientRect(), inside = 0, labels = svg.querySelectorAll('text.category');
            labels.forEach(function (e) {
              var r = e.getBoundingClientRect();
              if (r.width > 0 && r.left >= frame.left && r.right <= frame.right && r.top >= frame.top && r.bottom <= frame.bottom) inside++;
            });
            out.push(svg.id + ' ' + Math.round(box.width) + 'x' + Math.round(box.height) + ' plot=' + Math.round(plot.width) + 'x' + Math.round(plot.height)
              + ' declared=' + declared + ' drawn=' + drawn + ' zero-width=' + flat
              + ' markers=' + visible('circle.point') + ' refs=' + svg.querySelectorAll('line.ref').length + ' bands=' + visible('rect.band')
              + ' labels=' + inside + '/' + labels.length);
          });
          document.querySelectorAll('table[id]').forEach(function (t) { out.push(t.id + ' rows=' + t.tBodies[0].rows.length); });
          var pre = document.createElement('pre');
          pre.id = 'render-check';
          pre.textContent = out.join('\n');
          document.body.appendChild(pre);
        })();
        </script>
        """;

    [GeneratedRegex(@"^(?<id>chart-[\w-]+) (?<w>\d+)x(?<h>\d+) plot=(?<pw>\d+)x(?<ph>\d+) declared=(?<declared>\d+) drawn=(?<drawn>\d+) zero-width=(?<flat>\d+) markers=(?<markers>\d+) refs=(?<refs>\d+) bands=(?<bands>\d+) labels=(?<inside>\d+)/(?<labels>\d+)$")]
    private static partial Regex ChartLine();

    /// <summary>Opens <paramref name="page"/> with <see cref="RenderCheck"/> injected in headless Chromium; its lines (one per chart, then one per table).</summary>
    private async Task<string[]> RenderCheckAsync(string page, string name)
    {
        string checkedPage = PathOf(name + "-check.html");
        File.WriteAllText(checkedPage, page.Replace("</body>", RenderCheck + "\n</body>", StringComparison.Ordinal));
        string dom = await Chromium.DumpDomAsync(checkedPage);
        Match pre = Regex.Match(dom, "<pre id=\"render-check\">(.*?)</pre>", RegexOptions.Singleline);
        Assert.True(pre.Success, "no render-check output in the DOM:\n" + dom[..Math.Min(dom.Length, 2000)]);
        return WebUtility.HtmlDecode(pre.Groups[1].Value).Split('\n');
    }

    private static void AssertSelfContained(string page)
    {
        // Self-contained: nothing is fetched (node URLs appear as text only).
        foreach (string forbidden in (ReadOnlySpan<string>)["<script", "<link", " src=", "href=", "@import", "url("])
            Assert.DoesNotContain(forbidden, page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Html_page_renders_every_chart_in_headless_chromium()
    {
        string results = PathOf("gen.duckdb"), html = PathOf("gen.html");
        SyntheticResults.WriteGenerated(results, new SyntheticResults.Profile { Seconds = 20, Rate = 200, Nodes = 2 });
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", results, "--html", html);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"  html         {html}", r.StdOut);

        string page = File.ReadAllText(html);
        AssertSelfContained(page);

        // What each chart must show, from the same file.
        RunSeries series;
        RunTelemetry telemetry;
        using (ResultsFiles file = ResultsFile.OpenReadOnly(results))
        {
            series = RunSeries.Load(file.Connection);
            telemetry = RunTelemetry.Load(file.Connection, series.Seconds);
        }
        static int Points(double[] a) => a.Count(v => !double.IsNaN(v));
        var expected = new Dictionary<string, int>
        {
            ["chart-rate"] = 2 * series.Seconds,                                  // achieved + target
            ["chart-ack"] = Points(series.AckP50) + Points(series.AckP99),
            ["chart-inclusion"] = Points(series.InclusionP50) + Points(series.InclusionP99),
            ["chart-inclusion-histogram"] = series.InclusionBucketCount.Length,
            ["chart-block-txs"] = 2 * series.Blocks.Length,                      // all txs + ours
            ["chart-block-gas"] = series.Blocks.Length,
            ["chart-errors"] = series.Seconds * (1 + series.ErrorsPerSecond.Count), // all + one line per class
            ["chart-self-load"] = 3 * series.Seconds,                             // CPU + the two waits, one sample a second
            ["chart-self-queues"] = 2 * series.Seconds,                           // ring fill + in flight
            ["chart-self-rates"] = 3 * series.Seconds,                            // signed + acked + included
            ["chart-latency-cdf"] = 2 * RunTelemetry.Percentiles.Length,          // ack + inclusion, p50 … p99.99
        };
        Assert.Equal(2 * RunTelemetry.Percentiles.Length, Points(telemetry.AckAtPercentile) + Points(telemetry.InclusionAtPercentile));
        // The waits come from samples (synthetic: 100 + t ms signing and 200 + t ms network per node and second).
        Assert.Equal(10.1, telemetry.WaitSigningPercent[0], 6);
        Assert.Equal(20.1, telemetry.WaitNetworkPercent[0], 6);
        Assert.Equal(20, series.Seconds);            // the seconds of sending
        Assert.Equal(22, series.Blocks.Length);
        Assert.Equal(["nonce_too_low", "underpriced"], series.ErrorsPerSecond.Select(e => e.Key));
        Assert.True(series.InclusionBucketCount.Length >= 10, $"{series.InclusionBucketCount.Length} histogram buckets");

        string[] report = await RenderCheckAsync(page, "gen");

        var seen = new HashSet<string>();
        foreach (string line in report.Where(l => l.StartsWith("chart-", StringComparison.Ordinal)))
        {
            Match m = ChartLine().Match(line);
            Assert.True(m.Success, line);
            string id = m.Groups["id"].Value;
            int Get(string g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            Assert.True(Get("w") > 300 && Get("h") > 150, line);
            Assert.True(Get("pw") > 200, line);             // a flat line has a plot height of 0
            Assert.Equal(expected[id], Get("declared"));
            Assert.Equal(expected[id], Get("drawn"));
            Assert.Equal(0, Get("flat"));
            Assert.Equal(0, Get("markers") + Get("refs") + Get("bands") + Get("labels")); // a plain run's charts have none of the probe's
            seen.Add(id);
        }
        Assert.Equal(expected.Keys.Order(), seen.Order());
        Assert.Contains("table-nodes rows=3", report); // two nodes + total
    }

    [Fact]
    public async Task Screenshot_of_the_html_page_is_not_blank()
    {
        string results = PathOf("gen.duckdb"), html = PathOf("gen.html"), png = PathOf("gen.png");
        SyntheticResults.WriteGenerated(results, new SyntheticResults.Profile { Seconds = 10, Rate = 100, Nodes = 1 });
        Assert.Equal(0, (await ProcessRunner.RunFastloadAsync("", "report", results, "--html", html)).ExitCode);

        await Chromium.ScreenshotAsync(html, png, 1320, 1600);
        // FASTLOAD_TEST_ARTIFACTS=dir keeps the page and its screenshot for a look.
        if (Environment.GetEnvironmentVariable("FASTLOAD_TEST_ARTIFACTS") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            foreach (string f in (ReadOnlySpan<string>)[results, html, png]) File.Copy(f, Path.Combine(keep, Path.GetFileName(f)), overwrite: true);
        }

        (long pixels, long notBackground, int colours) = Chromium.PngStats(png);
        Assert.Equal(1320L * 1600, pixels);
        Assert.True(notBackground > pixels / 50, $"{notBackground} of {pixels} pixels differ from the background");
        Assert.True(colours > 20, $"{colours} colours");
    }
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>The element <c>&lt;tag id="id" ...&gt;...&lt;/tag&gt;</c> of the page, parsed as XML (the report writes well-formed SVG and tables).</summary>
    private static XElement Element(string page, string tag, string id)
    {
        Match m = Regex.Match(page, $"<{tag} id=\"{id}\".*?</{tag}>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no <{tag} id=\"{id}\"> in the page");
        return XElement.Parse(m.Value);
    }

    private static double Num(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Probe_html_charts_offered_vs_included_rate_per_phase(bool sustainable)
    {
        string results = PathOf("probe.duckdb"), html = PathOf("probe.html");
        SyntheticResults.WriteProbe(results, sustainable);
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", results, "--html", html);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("  probe        6 phases", r.StdOut);
        Assert.Contains(sustainable ? "  sustainable: 300 tx/s" : "  no sustainable rate found", r.StdOut);

        string page = File.ReadAllText(html);
        AssertSelfContained(page);
        SyntheticResults.ProbePhase[] phases = SyntheticResults.ProbePhases;
        XElement chart = Element(page, "svg", "chart-probe");

        // Two lines, one point per phase each, in run order.
        var lines = chart.Descendants(Svg + "path").Where(e => ((string?)e.Attribute("class"))?.Contains("series") == true).ToList();
        Assert.Equal(["offered", "included"], lines.Select(e => (string)e.Attribute("data-name")!));
        foreach (XElement line in lines)
        {
            Assert.Equal(phases.Length, (int)line.Attribute("data-points")!);
            Assert.Equal(phases.Length, Regex.Count((string)line.Attribute("d")!, "[ML]"));
        }
        List<XElement> Points(string series) =>
            [.. chart.Descendants(Svg + "circle").Where(e => (string?)e.Attribute("class") == "point" && (string?)e.Attribute("data-series") == series)];
        List<XElement> offered = Points("offered"), included = Points("included");
        Assert.Equal(phases.Select(p => p.Rate), offered.Select(e => Num(e, "data-value")));
        Assert.Equal(phases.Select(p => p.IncludedRate), included.Select(e => Num(e, "data-value")));
        Assert.Equal(Enumerable.Range(0, phases.Length), offered.Select(e => (int)e.Attribute("data-index")!));
        // x: one column per phase, left to right; both series share it.
        List<double> xs = [.. offered.Select(e => Num(e, "cx"))];
        Assert.Equal(xs.Order(), xs);
        Assert.Equal(xs, included.Select(e => Num(e, "cx")));
        // y: higher rate, higher up (smaller y); the failed step 3 at 400 is the top point.
        Assert.Equal(offered.Select(e => Num(e, "cy")).Min(), Num(offered[2], "cy"));
        Assert.Equal("step 3: offered 400 tx/s, FAIL backlog grew 135 (> 60)", offered[2].Element(Svg + "title")!.Value);
        Assert.Equal("bisect 1: included 296 tx/s, PASS", included[3].Element(Svg + "title")!.Value);

        // Labelled by name and rate.
        var categories = chart.Descendants(Svg + "text").Where(e => (string?)e.Attribute("class") == "category").Select(e => e.Value);
        Assert.Equal(["step 1 (100)", "step 2 (200)", "step 3 (400)", "bisect 1 (300)", "bisect 2 (350)", "hold (300)"], categories);

        // Each phase's verdict: a tinted band over its column, in the legend.
        var bands = chart.Descendants(Svg + "rect").Where(e => (string?)e.Attribute("class") == "band").ToList();
        Assert.Equal(phases.Select(p => p.Pass ? "PASS" : "FAIL"), bands.Select(e => (string)e.Attribute("data-verdict")!));
        Assert.Equal(Enumerable.Range(0, phases.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)), bands.Select(e => (string)e.Attribute("data-phase")!));
        for (int i = 0; i < phases.Length; i++)
            Assert.InRange(xs[i], Num(bands[i], "x"), Num(bands[i], "x") + Num(bands[i], "width"));
        Assert.Single(bands.Select(e => (string)e.Attribute("fill")!).Where((_, i) => phases[i].Pass).Distinct());
        Assert.Single(bands.Select(e => (string)e.Attribute("fill")!).Where((_, i) => !phases[i].Pass).Distinct());
        Assert.NotEqual(bands[0].Attribute("fill")!.Value, bands[2].Attribute("fill")!.Value);
        var legend = chart.Elements(Svg + "g").Single(e => (string?)e.Attribute("class") == "legend").Elements(Svg + "text").Select(e => e.Value);
        Assert.Equal(sustainable ? ["offered", "included", "sustainable", "PASS", "FAIL"] : ["offered", "included", "PASS", "FAIL"], legend);

        // The sustainable rate: a horizontal line at the height of the 300 tx/s points.
        var refs = chart.Descendants(Svg + "line").Where(e => (string?)e.Attribute("class") == "ref").ToList();
        if (sustainable)
        {
            XElement line = Assert.Single(refs);
            Assert.Equal("sustainable", (string)line.Attribute("data-name")!);
            Assert.Equal(SyntheticResults.ProbeSustainable, Num(line, "data-value"));
            Assert.Equal(Num(line, "y1"), Num(line, "y2"));
            Assert.Equal(Num(offered[3], "cy"), Num(line, "y1")); // bisect 1 offered 300
            Assert.Equal(Num(offered[5], "cy"), Num(line, "y1")); // the hold at 300
            Assert.Contains("sustainable: 300 tx/s", page);
        }
        else
        {
            Assert.Empty(refs);
            Assert.Contains("no sustainable rate found", page);
        }

        // The per-phase table: one row per phase, from the same phases rows.
        XElement table = Element(page, "table", "table-probe");
        List<XElement> rows = [.. table.Element("tbody")!.Elements("tr")];
        Assert.Equal(phases.Length, rows.Count);
        for (int i = 0; i < phases.Length; i++)
        {
            string[] cells = [.. rows[i].Elements("td").Select(td => td.Value)];
            Assert.Equal(phases[i].Name, cells[1]);
            Assert.Equal(phases[i].Kind, cells[2]);
            Assert.Equal(phases[i].Pass ? "PASS" : "FAIL", cells[^2]);
            Assert.Equal(phases[i].Pass ? "" : phases[i].Reason, cells[^1]);
        }
        Assert.Equal(["2", "step 3", "step", "400", "1,200", "100.0", "930", "310", "1,800.0", "4,100.0", "+135", "60", "FAIL", "backlog grew 135 (> 60)"],
            rows[2].Elements("td").Select(td => td.Value));

        // The plain charts are all still there.
        Assert.Equal(HtmlReportChartCount + 1, Regex.Count(page, "<svg id=\"chart-"));
    }

    [Fact]
    public async Task Probe_html_page_renders_in_headless_chromium()
    {
        string results = PathOf("probe.duckdb"), html = PathOf("probe.html");
        SyntheticResults.WriteProbe(results);
        Assert.Equal(0, (await ProcessRunner.RunFastloadAsync("", "report", results, "--html", html)).ExitCode);

        string[] report = await RenderCheckAsync(File.ReadAllText(html), "probe");
        int n = SyntheticResults.ProbePhases.Length;
        Match m = ChartLine().Match(Assert.Single(report, l => l.StartsWith("chart-probe ", StringComparison.Ordinal)));
        Assert.True(m.Success, string.Join('\n', report));
        int Get(string g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        Assert.True(Get("w") > 300 && Get("h") > 150 && Get("pw") > 200 && Get("ph") > 100, m.Value);
        Assert.Equal(2 * n, Get("declared")); // offered + included
        Assert.Equal(2 * n, Get("drawn"));
        Assert.Equal(0, Get("flat"));
        Assert.Equal(2 * n, Get("markers")); // every point's marker has a size
        Assert.Equal(1, Get("refs"));
        Assert.Equal(n, Get("bands"));
        Assert.Equal(n, Get("labels"));
        Assert.Equal(n, Get("inside"));      // no phase label is cut off
        Assert.Contains($"table-probe rows={n}", report);
        Assert.Contains("table-nodes rows=2", report); // one node + total
        Assert.Equal(HtmlReportChartCount + 1, report.Count(l => l.StartsWith("chart-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Plain_run_report_has_no_probe_chart_or_table()
    {
        string results = PathOf("small.duckdb"), html = PathOf("small.html");
        SyntheticResults.WriteSmall(results);
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", results, "--html", html);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("probe", r.StdOut);

        string page = File.ReadAllText(html);
        Assert.Equal(HtmlReportChartCount, Regex.Count(page, "<svg id=\"chart-"));
        foreach (string absent in (ReadOnlySpan<string>)["chart-probe", "table-probe", "Probe", "sustainable", "class=\"point\"", "class=\"band\"", "class=\"ref\""])
            Assert.DoesNotContain(absent, page, StringComparison.Ordinal);
    }
}

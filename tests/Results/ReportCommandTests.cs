using FastLoad.Engine.DuckDb;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
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
            out.push(svg.id + ' ' + Math.round(box.width) + 'x' + Math.round(box.height) + ' plot=' + Math.round(plot.width) + 'x' + Math.round(plot.height)
              + ' declared=' + declared + ' drawn=' + drawn + ' zero-width=' + flat);
          });
          var t = document.getElementById('table-nodes');
          out.push('table-nodes rows=' + (t ? t.tBodies[0].rows.length : -1));
          var pre = document.createElement('pre');
          pre.id = 'render-check';
          pre.textContent = out.join('\n');
          document.body.appendChild(pre);
        })();
        </script>
        """;

    [GeneratedRegex(@"^(?<id>[\w-]+) (?<w>\d+)x(?<h>\d+) plot=(?<pw>\d+)x(?<ph>\d+) declared=(?<declared>\d+) drawn=(?<drawn>\d+) zero-width=(?<flat>\d+)$")]
    private static partial Regex ChartLine();

    [Fact]
    public async Task Html_page_renders_every_chart_in_headless_chromium()
    {
        string results = PathOf("gen.duckdb"), html = PathOf("gen.html");
        SyntheticResults.WriteGenerated(results, new SyntheticResults.Profile { Seconds = 20, Rate = 200, Nodes = 2 });
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", results, "--html", html);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"  html         {html}", r.StdOut);

        string page = File.ReadAllText(html);
        // Self-contained: nothing is fetched (node URLs appear as text only).
        foreach (string forbidden in (ReadOnlySpan<string>)["<script", "<link", " src=", "href=", "@import", "url("])
            Assert.DoesNotContain(forbidden, page, StringComparison.OrdinalIgnoreCase);

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

        string checkedPage = PathOf("gen-check.html");
        File.WriteAllText(checkedPage, page.Replace("</body>", RenderCheck + "\n</body>", StringComparison.Ordinal));
        string dom = await Chromium.DumpDomAsync(checkedPage);
        Match pre = Regex.Match(dom, "<pre id=\"render-check\">(.*?)</pre>", RegexOptions.Singleline);
        Assert.True(pre.Success, "no render-check output in the DOM:\n" + dom[..Math.Min(dom.Length, 2000)]);
        string[] report = WebUtility.HtmlDecode(pre.Groups[1].Value).Split('\n');

        var seen = new HashSet<string>();
        foreach (string line in report[..^1])
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
            seen.Add(id);
        }
        Assert.Equal(expected.Keys.Order(), seen.Order());
        Assert.Equal("table-nodes rows=3", report[^1]); // two nodes + total
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
}

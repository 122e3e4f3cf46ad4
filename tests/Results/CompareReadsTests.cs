using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Results;

/// <summary>
/// Read traffic in <c>fastload report</c> and <c>fastload compare</c>: generated runs with reads (<see cref="SyntheticResults.Profile.ReadRate"/>),
/// the read metrics computed from <c>read_log</c>, and read p99 and read error % judged against their thresholds.
/// </summary>
public sealed class CompareReadsTests : IClassFixture<CompareReadsTests.Files>
{
    public sealed class Files : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("fastload-compare-reads-").FullName;
        public string Base => Path.Combine(Dir, "base.duckdb");
        public string Within => Path.Combine(Dir, "within.duckdb");
        public string Regressed => Path.Combine(Dir, "regressed.duckdb");
        public string NoReads => Path.Combine(Dir, "no-reads.duckdb");

        public static readonly SyntheticResults.Profile Baseline = new() { Seconds = 10, Rate = 100, TargetRate = 100, ReadRate = 100, ReadMs = 2, ReadErrorsPerMille = 5 };

        public Files()
        {
            SyntheticResults.WriteGenerated(Base, Baseline);
            // read latency +5 %, read errors 0.5 % -> 0.6 %
            SyntheticResults.WriteGenerated(Within, Baseline with { ReadMs = 2.1, ReadErrorsPerMille = 6 });
            // read latency +50 %, read errors 0.5 % -> 2 %
            SyntheticResults.WriteGenerated(Regressed, Baseline with { ReadMs = 3, ReadErrorsPerMille = 20 });
            SyntheticResults.WriteGenerated(NoReads, Baseline with { ReadRate = 0 });
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    private readonly Files _files;

    public CompareReadsTests(Files files) => _files = files;

    private static string Line(ProcessResult r, string metric) =>
        r.StdOut.Split('\n').First(l => l.StartsWith("  " + metric + " ", StringComparison.Ordinal));

    [Fact]
    public void Read_metrics_come_from_read_log()
    {
        RunMetrics m = RunMetrics.Load(_files.Base);
        ReadMetrics r = Assert.IsType<ReadMetrics>(m.Reads);
        Assert.Equal("eth_blockNumber", r.Method);
        Assert.Equal(100, r.TargetRate);
        Assert.Equal(1_000, r.Reads); // 100 reads/s for 10 s
        Assert.Equal(100, r.AchievedRate);
        // (i * 7919) % 1000 < 5 picks exactly 5 of every 1,000 consecutive i (7919 is prime to 1000): 5 failed, split by outcome.
        Assert.Equal(5, r.Errors);
        Assert.Equal(0.5, r.ErrorPercent);
        Assert.Equal(r.Errors, r.ErrorsByOutcome.Sum(e => e.Value));
        Assert.Equal(["connection_lost", "error"], r.ErrorsByOutcome.Select(e => e.Key).Order());
        // Latency 2 ms x (1 + (i % 100) / 33), each value ten times: p50 at i % 100 = 49 (4.97 ms), p99 at 98 (7.939 ms), max at 99 (8 ms).
        Assert.Equal(4.970, r.P50Ms!.Value, 3);
        Assert.Equal(7.939, r.P99Ms!.Value, 3);
        Assert.Equal(8.0, r.MaxMs!.Value, 3);
        Assert.Equal(r.P99Ms.Value - 0.1, r.RawP99Ms!.Value, 3); // sent 100 µs after the intended time

        Assert.Null(RunMetrics.Load(_files.NoReads).Reads);
    }

    [Fact]
    public async Task Report_prints_the_reads_and_draws_their_charts()
    {
        string html = Path.Combine(_files.Dir, "base.html");
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", _files.Base, "--html", html);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.Contains("  reads        eth_blockNumber at 100/s: 1,000 answered   ok 995   errors 5 (", r.StdOut);
        Assert.Contains("error 0.50 %   100 reads/s", r.StdOut);
        Assert.Contains("  read latency p50 5.0 ms", r.StdOut);
        string page = File.ReadAllText(html);
        foreach (string id in (string[])["chart-reads", "chart-read-latency", "card-read-latency"]) Assert.Contains($"id=\"{id}\"", page);
        Assert.Contains("id=\"card-reads\"", page);
        Assert.Contains("100 reads/s", page);

        ProcessResult plain = await ProcessRunner.RunFastloadAsync("", "report", _files.NoReads, "--html", html);
        Assert.Equal(0, plain.ExitCode);
        Assert.DoesNotContain("reads ", plain.StdOut);
        Assert.DoesNotContain("chart-read", File.ReadAllText(html));
    }

    [Fact]
    public void Per_second_reads_and_read_latency_come_from_samples_and_read_log()
    {
        using var db = Engine.DuckDb.DuckDbSql.Open(_files.Base);
        RunSeries series = RunSeries.Load(db);
        Assert.Equal(1_000, series.ReadsPerSecond!.Sum());
        Assert.Equal(5, series.ReadErrorsPerSecond!.Sum());
        Assert.All(series.ReadsPerSecond!, n => Assert.Equal(100, n));
        Assert.All(series.ReadP99!, p => Assert.InRange(p, 7.8, 8.0));

        using var plain = Engine.DuckDb.DuckDbSql.Open(_files.NoReads);
        RunSeries none = RunSeries.Load(plain);
        Assert.Null(none.ReadsPerSecond);
        Assert.Null(none.ReadP99);
    }

    [Fact]
    public async Task Reads_within_the_thresholds_pass_and_the_pass_line_names_their_limits()
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Within);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.DoesNotContain("REGRESSED", r.StdOut);
        Assert.Equal("  read error %               0.50           0.60       +0.10 pt   +20.0 %", Line(r, "read error %"));
        Assert.Matches(@"^  read p99 ms +7\.9 +8\.\d +\+0\.\d +\+5\.\d %$", Line(r, "read p99 ms"));
        Assert.Equal("  reads                     1,000          1,000             +0    +0.0 %", Line(r, "reads"));
        Assert.Contains("inclusion p99 rise <= 20 %, read p99 rise <= 20 %, read error rise <= 0.5 points)", r.StdOut);
    }

    [Fact]
    public async Task Reads_past_their_thresholds_regress_with_exit_1()
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Regressed);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("  read error %               0.50           2.00       +1.50 pt  +300.0 %   << REGRESSED (rise > 0.5 points)", Line(r, "read error %"));
        Assert.Matches(@"^  read p99 ms +7\.9 +11\.9 +\+[\d.]+ +\+50\.\d %   << REGRESSED \(rise > 20 %\)$", Line(r, "read p99 ms"));
        Assert.DoesNotContain("REGRESSED", Line(r, "read p50 ms"));
        Assert.EndsWith("FAIL: 2 regressions past the thresholds (read error, read p99)\n", r.StdOut);

        ProcessResult relaxed = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Regressed, "--max-read-p99-rise", "60", "--max-read-error-rise", "2");
        Assert.True(relaxed.ExitCode == 0, relaxed.StdOut);
        Assert.Contains("read p99 rise <= 60 %, read error rise <= 2 points)", relaxed.StdOut);

        ProcessResult bad = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Regressed, "--max-read-p99-rise", "-1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("fastload compare: --max-read-p99-rise must be a number >= 0 (got -1)", bad.StdErr.Trim());
    }

    [Fact]
    public async Task A_new_run_without_the_base_runs_reads_regresses_and_runs_without_reads_show_no_read_lines()
    {
        ProcessResult lost = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.NoReads);
        Assert.Equal(1, lost.ExitCode);
        Assert.Equal("  reads                     1,000              -              -         -", Line(lost, "reads"));
        Assert.EndsWith("FAIL: 2 regressions past the thresholds (read error, read p99)\n", lost.StdOut);

        ProcessResult gained = await ProcessRunner.RunFastloadAsync("", "compare", _files.NoReads, _files.Base);
        Assert.True(gained.ExitCode == 0, gained.StdOut);
        Assert.Contains("  read p99 ms                   -", gained.StdOut);

        ProcessResult neither = await ProcessRunner.RunFastloadAsync("", "compare", _files.NoReads, _files.NoReads);
        Assert.Equal(0, neither.ExitCode);
        Assert.DoesNotContain("  read", neither.StdOut);
        Assert.DoesNotContain("read p99 rise", neither.StdOut);
    }

    [Fact]
    public void A_rise_at_the_threshold_is_not_a_regression_and_one_past_it_is()
    {
        var limits = new CompareThresholds();
        ReadMetrics Reads(long errors, double p99) => new() { Reads = 1_000, Ok = 1_000 - errors, P99Ms = p99 };
        MetricDelta[] at = [.. RunComparison.CompareReads(Reads(5, 10), Reads(10, 12), limits)]; // +0.5 points, +20 %
        Assert.DoesNotContain(at, d => d.Regressed);
        MetricDelta[] past = [.. RunComparison.CompareReads(Reads(5, 10), Reads(11, 12.1), limits)]; // +0.6 points, +21 %
        Assert.Equal(["read error", "read p99"], past.Where(d => d.Regressed).Select(d => d.Name));
        Assert.Empty(RunComparison.CompareReads(null, null, limits));
    }
}

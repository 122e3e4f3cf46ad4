using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Results;

/// <summary><c>fastload compare</c> on generated runs: one within every threshold, one past every threshold.</summary>
public sealed class CompareCommandTests : IClassFixture<CompareCommandTests.Files>
{
    /// <summary>Built once: generating a 20 s run takes about a second.</summary>
    public sealed class Files : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("fastload-compare-").FullName;
        public string Base => Path.Combine(Dir, "base.duckdb");
        public string Within => Path.Combine(Dir, "within.duckdb");
        public string Regressed => Path.Combine(Dir, "regressed.duckdb");

        public Files()
        {
            var baseline = new SyntheticResults.Profile { Rate = 200, TargetRate = 200, AckMs = 2, ErrorsPerMille = 5, BlockLagMs = 300 };
            SyntheticResults.WriteGenerated(Base, baseline);
            // -3 % tx/s, +5 % ack p99, ~0.2 points less success, inclusion p99 a few % up
            SyntheticResults.WriteGenerated(Within, baseline with { Rate = 194, AckMs = 2.1, ErrorsPerMille = 6, BlockLagMs = 400 });
            // -10 % tx/s, +25 % ack p99, ~2.5 points less success, inclusion p99 +29 %
            SyntheticResults.WriteGenerated(Regressed, baseline with { Rate = 180, AckMs = 2.5, ErrorsPerMille = 20, BlockLagMs = 900 });
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    private readonly Files _files;

    public CompareCommandTests(Files files) => _files = files;

    private static string Line(ProcessResult r, string metric) =>
        r.StdOut.Split('\n').First(l => l.StartsWith("  " + metric + " ", StringComparison.Ordinal));

    [Fact]
    public async Task Run_within_the_thresholds_passes_with_exit_0()
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Within);

        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.DoesNotContain("REGRESSED", r.StdOut);
        Assert.Equal("  achieved tx/s             200.0          194.0           -6.0    -3.0 %", Line(r, "achieved tx/s"));
        Assert.Equal("  target tx/s               200.0          200.0           +0.0    +0.0 %", Line(r, "target tx/s"));
        Assert.Matches(@"^  ack p99 ms +[\d.]+ +[\d.]+ +\+[\d.]+ +\+5\.\d %$", Line(r, "ack p99 ms"));
        Assert.Contains("PASS: no regression past the thresholds (tx/s drop <= 5 %, ack p99 rise <= 10 %, success drop <= 0.5 points, inclusion p99 rise <= 20 %)", r.StdOut);
    }

    [Fact]
    public async Task Run_past_every_threshold_marks_each_line_and_exits_1()
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Regressed);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.StdErr);
        Assert.Equal("  achieved tx/s             200.0          180.0          -20.0   -10.0 %   << REGRESSED (drop > 5 %)", Line(r, "achieved tx/s"));
        Assert.Matches(@"^  ack p99 ms +[\d.]+ +[\d.]+ +\+[\d.]+ +\+25\.\d %   << REGRESSED \(rise > 10 %\)$", Line(r, "ack p99 ms"));
        Assert.Matches(@"^  success % +9\d\.\d\d +9\d\.\d\d +-[\d.]+ pt +-[\d.]+ %   << REGRESSED \(drop > 0\.5 points\)$", Line(r, "success %"));
        Assert.Matches(@"^  inclusion p99 ms +[\d,.]+ +[\d,.]+ +\+[\d,.]+ +\+2\d\.\d %   << REGRESSED \(rise > 20 %\)$", Line(r, "inclusion p99 ms"));
        Assert.DoesNotContain("REGRESSED", Line(r, "ack p50 ms"));
        Assert.Contains("  node http://127.0.0.1:8546", r.StdOut);
        Assert.EndsWith("FAIL: 4 regressions past the thresholds (achieved, success, ack p99, inclusion p99)\n", r.StdOut);
    }

    [Fact]
    public async Task Each_threshold_flag_moves_its_limit()
    {
        ProcessResult relaxed = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Regressed,
            "--max-tps-drop", "15", "--max-ack-p99-rise", "30", "--max-success-drop", "5", "--max-inclusion-p99-rise", "50");
        Assert.True(relaxed.ExitCode == 0, relaxed.StdOut);
        Assert.Contains("PASS: no regression past the thresholds (tx/s drop <= 15 %, ack p99 rise <= 30 %, success drop <= 5 points, inclusion p99 rise <= 50 %)", relaxed.StdOut);

        ProcessResult ackOnly = await ProcessRunner.RunFastloadAsync("", "compare", _files.Base, _files.Regressed,
            "--max-tps-drop", "15", "--max-success-drop", "5", "--max-inclusion-p99-rise", "50");
        Assert.Equal(1, ackOnly.ExitCode);
        Assert.EndsWith("FAIL: 1 regression past the thresholds (ack p99)\n", ackOnly.StdOut);
    }

    [Theory]
    [InlineData("missing-new", "NEW: ")]
    [InlineData("negative", "--max-tps-drop must be a number >= 0")]
    [InlineData("missing-arg", "Required argument missing")]
    [InlineData("not-a-number", "fastload compare: Cannot parse argument 'x' for option '--max-tps-drop' (see fastload compare --help)")]
    public async Task Bad_input_is_one_line_and_exit_code_2(string what, string expected)
    {
        string[] args = what switch
        {
            "missing-new" => ["compare", _files.Base, Path.Combine(_files.Dir, "nope.duckdb")],
            "negative" => ["compare", _files.Base, _files.Within, "--max-tps-drop", "-1"],
            "missing-arg" => ["compare", _files.Base],
            _ => ["compare", _files.Base, _files.Within, "--max-tps-drop", "x"],
        };
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", args);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("fastload compare: ", r.StdErr);
        Assert.Contains(expected, r.StdErr);
        Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

using FastLoad.Engine.Probe;

namespace FastLoad.Tests.Probe;

/// <summary>The probe's search and verdicts on synthetic step results: no node, exact sequences.</summary>
public class ProbeSearchTests
{
    /// <summary>Runs the search against a node that passes every rate at or below <paramref name="ceiling"/>; returns the phases run.</summary>
    private static List<(ProbeKind Kind, double Rate)> Drive(ProbeSearch search, Func<ProbeKind, double, bool> passes)
    {
        var run = new List<(ProbeKind, double)>();
        while (search.Next is (ProbeKind kind, double rate))
        {
            Assert.True(run.Count < 100, "the search does not end");
            run.Add((kind, rate));
            search.Record(passes(kind, rate));
        }
        return run;
    }

    [Fact]
    public void Steps_up_bisects_between_last_good_and_first_bad_then_holds_the_good_rate()
    {
        var search = new ProbeSearch(new ProbeSettings { StartRate = 100, Factor = 2, MaxRate = 20_000, Precision = 0.05 });
        var run = Drive(search, (_, rate) => rate <= 1_428);
        Assert.Equal(
        [
            (ProbeKind.Step, 100), (ProbeKind.Step, 200), (ProbeKind.Step, 400), (ProbeKind.Step, 800), (ProbeKind.Step, 1_600),
            (ProbeKind.Bisect, 1_200), (ProbeKind.Bisect, 1_400), (ProbeKind.Bisect, 1_500), (ProbeKind.Bisect, 1_450),
            (ProbeKind.Hold, 1_400),
        ], run);
        Assert.Equal(1_400, search.Sustainable);
        Assert.Null(search.Failure);
        Assert.False(search.AtCap);
    }

    [Fact]
    public void A_failed_hold_is_tried_again_ten_percent_lower()
    {
        var search = new ProbeSearch(new ProbeSettings { StartRate = 100, Precision = 0.05 });
        // Short steps pass up to 1,450, the longer hold only up to 1,310.
        var run = Drive(search, (kind, rate) => rate <= (kind == ProbeKind.Hold ? 1_310 : 1_450));
        Assert.Equal([(ProbeKind.Hold, 1_450), (ProbeKind.Hold, 1_305)], run.Where(r => r.Kind == ProbeKind.Hold));
        Assert.Equal(1_305, search.Sustainable);
    }

    [Fact]
    public void No_answer_when_even_the_lowest_step_fails()
    {
        var search = new ProbeSearch(new ProbeSettings { StartRate = 100 });
        var run = Drive(search, (_, _) => false);
        Assert.Equal([(ProbeKind.Step, 100)], run);
        Assert.Null(search.Sustainable);
        Assert.Contains("does not sustain even the lowest step (100 tx/s)", search.Failure);
    }

    [Fact]
    public void No_answer_when_every_hold_fails()
    {
        var search = new ProbeSearch(new ProbeSettings { StartRate = 100, MaxHolds = 3 });
        var run = Drive(search, (kind, rate) => kind != ProbeKind.Hold && rate <= 300);
        Assert.Equal(3, run.Count(r => r.Kind == ProbeKind.Hold));
        Assert.Null(search.Sustainable);
        Assert.Contains("no hold passed (3 tried", search.Failure);
    }

    [Fact]
    public void Every_step_passing_up_to_the_cap_holds_the_cap_and_says_so()
    {
        var search = new ProbeSearch(new ProbeSettings { StartRate = 100, MaxRate = 500 });
        var run = Drive(search, (_, _) => true);
        Assert.Equal([(ProbeKind.Step, 100), (ProbeKind.Step, 200), (ProbeKind.Step, 400), (ProbeKind.Step, 500), (ProbeKind.Hold, 500)], run);
        Assert.Equal(500, search.Sustainable);
        Assert.True(search.AtCap);
    }

    [Fact]
    public void Bisection_stops_at_its_budget()
    {
        var search = new ProbeSearch(new ProbeSettings { StartRate = 100, Precision = 0.0001, MaxBisects = 3 });
        var run = Drive(search, (_, rate) => rate <= 1_000);
        Assert.Equal(3, run.Count(r => r.Kind == ProbeKind.Bisect));
        Assert.Equal((ProbeKind.Hold, 1_000.0), run[^1]); // 800 good, 1,600 bad: 1,200 no, 1,000 yes, 1,100 no
    }

    [Theory]
    [InlineData(0, "--start-rate must be positive")]
    [InlineData(-5, "--start-rate must be positive")]
    public void Bad_settings_are_one_line(double start, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new ProbeSearch(new ProbeSettings { StartRate = start }));
        Assert.Equal(message, e.Message);
    }

    private static ProbeStep Step(long offered = 1_000, long sent = 1_000, long accepted = 1_000, long included = 1_000, double? p99 = 1_000,
        long mid = 50, long end = 60, long tolerance = 30) => new()
    {
        Index = 0, Kind = ProbeKind.Step, Name = "step 1", Rate = 100, StartUs = 0, EndUs = 10_000_000,
        Offered = offered, Sent = sent, Accepted = accepted, Included = included, IncludedRate = 100,
        InclusionP50Ms = p99 / 2, InclusionP99Ms = p99, BacklogMid = mid, BacklogEnd = end, BacklogTolerance = tolerance,
    };

    [Fact]
    public void A_step_within_every_target_passes()
    {
        ProbeStep judged = ProbeJudge.Judge(Step(), 99.5, 3_000);
        Assert.True(judged.Pass);
        Assert.Equal("ok", judged.Reason);
    }

    [Theory]
    [InlineData(1_000, 990, 1_000, 1_000, 1_000.0, 0, 0, "accepted 99.0 % < 99.5 %")]
    [InlineData(1_000, 1_000, 1_000, 980, 1_000.0, 0, 0, "2.0 % of accepted not included")]
    [InlineData(1_000, 1_000, 1_000, 1_000, 3_500.0, 0, 0, "inclusion p99 3,500 ms > 3,000 ms")]
    [InlineData(1_000, 1_000, 1_000, 1_000, 1_000.0, 100, 131, "backlog grew 31 (> 30)")]
    [InlineData(1_000, 900, 900, 900, 1_000.0, 0, 0, "only 90.0 % of offered txs sent and answered")]
    public void Each_missed_target_fails_the_step_and_says_which(long offered, long accepted, long sent, long included, double p99, long mid, long end, string reason)
    {
        ProbeStep judged = ProbeJudge.Judge(Step(offered, sent, accepted, included, p99, mid, end), 99.5, 3_000);
        Assert.False(judged.Pass);
        Assert.Equal(reason, judged.Reason);
    }

    [Fact]
    public void A_base_fee_at_the_fee_cap_fails_the_step_naming_the_fee_market()
    {
        ProbeStep judged = ProbeJudge.Judge(Step() with { BaseFeeStartGwei = 2, BaseFeeEndGwei = 21, FeeCapGwei = 21 }, 99.5, 3_000);
        Assert.False(judged.Pass);
        Assert.Equal("base fee 21 gwei reached the txs' fee cap 21 gwei (the chain's fee market, not its capacity: give --max-fee-gwei higher)", judged.Reason);
        Assert.True(ProbeJudge.Judge(Step() with { BaseFeeStartGwei = 2, BaseFeeEndGwei = 20.9, FeeCapGwei = 21 }, 99.5, 3_000).Pass);
    }

    [Fact]
    public void A_backlog_that_shrinks_or_grows_within_the_tolerance_passes()
    {
        Assert.True(ProbeJudge.Judge(Step(mid: 500, end: 0), 99.5, 3_000).Pass);
        Assert.True(ProbeJudge.Judge(Step(mid: 100, end: 130), 99.5, 3_000).Pass);
    }

    [Fact]
    public void Backlog_tolerance_is_a_share_of_one_blocks_worth_of_txs()
    {
        Assert.Equal(150, ProbeJudge.BacklogTolerance(1_000, 1));
        Assert.Equal(10, ProbeJudge.BacklogTolerance(10, 1)); // at least 10
    }

    [Fact]
    public void Funding_covers_every_step_bisect_and_hold_at_the_cap()
    {
        var s = new ProbeSettings { StartRate = 100, Factor = 2, MaxRate = 500, Step = TimeSpan.FromSeconds(10), Hold = TimeSpan.FromSeconds(20), MaxBisects = 6, MaxHolds = 3 };
        // steps 100, 200, 400, 500 (10 s each) + 6 bisects at 500 + 3 holds at 500 for 20 s
        Assert.Equal((100 + 200 + 400 + 500) * 10 + 6 * 500 * 10 + 3 * 500 * 20, s.MaxTxs());
    }
}

using System.Diagnostics;
using FastLoad.Engine.Shapes;

namespace FastLoad.Tests.Shapes;

/// <summary>Each shape's schedule: intended times, due counts (consistent with each other), node shares, allocation.</summary>
public class ShapeScheduleTests
{
    private static readonly double F = Stopwatch.Frequency;

    private static long Ticks(double seconds) => (long)(seconds * F);

    private static double Sec(long ticks) => ticks / F;

    /// <summary>DueCount(t) must equal the number of tokens whose intended time is at or before t.</summary>
    private static void AssertConsistent(ArrivalSchedule schedule, double untilSeconds, int probes = 500)
    {
        var random = new Random(7);
        var times = new List<long>();
        for (long k = 0; ; k++)
        {
            long t = schedule.IntendedTicks(k);
            if (t > Ticks(untilSeconds)) break;
            if (k > 0) Assert.True(t >= times[^1], $"token {k} before token {k - 1}");
            times.Add(t);
        }
        var probesSorted = Enumerable.Range(0, probes).Select(_ => Ticks(random.NextDouble() * untilSeconds)).Order().ToList();
        foreach (long probe in probesSorted)
        {
            long expected = times.Count(t => t <= probe);
            Assert.Equal(expected, schedule.DueCount(probe));
        }
    }

    [Fact]
    public void Constant_tokens_are_evenly_spaced_and_nodes_take_every_nth()
    {
        var shape = new ConstantShape(1000);
        ArrivalSchedule one = shape.ForNode(0, 1, new BlockClock());
        Assert.Equal(0, one.IntendedTicks(0));
        Assert.Equal(Ticks(0.005), one.IntendedTicks(5));
        Assert.Equal(11, one.DueCount(Ticks(0.0105)));
        AssertConsistent(one, 2);

        // Three nodes: their tokens together are exactly the single schedule's tokens.
        var all = new List<long>();
        for (int node = 0; node < 3; node++)
        {
            ArrivalSchedule share = shape.ForNode(node, 3, new BlockClock());
            AssertConsistent(share, 1);
            for (long k = 0; k < 1000; k++) all.Add(share.IntendedTicks(k));
            Assert.Equal(1000.0 / 3, share.RateAt(0), 9);
        }
        all.Sort();
        for (int k = 0; k < 2000; k++) Assert.Equal(one.IntendedTicks(k), all[k]);
    }

    [Fact]
    public void Ramp_token_times_follow_the_integral_of_the_rate()
    {
        var ramp = new RampShape(50, 300, 10);
        ArrivalSchedule s = ramp.ForNode(0, 1, new BlockClock());
        // N(t) = 50 t + 12.5 t²: N(10) = 1,750; the k-th token is due where N(t) = k.
        foreach (long k in new long[] { 1, 10, 100, 500, 1000, 1749 })
        {
            double t = Sec(s.IntendedTicks(k));
            Assert.Equal(k, 50 * t + 12.5 * t * t, 0.01);
        }
        Assert.Equal(1751, s.DueCount(Ticks(10))); // tokens 0..1750
        // Per-second counts: ∫ over [i, i+1) = 50 + 12.5 (2i + 1).
        for (int i = 0; i < 10; i++)
            Assert.InRange(s.DueCount(Ticks(i + 1) - 1) - s.DueCount(Ticks(i) - 1), 50 + 12.5 * (2 * i + 1) - 1, 50 + 12.5 * (2 * i + 1) + 1);
        Assert.Equal(175, ramp.RateAt(5, new BlockClock()), 9);
        Assert.Equal(300, ramp.RateAt(12, new BlockClock()), 9);
        Assert.Equal(175, ramp.NominalRate(TimeSpan.FromSeconds(10))!.Value, 9);
        // After the ramp the rate stays at TO.
        Assert.InRange(s.IntendedTicks(1750 + 300) - Ticks(11), -2, 2);
        AssertConsistent(s, 12);
    }

    [Fact]
    public void Ramps_from_zero_and_downwards_are_solved_too()
    {
        ArrivalSchedule up = new RampShape(0, 100, 10).ForNode(0, 1, new BlockClock());
        Assert.Equal(0, up.IntendedTicks(0));
        double t = Sec(up.IntendedTicks(50)); // N(t) = 5 t² = 50 at t = √10
        Assert.Equal(Math.Sqrt(10), t, 4);
        AssertConsistent(up, 10);

        ArrivalSchedule down = new RampShape(300, 50, 10).ForNode(0, 1, new BlockClock());
        double t2 = Sec(down.IntendedTicks(1000)); // N(t) = 300 t − 12.5 t² = 1,000
        Assert.Equal(1000, 300 * t2 - 12.5 * t2 * t2, 0.01);
        AssertConsistent(down, 10);

        ArrivalSchedule toZero = new RampShape(100, 0, 2).ForNode(0, 1, new BlockClock());
        Assert.Equal(ArrivalSchedule.Unknown, toZero.IntendedTicks(101)); // N(2) = 100: nothing after
        Assert.Equal(101, toZero.DueCount(Ticks(60)));
    }

    [Fact]
    public void Steps_hold_each_level_and_imply_their_duration()
    {
        var steps = new StepsShape(1000, 5000, 1000, 30);
        Assert.Equal([1000.0, 2000, 3000, 4000, 5000], steps.Rates);
        Assert.Equal(TimeSpan.FromSeconds(150), steps.ImpliedDuration);
        Assert.Equal("steps:1000..5000:1000/30s", steps.Text);

        var small = new StepsShape(100, 300, 100, 2);
        ArrivalSchedule s = small.ForNode(0, 1, new BlockClock());
        long Count(double from, double to) => s.DueCount(Ticks(to) - 1) - s.DueCount(Ticks(from) - 1);
        Assert.Equal(200, Count(0, 2));
        Assert.Equal(400, Count(2, 4));
        Assert.Equal(600, Count(4, 6));
        Assert.Equal(300, Count(6, 7)); // held at TO after the last level
        Assert.Equal(Ticks(2), s.IntendedTicks(200));
        Assert.InRange(s.IntendedTicks(201) - Ticks(2.005), -2, 2);
        AssertConsistent(s, 7);

        // A last step that would overshoot TO is TO.
        Assert.Equal([100.0, 250, 400, 450], new StepsShape(100, 450, 150, 1).Rates);
    }

    [Fact]
    public void Bursts_make_n_tokens_due_at_each_period_start_split_over_nodes()
    {
        var burst = new BurstShape(700, 2);
        ArrivalSchedule s = burst.ForNode(0, 1, new BlockClock());
        Assert.Equal(700, s.DueCount(0));
        Assert.Equal(700, s.DueCount(Ticks(1.999)));
        Assert.Equal(1400, s.DueCount(Ticks(2)));
        Assert.Equal(0, s.IntendedTicks(699));
        Assert.Equal(Ticks(2), s.IntendedTicks(700));
        AssertConsistent(s, 9);

        long total = 0;
        for (int node = 0; node < 3; node++)
        {
            ArrivalSchedule share = burst.ForNode(node, 3, new BlockClock());
            total += share.DueCount(Ticks(0.5));
            Assert.Equal(Ticks(2), share.IntendedTicks(share.DueCount(Ticks(0.5)))); // the next one is in the next burst
        }
        Assert.Equal(700, total);
    }

    [Fact]
    public void Poisson_arrivals_are_seeded_exponential_and_average_the_rate()
    {
        var shape = new PoissonShape(1000, seed: 42);
        ArrivalSchedule a = shape.ForNode(0, 1, new BlockClock());
        ArrivalSchedule b = shape.ForNode(0, 1, new BlockClock());
        ArrivalSchedule other = new PoissonShape(1000, seed: 43).ForNode(0, 1, new BlockClock());
        for (long k = 0; k < 1000; k++) Assert.Equal(a.IntendedTicks(k), b.IntendedTicks(k)); // same seed, same schedule
        Assert.NotEqual(a.IntendedTicks(10), other.IntendedTicks(10));

        // 100,000 arrivals: mean gap 1 ms within 4 standard errors; gaps exponential (standard deviation = mean).
        const int n = 100_000;
        var gaps = new double[n];
        double last = 0;
        for (int k = 0; k < n; k++)
        {
            double t = Sec(a.IntendedTicks(k));
            gaps[k] = t - last;
            last = t;
        }
        double mean = gaps.Average();
        double sd = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / (n - 1));
        Assert.InRange(mean, 0.001 * (1 - 4 / Math.Sqrt(n)), 0.001 * (1 + 4 / Math.Sqrt(n)));
        Assert.InRange(sd / mean, 0.97, 1.03);
        // Per-second counts vary as Poisson counts do (variance ≈ mean), unlike a constant rate's.
        long[] perSecond = Enumerable.Range(0, 60).Select(i => b.DueCount(Ticks(i + 1) - 1) - b.DueCount(Ticks(i) - 1)).ToArray();
        double m = perSecond.Average();
        double v = perSecond.Sum(c => (c - m) * (c - m)) / (perSecond.Length - 1);
        Assert.InRange(v / m, 0.4, 2.0);
        AssertConsistent(shape.ForNode(0, 1, new BlockClock()), 3);
    }

    [Fact]
    public void Poisson_due_counts_run_ahead_of_a_sender_that_is_behind()
    {
        ArrivalSchedule s = new PoissonShape(10_000, seed: 1).ForNode(0, 1, new BlockClock());
        ArrivalSchedule reference = new PoissonShape(10_000, seed: 1).ForNode(0, 1, new BlockClock());
        long due = s.DueCount(Ticks(30)); // ~300,000 due, far beyond the window
        Assert.InRange(due, 298_000, 302_000);
        // The sender then takes its tokens from the first one: their times are still right.
        for (long k = 0; k < 200_000; k += 100) Assert.Equal(reference.IntendedTicks(k), s.IntendedTicks(k));
        Assert.Throws<InvalidOperationException>(() => s.IntendedTicks(0)); // long gone from the window: a bug, said loudly
    }

    [Fact]
    public void Per_block_tokens_come_due_when_each_new_block_is_seen()
    {
        var clock = new BlockClock();
        var shape = new PerBlockShape(10);
        ArrivalSchedule s = shape.ForNode(0, 1, clock);
        clock.OnBlock(5, 100); // before the start: not released
        clock.Begin(1000);
        Assert.Equal(0, s.DueCount(Ticks(100)));
        Assert.Equal(ArrivalSchedule.Unknown, s.IntendedTicks(0));
        clock.OnBlock(6, 1000 + Ticks(0.5));
        clock.OnBlock(6, 1000 + Ticks(0.6)); // the same block from another node: once
        clock.OnBlock(5, 1000 + Ticks(0.7)); // an older one: ignored
        Assert.Equal(10, s.DueCount(Ticks(0.9)));
        Assert.Equal(0, s.DueCount(Ticks(0.4)));
        Assert.Equal(Ticks(0.5), s.IntendedTicks(9));
        Assert.Equal(ArrivalSchedule.Unknown, s.IntendedTicks(10));
        clock.OnBlock(7, 1000 + Ticks(1.5));
        Assert.Equal(20, s.DueCount(Ticks(2)));
        Assert.Equal(10, shape.RateAt(2, clock), 6); // 10 per block, one block a second
        Assert.Equal(2, clock.Noted - 1); // blocks 5, 6, 7 noted

        // Two nodes share each block's K.
        ArrivalSchedule n0 = shape.ForNode(0, 2, clock), n1 = shape.ForNode(1, 2, clock);
        Assert.Equal(10, n0.DueCount(Ticks(2)));
        Assert.Equal(10, n1.DueCount(Ticks(2)));
        Assert.Equal(Ticks(1.5), n1.IntendedTicks(5));
    }

    [Fact]
    public void The_schedules_allocate_nothing_per_token()
    {
        var clock = new BlockClock();
        clock.Begin(0);
        for (ulong b = 1; b <= 100; b++) clock.OnBlock(b, Ticks(b));
        LoadShape[] shapes = [new ConstantShape(5000), new RampShape(100, 5000, 10), new StepsShape(100, 5000, 700, 1), new BurstShape(1000, 1), new PoissonShape(5000, 3), new PerBlockShape(50)];
        foreach (LoadShape shape in shapes)
        {
            var limiter = new TokenLimiter(shape.ForNode(1, 2, clock), 0);
            limiter.IntendedTicks(limiter.Take(Ticks(0.5), 100, out long warm) + warm); // warm up (the Poisson window is allocated once)
            long before = GC.GetAllocatedBytesForCurrentThread();
            long sum = 0;
            for (int i = 1; i <= 2000; i++)
            {
                long now = Ticks(0.5 + i * 0.004);
                sum += limiter.Available(now);
                int took = limiter.Take(now, 100, out long first);
                for (int j = 0; j < took; j++) sum += limiter.IntendedTicks(first + j);
                if (took > 2) limiter.Return(2);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{shape.Text}: {allocated} B over {limiter.Issued} tokens (sum {sum})");
        }
    }
}

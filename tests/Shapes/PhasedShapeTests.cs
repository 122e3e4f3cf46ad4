using System.Diagnostics;
using FastLoad.Engine.Probe;
using FastLoad.Engine.Shapes;

namespace FastLoad.Tests.Shapes;

/// <summary>The probe's schedule, appended while the run goes, and the phase attribution of txs by intended time.</summary>
public class PhasedShapeTests
{
    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void Nothing_is_due_until_a_segment_is_appended_then_exactly_its_tokens()
    {
        var shape = new PhasedShape(1_000, 10_000);
        ArrivalSchedule schedule = shape.ForNode(0, 1, new BlockClock());
        Assert.Equal(0, schedule.DueCount(Ticks(100)));
        Assert.Equal(ArrivalSchedule.Unknown, schedule.IntendedTicks(0));

        PhasedShape.Segment first = shape.Append(1, 100, 2); // 200 tokens at 1 s + k/100
        Assert.Equal((0L, 200L), (first.First, first.Count));
        Assert.Equal(0, schedule.DueCount(Ticks(0.999)));
        Assert.Equal(1, schedule.DueCount(Ticks(1)));
        Assert.Equal(101, schedule.DueCount(Ticks(2)));
        Assert.Equal(200, schedule.DueCount(Ticks(50))); // the segment ended: no more
        Assert.Equal(Ticks(1 + 199 / 100.0), schedule.IntendedTicks(199));
        Assert.Equal(ArrivalSchedule.Unknown, schedule.IntendedTicks(200));

        PhasedShape.Segment second = shape.Append(5, 50, 1); // a gap of 2 s, then 50 tokens
        Assert.Equal((200L, 50L), (second.First, second.Count));
        Assert.Equal(200, schedule.DueCount(Ticks(4.9)));
        Assert.Equal(Ticks(5), schedule.IntendedTicks(200));
        Assert.Equal(250, schedule.DueCount(Ticks(60)));
        Assert.Equal(50, shape.RateAt(5.5, new BlockClock()));
        Assert.Equal(0, shape.RateAt(4, new BlockClock()));
    }

    [Fact]
    public void Two_nodes_share_the_tokens_evenly()
    {
        var shape = new PhasedShape(1_000, 10_000);
        shape.Append(0, 100, 1);
        var clock = new BlockClock();
        Assert.Equal(50, shape.ForNode(0, 2, clock).DueCount(Ticks(10)));
        Assert.Equal(50, shape.ForNode(1, 2, clock).DueCount(Ticks(10)));
    }

    [Fact]
    public void Segments_may_not_overlap()
    {
        var shape = new PhasedShape(1_000, 10_000);
        shape.Append(0, 100, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape.Append(1.5, 100, 1));
    }

    [Fact]
    public void Each_tx_counts_for_the_phase_its_intended_time_falls_in()
    {
        var phases = new PhaseTracker();
        PhaseTracker.Phase a = phases.Add(100, 200);
        PhaseTracker.Phase b = phases.Add(250, 300);
        phases.OnResult(100, FastLoad.Engine.Rpc.TxOutcome.Accepted);
        phases.OnResult(199, FastLoad.Engine.Rpc.TxOutcome.NonceTooLow);
        phases.OnResult(200, FastLoad.Engine.Rpc.TxOutcome.Accepted); // between the phases: neither
        phases.OnResult(250, FastLoad.Engine.Rpc.TxOutcome.Accepted);
        phases.OnIncluded(120, 900_000);
        phases.OnIncluded(260, 1_500_000);
        phases.OnIncluded(260, 2_500_000);
        Assert.Equal((2L, 1L, 1L), (a.Answered, a.Accepted, a.Included));
        Assert.Equal((1L, 1L, 2L), (b.Answered, b.Accepted, b.Included));
        Assert.Equal(900, a.Inclusion.MillisAtPercentile(99)!.Value, 1);
    }
}

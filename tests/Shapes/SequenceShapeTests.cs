using System.Diagnostics;
using FastLoad.Engine.Shapes;
using FastLoad.Runner.Commands;

namespace FastLoad.Tests.Shapes;

/// <summary>--phase: phases one after another as one schedule.</summary>
public class SequenceShapeTests
{
    private static SequenceShape Parse(params string[] phases) => RunCommand.ParsePhases(phases, 1);

    [Fact]
    public void Each_phase_holds_its_own_shapes_tokens_in_its_window()
    {
        SequenceShape s = Parse("warm=constant@10/2s", "climb=ramp:10..30/4s", "spike=burst:25/1s/2s");
        Assert.Equal(["warm", "climb", "spike"], s.Phases.Select(p => p.Name));
        Assert.Equal([0.0, 2.0, 6.0], s.Phases.Select(p => p.Start));
        Assert.Equal(TimeSpan.FromSeconds(8), s.Duration);
        // warm: 10/s for 2 s = 20 (0.0 .. 1.9); climb: ∫ 10→30 over 4 s = 80; spike: 25 at 0 s and 25 at 1 s.
        Assert.Equal([20L, 80L, 50L], s.Phases.Select(p => p.Count));
        Assert.Equal([0L, 20L, 100L], s.Phases.Select(p => p.First));

        ArrivalSchedule one = s.ForNode(0, 1, new BlockClock());
        double Seconds(long k) => one.IntendedTicks(k) / (double)Stopwatch.Frequency;
        Assert.Equal(0, Seconds(0), 6);
        Assert.Equal(1.9, Seconds(19), 6);
        Assert.Equal(2.0, Seconds(20), 6);    // climb's first token at its start
        Assert.Equal(6.0, Seconds(100), 6);   // spike's first burst
        Assert.Equal(7.0, Seconds(125), 6);   // its second
        Assert.Equal(ArrivalSchedule.Unknown, one.IntendedTicks(150)); // nothing after the last phase
        Assert.Equal(150, one.DueCount(Stopwatch.Frequency * 100));
        Assert.Equal(20, one.DueCount((long)(1.95 * Stopwatch.Frequency)));

        Assert.Equal(10, s.RateAt(1, new BlockClock()));
        Assert.Equal(20, s.RateAt(4, new BlockClock()), 6); // halfway up the ramp
        Assert.Equal(0, s.RateAt(9, new BlockClock()));
        Assert.Equal(150 / 8.0, s.NominalRate(null));
    }

    [Fact]
    public void Two_nodes_split_every_phase_and_together_follow_it()
    {
        SequenceShape s = Parse("a=constant@100/1s", "b=constant@300/1s");
        long end = 2 * Stopwatch.Frequency;
        long n0 = s.ForNode(0, 2, new BlockClock()).DueCount(end), n1 = s.ForNode(1, 2, new BlockClock()).DueCount(end);
        Assert.Equal(400, n0 + n1);
        Assert.Equal(200, n0);
    }

    [Fact]
    public void Its_text_gives_the_phases_back_as_flags()
    {
        SequenceShape s = Parse("warm=constant@50/5s", "main=ramp:50..200/10s");
        Assert.Equal("phases:warm=constant@50/5s,main=ramp:50..200/10s", s.Text);
        SequenceShape again = Parse(s.Text["phases:".Length..].Split(','));
        Assert.Equal(s.Phases.Select(p => (p.Name, p.Count)), again.Phases.Select(p => (p.Name, p.Count)));
    }

    [Theory]
    [InlineData("warm", "write NAME=SHAPE[@RATE]/DURATION")]
    [InlineData("warm=constant/5s", "constant needs a rate")]
    [InlineData("warm=ramp:1..5@3/5s", "a rate does not apply to ramp:1..5")]
    [InlineData("warm=constant@fast/5s", "must be a positive number")]
    [InlineData("warm=poisson@10/5s", "cannot be one phase of several")]
    [InlineData("warm=wave/5s", "--phase warm: ")]
    [InlineData("w a=constant@10/5s", "a phase name is")]
    public void A_bad_phase_is_one_line_naming_it(string phase, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Parse(phase));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Two_phases_with_one_name_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Parse("a=constant@1/1s", "a=constant@2/1s"));
        Assert.Contains("two phases are named 'a'", e.Message);
    }
}

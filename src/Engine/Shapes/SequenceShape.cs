namespace FastLoad.Engine.Shapes;

/// <summary>
/// Phases one after another (<c>--phase NAME=SHAPE/DURATION</c>, a scenario's <c>phases:</c>): phase i runs its own
/// shape for its duration, starting where phase i − 1 ended, in one run (one wallet set, one funding, one results
/// file). Each phase is a closed-form shape (constant, ramp, steps, burst), so the whole sequence is one timeline and
/// the nodes share it as they share any shape. A tx belongs to the phase whose window holds its intended time.
/// </summary>
public sealed class SequenceShape : LoadShape
{
    /// <summary>One phase: its name, shape and window (seconds since sending began), and its tokens [First, First + Count).</summary>
    public sealed record Phase(string Name, LoadShape Shape, double Start, double Seconds, long First, long Count)
    {
        public double End => Start + Seconds;

        /// <summary>Its mean tx/s: tokens over its length.</summary>
        public double MeanRate => Count / Seconds;
    }

    private readonly Sequence _timeline;

    public SequenceShape(IReadOnlyList<(string Name, LoadShape Shape, TimeSpan Duration)> phases)
    {
        if (phases.Count == 0) throw new ArgumentException("a sequence needs at least one phase");
        var list = new List<Phase>();
        double start = 0;
        long first = 0;
        foreach ((string name, LoadShape shape, TimeSpan duration) in phases)
        {
            if (shape.Timeline is not { } timeline)
                throw new ArgumentException($"phase '{name}': --shape {shape.Text} cannot be one phase of several (it is not a fixed schedule): use constant, ramp, steps or burst, or run it alone");
            if (duration <= TimeSpan.Zero) throw new ArgumentException($"phase '{name}' needs a positive duration");
            double seconds = duration.TotalSeconds;
            // Its tokens: those due strictly before its end (the next phase's first token may share that instant).
            long count = timeline.DueCount(ArrivalSchedule.ToTicks(seconds) - 1);
            list.Add(new Phase(name, shape, start, seconds, first, count));
            start += seconds;
            first += count;
        }
        Phases = list;
        _timeline = new Sequence(list);
    }

    public IReadOnlyList<Phase> Phases { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Phases[^1].End);

    /// <summary>The index of the phase holding <paramref name="seconds"/> since the start, or -1 after the last.</summary>
    public int PhaseAt(double seconds)
    {
        for (int i = 0; i < Phases.Count; i++)
            if (seconds < Phases[i].End) return i;
        return -1;
    }

    /// <summary>The phases as <c>--phase</c> would give them: <c>phases:warm=constant@50/5s,main=ramp:50..200/10s</c>.</summary>
    public override string Text => "phases:" + string.Join(',', Phases.Select(p => $"{p.Name}={(p.Shape is ConstantShape c ? $"constant@{Plain(c.Rate)}" : p.Shape.Text)}/{Plain(p.Seconds)}s"));

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => _timeline.Share(node, nodes);

    internal override Timeline Timeline => _timeline;

    public override double RateAt(double seconds, BlockClock blocks) => _timeline.RateAt(seconds);

    public override double PeakRate => Phases.Max(p => p.Shape.PeakRate);

    public override long BurstSize => Phases.Max(p => p.Shape.BurstSize);

    public override double ExpectedTxs(double seconds) => Phases[^1].First + Phases[^1].Count + 1;

    public override double? NominalRate(TimeSpan? duration) => (Phases[^1].First + Phases[^1].Count) / Phases[^1].End;

    public override TimeSpan? ImpliedDuration => Duration;

    public override string Describe(TimeSpan? duration) =>
        $"{Phases.Count} phases: " + string.Join(", ", Phases.Select(p => $"{p.Name} ({p.Shape.Describe(TimeSpan.FromSeconds(p.Seconds))} for {Num(p.Seconds)} s)"));

    private static string Plain(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Sequence(IReadOnlyList<Phase> phases) : Timeline
    {
        private readonly Phase[] _phases = [.. phases];
        private readonly Timeline[] _timelines = phases.Select(p => p.Shape.Timeline!).ToArray();

        public override double SecondsOf(long k)
        {
            if (k < 0) return 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                Phase p = _phases[i];
                if (k < p.First + p.Count) return p.Start + _timelines[i].SecondsOf(k - p.First);
            }
            return double.PositiveInfinity;
        }

        public override long EstimateCount(double seconds)
        {
            if (seconds < 0) return 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                Phase p = _phases[i];
                if (seconds < p.End) return p.First + Math.Min(p.Count, _timelines[i].EstimateCount(seconds - p.Start));
            }
            return _phases[^1].First + _phases[^1].Count;
        }

        public override double RateAt(double seconds)
        {
            for (int i = 0; i < _phases.Length; i++)
                if (seconds >= _phases[i].Start && seconds < _phases[i].End) return _timelines[i].RateAt(seconds - _phases[i].Start);
            return 0;
        }
    }
}

namespace FastLoad.Engine.Shapes;

/// <summary><c>constant</c>: token k at k / rate, evenly spaced (no bursts).</summary>
public sealed class ConstantShape : LoadShape
{
    private readonly Line _line;

    public ConstantShape(double rate)
    {
        if (!(rate > 0) || !double.IsFinite(rate)) throw new ArgumentOutOfRangeException(nameof(rate), "rate must be positive");
        Rate = rate;
        _line = new Line(rate);
    }

    public double Rate { get; }

    public override string Text => "constant";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => _line.Share(node, nodes);

    internal override Timeline Timeline => _line;

    public override double RateAt(double seconds, BlockClock blocks) => Rate;

    public override double PeakRate => Rate;

    public override double ExpectedTxs(double seconds) => Rate * seconds + 1;

    public override double? NominalRate(TimeSpan? duration) => Rate;

    public override string Describe(TimeSpan? duration) => $"constant {Num(Rate)} tx/s";

    private sealed class Line(double rate) : Timeline
    {
        public override double SecondsOf(long k) => k / rate;

        public override long EstimateCount(double seconds) => seconds < 0 ? 0 : (long)(seconds * rate) + 1;

        public override double RateAt(double seconds) => rate;
    }
}

namespace FastLoad.Engine.Shapes;

/// <summary>
/// <c>ramp:FROM..TO</c>: the rate moves linearly from FROM to TO over the duration (then stays at TO). Tokens due by
/// t are the integral of the rate, N(t) = a·t + c·t² with c = (b − a) / 2T, so token k is due at the root of
/// c·t² + a·t − k = 0, taken as t = 2k / (a + √(a² + 4ck)) (no cancellation when c is small or negative).
/// </summary>
public sealed class RampShape : LoadShape
{
    private readonly Curve _curve;

    public RampShape(double from, double to, double seconds)
    {
        if (from < 0 || to < 0 || !(from + to > 0)) throw new ArgumentOutOfRangeException(nameof(from), "rates must be 0 or more, not both 0");
        if (!(seconds > 0)) throw new ArgumentOutOfRangeException(nameof(seconds), "the ramp needs a duration");
        From = from;
        To = to;
        Seconds = seconds;
        _curve = new Curve(from, to, seconds);
    }

    public double From { get; }

    public double To { get; }

    /// <summary>How long the rate takes to go from <see cref="From"/> to <see cref="To"/>.</summary>
    public double Seconds { get; }

    public override string Text => $"ramp:{Plain(From)}..{Plain(To)}";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => _curve.Share(node, nodes);

    internal override Timeline Timeline => _curve;

    public override double RateAt(double seconds, BlockClock blocks) => _curve.RateAt(seconds);

    public override double PeakRate => Math.Max(From, To);

    public override double ExpectedTxs(double seconds) => _curve.Tokens(seconds) + 1;

    public override double? NominalRate(TimeSpan? duration) =>
        duration is TimeSpan d && d.TotalSeconds > 0 ? _curve.Tokens(d.TotalSeconds) / d.TotalSeconds : (From + To) / 2;

    public override string Describe(TimeSpan? duration) => $"ramp {Num(From)} → {Num(To)} tx/s over {Span(Seconds)}";

    internal static string Plain(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Curve(double a, double b, double span) : Timeline
    {
        private readonly double _c = (b - a) / (2 * span);
        private readonly double _total = (a + b) / 2 * span; // tokens over the ramp

        /// <summary>N(t): tokens due by t (as a real number).</summary>
        public double Tokens(double t) => t <= 0 ? 0 : t <= span ? a * t + _c * t * t : _total + (t - span) * b;

        public override double SecondsOf(long k)
        {
            if (k <= 0) return 0;
            if (k <= _total)
            {
                double root = Math.Sqrt(Math.Max(0, a * a + 4 * _c * k));
                return Math.Min(span, 2 * k / (a + root));
            }
            return b > 0 ? span + (k - _total) / b : double.PositiveInfinity;
        }

        public override long EstimateCount(double seconds) => seconds < 0 ? 0 : (long)Tokens(seconds) + 1;

        public override double RateAt(double seconds) => seconds <= 0 ? a : seconds < span ? a + 2 * _c * seconds : b;
    }
}

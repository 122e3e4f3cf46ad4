namespace FastLoad.Engine.Shapes;

/// <summary>
/// <c>steps:FROM..TO:STEP/HOLD</c>: FROM tx/s for HOLD, then FROM+STEP, … up to TO (the last level is TO), each held
/// HOLD; after the last hold the rate stays at TO. Without <c>--duration</c> the run lasts one hold per level.
/// </summary>
public sealed class StepsShape : LoadShape
{
    private readonly Levels _levels;

    public StepsShape(double from, double to, double step, double holdSeconds)
    {
        if (!(from > 0) || !(to >= from) || !(step > 0) || !(holdSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(from), "steps need 0 < FROM <= TO, STEP > 0, HOLD > 0");
        From = from;
        To = to;
        Step = step;
        Hold = holdSeconds;
        int count = (int)Math.Ceiling((to - from) / step - 1e-9) + 1;
        if (count > 100_000) throw new ArgumentOutOfRangeException(nameof(step), "more than 100,000 steps");
        var rates = new double[count];
        for (int m = 0; m < count; m++) rates[m] = Math.Min(from + m * step, to);
        _levels = new Levels(rates, holdSeconds);
    }

    public double From { get; }

    public double To { get; }

    public double Step { get; }

    public double Hold { get; }

    /// <summary>The rates held, in order.</summary>
    public IReadOnlyList<double> Rates => _levels.Rates;

    public override string Text => $"steps:{RampShape.Plain(From)}..{RampShape.Plain(To)}:{RampShape.Plain(Step)}/{RampShape.Plain(Hold)}s";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => _levels.Share(node, nodes);

    internal override Timeline Timeline => _levels;

    public override double RateAt(double seconds, BlockClock blocks) => _levels.RateAt(seconds);

    public override double PeakRate => To;

    public override double ExpectedTxs(double seconds) => _levels.Tokens(seconds) + 1;

    public override double? NominalRate(TimeSpan? duration)
    {
        double d = duration?.TotalSeconds ?? ImpliedDuration!.Value.TotalSeconds;
        return d > 0 ? _levels.Tokens(d) / d : From;
    }

    public override TimeSpan? ImpliedDuration => TimeSpan.FromSeconds(Rates.Count * Hold);

    public override string Describe(TimeSpan? duration) =>
        $"steps {Num(From)} → {Num(To)} tx/s by {Num(Step)}, {Span(Hold)} each ({Rates.Count} levels, {Span(Rates.Count * Hold)})";

    private sealed class Levels : Timeline
    {
        private readonly double[] _rates;
        private readonly double[] _before; // tokens due before each level starts
        private readonly double _hold;

        public Levels(double[] rates, double hold)
        {
            _rates = rates;
            _hold = hold;
            _before = new double[rates.Length];
            for (int m = 1; m < rates.Length; m++) _before[m] = _before[m - 1] + rates[m - 1] * hold;
        }

        public IReadOnlyList<double> Rates => _rates;

        private int LevelAt(double seconds) => (int)Math.Min(Math.Max(0, Math.Floor(seconds / _hold)), _rates.Length - 1);

        public double Tokens(double t)
        {
            if (t <= 0) return 0;
            int m = LevelAt(t);
            return _before[m] + (t - m * _hold) * _rates[m];
        }

        public override double SecondsOf(long k)
        {
            if (k <= 0) return 0;
            // The last level whose first token is at or before k (few levels: binary search, no allocation).
            int lo = 0, hi = _before.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) >> 1;
                if (_before[mid] <= k) lo = mid; else hi = mid - 1;
            }
            return lo * _hold + (k - _before[lo]) / _rates[lo];
        }

        public override long EstimateCount(double seconds) => seconds < 0 ? 0 : (long)Tokens(seconds) + 1;

        public override double RateAt(double seconds) => _rates[LevelAt(seconds)];
    }
}

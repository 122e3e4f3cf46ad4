using System.Globalization;

namespace FastLoad.Engine.Shapes;

/// <summary>
/// <c>poisson</c>: open-loop Poisson arrivals at a mean rate. Each node runs its own seeded Poisson process at its
/// share of the rate (independent Poisson processes add up to one at the total rate). Inter-arrival k is
/// −ln(U_k) / λ with U_k drawn from a counter-based generator (SplitMix64 of the seed and k), so the schedule is the
/// same on every run with the same seed, and is computed lazily without allocating.
/// </summary>
public sealed class PoissonShape : LoadShape
{
    public PoissonShape(double rate, ulong seed)
    {
        if (!(rate > 0) || !double.IsFinite(rate)) throw new ArgumentOutOfRangeException(nameof(rate), "rate must be positive");
        Rate = rate;
        Seed = seed;
    }

    /// <summary>Mean tx/s over all nodes.</summary>
    public double Rate { get; }

    public ulong Seed { get; }

    public override string Text => "poisson";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) =>
        new Arrivals(Rate / nodes, Mix(Seed + 0x632BE59BD9B4E019UL * (ulong)(node + 1)));

    public override double RateAt(double seconds, BlockClock blocks) => Rate;

    public override double PeakRate => Rate * 2;

    public override double ExpectedTxs(double seconds)
    {
        double mean = Rate * Math.Max(0, seconds);
        return mean + 6 * Math.Sqrt(mean) + 10;
    }

    public override double? NominalRate(TimeSpan? duration) => Rate;

    public override string Describe(TimeSpan? duration) => string.Create(CultureInfo.InvariantCulture, $"Poisson arrivals, mean {Num(Rate)} tx/s (seed {Seed:x16})");

    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// One node's arrivals. Two cursors walk the same sequence with the same arithmetic (so they agree to the bit): a
    /// window of recent arrival times for <see cref="IntendedTicks"/> (a sender asks only for tokens from its next one up
    /// to a batch ahead) and a scan that only counts, for <see cref="DueCount"/>, which may run far ahead of the window
    /// when the sender is behind.
    /// </summary>
    private sealed class Arrivals(double rate, ulong seed) : ArrivalSchedule
    {
        private const int Window = 1 << 16;
        private double[]? _times; // arrival seconds of tokens [_end - Window, _end), index k & (Window - 1)
        private long _end;
        private double _endTime; // arrival of token _end - 1 (0 before the first)
        private long _scanned; // tokens counted due
        private double _scanTime; // arrival of token _scanned - 1
        private long _nextTicks = -1; // arrival of token _scanned, in ticks (-1: not computed)

        private double Gap(long k)
        {
            ulong z = Mix(seed + 0x9E3779B97F4A7C15UL * (ulong)(k + 1));
            double u = ((z >> 11) + 1) * (1.0 / (1UL << 53)); // (0, 1]
            return -Math.Log(u) / rate;
        }

        public override long IntendedTicks(long k)
        {
            double[] times = _times ??= new double[Window];
            if (k < _end - Window) throw new InvalidOperationException($"Poisson token {k} is older than the window ({_end - Window}..{_end})");
            while (_end <= k)
            {
                _endTime += Gap(_end);
                times[_end & (Window - 1)] = _endTime;
                _end++;
            }
            return ToTicks(times[k & (Window - 1)]);
        }

        public override long DueCount(long elapsedTicks)
        {
            if (_scanned > 0 && ToTicks(_scanTime) > elapsedTicks)
            {
                // Asked about an earlier time than last (senders and samplers never do): count again from the start.
                _scanned = 0;
                _scanTime = 0;
                _nextTicks = -1;
            }
            while (true)
            {
                if (_nextTicks < 0) _nextTicks = ToTicks(_scanTime + Gap(_scanned));
                if (_nextTicks > elapsedTicks) return _scanned;
                _scanTime += Gap(_scanned);
                _scanned++;
                _nextTicks = -1;
            }
        }

        public override double RateAt(long elapsedTicks) => rate;
    }
}

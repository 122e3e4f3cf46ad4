namespace FastLoad.Engine.Shapes;

/// <summary>
/// A schedule written while the run goes: a controller (the probe) appends constant-rate segments one at a time,
/// each starting at or after the end of the one before; between and after them nothing is due (the senders wait).
/// Segment m holds tokens [First, First + Count) at Start + j / Rate. Appending is cold (copy-on-write of a small
/// array); the senders read the current array without locks or allocation.
/// </summary>
public sealed class PhasedShape : LoadShape
{
    private readonly Segments _timeline = new();
    private readonly double _peakRate;
    private readonly double _expectedTxs;

    /// <param name="peakRate">The highest rate any segment will have (sizes the presigned rings).</param>
    /// <param name="expectedTxs">About how many txs all segments together will hold (funds the wallets).</param>
    public PhasedShape(double peakRate, double expectedTxs)
    {
        if (!(peakRate > 0) || !(expectedTxs > 0)) throw new ArgumentOutOfRangeException(nameof(peakRate), "peak rate and expected txs must be positive");
        _peakRate = peakRate;
        _expectedTxs = expectedTxs;
    }

    /// <summary>One constant-rate stretch of the schedule.</summary>
    public sealed record Segment(double Start, double Seconds, double Rate, long First, long Count)
    {
        public double End => Start + Seconds;
    }

    /// <summary>The segments so far, in order.</summary>
    public IReadOnlyList<Segment> Appended => _timeline.Current;

    /// <summary>
    /// Appends <paramref name="rate"/> tx/s for <paramref name="seconds"/> from <paramref name="startSeconds"/> (seconds
    /// since sending began; not before the end of the last segment). Returns the segment, with its token range.
    /// </summary>
    public Segment Append(double startSeconds, double rate, double seconds)
    {
        if (!(rate > 0) || !(seconds > 0)) throw new ArgumentOutOfRangeException(nameof(rate), "a segment needs a positive rate and length");
        Segment[] current = _timeline.Current;
        Segment? last = current.Length > 0 ? current[^1] : null;
        if (last is not null && startSeconds < last.End) throw new ArgumentOutOfRangeException(nameof(startSeconds), "segments do not overlap");
        long count = Math.Max(1, (long)Math.Ceiling(rate * seconds - 1e-9));
        var segment = new Segment(startSeconds, seconds, rate, last is null ? 0 : last.First + last.Count, count);
        _timeline.Current = [.. current, segment];
        return segment;
    }

    public override string Text => "probe";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => _timeline.Share(node, nodes);

    public override double RateAt(double seconds, BlockClock blocks) => _timeline.RateAt(seconds);

    public override double PeakRate => _peakRate;

    /// <summary>The whole plan's estimate, whatever the duration (a probe has none).</summary>
    public override double ExpectedTxs(double seconds) => _expectedTxs;

    public override double? NominalRate(TimeSpan? duration) => null;

    public override string Describe(TimeSpan? duration) => $"probe up to {Num(_peakRate)} tx/s";

    private sealed class Segments : Timeline
    {
        private volatile Segment[] _segments = [];

        public Segment[] Current
        {
            get => _segments;
            set => _segments = value;
        }

        private static int SegmentOfToken(Segment[] s, long k)
        {
            int lo = 0, hi = s.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) >> 1;
                if (s[mid].First <= k) lo = mid; else hi = mid - 1;
            }
            return lo;
        }

        private static int SegmentAt(Segment[] s, double seconds)
        {
            for (int m = s.Length - 1; m >= 0; m--)
                if (s[m].Start <= seconds) return m;
            return -1;
        }

        public override double SecondsOf(long k)
        {
            Segment[] s = _segments;
            if (s.Length == 0 || k < 0) return k < 0 ? 0 : double.PositiveInfinity;
            Segment seg = s[SegmentOfToken(s, k)];
            long j = k - seg.First;
            return j < seg.Count ? seg.Start + j / seg.Rate : double.PositiveInfinity;
        }

        public override long EstimateCount(double seconds)
        {
            Segment[] s = _segments;
            int m = SegmentAt(s, seconds);
            if (m < 0) return 0;
            Segment seg = s[m];
            return seg.First + Math.Min(seg.Count, (long)((seconds - seg.Start) * seg.Rate) + 1);
        }

        public override double RateAt(double seconds)
        {
            Segment[] s = _segments;
            int m = SegmentAt(s, seconds);
            return m >= 0 && seconds < s[m].End ? s[m].Rate : 0;
        }
    }
}

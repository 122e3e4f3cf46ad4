namespace FastLoad.Engine.Shapes;

/// <summary>
/// <c>burst:N/EVERY</c>: N txs due at the start of every period (0, EVERY, 2·EVERY, …), sent as fast as the nodes take
/// them, nothing in between. Each tx's intended time is its period's start, so a burst the node drains slowly shows as
/// latency.
/// </summary>
public sealed class BurstShape : LoadShape
{
    private readonly Periods _periods;

    public BurstShape(long size, double everySeconds)
    {
        if (size < 1 || !(everySeconds > 0)) throw new ArgumentOutOfRangeException(nameof(size), "bursts need N >= 1 and EVERY > 0");
        Size = size;
        Every = everySeconds;
        _periods = new Periods(size, everySeconds);
    }

    /// <summary>Txs per burst.</summary>
    public long Size { get; }

    /// <summary>Seconds between burst starts.</summary>
    public double Every { get; }

    public override string Text => $"burst:{Size}/{RampShape.Plain(Every)}s";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => _periods.Share(node, nodes);

    internal override Timeline Timeline => _periods;

    public override double RateAt(double seconds, BlockClock blocks) => Size / Every;

    public override double PeakRate => Size / Every;

    public override long BurstSize => Size;

    public override double ExpectedTxs(double seconds) => (Math.Floor(Math.Max(0, seconds) / Every) + 1) * Size;

    public override double? NominalRate(TimeSpan? duration) =>
        duration is TimeSpan d && d.TotalSeconds > 0 ? Math.Ceiling(d.TotalSeconds / Every - 1e-9) * Size / d.TotalSeconds : Size / Every;

    public override string Describe(TimeSpan? duration) => $"bursts of {Num(Size)} txs every {Span(Every)}";

    private sealed class Periods(long size, double every) : Timeline
    {
        public override double SecondsOf(long k) => k / size * every;

        public override long EstimateCount(double seconds) => seconds < 0 ? 0 : ((long)(seconds / every) + 1) * size;

        public override double RateAt(double seconds) => size / every;
    }
}

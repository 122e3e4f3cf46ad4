namespace FastLoad.Engine.Shapes;

/// <summary>
/// A shape's whole schedule in closed form: global token k (over all nodes) is due at <see cref="SecondsOf"/>(k).
/// Node i of n takes every n-th token (i, i+n, i+2n, …), so the nodes together follow the shape exactly and each
/// carries an even share.
/// </summary>
internal abstract class Timeline
{
    /// <summary>Seconds from the start at which global token k is due; nondecreasing; +∞ for never.</summary>
    public abstract double SecondsOf(long k);

    /// <summary>About how many global tokens are due by <paramref name="seconds"/> (exact, or off by a few: corrected by the caller).</summary>
    public abstract long EstimateCount(double seconds);

    /// <summary>The shape's total tx/s at <paramref name="seconds"/>.</summary>
    public abstract double RateAt(double seconds);

    public ArrivalSchedule Share(int node, int nodes) => new TimelineShare(this, node, nodes);

    /// <summary>Global tokens due by <paramref name="elapsedTicks"/>, consistent with the ticks <see cref="TimelineShare"/> gives each token.</summary>
    public long DueCount(long elapsedTicks)
    {
        if (elapsedTicks < 0) return 0;
        long g = Math.Max(0, EstimateCount(ArrivalSchedule.ToSeconds(elapsedTicks)));
        while (g > 0 && ArrivalSchedule.ToTicks(SecondsOf(g - 1)) > elapsedTicks) g--;
        while (ArrivalSchedule.ToTicks(SecondsOf(g)) <= elapsedTicks) g++;
        return g;
    }

    private sealed class TimelineShare(Timeline timeline, int node, int nodes) : ArrivalSchedule
    {
        public override long IntendedTicks(long k) => ToTicks(timeline.SecondsOf(k * nodes + node));

        public override long DueCount(long elapsedTicks)
        {
            long global = timeline.DueCount(elapsedTicks);
            return global > node ? (global - node - 1) / nodes + 1 : 0;
        }

        public override double RateAt(long elapsedTicks) => timeline.RateAt(ToSeconds(elapsedTicks)) / nodes;
    }
}

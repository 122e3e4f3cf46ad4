namespace FastLoad.Engine.Shapes;

/// <summary>
/// <c>per-block:K</c>: K txs come due each time a new block is seen (over all nodes; node i of n takes every n-th).
/// Their intended time is when the block was seen, so a sender slow to follow shows as latency.
/// </summary>
public sealed class PerBlockShape : LoadShape
{
    public PerBlockShape(long perBlock)
    {
        if (perBlock < 1) throw new ArgumentOutOfRangeException(nameof(perBlock), "K must be at least 1");
        PerBlock = perBlock;
    }

    /// <summary>Txs per block seen.</summary>
    public long PerBlock { get; }

    public override string Text => $"per-block:{PerBlock}";

    public override ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks) => new Released(PerBlock, node, nodes, blocks);

    public override double RateAt(double seconds, BlockClock blocks) => PerBlock * blocks.BlocksPerSecond;

    public override double PeakRate => PerBlock * 2;

    public override long BurstSize => PerBlock;

    /// <summary>Funding assumes up to two blocks a second.</summary>
    public override double ExpectedTxs(double seconds) => PerBlock * (2 * Math.Max(1, seconds) + 1);

    public override double? NominalRate(TimeSpan? duration) => null;

    public override bool NeedsBlocks => true;

    public override string Describe(TimeSpan? duration) => $"{Num(PerBlock)} txs per new block";

    private sealed class Released(long perBlock, int node, int nodes, BlockClock blocks) : ArrivalSchedule
    {
        public override long IntendedTicks(long k)
        {
            long block = (k * nodes + node) / perBlock;
            return block < blocks.Count ? blocks.SeenAt((int)block) : Unknown;
        }

        public override long DueCount(long elapsedTicks)
        {
            // Blocks seen by then: usually all of them (the last is in the past); else a binary search.
            int seen = blocks.Count;
            if (seen > 0 && blocks.SeenAt(seen - 1) > elapsedTicks)
            {
                int lo = 0, hi = seen - 1; // the first block seen after elapsedTicks is in [lo, hi]
                while (lo < hi)
                {
                    int mid = (lo + hi) >> 1;
                    if (blocks.SeenAt(mid) > elapsedTicks) hi = mid; else lo = mid + 1;
                }
                seen = lo;
            }
            long global = seen * perBlock;
            return global > node ? (global - node - 1) / nodes + 1 : 0;
        }

        public override double RateAt(long elapsedTicks) => perBlock * blocks.BlocksPerSecond / nodes;
    }
}

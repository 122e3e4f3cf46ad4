using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Shapes;

namespace FastLoad.Benchmarks.Shapes;

/// <summary>
/// What a sender pays per token for its shape: due tokens (Available), Take, and each token's intended time, in
/// batches of 100 as NodeSender takes them, over a simulated clock (no sleeping). Per token; allocation must be 0 B.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Macro.HotPath.Category)]
public class ShapeBenchmarks
{
    private const int Tokens = 400_000;
    private TokenLimiter _limiter = null!;
    private LoadShape _shape = null!;
    private BlockClock _blocks = null!;

    [Params("constant", "ramp", "steps", "burst", "poisson", "per-block")]
    public string Shape { get; set; } = "constant";

    [GlobalSetup]
    public void Setup()
    {
        _shape = Shape switch
        {
            "constant" => new ConstantShape(50_000),
            "ramp" => new RampShape(10_000, 90_000, 2),
            "steps" => new StepsShape(10_000, 90_000, 20_000, 0.4),
            "burst" => new BurstShape(5_000, 0.1),
            "poisson" => new PoissonShape(50_000, 1),
            _ => new PerBlockShape(500),
        };
        _blocks = new BlockClock();
        _blocks.Begin(0);
        for (ulong b = 1; b <= 1000; b++) _blocks.OnBlock(b, (long)(b * 0.01 * System.Diagnostics.Stopwatch.Frequency)); // 500 txs per block, 100 blocks/s: 50,000 tx/s
    }

    [IterationSetup]
    public void Fresh()
    {
        _limiter = new TokenLimiter(_shape.ForNode(0, 1, _blocks), 0);
        _limiter.IntendedTicks(0); // the Poisson schedule's window (512 KB, once per node and run) is allocated here, not per token
    }

    [Benchmark(OperationsPerInvoke = Tokens)]
    public long TakeAndTime()
    {
        TokenLimiter limiter = _limiter;
        long clock = 0, step = System.Diagnostics.Stopwatch.Frequency / 500, sum = 0; // a 2 ms loop, as the sender lingers
        while (limiter.Issued < Tokens)
        {
            clock += step;
            if (limiter.Available(clock) == 0) continue;
            int took = limiter.Take(clock, 100, out long first);
            for (int i = 0; i < took; i++) sum += limiter.IntendedTicks(first + i);
        }
        return sum;
    }
}

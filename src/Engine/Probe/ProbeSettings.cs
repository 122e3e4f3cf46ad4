namespace FastLoad.Engine.Probe;

/// <summary>How <c>fastload probe</c> searches: the step plan, the targets each step is judged by, the bisection and the hold.</summary>
public sealed record ProbeSettings
{
    /// <summary>The first step's tx/s.</summary>
    public double StartRate { get; init; } = 100;

    /// <summary>Each passing step multiplies the rate by this, up to <see cref="MaxRate"/>.</summary>
    public double Factor { get; init; } = 2;

    /// <summary>The highest rate tried (also bounds the funding).</summary>
    public double MaxRate { get; init; } = 20_000;

    /// <summary>How long each step and bisect step sends.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the confirming hold sends.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A step passes only if at least this % of its sent txs were accepted.</summary>
    public double TargetSuccessPercent { get; init; } = 99.5;

    /// <summary>A step passes only if its inclusion p99 is at most this; null = <see cref="InclusionBlocks"/> block intervals, measured on the chain.</summary>
    public double? TargetInclusionP99Ms { get; init; }

    /// <summary>The default inclusion target in block intervals.</summary>
    public double InclusionBlocks { get; init; } = 3;

    /// <summary>Bisection stops when the gap between the last good and the first bad rate is at most this fraction of the good one.</summary>
    public double Precision { get; init; } = 0.05;

    /// <summary>At most this many bisect steps.</summary>
    public int MaxBisects { get; init; } = 6;

    /// <summary>Holds tried: a failed hold is tried again at <see cref="HoldStepDown"/> of its rate.</summary>
    public int MaxHolds { get; init; } = 3;

    public double HoldStepDown { get; init; } = 0.9;

    /// <summary>Checks the settings; an <see cref="ArgumentException"/> with a one-line message when one is out of range.</summary>
    public void Validate()
    {
        if (!(StartRate > 0) || !double.IsFinite(StartRate)) throw new ArgumentException("--start-rate must be positive");
        if (!(MaxRate >= StartRate) || !double.IsFinite(MaxRate)) throw new ArgumentException($"--max-rate ({MaxRate:0.###}) must be at least --start-rate ({StartRate:0.###})");
        if (!(Factor > 1) || !double.IsFinite(Factor)) throw new ArgumentException("--factor must be above 1 (each step multiplies the rate by it)");
        if (Step <= TimeSpan.Zero) throw new ArgumentException("--step must be a duration above 0");
        if (Hold <= TimeSpan.Zero) throw new ArgumentException("--hold must be a duration above 0");
        if (!(TargetSuccessPercent > 0) || TargetSuccessPercent > 100) throw new ArgumentException("--target-success is a percentage: give a value in (0, 100]");
        if (!(Precision > 0) || Precision >= 1) throw new ArgumentException("--precision is a percentage: give a value in (0, 100)");
        if (TargetInclusionP99Ms is double ms && !(ms > 0)) throw new ArgumentException("--target-inclusion-p99-ms must be positive");
    }

    /// <summary>
    /// The most txs the whole probe can send (funds the wallets once for every step): each doubling step up to the cap,
    /// every bisect step at the cap, every hold at the cap.
    /// </summary>
    public double MaxTxs()
    {
        double step = Step.TotalSeconds, total = 0;
        for (double r = StartRate; ; r = Math.Min(r * Factor, MaxRate))
        {
            total += r * step;
            if (r >= MaxRate) break;
        }
        return total + MaxBisects * MaxRate * step + MaxHolds * MaxRate * Hold.TotalSeconds;
    }
}

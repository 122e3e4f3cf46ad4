using System.Diagnostics;

namespace FastLoad.Engine.Shapes;

/// <summary>
/// One node's share of a load shape: when its k-th token is due. Times are stopwatch ticks since sending began.
/// A sender takes tokens in order; a token's intended time is what its tx's latency is measured from, so a sender
/// (or node) that falls behind shows as latency, never as load that silently vanished (no coordinated omission).
/// Implementations answer without allocating; one instance is used by one thread.
/// </summary>
public abstract class ArrivalSchedule
{
    /// <summary>An intended time not known yet (per-block: the block has not been seen) or never (a ramp down to 0).</summary>
    public const long Unknown = long.MaxValue;

    /// <summary>Intended time of token <paramref name="k"/> (0-based), ticks since the start; nondecreasing in k.</summary>
    public abstract long IntendedTicks(long k);

    /// <summary>Tokens due by <paramref name="elapsedTicks"/>: how many have <see cref="IntendedTicks"/> ≤ it.</summary>
    public abstract long DueCount(long elapsedTicks);

    /// <summary>This node's scheduled tx/s at <paramref name="elapsedTicks"/> (the mean for bursts and Poisson arrivals).</summary>
    public abstract double RateAt(long elapsedTicks);

    /// <summary>Seconds → ticks, saturating to <see cref="Unknown"/> for times beyond any run (or infinite).</summary>
    internal static long ToTicks(double seconds) =>
        seconds >= MaxSeconds ? Unknown : (long)(seconds * Stopwatch.Frequency);

    internal static double ToSeconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    private static readonly double MaxSeconds = 0.9 * long.MaxValue / Stopwatch.Frequency;
}

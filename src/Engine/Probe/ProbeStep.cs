namespace FastLoad.Engine.Probe;

/// <summary>What a phase of the probe is for.</summary>
public enum ProbeKind
{
    /// <summary>Stepping up the rate until a step fails.</summary>
    Step,

    /// <summary>Between the last good and the first bad rate.</summary>
    Bisect,

    /// <summary>The answer held for longer, to confirm it.</summary>
    Hold,

    /// <summary>Not the probe's: one phase of a run's sequence (<c>--phase</c>, a scenario's phases), not judged on its own.</summary>
    Phase,
}

/// <summary>One phase of the probe as measured: what was offered, what the node did with it, and the verdict. A row of <c>phases</c>.</summary>
public sealed record ProbeStep
{
    /// <summary>0-based, in the order run.</summary>
    public required int Index { get; init; }
    public required ProbeKind Kind { get; init; }

    /// <summary>e.g. "step 3", "bisect 1", "hold".</summary>
    public required string Name { get; init; }

    /// <summary>Tx/s offered.</summary>
    public required double Rate { get; init; }

    /// <summary>The phase's window, microseconds since sending began, on the same clock as <c>tx_log.intended_us</c>.</summary>
    public required long StartUs { get; init; }
    public required long EndUs { get; init; }

    public double StartSeconds => StartUs / 1e6;
    public double EndSeconds => EndUs / 1e6;

    /// <summary>Txs the phase made due.</summary>
    public required long Offered { get; init; }

    /// <summary>Txs of the phase sent and answered (any outcome).</summary>
    public required long Sent { get; init; }
    public required long Accepted { get; init; }

    /// <summary>Txs of the phase seen in a block by the time it was judged.</summary>
    public required long Included { get; init; }

    /// <summary>Our txs included per second over the phase's window shifted by one block (the chain's throughput under this load).</summary>
    public required double IncludedRate { get; init; }
    public double? InclusionP50Ms { get; init; }
    public double? InclusionP99Ms { get; init; }

    /// <summary>Accepted-not-included txs (the pool's backlog of ours), at its lowest over a block interval before the middle and before the end.</summary>
    public required long BacklogMid { get; init; }
    public required long BacklogEnd { get; init; }
    public long BacklogGrowth => BacklogEnd - BacklogMid;

    /// <summary>Growth above this counts as a growing backlog.</summary>
    public required long BacklogTolerance { get; init; }

    /// <summary>The latest block's base fee when the phase began and when it was judged, gwei; null on a chain without one.</summary>
    public double? BaseFeeStartGwei { get; init; }
    public double? BaseFeeEndGwei { get; init; }

    /// <summary>The fee cap of the run's txs, gwei (a base fee above it leaves them waiting in the pool).</summary>
    public double? FeeCapGwei { get; init; }

    /// <summary>Seconds waited before the phase for the base fee to fall (see <see cref="ProbeController"/>).</summary>
    public double FeeWaitSeconds { get; init; }

    public bool Pass { get; init; }

    /// <summary>Why it failed ("; "-joined), or "ok".</summary>
    public string Reason { get; init; } = "";

    public double SuccessPercent => Sent == 0 ? 0 : 100.0 * Accepted / Sent;
}

/// <summary>The probe's answer and its evidence.</summary>
public sealed record ProbeResult
{
    public required IReadOnlyList<ProbeStep> Steps { get; init; }

    /// <summary>The rate the hold confirmed; null when none was found.</summary>
    public double? Sustainable { get; init; }

    /// <summary>Why there is no answer (the lowest step failed, every hold failed, stopped early); null with an answer.</summary>
    public string? Failure { get; init; }

    /// <summary>The answer is the cap (--max-rate): the node took every step.</summary>
    public bool AtCap { get; init; }

    /// <summary>The block interval measured on the chain, seconds (null: fewer than two blocks seen).</summary>
    public double? BlockSeconds { get; init; }

    /// <summary>The inclusion p99 target the steps were judged by.</summary>
    public double? InclusionTargetMs { get; init; }
}

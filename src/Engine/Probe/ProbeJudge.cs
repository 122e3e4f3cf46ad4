using System.Globalization;

namespace FastLoad.Engine.Probe;

/// <summary>
/// The verdict on one measured phase. It passes when every check holds: nearly all offered txs went out and were
/// answered; at least the target % of them were accepted; nearly all accepted ones were included; the inclusion p99
/// is within the target; and the backlog (accepted minus included) did not grow from the middle of the phase to its
/// end by more than the tolerance.
/// </summary>
public static class ProbeJudge
{
    /// <summary>Fraction of offered txs that must be sent and answered (the rest: the sender or the node fell behind).</summary>
    public const double MinSentFraction = 0.99;

    /// <summary>Fraction of accepted txs that may still be outside a block when the phase is judged.</summary>
    public const double MaxNotIncludedFraction = 0.01;

    /// <summary>
    /// The backlog tolerance at <paramref name="rate"/> with blocks every <paramref name="blockSeconds"/>: 15 % of
    /// a block's worth of txs, at least 10 (a backlog's lowest point over a block interval moves by about the txs that
    /// arrive while a block is seen; a growing one rises by (rate − ceiling) × half the phase).
    /// </summary>
    public static long BacklogTolerance(double rate, double blockSeconds) => Math.Max(10, (long)Math.Ceiling(0.15 * rate * blockSeconds));

    public static ProbeStep Judge(ProbeStep step, double successTargetPercent, double inclusionTargetMs)
    {
        var why = new List<string>();
        if (step.Sent < MinSentFraction * step.Offered)
            why.Add(F($"only {100.0 * step.Sent / Math.Max(1, step.Offered):0.0} % of offered txs sent and answered"));
        if (step.Sent > 0 && step.SuccessPercent < successTargetPercent)
            why.Add(F($"accepted {step.SuccessPercent:0.0#} % < {successTargetPercent:0.0#} %"));
        long notIncluded = step.Accepted - step.Included;
        if (notIncluded > Math.Max(1, MaxNotIncludedFraction * step.Accepted))
            why.Add(F($"{100.0 * notIncluded / step.Accepted:0.0} % of accepted not included"));
        if (step.InclusionP99Ms is double p99 && p99 > inclusionTargetMs)
            why.Add(F($"inclusion p99 {p99:N0} ms > {inclusionTargetMs:N0} ms"));
        if (step.Accepted > 0 && step.InclusionP99Ms is null)
            why.Add("nothing included");
        if (step.BacklogGrowth > step.BacklogTolerance)
            why.Add(F($"backlog grew {step.BacklogGrowth:N0} (> {step.BacklogTolerance:N0})"));
        if (step.Sent == 0) why.Add("nothing sent");
        if (step.BaseFeeEndGwei is double fee && step.FeeCapGwei is double cap && fee >= cap)
            why.Add(F($"base fee {fee:0.###} gwei reached the txs' fee cap {cap:0.###} gwei (the chain's fee market, not its capacity: give --max-fee-gwei higher)"));
        return step with { Pass = why.Count == 0, Reason = why.Count == 0 ? "ok" : string.Join("; ", why) };
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

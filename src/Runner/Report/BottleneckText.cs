using System.Globalization;
using System.Text;
using FastLoad.Engine.Load;

namespace FastLoad.Runner.Report;

/// <summary>
/// The run summary's last line, from the Engine's <see cref="BottleneckVerdict"/>:
/// <c>bound by: signing (--max: 26,378 tx/s; senders waited 83 % of the time for signed txs, …)</c>; an unclear verdict leads with why: <c>bound by: unclear (mixed: …)</c>.
/// The evidence in brackets (without "bound by: …") is what <c>runs.bound_evidence</c> stores.
/// </summary>
public static class BottleneckText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Line(BottleneckVerdict v) => $"bound by: {Bottleneck.Name(v.Bound)} ({Stored(v)})";

    /// <summary>What <c>runs.bound_evidence</c> stores: the evidence, led by why for an unclear verdict.</summary>
    public static string Stored(BottleneckVerdict v) => v.Bound == BoundBy.Unclear ? $"{ReasonText(v.Reason)}: {Evidence(v)}" : Evidence(v);

    public static string Evidence(BottleneckVerdict v)
    {
        BottleneckEvidence e = v.Evidence;
        var s = new StringBuilder();
        if (v.Bound == BoundBy.Rate || e.TargetRate is double)
        {
            if (e.TargetRate is double target && e.Intended is long due && due > 0)
                s.Append(C, $"sent {100.0 * e.Sent / due:F0} % of the {target:N0} tx/s target{(e.Late > 0 ? $", {Pct(e.Late / (double)Math.Max(1, e.Sent))} late" : "")}; ");
        }
        else
        {
            s.Append(C, $"--max: {e.AchievedRate:N0} tx/s; ");
        }
        s.Append(C, $"senders waited {Pct(e.SigningWaitFraction)} of the time for signed txs, {Pct(e.NetworkWaitFraction)} for the network; ");
        s.Append(C, $"ring empty {Pct(e.RingEmptyFraction)} / at least half full {Pct(e.RingFullFraction)} of polls; ");
        if (e.SignerThreads == 0) s.Append("txs replayed from a file; ");
        else if (e.SignerBusyFraction is double busy)
            s.Append(C, $"signers {e.SignerThreads} thread{(e.SignerThreads == 1 ? "" : "s")} {Pct(busy)} busy{(e.SignerRingFullFraction is double full && full >= 0.05 ? $", {Pct(full)} waiting for ring space" : "")}; ");
        s.Append(C, $"CPU {Pct(e.CpuFraction)} of {e.Cores} cores");
        if (e.MachineCpuFraction is double machine) s.Append(C, $" (machine {Pct(machine)} busy)");
        if (e.Sent > 0 && e.Errors > 0) s.Append(C, $"; errors {Pct(e.Errors / (double)e.Sent)} of sent");
        if (e.BreakerTrips > 0) s.Append(C, $"; breaker trips {e.BreakerTrips}");
        if (e.RateLimitPauses > 0) s.Append(C, $"; 429 pauses {e.RateLimitPauses:N0}");
        return s.ToString();
    }

    private static string ReasonText(UnclearReason reason) => reason switch
    {
        UnclearReason.TooShort => "too short to judge",
        UnclearReason.Mixed => "mixed",
        UnclearReason.AtLimit => "target met at the limit",
        UnclearReason.SignersIdle => "signers idle (wallets waiting for nonces or inclusion)",
        UnclearReason.NodeErrors => "node errors",
        _ => "no part saturated",
    };

    private static string Pct(double fraction) => (fraction * 100).ToString("F0", C) + " %";
}

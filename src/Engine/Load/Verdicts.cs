using System.Globalization;
using System.Text;

namespace FastLoad.Engine.Load;

/// <summary>Targets a run must meet (`run --expect-*`); null = not checked.</summary>
public sealed record RunExpectations
{
    /// <summary>Accepted txs per second of sending, at least.</summary>
    public double? Tps { get; init; }

    /// <summary>Ack latency p99 (from the intended send time), at most, ms.</summary>
    public double? AckP99Ms { get; init; }

    /// <summary>Accepted (incl. already known) as a percentage of sent, at least.</summary>
    public double? SuccessPercent { get; init; }

    /// <summary>Inclusion latency p99 (block seen - intended send), at most, ms.</summary>
    public double? InclusionP99Ms { get; init; }

    /// <summary>Reads answered ok as a percentage of reads sent (<c>--read-rate</c>), at least.</summary>
    public double? ReadSuccessPercent { get; init; }

    /// <summary>Read latency p99 (from each read's intended time), at most, ms.</summary>
    public double? ReadP99Ms { get; init; }

    /// <summary>A target on the read traffic is given (it needs <c>--read-rate</c>).</summary>
    public bool AnyRead => ReadSuccessPercent is not null || ReadP99Ms is not null;

    public bool Any => Tps is not null || AckP99Ms is not null || SuccessPercent is not null || InclusionP99Ms is not null || AnyRead;
}

/// <summary>One checked target: what was asked, what the run did, and whether that passes.</summary>
public sealed record VerdictLine(string Target, double Expected, double? Actual, bool Pass, string Rule, string Unit);

public static class Verdicts
{
    /// <summary>Checks each given target against the run (a target with nothing to measure fails).</summary>
    public static IReadOnlyList<VerdictLine> Evaluate(RunExpectations expect, RunSummary run)
    {
        var lines = new List<VerdictLine>();
        double seconds = run.SendDuration.TotalSeconds;
        if (expect.Tps is double tps)
        {
            double? actual = seconds > 0 ? run.Accepted / seconds : null;
            lines.Add(new VerdictLine("tps", tps, actual, actual >= tps, ">=", "accepted tx/s"));
        }
        if (expect.AckP99Ms is double p99)
        {
            double? actual = run.AckLatency?.MillisAtPercentile(99);
            lines.Add(new VerdictLine("p99_ms", p99, actual, actual <= p99, "<=", "ms ack p99"));
        }
        if (expect.SuccessPercent is double success)
        {
            double? actual = run.Sent > 0 ? 100.0 * run.Accepted / run.Sent : null;
            lines.Add(new VerdictLine("success", success, actual, actual >= success, ">=", "% accepted"));
        }
        if (expect.Any && (run.DroppedRecords > 0 || run.ResultsFailed))
        {
            // Targets judged on a results file with missing rows could pass falsely: an incomplete record fails.
            lines.Add(new VerdictLine("results_complete", 0, run.DroppedRecords, false, "==", run.ResultsFailed ? "records dropped (writing results failed)" : "records dropped"));
        }
        if (expect.InclusionP99Ms is double inclusion)
        {
            double? actual = run.InclusionLatency?.MillisAtPercentile(99);
            // Accepted txs that never made it into a block would make any percentile of the included ones a lie.
            bool complete = run.NotIncluded == 0 && run.Untracked == 0;
            lines.Add(new VerdictLine("inclusion_p99_ms", inclusion, actual, complete && actual <= inclusion, "<=", complete ? "ms inclusion p99" : "ms inclusion p99 (some txs never included)"));
        }
        if (expect.ReadSuccessPercent is double readSuccess)
        {
            // Every read sent is answered or failed by the end (ok or an error outcome): ok over sent.
            double? actual = run.Reads is { Sent: > 0 } r ? 100.0 * r.Ok / r.Sent : null;
            lines.Add(new VerdictLine("read_success", readSuccess, actual, actual >= readSuccess, ">=", "% reads ok"));
        }
        if (expect.ReadP99Ms is double readP99)
        {
            double? actual = run.Reads?.Latency.MillisAtPercentile(99);
            lines.Add(new VerdictLine("read_p99_ms", readP99, actual, actual <= readP99, "<=", "ms read p99"));
        }
        return lines;
    }

    public static string Format(IReadOnlyList<VerdictLine> lines)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        foreach (VerdictLine v in lines)
        {
            string actual = v.Actual is double a ? a.ToString("N2", c) : "n/a";
            s.AppendLine(string.Create(c, $"  {(v.Pass ? "PASS" : "FAIL")}  {v.Target,-17} {actual} {v.Unit} (expected {v.Rule} {v.Expected:N2})"));
        }
        if (lines.Count > 0) s.AppendLine(lines.All(v => v.Pass) ? "Verdict: PASS" : "Verdict: FAIL");
        return s.ToString();
    }
}

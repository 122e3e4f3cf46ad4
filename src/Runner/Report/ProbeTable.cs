using System.Globalization;
using System.Text;
using FastLoad.Engine.Probe;

namespace FastLoad.Runner.Report;

/// <summary>The probe's per-phase table, as <c>fastload probe</c> prints it and <c>fastload report</c> shows it.</summary>
internal static class ProbeTable
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Header() =>
        string.Create(C, $"  {"phase",-9} {"offered",9} {"sent",8} {"accepted",9} {"included",10} {"incl p50/p99 ms",17} {"backlog",15} {"base fee gwei",15}  verdict");

    public static string Line(ProbeStep p) =>
        string.Create(C, $"  {p.Name,-9} {Rate(p.Rate),9} {p.Sent,8:N0} {p.SuccessPercent,7:0.0} % {Rate(p.IncludedRate),10} {Ms(p.InclusionP50Ms) + " / " + Ms(p.InclusionP99Ms),17} {Backlog(p),15} {Fee(p),15}  {(p.Pass ? "PASS" : "FAIL")}{(p.Pass ? "" : " " + p.Reason)}");

    public static string Format(IReadOnlyList<ProbeStep> steps)
    {
        var s = new StringBuilder();
        s.AppendLine("  (offered and included in tx/s; backlog: growth of accepted-not-included txs from the middle to the end, ≤ tolerance;");
        s.AppendLine("   base fee: the latest block's as the phase began and when it was judged, after any wait, sending nothing, for it to fall)");
        s.AppendLine(Header());
        foreach (ProbeStep p in steps) s.AppendLine(Line(p));
        return s.ToString();
    }

    /// <summary>The line scripts parse.</summary>
    public static string Answer(double rate) => string.Create(C, $"sustainable: {rate:0.###} tx/s");

    /// <summary>A rate as the table shows it: 1,400, 96.8.</summary>
    public static string Rate(double r) => r.ToString(r >= 100 ? "N0" : "0.#", C);

    private static string Ms(double? ms) => ms is double v ? v.ToString("N0", C) : "-";

    /// <summary>"1.2 → 3.4" (a wait for it to fall first: "(8 s) 1.2 → 3.4"); "-" without a base fee.</summary>
    private static string Fee(ProbeStep p) => p.BaseFeeStartGwei is double a && p.BaseFeeEndGwei is double b
        ? string.Create(C, $"{(p.FeeWaitSeconds >= 0.5 ? $"({p.FeeWaitSeconds:0} s) " : "")}{Gwei(a)} → {Gwei(b)}")
        : "-";

    private static string Gwei(double g) => g.ToString(g >= 100 ? "N0" : g >= 1 ? "0.#" : g >= 0.001 ? "0.###" : "0.######", C);

    private static string Backlog(ProbeStep p) => string.Create(C, $"{p.BacklogGrowth:+#,0;-#,0;0} (≤ {p.BacklogTolerance:N0})");
}

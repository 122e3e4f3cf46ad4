using System.Globalization;
using System.Text;
using FastLoad.Engine.Results;

namespace FastLoad.Runner.Report;

/// <summary>The terminal summary of a results file, laid out like <c>fastload run</c>'s own summary.</summary>
internal static class MetricsText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Ms(double? ms) => ms is double v ? v.ToString("N1", C) + " ms" : "-";

    public static string Pct(double? p) => p is double v ? v.ToString("F2", C) + " %" : "-";

    public static string When(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", C);

    public static string Duration(RunMetrics m) =>
        m.DurationSeconds.ToString("F2", C) + " s" + (m.DurationFromData ? " (to the last send: no end recorded)" : "");

    public static string Format(RunMetrics m, string path)
    {
        var s = new StringBuilder();
        TxMetrics t = m.Total;
        s.AppendLine($"Run {m.RunId}  {m.Status}  ({path})");
        s.AppendLine($"  started      {When(m.StartedAt)}   duration {Duration(m)}");
        if (m.Shape is { } shape and not "constant") s.AppendLine($"  shape        {shape}");
        s.AppendLine(string.Create(C, $"  rate         {t.AchievedRate:N0} tx/s achieved{(m.TargetRate is double target ? string.Create(C, $" (target {target:N0}, {t.AchievedRate / target:P1})") : m.Shape is null ? " (--max)" : "")}"));
        s.AppendLine(string.Create(C, $"  sent         {t.Sent:N0}   accepted {t.Accepted:N0}   errors {t.Errors:N0}   unanswered {t.Sent - t.Answered:N0}   success {Pct(t.SuccessPercent)}"));
        if (t.ErrorsByClass.Count > 0) s.AppendLine($"  errors       {ErrorList(t)}");
        s.AppendLine($"  ack latency  p50 {Ms(t.AckP50Ms)}   p90 {Ms(t.AckP90Ms)}   p99 {Ms(t.AckP99Ms)}   max {Ms(t.AckMaxMs)}   (from intended send time)");
        s.AppendLine($"    (raw)      p99 {Ms(t.RawAckP99Ms)}   (from actual send time)");
        s.AppendLine(t.Blocks == 0
            ? "  included     - (no block recorded)"
            : string.Create(C, $"  included     {t.Included:N0} in {t.Blocks:N0} blocks   not included {t.NotIncluded:N0}"));
        s.AppendLine($"  inclusion    p50 {Ms(t.InclusionP50Ms)}   p99 {Ms(t.InclusionP99Ms)}   (block seen - intended send time)");
        if (m.Preconf is { } preconf)
        {
            s.AppendLine(string.Create(C, $"  preconf      {preconf.Preconfirmed:N0} txs by {m.Streams.Count} stream(s)   p50 {Ms(preconf.P50Ms)}   p99 {Ms(preconf.P99Ms)}   (earliest stream's first mention - intended send time)"));
            foreach (PreconfMetrics st in m.Streams)
                s.AppendLine(string.Create(C, $"    stream {st.Stream} {st.Url}: {st.Preconfirmed:N0} txs, p50 {Ms(st.P50Ms)}, p99 {Ms(st.P99Ms)}"));
        }
        if (m.Reads is { } r) AppendReads(s, r);
        if (m.Nodes.Count > 1)
        {
            s.AppendLine();
            s.AppendLine(string.Create(C, $"  {"node",-28} {"sent",9} {"tx/s",8} {"success",9} {"ack p50",10} {"ack p99",10} {"incl p99",11} {"included",9} {"not incl",9}  errors"));
            foreach (TxMetrics n in m.Nodes)
            {
                string name = $"{n.Node} {n.Url}";
                if (name.Length > 28) name = name[..27] + "…";
                s.AppendLine(string.Create(C, $"  {name,-28} {n.Sent,9:N0} {n.AchievedRate,8:N0} {Pct(n.SuccessPercent),9} {Ms(n.AckP50Ms),10} {Ms(n.AckP99Ms),10} {Ms(n.InclusionP99Ms),11} {Count(n, n.Included),9} {Count(n, n.NotIncluded),9}  {(n.ErrorsByClass.Count == 0 ? "-" : ErrorList(n))}"));
            }
        }
        return s.ToString();
    }

    /// <summary>Each file's own figures under a merged report: its shard, sent, rate against its target, ack p50/p99.</summary>
    public static string FileTable(IReadOnlyList<ShardFile> files)
    {
        var s = new StringBuilder();
        s.AppendLine();
        s.AppendLine(string.Create(C, $"  {"file",-28} {"shard",6} {"sent",9} {"tx/s",8} {"target",8} {"success",9} {"ack p50",10} {"ack p99",10} {"incl p99",11}"));
        foreach (ShardFile f in files)
        {
            TxMetrics t = f.Metrics.Total;
            string name = Path.GetFileName(f.Path);
            if (name.Length > 28) name = name[..27] + "…";
            string target = f.Metrics.TargetRate is double r ? r.ToString("N0", C) : "-";
            s.AppendLine(string.Create(C, $"  {name,-28} {f.ShardText,6} {t.Sent,9:N0} {t.AchievedRate,8:N0} {target,8} {Pct(t.SuccessPercent),9} {Ms(t.AckP50Ms),10} {Ms(t.AckP99Ms),10} {Ms(t.InclusionP99Ms),11}"));
        }
        s.AppendLine("  (the merged figures above come from the union of these files' txs: percentiles are not averages of these)");
        return s.ToString();
    }

    /// <summary>The read traffic's lines (<c>--read-rate</c>), laid out like the run summary's.</summary>
    private static void AppendReads(StringBuilder s, ReadMetrics r)
    {
        string asked = r.Method is null ? "" : r.Method + (r.TargetRate is double target ? string.Create(C, $" at {target:N0}/s") : "") + ": ";
        string errors = r.ErrorsByOutcome.Count == 0 ? "" : " (" + string.Join(", ", r.ErrorsByOutcome.Select(e => string.Create(C, $"{e.Key} {e.Value:N0}"))) + ")";
        s.AppendLine(string.Create(C, $"  reads        {asked}{r.Reads:N0} answered   ok {r.Ok:N0}   errors {r.Errors:N0}{errors}   error {Pct(r.ErrorPercent)}   {r.AchievedRate:N0} reads/s"));
        s.AppendLine($"  read latency p50 {Ms(r.P50Ms)}   p90 {Ms(r.P90Ms)}   p99 {Ms(r.P99Ms)}   max {Ms(r.MaxMs)}   (from intended time)");
        s.AppendLine($"    (raw)      p99 {Ms(r.RawP99Ms)}   (from actual send time)");
    }

    /// <summary>An inclusion count, or "-" where no block was recorded (a target without blocks, e.g. the null sink): 0 of N would be a false figure.</summary>
    public static string Count(TxMetrics t, long value) => t.Blocks == 0 ? "-" : value.ToString("N0", C);

    public static string ErrorList(TxMetrics t)
    {
        var s = new StringBuilder();
        foreach (var (name, count) in t.ErrorsByClass)
            s.Append(s.Length == 0 ? "" : ", ").Append(name).Append(' ').Append(count.ToString("N0", C));
        return s.ToString();
    }
}

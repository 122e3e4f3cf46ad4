using System.Globalization;
using System.Text;
using FastLoad.Engine.Rpc;
using ReadMethods = FastLoad.Engine.Reads.ReadMethods;

namespace FastLoad.Engine.Load;

/// <summary>
/// Txs whose answer was lost or unreadable (connection_lost, no_answer), settled after the run: seen in a block
/// (<see cref="Landed"/>), known to a node's pool (<see cref="InPool"/>), unknown to every node (<see cref="NotFound"/>),
/// or not checked (the node was gone, or the check's bound was reached).
/// </summary>
public readonly record struct AmbiguousOutcome(long Landed, long InPool, long NotFound, long Unchecked)
{
    public long Total => Landed + InPool + NotFound + Unchecked;
}

/// <summary>Nonce gaps found after sending: txs re-sent to close them, in how many wallets, and wallets still gapped.</summary>
public readonly record struct GapRepair(long Resent, int Wallets, int WalletsLeft);

/// <summary>
/// One confirmation stream (<c>--confirm-ws</c>) over the run: messages read, hash-shaped values in them, the run's txs it
/// mentioned and their latency (first mention - intended send, µs), connections opened, the last error.
/// </summary>
public sealed record PreconfStreamSummary(string Url, long Messages, long Hashes, long Preconfirmed, Metrics.LatencyHistogram Latency, long Connects, string? LastError);

/// <summary>What a run did, per node and in total.</summary>
public sealed record RunSummary
{
    public required IReadOnlyList<NodeStats> Nodes { get; init; }

    public required TimeSpan SendDuration { get; init; }

    /// <summary>Tx/s asked for: --rate for a constant shape, the shape's mean over the sending span for others; null for --max.</summary>
    public required double? TargetRate { get; init; }

    /// <summary>The load shape, described (e.g. "ramp 50 → 300 tx/s over 10 s"), when it is not constant; else null.</summary>
    public string? Shape { get; init; }

    /// <summary>The phases of a sequence (<c>--phase</c>) as they ran; empty for a single shape.</summary>
    public IReadOnlyList<Probe.ProbeStep> Phases { get; init; } = [];

    /// <summary>Txs the shape made due while sending (sent + never sent); null for --max.</summary>
    public long? Intended { get; init; }

    public required long Signed { get; init; }

    /// <summary>What limited the run, with the figures it rests on (the Runner formats the line); null when not judged.</summary>
    public BottleneckVerdict? Bottleneck { get; init; }

    public required double CpuSeconds { get; init; }

    public required int BreakerTrips { get; init; }

    public required long Resyncs { get; init; }

    public bool Interrupted { get; init; }

    /// <summary>Why the run was stopped early (a node stayed unreachable, results could not be written), or null.</summary>
    public string? AbortReason { get; init; }

    /// <summary>The results writer failed part-way (the file keeps what was committed before).</summary>
    public bool ResultsFailed { get; init; }

    /// <summary>The txs were replayed from a presigned file, not signed during the run.</summary>
    public bool Replayed { get; init; }

    /// <summary>Wall time from the start of sending to the end of the run (grace period included), for the CPU figure.</summary>
    public double WallSeconds { get; init; }

    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>Whether the inclusion grace period ran (not after Ctrl-C or an abort, nor on a target without blocks).</summary>
    public bool GraceRan { get; init; }

    /// <summary>Txs sent more than the late threshold after their intended time (the tool or node fell behind).</summary>
    public long Late { get; init; }

    /// <summary>The most a tx went out behind its intended time.</summary>
    public TimeSpan MaxLag { get; init; }

    /// <summary>Tokens due before sending stopped that were never sent (backlog at the end).</summary>
    public long Unsent { get; init; }

    /// <summary>Pauses taken for HTTP 429 (Retry-After honoured).</summary>
    public long RateLimitPauses { get; init; }

    /// <summary>Nonce gaps closed after sending (and any left).</summary>
    public GapRepair Gaps { get; init; }

    /// <summary>Lost or unreadable answers, and how they were settled.</summary>
    public AmbiguousOutcome Ambiguous { get; init; }

    /// <summary>Accepted txs seen in a block by the end of the grace period.</summary>
    public long Included { get; init; }

    /// <summary>Accepted txs not seen in any block by the end of the grace period.</summary>
    public long NotIncluded { get; init; }

    /// <summary>Accepted txs not tracked for inclusion (the tracker's bound was reached).</summary>
    public long Untracked { get; init; }

    /// <summary>Ack latency from each tx's intended send time (µs).</summary>
    public Metrics.LatencyHistogram? AckLatency { get; init; }

    /// <summary>Ack latency from the actual send time (µs).</summary>
    public Metrics.LatencyHistogram? AckLatencyFromSend { get; init; }

    /// <summary>Block-seen time minus intended send time, included txs (µs).</summary>
    public Metrics.LatencyHistogram? InclusionLatency { get; init; }

    /// <summary>Ack latency from the intended send time, per node (same order as <see cref="Nodes"/>).</summary>
    public IReadOnlyList<Metrics.LatencyHistogram>? AckLatencyByNode { get; init; }

    /// <summary>Inclusion latency per node (same order as <see cref="Nodes"/>).</summary>
    public IReadOnlyList<Metrics.LatencyHistogram>? InclusionLatencyByNode { get; init; }

    /// <summary>The results file, if one was written.</summary>
    public string? ResultsPath { get; init; }

    /// <summary>The workload's spec (<c>--workload</c>).</summary>
    public string Workload { get; init; } = "transfer";

    /// <summary>The workload's post-run check (the token ledger); null when it has none or it did not run.</summary>
    public Workloads.WorkloadCheck? Check { get; init; }

    /// <summary>The read traffic (<c>--read-rate</c>); null without it.</summary>
    public Reads.ReadSummary? Reads { get; init; }

    /// <summary>The receipts fetched after the run (<c>--receipts</c>); null when none were asked for (or the run was stopped early).</summary>
    public Receipts.ReceiptOutcome? Receipts { get; init; }

    /// <summary>Result records the writer could not keep (it fell behind or failed).</summary>
    public long DroppedRecords { get; init; }

    /// <summary>How new blocks were learned of: websocket, polling (or both, per node).</summary>
    public string? HeadsVia { get; init; }

    /// <summary>Blocks observed during the run.</summary>
    public int Blocks { get; init; }

    /// <summary>The confirmation streams (<c>--confirm-ws</c>), in order; empty without them.</summary>
    public IReadOnlyList<PreconfStreamSummary> Streams { get; init; } = [];

    /// <summary>Preconfirmation latency from the earliest stream to mention each tx (µs); null without streams.</summary>
    public Metrics.LatencyHistogram? PreconfLatency { get; init; }

    /// <summary>Txs not held for the streams (the bound was reached): a stream's mention of them was not counted.</summary>
    public long PreconfUntracked { get; init; }

    public long Sent => Nodes.Sum(n => n.Sent);

    /// <summary>Txs the node took: accepted, already known, and those whose answer was lost but that did land or sit in its pool.</summary>
    public long Accepted => Nodes.Sum(n => n.Accepted + n.Count(TxOutcome.AlreadyKnown)) + Ambiguous.Landed + Ambiguous.InPool;

    /// <summary>Refused txs, and lost answers not shown to have landed.</summary>
    public long Errors => Nodes.Sum(n => n.Errors) - Ambiguous.Landed - Ambiguous.InPool;

    /// <summary>Sent ÷ the real sending span.</summary>
    public double AchievedRate => SendDuration.TotalSeconds > 0 ? Sent / SendDuration.TotalSeconds : 0;

    /// <summary>Accepted ÷ the real sending span.</summary>
    public double AcceptedRate => SendDuration.TotalSeconds > 0 ? Accepted / SendDuration.TotalSeconds : 0;

    public string Format()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(AbortReason is not null ? $"Run STOPPED EARLY: {AbortReason}"
            : Interrupted ? "Run interrupted: summary of what was sent"
            : "Run complete");
        s.AppendLine(string.Create(c, $"  duration     {SendDuration.TotalSeconds:F2} s of sending"));
        if (Shape is not null)
            s.AppendLine(string.Create(c, $"  shape        {Shape}: {Intended ?? 0:N0} txs scheduled"));
        s.AppendLine(string.Create(c, $"  rate         {AchievedRate:N0} tx/s sent{(TargetRate is double t ? string.Create(c, $" (target {t:N0}, {AchievedRate / t:P1})") : " (--max)")}, {AcceptedRate:N0} tx/s accepted"));
        if (TargetRate is not null && Unsent > 0)
            s.AppendLine(string.Create(c, $"  BEHIND SCHEDULE: {Unsent:N0} txs were due but never sent by the end (the tool or the node could not keep up)"));
        if (TargetRate is not null && Late > 0)
            s.AppendLine(string.Create(c, $"  late         {Late:N0} txs ({100.0 * Late / Math.Max(1, Sent):F1} %) sent over 50 ms after their intended time (max {MaxLag.TotalMilliseconds:N0} ms behind)"));
        s.AppendLine(string.Create(c, $"  sent         {Sent:N0}   accepted {Accepted:N0}   errors {Errors:N0}   {(Replayed ? "replayed from file" : "signed")} {Signed:N0}"));
        if (Ambiguous.Total > 0)
            s.AppendLine(string.Create(c, $"  lost answers {Ambiguous.Total:N0} (connection lost or unreadable reply): {Ambiguous.Landed:N0} landed in a block, {Ambiguous.InPool:N0} in the node's pool, {Ambiguous.NotFound:N0} not on the node{(Ambiguous.Unchecked > 0 ? string.Create(c, $", {Ambiguous.Unchecked:N0} not checked") : "")}"));
        if (Gaps.Resent > 0 || Gaps.WalletsLeft > 0)
            s.AppendLine(string.Create(c, $"  nonce gaps   {Gaps.Resent:N0} refused txs re-sent after the run to close gaps in {Gaps.Wallets:N0} wallets{(Gaps.WalletsLeft > 0 ? string.Create(c, $"; {Gaps.WalletsLeft:N0} wallets STILL have gaps (txs stuck in the node's pool)") : "")}"));
        string notIncluded = NotIncluded == 0 ? ""
            : GraceRan ? string.Create(c, $"   NOT included after the grace period: {NotIncluded:N0}")
            : string.Create(c, $"   not seen in a block by the end (no grace period{(Interrupted ? ": interrupted" : AbortReason is not null ? ": stopped early" : "")}): {NotIncluded:N0}");
        s.AppendLine(Blocks == 0
            ? "  included     - (the node produced no block during the run)"
            : string.Create(c, $"  included     {Included:N0} in {Blocks:N0} blocks{(HeadsVia is null ? "" : $" (heads via {HeadsVia})")}{notIncluded}{(Untracked > 0 ? string.Create(c, $"   not tracked (bound reached): {Untracked:N0}") : "")}"));
        AppendLatency(s, "ack latency ", AckLatency, "from intended send time");
        AppendLatency(s, "  (raw)     ", AckLatencyFromSend, "from actual send time");
        AppendLatency(s, "inclusion   ", InclusionLatency, "block seen - intended send time");
        if (PreconfLatency is { } earliest)
        {
            s.AppendLine(string.Create(c, $"  preconfirmed {earliest.Count:N0} of {Accepted:N0} accepted txs by {Streams.Count} stream(s){(PreconfUntracked > 0 ? string.Create(c, $"   not tracked (bound reached): {PreconfUntracked:N0}") : "")}"));
            AppendLatency(s, "preconf     ", earliest, "earliest stream's first mention - intended send time");
            for (int i = 0; i < Streams.Count; i++)
            {
                PreconfStreamSummary st = Streams[i];
                string latency = st.Latency.Count == 0 ? "" : string.Create(c, $", preconf p50/p99 {st.Latency.MillisAtPercentile(50):N1}/{st.Latency.MillisAtPercentile(99):N1} ms");
                string trouble = st.Connects > 1 || st.LastError is not null ? string.Create(c, $", opened {st.Connects} time(s){(st.LastError is null ? "" : $", last error: {st.LastError}")}") : "";
                s.AppendLine(string.Create(c, $"  stream {i} {st.Url}: {st.Messages:N0} messages, {st.Hashes:N0} hashes, {st.Preconfirmed:N0} of ours{latency}{trouble}"));
            }
        }
        if (Receipts is { } r)
        {
            s.AppendLine(string.Create(c, $"  receipts     {r.Fetched:N0} of {r.Sampled:N0} sampled included txs ({r.Percent:0.##} %): {r.Success:N0} success, {r.Reverted:N0} reverted{(r.Missing > 0 ? string.Create(c, $", {r.Missing:N0} not read") : "")}{(r.Fetched > 0 ? string.Create(c, $", gas used {r.GasUsed:N0} (mean {r.GasUsed / (ulong)r.Fetched:N0})") : "")}"));
            if (r.Reverted > 0)
                s.AppendLine(string.Create(c, $"  REVERTED     {r.Reverted:N0} included txs reverted ({100.0 * r.Reverted / Math.Max(1, r.Fetched):F1} % of the receipts read): txs.status = 'reverted'"));
        }
        if (Reads is { } rd)
        {
            string errors = rd.ErrorsByOutcome.Count == 0 ? "" : " (" + string.Join(", ", rd.ErrorsByOutcome.Select(e => string.Create(c, $"{e.Key} {e.Value:N0}"))) + ")";
            s.AppendLine(string.Create(c, $"  reads        {ReadMethods.Name(rd.Method)} at {rd.Rate:N0}/s: sent {rd.Sent:N0}   ok {rd.Ok:N0}   errors {rd.Errors:N0}{errors}   {rd.Sent / Math.Max(0.001, SendDuration.TotalSeconds):N0} reads/s"));
            if (rd.Unsent > 0)
                s.AppendLine(string.Create(c, $"  READS BEHIND {rd.Unsent:N0} reads were due but never sent by the end"));
            AppendLatency(s, "read latency", rd.Latency, "from intended time");
            AppendLatency(s, "  (raw)     ", rd.LatencyFromSent, "from actual send time");
        }
        double wall = WallSeconds > 0 ? WallSeconds : SendDuration.TotalSeconds;
        s.AppendLine(string.Create(c, $"  nonce resyncs {Resyncs:N0}   breaker trips {BreakerTrips}{(RateLimitPauses > 0 ? string.Create(c, $"   429 pauses {RateLimitPauses:N0}") : "")}   CPU {CpuSeconds:F1} s over {wall:F1} s ({CpuSeconds / Math.Max(0.001, wall) * 100 / Math.Max(1, Cores):F0}% of {Cores} cores)"));
        for (int n = 0; n < Nodes.Count; n++)
        {
            NodeStats node = Nodes[n];
            s.Append(string.Create(c, $"  node {node.Url}: sent {node.Sent:N0}, accepted {node.Accepted + node.Count(TxOutcome.AlreadyKnown):N0}, {node.Sent / Math.Max(0.001, SendDuration.TotalSeconds):N0} tx/s, batches {node.Batches:N0}, revoked {node.Revoked:N0}"));
            if (AckLatencyByNode?[n] is { Count: > 0 } h)
                s.Append(string.Create(c, $", ack p50/p99 {h.MillisAtPercentile(50):N1}/{h.MillisAtPercentile(99):N1} ms"));
            if (InclusionLatencyByNode?[n] is { Count: > 0 } i)
                s.Append(string.Create(c, $", inclusion p50/p99 {i.MillisAtPercentile(50):N1}/{i.MillisAtPercentile(99):N1} ms"));
            foreach (TxOutcome outcome in Enum.GetValues<TxOutcome>())
            {
                if (outcome is TxOutcome.Pending or TxOutcome.Accepted) continue;
                long count = node.Count(outcome);
                if (count > 0) s.Append(string.Create(c, $", {Results.ResultsSchema.OutcomeName(outcome)} {count:N0}"));
            }
            s.AppendLine();
        }
        Workloads.WorkloadCheckText.Append(s, Workload, Check);
        if (ResultsPath is not null)
        {
            string warning = ResultsFailed ? "   WARNING: writing failed part-way; the file keeps the rows committed before that"
                : DroppedRecords > 0 ? string.Create(c, $"   WARNING: {DroppedRecords:N0} records dropped (the writer fell behind): the file is incomplete")
                : "";
            s.AppendLine($"  results      {ResultsPath}{warning}");
        }
        return s.ToString();
    }

    private static void AppendLatency(StringBuilder s, string label, Metrics.LatencyHistogram? h, string what)
    {
        if (h is null || h.Count == 0) return;
        static string Ms(double? ms) => (ms ?? 0).ToString("N1", CultureInfo.InvariantCulture);
        s.AppendLine($"  {label} p50 {Ms(h.MillisAtPercentile(50))} ms   p99 {Ms(h.MillisAtPercentile(99))} ms   max {Ms(h.Max / 1000.0)} ms   ({what})");
    }
}

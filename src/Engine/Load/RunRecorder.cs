using System.Diagnostics;
using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Results;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>
/// The run's own view of every outcome: ack latency from the intended send time (so a stalled sender shows up
/// as latency: no coordinated omission) and from the actual send time, overall and per node; accepted txs go to
/// the inclusion tracker; every outcome and inclusion becomes a record for the results file, if one is written;
/// everything is passed on to the caller's sink, if any. Runs on response-handler threads; allocates nothing
/// (except the first time an error text is seen).
/// </summary>
internal sealed class RunRecorder : Preconf.IPreconfSink
{
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly ITxResultSink? _next;
    private readonly long[] _includedByNode;

    public RunRecorder(int nodes, ITxResultSink? next, ResultsWriter? results)
    {
        _next = next;
        Results = results;
        AckByNode = new LatencyHistogram[nodes];
        InclusionByNode = new LatencyHistogram[nodes];
        for (int i = 0; i < nodes; i++)
        {
            AckByNode[i] = new LatencyHistogram();
            InclusionByNode[i] = new LatencyHistogram();
        }
        _includedByNode = new long[nodes];
    }

    public InclusionTracker? Tracker { get; set; }

    /// <summary>Where the (wallet, nonce) of each included tx goes, when the workload's post-run check needs them.</summary>
    public Workloads.IncludedNonces? IncludedNonces { get; set; }

    public ResultsWriter? Results { get; }

    /// <summary>Included txs whose receipt is fetched after the run (<c>--receipts</c>); null = none.</summary>
    public Receipts.ReceiptSample? Receipts { get; set; }

    /// <summary>Recently included hashes, for eth_getTransactionReceipt reads; null without them.</summary>
    public Reads.RecentTxHashes? RecentHashes { get; set; }

    /// <summary>Per-phase counts (the probe); null when the run has no phases.</summary>
    public Probe.PhaseTracker? Phases { get; set; }

    /// <summary>Ack latency measured from each tx's intended send time.</summary>
    public LatencyHistogram AckFromIntended { get; } = new();

    /// <summary>Ack latency measured from the moment the tx actually went out.</summary>
    public LatencyHistogram AckFromSent { get; } = new();

    /// <summary>Ack latency from the intended send time, per node.</summary>
    public LatencyHistogram[] AckByNode { get; }

    /// <summary>Inclusion latency per node (the node whose watcher saw the block: with affinity, the one the tx went to).</summary>
    public LatencyHistogram[] InclusionByNode { get; }

    /// <summary>Block-seen time minus intended send time, for included txs.</summary>
    public LatencyHistogram Inclusion { get; } = new();

    /// <summary>The run's txs for the confirmation streams; refused ones are let go. Null without <c>--confirm-ws</c>.</summary>
    public Preconf.PreconfTracker? Preconf { get; set; }

    /// <summary>Preconfirmation latency (a stream's first mention - intended send time), per stream; empty without streams.</summary>
    public LatencyHistogram[] PreconfByStream { get; private set; } = [];

    /// <summary>Preconfirmation latency from the earliest stream to mention each tx.</summary>
    public LatencyHistogram PreconfEarliest { get; } = new();

    /// <summary>Txs mentioned by at least one stream.</summary>
    public long Preconfirmed => PreconfEarliest.Count;

    /// <summary>From now on, txs are matched against the confirmation streams of <paramref name="tracker"/>.</summary>
    public void WatchStreams(Preconf.PreconfTracker tracker)
    {
        Preconf = tracker;
        PreconfByStream = new LatencyHistogram[tracker.Streams];
        for (int i = 0; i < PreconfByStream.Length; i++) PreconfByStream[i] = new LatencyHistogram();
    }

    /// <summary>A stream's first mention of one of our txs (the stream's reader thread).</summary>
    public void OnPreconf(int stream, long id, long intendedTicks, long seenTicks, bool first)
    {
        long micros = Micros(seenTicks - intendedTicks);
        PreconfByStream[stream].RecordConcurrent(micros);
        if (first) PreconfEarliest.RecordConcurrent(micros);
        Results?.AddPreconf(new PreconfRecord { Id = id, Stream = (byte)stream, SeenTicks = seenTicks });
    }

    public long IncludedAt(int node) => Interlocked.Read(ref _includedByNode[node]);

    /// <summary>The series of an HDR log: untagged ack latency (from intended), then the rest; per node when there are several.</summary>
    public IReadOnlyList<HdrLogWriter.Source> HdrSources()
    {
        var sources = new List<HdrLogWriter.Source> { new(null, AckFromIntended), new("ack-sent", AckFromSent), new("inclusion", Inclusion) };
        if (AckByNode.Length > 1)
        {
            for (int i = 0; i < AckByNode.Length; i++) sources.Add(new($"ack-node{i}", AckByNode[i]));
            for (int i = 0; i < InclusionByNode.Length; i++) sources.Add(new($"inclusion-node{i}", InclusionByNode[i]));
        }
        return sources;
    }

    public static long Micros(long ticks) => (long)(ticks * MicrosPerTick);

    /// <summary>The sink a node's sender reports to.</summary>
    public ITxResultSink ForNode(int node) => new NodeSink(this, node);

    private void OnResult(int node, in InFlightTx tx, TxOutcome outcome, long ackTicks, ReadOnlySpan<byte> error)
    {
        long fromIntended = Micros(ackTicks - tx.IntendedTicks);
        AckFromIntended.RecordConcurrent(fromIntended);
        AckByNode[node].RecordConcurrent(fromIntended);
        AckFromSent.RecordConcurrent(Micros(ackTicks - tx.SentTicks));
        // "Already known" is the node holding this very tx from an earlier send of it (a resync re-signs a nonce
        // identically): telling the tracker turns that earlier send's entry, if its answer was lost, into an accepted
        // one, so the tx counts once (as accepted) and not again as a lost answer that landed.
        if (outcome is TxOutcome.Accepted or TxOutcome.AlreadyKnown) Tracker?.Add(tx.TxHash, tx.Id, tx.IntendedTicks, tx.Wallet, nonce: tx.Nonce);
        else if (IsAmbiguous(outcome)) Tracker?.Add(tx.TxHash, tx.Id, tx.IntendedTicks, tx.Wallet, ambiguous: true, nonce: tx.Nonce); // settled by a block, or checked at the end
        else Preconf?.Forget(tx.TxHash); // refused: no stream will mention it
        Phases?.OnResult(tx.IntendedTicks, outcome);
        if (Results is { } results)
        {
            var record = new TxRecord
            {
                Id = tx.Id, Hash = tx.TxHash, Wallet = tx.Wallet.Index, Nonce = tx.Nonce, Node = tx.Node, Outcome = (byte)outcome, Op = (byte)tx.Op,
                ErrorId = error.IsEmpty ? 0 : results.Errors.Intern(outcome, error),
                IntendedTicks = tx.IntendedTicks, SentTicks = tx.SentTicks, AckTicks = ackTicks,
            };
            results.Add(record);
        }
        _next?.OnResult(tx, outcome, ackTicks, error);
    }

    /// <summary>The node's answer for the tx was lost or unreadable: it may or may not have landed.</summary>
    public static bool IsAmbiguous(TxOutcome outcome) => outcome is TxOutcome.ConnectionLost or TxOutcome.NoAnswer;

    /// <summary>One of our txs was seen in a block by the watcher of node <paramref name="node"/>.</summary>
    public void OnIncluded(int node, TxIncluded included)
    {
        long micros = Micros(included.SeenTicks - included.SentTicks);
        Inclusion.RecordConcurrent(micros);
        InclusionByNode[node].RecordConcurrent(micros);
        Interlocked.Increment(ref _includedByNode[node]);
        Phases?.OnIncluded(included.SentTicks, micros); // the tracker's "sent" time is the tx's intended time
        long id = Math.Abs(included.Token); // negative: a tx whose answer was lost, now seen to have landed
        if (included.Owner is Wallets.Wallet wallet)
        {
            wallet.OnIncluded(id);
            IncludedNonces?.Add(wallet, included.Nonce);
        }
        Results?.AddInclusion(new InclusionRecord { Id = id, Block = included.Block, SeenTicks = included.SeenTicks });
        Receipts?.Offer(id, included.Hash, node);
        RecentHashes?.Add(included.Hash);
    }

    private sealed class NodeSink(RunRecorder recorder, int node) : ITxResultSink
    {
        public void OnResult(in InFlightTx tx, TxOutcome outcome, long ackTicks, ReadOnlySpan<byte> error) =>
            recorder.OnResult(node, tx, outcome, ackTicks, error);
    }
}

using FastLoad.Engine.Metrics;

namespace FastLoad.Engine.Load;

/// <summary>Where a run is: set-up (connect, fund), sending, draining (answers, grace, checks), finished.</summary>
public enum RunStage
{
    Setup,
    Sending,
    Draining,
    Finished,
}

/// <summary>
/// A run's live figures for pollers (a Prometheus scrape): <see cref="Read"/> may be called from any thread at any
/// time, and reads the run's own counters and histograms there and then (cold path: nothing is copied per tx, and the
/// run does not know whether anyone reads). <see cref="LoadRun"/> attaches its parts when sending starts and leaves
/// them attached after the run ends, so a read after the end gives the final totals (the ones in the summary and the
/// results file).
/// </summary>
public sealed class RunMonitor
{
    private volatile RunStage _stage = RunStage.Setup;
    private volatile Func<RunMonitorSnapshot>? _read;
    private volatile double[] _nodeRates = [];
    private double _targetRate = double.NaN; // NaN: none (--max)
    private volatile RunMonitorFinal? _final;

    public RunStage Stage => _stage;

    /// <summary>The run's figures now; only <see cref="RunMonitorSnapshot.Stage"/> before sending starts.</summary>
    public RunMonitorSnapshot Read()
    {
        RunStage stage = _stage;
        RunMonitorSnapshot snapshot = _read?.Invoke() ?? new RunMonitorSnapshot { Stage = stage };
        return snapshot with { Stage = stage, TargetRate = stage == RunStage.Sending && Volatile.Read(ref _targetRate) is double t && !double.IsNaN(t) ? t : null, Final = _final };
    }

    internal void SetStage(RunStage stage) => _stage = stage;

    internal void Attach(Func<RunMonitorSnapshot> read) => _read = read;

    /// <summary>Tx/s now: what the shape asks for (null for --max) and what each node's sender sent over the last second.</summary>
    internal void SetRates(double? target, double[] nodeRates)
    {
        Volatile.Write(ref _targetRate, target ?? double.NaN);
        _nodeRates = nodeRates;
    }

    internal double RateOf(int node)
    {
        double[] rates = _nodeRates;
        return _stage == RunStage.Sending && (uint)node < (uint)rates.Length ? rates[node] : 0;
    }

    internal void Finish(RunMonitorFinal final)
    {
        _final = final;
        _stage = RunStage.Finished;
    }
}

/// <summary>A run's figures at one moment (<see cref="RunMonitor.Read"/>). Counters only grow while the run lives.</summary>
public sealed record RunMonitorSnapshot
{
    public required RunStage Stage { get; init; }

    /// <summary>Tx/s the shape asks for now, while sending; null for --max and outside sending.</summary>
    public double? TargetRate { get; init; }

    /// <summary>One entry per node, in --rpc order; empty before sending starts.</summary>
    public IReadOnlyList<NodeMonitor> Nodes { get; init; } = [];

    /// <summary>Signed txs waiting in the presigned rings, and the rings' room.</summary>
    public int RingFill { get; init; }

    public int RingCapacity { get; init; }

    public int Wallets { get; init; }

    /// <summary>Wallets whose nonce is being fetched again (after an error, periodically, or by the breaker).</summary>
    public int WalletsResyncing { get; init; }

    /// <summary>The circuit breaker holds the rate down (open or ramping back).</summary>
    public bool BreakerOpen { get; init; }

    /// <summary>The fraction of the rate the breaker allows (1 when closed).</summary>
    public double BreakerFraction { get; init; } = 1;

    public int BreakerTrips { get; init; }

    /// <summary>Txs signed (or read from a presigned file) so far.</summary>
    public long Signed { get; init; }

    /// <summary>The read traffic (<c>--read-rate</c>): its recorder's per-node counters and latency histograms; null without reads.</summary>
    public Reads.ReadRecorder? Reads { get; init; }

    /// <summary>The preconfirmation streams (<c>--confirm-ws</c>), in the order given; empty without them.</summary>
    public IReadOnlyList<PreconfStreamMonitor> PreconfStreams { get; init; } = [];

    /// <summary>Preconfirmation latency from the earliest stream to mention each tx (µs); null without streams.</summary>
    public LatencyHistogram? PreconfEarliest { get; init; }

    /// <summary><c>fastload probe</c>: where the probe is; null for a run, or before the probe's first phase.</summary>
    public Probe.ProbeStatus? Probe { get; init; }

    /// <summary>What only the end of the run knows; null until then.</summary>
    public RunMonitorFinal? Final { get; init; }
}

/// <summary>One node's live figures: its counters (shared with the summary) and latency histograms.</summary>
/// <param name="Rate">Tx/s sent over the last second (0 outside sending).</param>
/// <param name="Included">Txs sent to this node seen in a block (by this node's block watcher).</param>
/// <param name="AckLatency">Answer time minus intended send time, every answered tx, µs.</param>
/// <param name="InclusionLatency">Block-seen time minus intended send time, every included tx, µs.</param>
public sealed record NodeMonitor(int Index, NodeStats Stats, double Rate, long Included, LatencyHistogram AckLatency, LatencyHistogram InclusionLatency)
{
    /// <summary>Sent and not yet answered.</summary>
    public long InFlight => Math.Max(0, Stats.Sent - Stats.Answered);
}

/// <summary>One preconfirmation stream's live figures.</summary>
/// <param name="Url">Without credentials.</param>
/// <param name="Messages">Messages received on it.</param>
/// <param name="Preconfirmed">Txs of ours it mentioned (its first mention of each).</param>
/// <param name="Latency">Its first mention of a tx minus the tx's intended send time, µs.</param>
public sealed record PreconfStreamMonitor(int Index, string Url, long Messages, long Preconfirmed, LatencyHistogram Latency);

/// <summary>What a run knows only at its end.</summary>
/// <param name="Verdict">What bounded the rate (runs.bound_by).</param>
/// <param name="LostAnswersLanded">Txs whose answer was lost but that a block or a pool showed to have landed: the summary and
/// the results file count them as accepted (runs.accepted = accepted answers + these).</param>
public sealed record RunMonitorFinal(BottleneckVerdict? Verdict, long LostAnswersLanded);

using System.Globalization;
using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Rpc;
using Prometheus;

namespace FastLoad.Runner.Monitoring;

/// <summary>
/// The metrics of <c>run</c> and <c>probe</c> (README "Metrics"): at each scrape it reads the run's
/// <see cref="RunMonitor"/> (the same counters the summary and the results file come from) and sets prometheus-net's
/// counters, gauges and histograms to them. The send path never calls prometheus-net.
/// </summary>
public sealed class RunExporter
{
    /// <summary>Latency buckets: 0.5 ms doubling to 65.5 s (18 buckets), from a local node's sub-ms answers to a minute's inclusion.</summary>
    public static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0005, 2, 18);

    private static readonly string[] NodeLabels = ["node", "url"];
    private static readonly TxOutcome[] ErrorClasses = Enum.GetValues<TxOutcome>()
        .Where(o => o is not (TxOutcome.Pending or TxOutcome.Accepted or TxOutcome.AlreadyKnown)).ToArray();

    private readonly RunMonitor _monitor;
    private readonly Lock _gate = new();
    private readonly Counter _sent, _acked, _accepted, _included, _errors, _revoked, _batches, _signed, _lostLanded, _breakerTrips;
    private readonly Gauge _targetRate, _achievedRate, _inFlight, _ringFill, _ringCapacity, _wallets, _resyncing, _breakerOpen, _breakerFraction, _stage, _boundBy;
    private readonly Histogram _ackLatency, _inclusionLatency;
    private readonly Dictionary<LatencyHistogram, long[]> _exported = new(ReferenceEqualityComparer.Instance);

    public RunExporter(RunMonitor monitor, CollectorRegistry registry)
    {
        _monitor = monitor;
        MetricFactory f = Metrics.WithCustomRegistry(registry);
        var perNode = new CounterConfiguration { LabelNames = NodeLabels };
        _sent = f.CreateCounter("fastload_txs_sent_total", "Txs sent to the node (eth_sendRawTransaction calls written).", perNode);
        _acked = f.CreateCounter("fastload_txs_acked_total", "Txs the node answered, accepted or refused.", perNode);
        _accepted = f.CreateCounter("fastload_txs_accepted_total", "Txs the node accepted (a hash, or already known).", perNode);
        _included = f.CreateCounter("fastload_txs_included_total", "Txs seen in a block by the node's block watcher.", perNode);
        _errors = f.CreateCounter("fastload_tx_errors_total", "Txs the node refused or did not answer, by error class (nonce_too_low, underpriced, rate_limited, connection_lost, no_answer, ...).",
            new CounterConfiguration { LabelNames = ["node", "url", "class"] });
        _revoked = f.CreateCounter("fastload_txs_revoked_total", "Presigned txs discarded before sending because their wallet was resynced.", perNode);
        _batches = f.CreateCounter("fastload_rpc_batches_total", "JSON-RPC batches of eth_sendRawTransaction sent.", perNode);
        _signed = f.CreateCounter("fastload_txs_signed_total", "Txs signed (or read from a presigned file) into the rings.");
        _lostLanded = f.CreateCounter("fastload_txs_lost_answer_landed_total", "Txs whose answer was lost but that a block or a pool showed to have landed (known at the end of the run; counted as accepted in the results file).");
        _breakerTrips = f.CreateCounter("fastload_breaker_trips_total", "Times the circuit breaker opened.");
        var perNodeGauge = new GaugeConfiguration { LabelNames = NodeLabels };
        _targetRate = f.CreateGauge("fastload_target_rate_txs_per_second", "Tx/s the load shape asks for now (absent for --max; 0 outside sending).");
        _achievedRate = f.CreateGauge("fastload_achieved_rate_txs_per_second", "Tx/s sent to the node over the last second (0 outside sending).", perNodeGauge);
        _inFlight = f.CreateGauge("fastload_txs_in_flight", "Txs sent to the node and not answered yet.", perNodeGauge);
        _ringFill = f.CreateGauge("fastload_ring_fill_txs", "Signed txs waiting in the presigned rings.");
        _ringCapacity = f.CreateGauge("fastload_ring_capacity_txs", "Room of the presigned rings.");
        _wallets = f.CreateGauge("fastload_wallets", "Wallets this process sends from.");
        _resyncing = f.CreateGauge("fastload_wallets_resyncing", "Wallets waiting for their nonce to be fetched again from the node.");
        _breakerOpen = f.CreateGauge("fastload_breaker_open", "1 while the circuit breaker holds the rate down (open or ramping back), else 0.");
        _breakerFraction = f.CreateGauge("fastload_breaker_rate_ratio", "Share of the target rate the circuit breaker allows (1 when closed).");
        _stage = f.CreateGauge("fastload_run_stage", "1 for the stage the run is in (setup, sending, draining, finished), 0 for the others.",
            new GaugeConfiguration { LabelNames = ["stage"] });
        _boundBy = f.CreateGauge("fastload_bound_by", "The bottleneck verdict once the run has ended (runs.bound_by): 1 for the part that bounded the rate (rate, node, signing, sending, unclear), 0 for the others.",
            new GaugeConfiguration { LabelNames = ["part"] });
        var latency = new HistogramConfiguration { LabelNames = NodeLabels, Buckets = LatencyBuckets };
        _ackLatency = f.CreateHistogram("fastload_ack_latency_seconds", "Time from a tx's intended send time to the node's answer, every answered tx (no coordinated omission).", latency);
        _inclusionLatency = f.CreateHistogram("fastload_inclusion_latency_seconds", "Time from a tx's intended send time to the block holding it being seen, every included tx.", latency);
        registry.AddBeforeCollectCallback(Update);
        Update(); // the stage from the first scrape on
    }

    /// <summary>Sets every metric from the monitor; one scrape at a time.</summary>
    public void Update()
    {
        RunMonitorSnapshot s = _monitor.Read();
        lock (_gate)
        {
            foreach (RunStage stage in Enum.GetValues<RunStage>()) _stage.WithLabels(StageName(stage)).Set(stage == s.Stage ? 1 : 0);
            if (s.Nodes.Count == 0) return; // set-up: nothing sent yet
            foreach (NodeMonitor node in s.Nodes)
            {
                string[] labels = [node.Index.ToString(CultureInfo.InvariantCulture), node.Stats.Url];
                NodeStats stats = node.Stats;
                _sent.WithLabels(labels).IncTo(stats.Sent);
                _acked.WithLabels(labels).IncTo(stats.Answered);
                _accepted.WithLabels(labels).IncTo(stats.Accepted + stats.Count(TxOutcome.AlreadyKnown));
                _included.WithLabels(labels).IncTo(node.Included);
                foreach (TxOutcome outcome in ErrorClasses)
                    _errors.WithLabels(labels[0], labels[1], Engine.Results.ResultsSchema.OutcomeName(outcome)).IncTo(stats.Count(outcome));
                _revoked.WithLabels(labels).IncTo(stats.Revoked);
                _batches.WithLabels(labels).IncTo(stats.Batches);
                _achievedRate.WithLabels(labels).Set(node.Rate);
                _inFlight.WithLabels(labels).Set(node.InFlight);
                Export(node.AckLatency, _ackLatency.WithLabels(labels));
                Export(node.InclusionLatency, _inclusionLatency.WithLabels(labels));
            }
            _signed.IncTo(s.Signed);
            _breakerTrips.IncTo(s.BreakerTrips);
            if (s.TargetRate is double target) _targetRate.Set(target);
            else if (s.Stage != RunStage.Sending) _targetRate.Set(0);
            else _targetRate.Unpublish(); // --max: no target
            _ringFill.Set(s.RingFill);
            _ringCapacity.Set(s.RingCapacity);
            _wallets.Set(s.Wallets);
            _resyncing.Set(s.WalletsResyncing);
            _breakerOpen.Set(s.BreakerOpen ? 1 : 0);
            _breakerFraction.Set(s.BreakerFraction);
            if (s.Final is { } final)
            {
                _lostLanded.IncTo(final.LostAnswersLanded);
                if (final.Verdict is { } verdict)
                    foreach (BoundBy part in Enum.GetValues<BoundBy>())
                        _boundBy.WithLabels(Bottleneck.Name(part)).Set(part == verdict.Bound ? 1 : 0);
            }
        }
    }

    /// <summary>
    /// Moves what the engine's histogram gained since the last scrape into the Prometheus histogram, bucket by bucket
    /// (each engine bucket's samples observed at its lower edge: bucket counts exact up to the engine's resolution of
    /// 1/128, the sum within 0.8 %).
    /// </summary>
    private void Export(LatencyHistogram source, Histogram.Child target)
    {
        if (!_exported.TryGetValue(source, out long[]? last)) _exported[source] = last = new long[source.BucketCount];
        ReadOnlySpan<long> counts = source.Counts;
        for (int i = 0; i < counts.Length; i++)
        {
            long now = Volatile.Read(in counts[i]);
            long gained = now - last[i];
            if (gained <= 0) continue;
            target.Observe(LatencyHistogram.LowestEquivalentOfIndex(i) / 1e6, gained);
            last[i] = now;
        }
    }

    public static string StageName(RunStage stage) => stage switch
    {
        RunStage.Setup => "setup",
        RunStage.Sending => "sending",
        RunStage.Draining => "draining",
        _ => "finished",
    };
}

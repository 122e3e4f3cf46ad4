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
    private readonly Counter _readsSent, _reads, _probeJudged;
    private readonly Histogram _readLatency;
    private readonly Gauge _probePhase, _probeRate, _probeKind, _probeSustainable;
    private readonly Counter _preconfirmed, _preconfMessages, _preconfMatched;
    private readonly Histogram _preconfLatency, _preconfEarliestLatency;
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
        // Read traffic (--read-rate): published once the run sends reads.
        _readsSent = f.CreateCounter("fastload_reads_sent_total", "Reads (--read-rate) sent to the node.", perNode);
        _reads = f.CreateCounter("fastload_reads_total", "Reads answered or failed, by outcome (ok, error, rate_limited, http_error, connection_lost, no_answer).",
            new CounterConfiguration { LabelNames = ["node", "url", "outcome"] });
        _readLatency = f.CreateHistogram("fastload_read_latency_seconds", "Time from a read's intended time to its answer, every read answered or failed (no coordinated omission).", latency);
        // Preconfirmation streams (--confirm-ws): published once the run listens to them.
        var perStream = new CounterConfiguration { LabelNames = ["stream", "url"] };
        _preconfirmed = f.CreateCounter("fastload_txs_preconfirmed_total", "Txs of ours that some --confirm-ws stream mentioned (each once, at its earliest mention).",
            new CounterConfiguration { SuppressInitialValue = true });
        _preconfMessages = f.CreateCounter("fastload_preconf_stream_messages_total", "Messages received on a --confirm-ws stream.", perStream);
        _preconfMatched = f.CreateCounter("fastload_preconf_stream_txs_total", "Txs of ours a --confirm-ws stream mentioned (its first mention of each).", perStream);
        _preconfLatency = f.CreateHistogram("fastload_preconf_latency_seconds", "Time from a tx's intended send time to a stream's first mention of it, per stream.",
            new HistogramConfiguration { LabelNames = ["stream", "url"], Buckets = LatencyBuckets });
        _preconfEarliestLatency = f.CreateHistogram("fastload_preconf_earliest_latency_seconds", "Time from a tx's intended send time to the earliest mention of it on any stream.",
            new HistogramConfiguration { Buckets = LatencyBuckets, SuppressInitialValue = true });
        // fastload probe: published once its first phase begins (never for a run).
        var probeGauge = new GaugeConfiguration { SuppressInitialValue = true };
        _probePhase = f.CreateGauge("fastload_probe_phase", "fastload probe: 0-based index of the phase being run (waiting for the base fee, sending or settling; phases.phase), the last one once the probe ended.", probeGauge);
        _probeRate = f.CreateGauge("fastload_probe_phase_rate_txs_per_second", "fastload probe: tx/s the current phase offers.", probeGauge);
        _probeKind = f.CreateGauge("fastload_probe_phase_kind", "fastload probe: 1 for the kind of the current phase (step, bisect, hold), 0 for the others.",
            new GaugeConfiguration { LabelNames = ["kind"] });
        _probeJudged = f.CreateCounter("fastload_probe_phases_total", "fastload probe: phases judged, by verdict (pass, fail).", new CounterConfiguration { LabelNames = ["verdict"] });
        _probeSustainable = f.CreateGauge("fastload_probe_sustainable_rate_txs_per_second", "fastload probe: the sustainable rate, once a hold confirmed it (absent before, and when the probe found none).", probeGauge);
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
            if (s.Reads is { } reads) ExportReads(reads, s.Nodes);
            if (s.Probe is { } probe) ExportProbe(probe);
            if (s.PreconfEarliest is { } earliest) ExportPreconf(earliest, s.PreconfStreams);
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

    private void ExportReads(Engine.Reads.ReadRecorder reads, IReadOnlyList<NodeMonitor> nodes)
    {
        for (int i = 0; i < nodes.Count && i < reads.Nodes; i++)
        {
            string[] labels = [i.ToString(CultureInfo.InvariantCulture), nodes[i].Stats.Url];
            _readsSent.WithLabels(labels).IncTo(reads.SentAt(i));
            foreach (Engine.Reads.ReadOutcome outcome in Engine.Reads.ReadOutcomes.All)
                _reads.WithLabels(labels[0], labels[1], Engine.Reads.ReadOutcomes.Name(outcome)).IncTo(reads.CountAt(i, outcome));
            Export(reads.LatencyByNode[i], _readLatency.WithLabels(labels));
        }
    }

    private void ExportPreconf(LatencyHistogram earliest, IReadOnlyList<PreconfStreamMonitor> streams)
    {
        _preconfirmed.Publish(); // 0 from the first scrape of a run with streams, before any mention
        _preconfEarliestLatency.Publish();
        _preconfirmed.IncTo(earliest.Count);
        Export(earliest, _preconfEarliestLatency);
        foreach (PreconfStreamMonitor stream in streams)
        {
            string[] labels = [stream.Index.ToString(CultureInfo.InvariantCulture), stream.Url];
            _preconfMessages.WithLabels(labels).IncTo(stream.Messages);
            _preconfMatched.WithLabels(labels).IncTo(stream.Preconfirmed);
            Export(stream.Latency, _preconfLatency.WithLabels(labels));
        }
    }

    private void ExportProbe(Engine.Probe.ProbeStatus probe)
    {
        _probePhase.Set(probe.Phase);
        _probeRate.Set(probe.Rate);
        foreach (Engine.Probe.ProbeKind kind in (ReadOnlySpan<Engine.Probe.ProbeKind>)[Engine.Probe.ProbeKind.Step, Engine.Probe.ProbeKind.Bisect, Engine.Probe.ProbeKind.Hold])
            _probeKind.WithLabels(kind.ToString().ToLowerInvariant()).Set(kind == probe.Kind ? 1 : 0);
        _probeJudged.WithLabels("pass").IncTo(probe.Passed);
        _probeJudged.WithLabels("fail").IncTo(probe.Judged - probe.Passed);
        if (probe.Sustainable is double rate) _probeSustainable.Set(rate);
    }

    /// <summary>
    /// Moves what the engine's histogram gained since the last scrape into the Prometheus histogram, bucket by bucket
    /// (each engine bucket's samples observed at its lower edge: bucket counts exact up to the engine's resolution of
    /// 1/128, the sum within 0.8 %).
    /// </summary>
    private void Export(LatencyHistogram source, IHistogram target)
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

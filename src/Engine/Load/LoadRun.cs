using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Threading.Channels;
using FastLoad.Engine.Nodes;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;
using Microsoft.Extensions.Logging;

namespace FastLoad.Engine.Load;

/// <summary>A run can't start as asked; the message is one line saying what to do.</summary>
public sealed class RunSetupException(string message) : Exception(message);

/// <summary>
/// One load run: connect (or start a local anvil), derive and fund wallets, fetch their nonces,
/// then signer threads fill per-node rings while per-node senders drain them at the target rate.
/// Ends at the duration, the count, or cancellation (Ctrl-C), always with a summary.
/// </summary>
public sealed class LoadRun(RunOptions options)
{
    private readonly RunOptions _options = options;
    private readonly ILogger _log = options.Logger;
    private readonly Shapes.LoadShape? _shape = options.EffectiveShape;
    private readonly Shapes.BlockClock _blockClock = new();
    // This process's shard (a replay's comes from its file): --rate, --shape and --count are for all shards together,
    // and this shard sends its part (see Schedule, ShardCount).
    private Shard _shard = options.Shard;
    private bool _sending;
    private long _scheduleEnd = long.MaxValue; // when sending stopped: no token is due after it (the samples' intended counts)

    /// <summary>The wallets of the last run (for tests and `sweep`).</summary>
    public WalletSet? Wallets { get; private set; }

    /// <summary>Contracts the last run's workload deployed or reused.</summary>
    public IReadOnlyList<DeployedContract> Contracts { get; private set; } = [];

    /// <summary>Receives every tx outcome; set before <see cref="RunAsync"/>.</summary>
    public ITxResultSink? Results { get; init; }

    /// <summary>Streams every tx, inclusion, block and per-second sample into a results file; the caller finishes it.</summary>
    public Results.ResultsWriter? Writer { get; init; }

    /// <summary>Writes the latency histograms as an HdrHistogram interval log (one interval a second); the caller disposes it.</summary>
    public Metrics.HdrLogWriter? HdrLog { get; init; }

    /// <summary>
    /// Runs the probe inside this run (<c>fastload probe</c>): its shape must be <see cref="RunOptions.Shape"/>, with no
    /// duration or count; sending stops when the probe ends.
    /// </summary>
    public Probe.ProbeController? Probe { get; init; }

    /// <summary>
    /// Live figures for pollers (<c>--metrics-port</c>): attached when sending starts, finished (with the verdict) when
    /// the run ends, and still readable after that.
    /// </summary>
    public RunMonitor? Monitor { get; init; }

    public async Task<RunSummary> RunAsync(CancellationToken interrupt)
    {
        LocalAnvil? anvil = null;
        var apis = new List<RpcClient>();
        var submit = new List<RpcClient>(); // --send-rpc: where the txs go; empty = to apis
        try
        {
            IReadOnlyList<string> urls = _options.Rpc;
            string? funderKey = _options.FunderKey;
            if (urls.Count == 0)
            {
                _log.LocalAnvilStarting(_options.LocalBlockTime);
                anvil = await LocalAnvil.StartAsync(_options.LocalBlockTime, cancellation: interrupt).ConfigureAwait(false);
                urls = [anvil.Url.ToString()];
                funderKey ??= LocalAnvil.DevKey;
                _log.LocalAnvilListening(anvil.Url.ToString());
            }
            // Setup calls retry transient failures (429, 5xx, resets) with a bounded backoff; each retry is said while
            // setting up (during sending, resyncs retry quietly: their failures are in the summary's figures).
            var retry = new RpcRetryPolicy { OnRetry = r => { if (!Volatile.Read(ref _sending)) _log.SetupRetry(r.ToString()); } };
            for (int i = 0; i < urls.Count; i++)
                apis.Add(await RpcClient.ConnectAsync(RpcEndpoint.Parse(urls[i], _options.ConnectFor(i)), _options.NodeTimeout, ct: interrupt, retry: retry).ConfigureAwait(false));
            if (_options.SendRpc.Count > 0)
            {
                if (anvil is not null) throw new RunSetupException("--send-rpc needs --rpc: the endpoint the txs go to must front the node given with --rpc");
                if (_options.SendRpc.Count != 1 && _options.SendRpc.Count != urls.Count)
                    throw new RunSetupException($"--send-rpc gives {_options.SendRpc.Count} URLs for {urls.Count} --rpc nodes: give one for all, or one per node in the same order");
                for (int i = 0; i < urls.Count; i++)
                    submit.Add(await RpcClient.ConnectAsync(RpcEndpoint.Parse(_options.SendRpc[_options.SendRpc.Count == 1 ? 0 : i], _options.ConnectFor(i)), _options.NodeTimeout, ct: interrupt, retry: retry).ConfigureAwait(false));
            }
            return await RunOnNodesAsync(apis, submit.Count > 0 ? submit : apis, funderKey, interrupt).ConfigureAwait(false);
        }
        finally
        {
            if (Monitor is { Stage: not RunStage.Finished } monitor) monitor.Finish(new RunMonitorFinal(null, 0)); // failed: no verdict
            foreach (RpcClient api in apis) await api.DisposeAsync().ConfigureAwait(false);
            foreach (RpcClient api in submit) await api.DisposeAsync().ConfigureAwait(false);
            if (anvil is not null) await anvil.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Node <paramref name="node"/>'s part of this shard's part of the shape: one lane of shards × nodes.</summary>
    private Shapes.ArrivalSchedule Schedule(Shapes.LoadShape shape, int node, int nodes) =>
        shape.ForNode(_shard.Lane(node, nodes), _shard.Count * nodes, _blockClock);

    /// <summary>This shard's part of <c>--count</c> (all of it unsharded).</summary>
    private long? ShardCount => _options.Count is long total ? _shard.ShareOf(total) : null;

    /// <summary>This shard's part of a rate given for all shards.</summary>
    private double Share(double rate) => rate * _shard.Fraction;

    /// <summary>A snapshot for the live view (cold: a few times a second).</summary>
    private RunProgress Snapshot(TimeSpan elapsed, double[] nodeRates, NodeSender[] senders, PresignedRing[] rings, RunRecorder recorder, CircuitBreaker breaker,
        Reads.ReadRecorder? reads, double readRate)
    {
        var errors = new List<KeyValuePair<string, long>>();
        foreach (TxOutcome outcome in Enum.GetValues<TxOutcome>())
        {
            if (outcome is TxOutcome.Pending or TxOutcome.Accepted or TxOutcome.AlreadyKnown) continue;
            long count = senders.Sum(s => s.Stats.Count(outcome));
            if (count > 0) errors.Add(new(global::FastLoad.Engine.Results.ResultsSchema.OutcomeName(outcome), count));
        }
        var nodes = new NodeProgress[senders.Length];
        for (int i = 0; i < senders.Length; i++)
        {
            NodeStats stats = senders[i].Stats;
            nodes[i] = new NodeProgress(stats.Url, nodeRates[i], stats.Sent, stats.Accepted + stats.Count(TxOutcome.AlreadyKnown), stats.Errors,
                recorder.IncludedAt(i), recorder.AckByNode[i].MillisAtPercentile(50), recorder.AckByNode[i].MillisAtPercentile(99));
        }
        return new RunProgress
        {
            Elapsed = elapsed,
            Total = _options.Duration,
            TargetCount = ShardCount,
            TargetRate = _shape is null ? null : Share(_shape.RateAt(elapsed.TotalSeconds, _blockClock)), // the shape's rate now (this shard's part)
            Shape = _shape is null or Shapes.ConstantShape ? null : _shape.Text,
            Rate = nodeRates.Sum(),
            Sent = senders.Sum(s => s.Stats.Sent),
            Acked = senders.Sum(s => s.Stats.Answered),
            Accepted = nodes.Sum(n => n.Accepted),
            Included = recorder.Inclusion.Count,
            Errors = errors,
            AckP50Ms = recorder.AckFromIntended.MillisAtPercentile(50),
            AckP99Ms = recorder.AckFromIntended.MillisAtPercentile(99),
            InclusionP50Ms = recorder.Inclusion.MillisAtPercentile(50),
            InclusionP99Ms = recorder.Inclusion.MillisAtPercentile(99),
            RingFill = rings.Sum(r => r.Count),
            RingCapacity = rings.Sum(r => r.Capacity),
            BreakerFraction = breaker.IsOpen ? breaker.Multiplier : null,
            DroppedRecords = Writer?.Dropped ?? 0,
            Nodes = nodes,
            Reads = reads is null ? null
                : new ReadProgress(readRate, Share(_options.ReadRate), reads.Sent, reads.Answered, reads.Errors, reads.Latency.MillisAtPercentile(50), reads.Latency.MillisAtPercentile(99)),
            Preconf = recorder.Preconf is null ? null
                : new PreconfProgress(recorder.Preconfirmed, recorder.PreconfByStream.Length, recorder.PreconfEarliest.MillisAtPercentile(50), recorder.PreconfEarliest.MillisAtPercentile(99)),
        };
    }

    /// <param name="apis">The --rpc nodes: chain, nonces, blocks, receipts, funding and set-up.</param>
    /// <param name="submit">Where each node's txs are sent (<c>--send-rpc</c>), in node order; <paramref name="apis"/> itself without it.</param>
    private async Task<RunSummary> RunOnNodesAsync(List<RpcClient> apis, List<RpcClient> submit, string? funderKey, CancellationToken interrupt)
    {
        // Chain and gas.
        ulong chainId = await apis[0].GetChainIdAsync().ConfigureAwait(false);
        _log.NodeConnected(0, apis[0].Endpoint.Url, chainId);
        for (int i = 1; i < apis.Count; i++)
        {
            ulong other = await apis[i].GetChainIdAsync().ConfigureAwait(false);
            _log.NodeConnected(i, apis[i].Endpoint.Url, other);
            if (other != chainId) throw new RunSetupException($"nodes disagree on chain id ({apis[0].Endpoint.Url} is {chainId}, {apis[i].Endpoint.Url} is {other}): pass nodes of one chain");
        }
        ChainGuard.EnsureAllowed(chainId, apis[0].Endpoint.Url, _options.AllowMainnet);
        PresignedHeader? replay = null;
        RunOptions options = _options;
        if (_options.ReplayFile is string file)
        {
            replay = PresignedFile.Verify(file, WalletKeys.Funder(funderKey).Address);
            if (replay.ChainId != chainId)
                throw new RunSetupException($"{file} was signed for chain {replay.ChainId} but {apis[0].Endpoint.Url} is chain {chainId}: presign again against this chain");
            options = options with { Seed = replay.Seed, Wallets = replay.Wallets, Shard = Shard.Parse(replay.Shard), TxType = replay.ParsedTxType };
            _shard = options.Shard;
        }
        GasPricing gas = await PriceGasAsync(apis[0], options).ConfigureAwait(false);
        IWorkload workload = replay is null ? options.Workload.Create(options.TxType, chainId, gas) : new TransferWorkload(options.TxType, chainId, gas);
        var composer = workload is TransferWorkload transfers ? transfers.Composer : new TxComposer(workload, options.TxType, chainId, gas);

        // Wallets and their nonces.
        if (apis.Count > 255) throw new RunSetupException($"{apis.Count} nodes given: FastLoad sends to at most 255 at once");
        WalletSet wallets = WalletSet.Derive(WalletKeys.Funder(funderKey), options.Seed, options.Wallets, options.Shard, options.Signers, apis.Count);
        Wallets = wallets;
        string producers = replay is null ? $"{wallets.BySigner.Length} signer threads" : string.Create(CultureInfo.InvariantCulture, $"replaying {replay.Count:N0} presigned txs");
        _log.RunStart(apis.Count, TargetText(), wallets.All.Length, producers, SignerName(options.TxType));
        _log.RunPlan(wallets.All.Length, wallets.Shard.ToString(), producers, SignerName(options.TxType), replay is null ? workload.Spec : "presigned transfers", chainId);
        Writer?.WriteNodes(apis.Select(a => a.Endpoint.Url).ToArray());
        if (submit != apis)
        {
            Writer?.WriteSendTargets(submit.Select(a => a.Endpoint.Url).ToArray());
            _log.SendingElsewhere(string.Join(", ", submit.Select(a => a.Endpoint.Url).Distinct()), string.Join(", ", apis.Select(a => a.Endpoint.Url)));
        }
        Writer?.WriteWallets(wallets.All);
        await ForEachWalletAsync(wallets.All, async w => w.NextNonce = await apis[w.Node].GetTransactionCountAsync(w.Address).ConfigureAwait(false)).ConfigureAwait(false);
        if (replay is not null) CheckReplayNonces(_options.ReplayFile!, wallets);

        // The workload's set-up (deploys, role grants, mints, gas estimates): once, awaited, before funding (which is
        // sized on the gas limits it estimates).
        if (replay is null)
        {
            if (options.Workload.PresetToken is Primitives.Address preset && workload is Workloads.Tokens.TokenWorkload token)
            {
                token.UsePreset(preset, wallets, options.TxType);
            }
            else if (options.Workload.PresetToken is not null && workload is Workloads.Contracts.DeployWorkload deploy)
            {
                deploy.UsePreset();
            }
            else
            {
                PrivateKey? setupFunder = funderKey is not null && PrivateKey.TryParse(funderKey.Trim(), out PrivateKey parsed) ? parsed : null;
                if (setupFunder is PrivateKey main && _shard.Count > 1 && options.Workload.SetsUpFromFunder)
                {
                    // Sharded: each shard deploys, grants and mints from its own shard funder (as it funds its wallets from
                    // it), so shards never race for the funder key's nonces; the funder key tops it up once for the set-up.
                    PrivateKey shardFunder = ShardFunder.Derive(main, _shard);
                    await ShardFunder.TopUpAsync(apis[0], main, shardFunder, _shard, SetupAllowance(wallets.All.Length, gas), gas, chainId, _log, interrupt).ConfigureAwait(false);
                    setupFunder = shardFunder;
                }
                await workload.SetupAsync(new WorkloadSetup
                {
                    Nodes = apis, Funder = setupFunder, ChainId = chainId, Gas = gas, TxType = options.TxType, Wallets = wallets,
                    Reuse = options.ReuseSetup, Log = _log,
                }, interrupt).ConfigureAwait(false);
            }
            Contracts = workload.Contracts;
            Writer?.WriteContracts(workload.Contracts);
        }

        await FundAsync(apis, wallets, replay is null ? composer.MaxCostPerTx : UInt256.Parse(replay.MaxCostPerTx), composer, funderKey, replay?.Count, interrupt).ConfigureAwait(false);

        // Rings, signers, senders.
        // About half a second of sending per node: enough to absorb signer jitter, small enough that an
        // invalidated wallet revokes little presigned work (--max: room for bursts).
        // A burst's txs are all presigned before it is due.
        int ringCapacity = (int)Math.Clamp(Math.Max((_shape is null ? 40_000 : Share(_shape.PeakRate)) / apis.Count / 2, Share(_shape?.BurstSize ?? 0) / apis.Count + 1), 256, 65_536);
        var rings = new PresignedRing[apis.Count];
        for (int i = 0; i < rings.Length; i++) rings[i] = new PresignedRing(ringCapacity, CallWriter.MaxLength(512));
        var resync = Channel.CreateUnbounded<Wallet>();
        ReplayFeeder? feeder = replay is null ? null : new ReplayFeeder(_options.ReplayFile!, wallets, rings, ShardCount ?? replay.Count);
        ITxSource signers = feeder ?? (ITxSource)new SignerPool(wallets, rings, composer, ShardCount ?? -1, _options.PeriodicResync, w => resync.Writer.TryWrite(w), _options.RoundRobin)
        {
            TestSignDelayTicks = (long)(_options.TestSignDelay.TotalSeconds * Stopwatch.Frequency),
        };
        var breaker = new CircuitBreaker();
        var recorder = new RunRecorder(apis.Count, Results, Writer);
        // Confirmation streams (--confirm-ws): every tx is held for them from the moment its batch goes out.
        Preconf.PreconfTracker? preconf = _options.ConfirmStreams.Count == 0 ? null : new Preconf.PreconfTracker(_options.ConfirmStreams.Count);
        if (preconf is not null) recorder.WatchStreams(preconf);
        var senders = new NodeSender[apis.Count];
        for (int i = 0; i < apis.Count; i++)
        {
            senders[i] = new NodeSender(submit[i].Endpoint, new NodeStats(submit[i].Endpoint.Url), rings[i],
                _options.Sender with { Rate = _options.Rate is double r ? Share(r) / apis.Count : null, Schedule = _shape is null ? null : Schedule(_shape, i, apis.Count), NodeIndex = i }, breaker, signers, recorder.ForNode(i), _log)
            {
                Preconf = preconf,
            };
        }
        // Read traffic (--read-rate): its own connection per node, its own smooth schedule (each node R / nodes).
        Reads.ReadRecorder? reads = null;
        Reads.ReadSender[] readers = [];
        if (_options.ReadRate > 0)
        {
            reads = new Reads.ReadRecorder(apis.Count, Writer);
            Primitives.Address? token = workload switch
            {
                Workloads.Tokens.TokenWorkload tokens => tokens.TokenAddress,
                CompositeWorkload weighted => weighted.Parts.OfType<Workloads.Tokens.TokenWorkload>().FirstOrDefault()?.TokenAddress,
                _ => null,
            };
            var targets = new Reads.ReadTargets
            {
                Wallets = wallets.All.Select(w => w.Address).ToArray(),
                Token = token,
                Funder = WalletKeys.Funder(funderKey).Address,
            };
            if (_options.ReadMethod == Reads.ReadMethod.GetTransactionReceipt) recorder.RecentHashes = targets.Recent;
            var readShape = new Shapes.ConstantShape(_options.ReadRate);
            readers = new Reads.ReadSender[apis.Count];
            for (int i = 0; i < apis.Count; i++)
                readers[i] = new Reads.ReadSender(apis[i].Endpoint, i, _options.ReadMethod, targets, readShape.ForNode(_shard.Lane(i, apis.Count), _shard.Count * apis.Count, _blockClock), reads,
                    responseTimeout: _options.Sender.ResponseTimeout);
        }
        double receiptsPercent = _options.EffectiveReceiptsPercent;
        if (receiptsPercent > 0) recorder.Receipts = new Receipts.ReceiptSample(receiptsPercent);
        // Each node's schedule again, for the samples' intended counts (the writer's thread; the senders' own are theirs alone).
        Shapes.ArrivalSchedule[]? scheduled = _shape is null ? null : Enumerable.Range(0, apis.Count).Select(i => Schedule(_shape, i, apis.Count)).ToArray();

        // Two signals: stopTaking ends sending (the deadline, the count, Ctrl-C/SIGTERM, an abort) while every batch
        // already taken still goes out and is answered; abort gives up whatever is still in flight after the drain.
        using var stopTaking = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        using var abort = new CancellationTokenSource();
        // Inclusion: every accepted tx is looked for in the blocks each node produces from now on.
        // Sized for every tx the run will send when that is known, so it never grows mid-run (the sink makes no blocks:
        // all of them wait).
        var tracker = Inclusion.InclusionTracker.ForRun(ShardCount ?? replay?.Count);
        recorder.Tracker = tracker;
        // A sequence of phases (--phase, a scenario's phases): each tx is counted with the phase its intended time falls in.
        Probe.PhaseTracker? sequencePhases = Probe is null && _shape is Shapes.SequenceShape ? new Probe.PhaseTracker() : null;
        recorder.Phases = Probe?.Phases ?? sequencePhases;
        IncludedNonces? included = replay is null && workload.NeedsInclusions ? new IncludedNonces(wallets) : null;
        recorder.IncludedNonces = included;
        var watchers = apis.Select((api, node) => new Inclusion.BlockWatcher(api, tracker, TimeSpan.FromMilliseconds(100))
        {
            OnIncluded = included => recorder.OnIncluded(node, included),
            OnBlock = block => Writer?.AddBlock(node, block),
            OnNewBlock = _blockClock.OnBlock,
            WebSocketUrl = WebSocketFor(node, api.Endpoint),
            WebSocketHeaders = api.Endpoint.Headers,
            WebSocketTls = api.Endpoint.Tls ?? _options.Tls,
        }).ToArray();
        using var watchStop = new CancellationTokenSource();
        Task[] watching = watchers.Select(w => w.RunAsync(watchStop.Token)).ToArray();
        Preconf.ConfirmStream[] streams = preconf is null ? [] : _options.ConfirmStreams.Select((url, i) => new Preconf.ConfirmStream(i, new Uri(url), preconf, recorder)
        {
            Headers = NodeHeader.For(_options.Headers, -1), // the headers given for every node
            Tls = _options.Tls,
            OnError = error => _log.StreamDropped(i, url, error),
        }).ToArray();
        watching = [.. watching, .. streams.Select(s => s.RunAsync(watchStop.Token))];
        Writer?.WriteStreams(_options.ConfirmStreams);
        Task resyncer = ResyncAsync(resync.Reader, apis, _log, stopTaking.Token);
        signers.Start();
        // Give the signers a head start so the first batches are full (presign ahead).
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500 && rings.Sum(r => r.Count) < Math.Min(ringCapacity / 2, ShardCount ?? long.MaxValue)) await Task.Delay(5, interrupt).ConfigureAwait(false);
        if (streams.Length > 0)
        {
            // A stream opened late would miss the first txs: every one must be open before sending starts.
            while (warm.Elapsed < TimeSpan.FromSeconds(6) && streams.Any(s => s.Connects == 0)) await Task.Delay(10, interrupt).ConfigureAwait(false);
            if (streams.FirstOrDefault(s => s.Connects == 0) is { } closed)
            {
                await watchStop.CancelAsync().ConfigureAwait(false);
                throw new RunSetupException($"--confirm-ws {RpcEndpoint.Redacted(closed.Url.ToString())} could not be opened: {closed.LastError ?? "no answer"}: check the URL (ws:// or wss://) and that the stream is up");
            }
            _log.StreamsOpen(string.Join(", ", streams.Select(s => RpcEndpoint.Redacted(s.Url.ToString()))));
        }

        if (_shape is { NeedsBlocks: true })
        {
            // per-block: tokens come only with new blocks; a target that makes none would send nothing, silently.
            var waited = Stopwatch.StartNew();
            while (_blockClock.Noted == 0 && waited.Elapsed < _options.NodeTimeout) await Task.Delay(20, interrupt).ConfigureAwait(false);
            if (_blockClock.Noted == 0)
                throw new RunSetupException(string.Create(CultureInfo.InvariantCulture, $"--shape {_shape.Text} sends only when a new block is seen, but no node produced one in {waited.Elapsed.TotalSeconds:N0} s (--node-timeout): use a node that makes blocks, or another --shape"));
        }
        if (_shape is Shapes.ConstantShape constant)
        {
            _log.SendingAtRate(Share(constant.Rate), apis.Count, _options.Duration is TimeSpan d ? string.Create(CultureInfo.InvariantCulture, $" for {d.TotalSeconds:N0} s") : "",
                ShardCount is long n ? string.Create(CultureInfo.InvariantCulture, $", {n:N0} txs") : "");
        }
        else if (_shape is not null)
        {
            _log.SendingShaped(_shape.Describe(_options.Duration) + ShardNote(), apis.Count, _options.Duration is TimeSpan d ? string.Create(CultureInfo.InvariantCulture, $" for {d.TotalSeconds:N0} s") : "",
                ShardCount is long n ? string.Create(CultureInfo.InvariantCulture, $", {n:N0} txs") : "");
        }
        else
        {
            _log.SendingMax(apis.Count);
        }
        // Connections are opened now, before the start, so the first txs do not wait for TCP (and TLS) set-up.
        using (var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(interrupt))
        {
            connectLimit.CancelAfter(TimeSpan.FromSeconds(5));
            await Task.WhenAll(senders.Select(s => s.ConnectAheadAsync(connectLimit.Token)).Concat(readers.Select(r => r.ConnectAheadAsync(connectLimit.Token)))).ConfigureAwait(false);
        }
        if (Monitor is { } monitor) monitor.Attach(() => new RunMonitorSnapshot
        {
            Stage = RunStage.Sending, // the monitor's own stage replaces it
            Nodes = senders.Select((s, i) => new NodeMonitor(i, s.Stats, monitor.RateOf(i), recorder.IncludedAt(i), recorder.AckByNode[i], recorder.InclusionByNode[i])).ToArray(),
            RingFill = rings.Sum(r => r.Count),
            RingCapacity = rings.Sum(r => r.Capacity),
            Wallets = wallets.All.Length,
            WalletsResyncing = wallets.All.Count(w => w.NeedsResync),
            BreakerOpen = breaker.IsOpen,
            BreakerFraction = breaker.IsOpen ? breaker.Multiplier : 1,
            BreakerTrips = breaker.Trips,
            Signed = signers.Produced,
            Reads = reads,
            PreconfStreams = streams.Select(st => new PreconfStreamMonitor(st.Index, RpcEndpoint.Redacted(st.Url.ToString()), st.Messages, st.Matched, recorder.PreconfByStream[st.Index])).ToArray(),
            PreconfEarliest = preconf is null ? null : recorder.PreconfEarliest,
            Probe = Probe?.Status,
        });
        // --start-at: every shard has set up by now; all begin at the same instant (token 0 is due then).
        TimeSpan? untilStart = _options.StartAt is DateTimeOffset startAt ? await WaitForStartAsync(startAt, interrupt).ConfigureAwait(false) : null;
        double cpuBefore = Environment.CpuUsage.TotalTime.TotalSeconds;
        (long, long)? machineBefore = Metrics.MachineCpu.Read();
        Volatile.Write(ref _sending, true);
        var clock = Stopwatch.StartNew();
        // Sending starts 100 ms from now: opening the results appenders and starting the sender tasks take tens of ms,
        // which would otherwise make the first txs late against token 0's intended time. With --start-at, at that instant
        // (which the wait left about 100 ms ahead, or up to StartAtTolerance behind: those first txs are then late).
        TimeSpan lead = untilStart ?? TimeSpan.FromMilliseconds(100);
        long startTicks = Stopwatch.GetTimestamp() + (long)(lead.TotalSeconds * Stopwatch.Frequency);
        DateTime startUtc = _options.StartAt?.UtcDateTime ?? DateTime.UtcNow.AddMilliseconds(100);
        _blockClock.Begin(startTicks);
        Monitor?.SetStage(RunStage.Sending);
        if (sequencePhases is not null && _shape is Shapes.SequenceShape sequence)
            foreach (Shapes.SequenceShape.Phase phase in sequence.Phases)
                sequencePhases.Add(startTicks + (long)(phase.Start * Stopwatch.Frequency), startTicks + (long)(phase.End * Stopwatch.Frequency));
        long stopAtTicks = _options.Duration is TimeSpan limit ? startTicks + (long)(limit.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        // Intended: tokens the shape made due by the sample (up to when sending stopped, and never at or past the deadline:
        // the senders send nothing from then on).
        long IntendedBy(Shapes.ArrivalSchedule schedule) =>
            schedule.DueCount(Math.Min(Math.Min(Stopwatch.GetTimestamp(), Volatile.Read(ref _scheduleEnd)), stopAtTicks - 1) - startTicks);
        Writer?.Begin(startTicks, startUtc, () => (signers.Produced, senders.Select((s, i) =>
            new Results.NodeCounters(s.Stats.Sent, s.Stats.Answered, s.Stats.Errors, recorder.IncludedAt(i), s.Stats.Sent - s.Stats.Answered, rings[i].Count,
                scheduled is null ? null : IntendedBy(scheduled[i]), reads?.AnsweredAt(i) ?? 0, reads?.ErrorsAt(i) ?? 0, s.WaitSigningTicks, s.WaitNetworkTicks)).ToArray()));
        HdrLog?.Begin(startUtc, startTicks, recorder.HdrSources());
        var sendTasks = senders.Select(s => Task.Run(() => s.RunAsync(startTicks, stopAtTicks, stopTaking.Token, abort.Token))).ToArray();
        if (reads is not null) _log.ReadsStart(Reads.ReadMethods.Name(_options.ReadMethod), _options.ReadRate, readers.Length);
        Task[] readTasks = readers.Select(r => Task.Run(() => r.RunAsync(startTicks, stopAtTicks, _options.Sender.DrainTimeout, stopTaking.Token, abort.Token))).ToArray();
        Task? probing = Probe?.RunAsync(new Probe.ProbeContext
        {
            StartTicks = startTicks, Pending = () => tracker.Pending, Included = () => tracker.Included, Blocks = _blockClock,
            BaseFee = async ct => await apis[0].GetLatestBaseFeeAsync(ct).ConfigureAwait(false) is UInt256 fee ? fee.ToBigInteger() : null,
            FeeCap = replay is not null ? null
                : (options.TxType is Transactions.TxType.Legacy or Transactions.TxType.AccessList ? composer.Gas.GasPrice : composer.Gas.MaxFeePerGas).ToBigInteger(),
        }, stopTaking.Token);
        StopReason reason = StopReason.Deadline;
        string? abortMessage = null;
        long sendEndTicks = 0;
        var recentSent = new Queue<(double At, long[] Sent, long Reads)>(); // per node, and reads, for the live view's rates over the last second
        recentSent.Enqueue((0, new long[senders.Length], 0));
        var nodeRates = new double[senders.Length];
        double readRate = 0;
        double lastProgress = 0;
        long nodeTimeoutTicks = (long)(_options.NodeTimeout.TotalSeconds * Stopwatch.Frequency);
        long breakerOpenedAt = 0; // while the breaker is open or ramping: when it opened
        // Self-telemetry for the bottleneck verdict: ring fill polled every 100 ms per node while sending, the signers'
        // waits and the process CPU over the sending span.
        var pool = signers as SignerPool;
        long signerWaitBefore = 0, signerIdleBefore = 0;
        bool signerSnapshotTaken = false;
        int ringPolls = 0, ringEmptyPolls = 0, ringFullPolls = 0;
        double cpuAtSendEnd = double.NaN;
        while (!sendTasks.All(t => t.IsCompleted))
        {
            try
            {
                await Task.Delay(100, interrupt).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (sendEndTicks == 0) { reason = StopReason.Interrupted; sendEndTicks = Stopwatch.GetTimestamp(); }
                break;
            }
            long now = Stopwatch.GetTimestamp();
            if (sendEndTicks == 0 && now >= stopAtTicks) sendEndTicks = stopAtTicks; // the senders stop by themselves
            if (sendEndTicks == 0 && now >= startTicks)
            {
                if (!signerSnapshotTaken && pool is not null)
                {
                    (signerWaitBefore, signerIdleBefore, signerSnapshotTaken) = (pool.RingFullTicks, pool.IdleTicks, true);
                }
                foreach (PresignedRing ring in rings)
                {
                    int fill = ring.Count;
                    ringPolls++;
                    if (fill * 10 <= ring.Capacity) ringEmptyPolls++;
                    else if (fill * 2 >= ring.Capacity) ringFullPolls++;
                }
            }
            long sent = senders.Sum(s => s.Stats.Sent);
            long errors = senders.Sum(s => s.Stats.Errors);
            long revoked = senders.Sum(s => s.Stats.Revoked);
            if (breaker.Observe(now, sent, errors, signers.Produced, revoked))
            {
                string? last = senders.Select(s => s.LastError).FirstOrDefault(e => e is not null);
                _log.BreakerOpen(last is null ? "" : $" (last error: {last})", breaker.OpenRateFraction);
                foreach (Wallet w in wallets.All) w.RequestResync(ResyncReason.Breaker);
                breakerOpenedAt = now;
            }
            else if (breakerOpenedAt != 0 && !breaker.IsOpen)
            {
                _log.BreakerClosed((now - breakerOpenedAt) / (double)Stopwatch.Frequency);
                breakerOpenedAt = 0;
            }
            if (sendEndTicks == 0)
            {
                if (probing is { IsFaulted: true }) await probing.ConfigureAwait(false); // the probe's own failure: rethrown
                if (probing is { IsCompleted: true }) { reason = StopReason.Deadline; sendEndTicks = now; } // the probe has its answer
                else if (ShardCount is long count && sent >= count) { reason = StopReason.Count; sendEndTicks = now; }
                else if (feeder is { Finished: true } && rings.All(r => r.Count == 0) && senders.All(s => s.InFlightBatches == 0)) { reason = StopReason.Count; sendEndTicks = now; }
                else if (feeder?.Error is Exception replayError) throw new RunSetupException($"replay failed: {replayError.Message}");
                else if (Writer?.Failure is Exception writeFailure)
                {
                    reason = StopReason.Aborted;
                    abortMessage = $"writing results failed ({writeFailure.Message}): sending stopped; the file keeps the rows committed before that";
                    sendEndTicks = now;
                }
                else
                {
                    foreach (NodeSender s in senders)
                    {
                        long since = s.UnansweredSinceTicks;
                        if (since == 0 || now - since < nodeTimeoutTicks) continue;
                        reason = StopReason.Aborted;
                        abortMessage = string.Create(CultureInfo.InvariantCulture, $"{s.Stats.Url} gave no answer for {(now - since) / (double)Stopwatch.Frequency:N0} s (--node-timeout {_options.NodeTimeout.TotalSeconds:N0} s){(s.LastError is string e ? $"; last error: {e}" : "")}");
                        sendEndTicks = now;
                        break;
                    }
                }
                if (sendEndTicks != 0)
                {
                    if (abortMessage is not null) _log.StoppingEarly(abortMessage);
                    await stopTaking.CancelAsync().ConfigureAwait(false);
                }
            }
            if (clock.Elapsed.TotalSeconds - lastProgress >= 0.25 && (Monitor is not null || _options.Progress is not null && !_options.Quiet))
            {
                // The rate over the last second (snapshots come every 250 ms).
                double at0 = clock.Elapsed.TotalSeconds;
                long[] sentNow = senders.Select(s => s.Stats.Sent).ToArray();
                long readsNow = reads?.Sent ?? 0;
                recentSent.Enqueue((at0, sentNow, readsNow));
                while (recentSent.Count > 1 && at0 - recentSent.Peek().At > 1.0) recentSent.Dequeue();
                (double at, long[] sentBefore, long readsBefore) = recentSent.Count > 1 ? recentSent.Peek() : (0, new long[senders.Length], 0);
                double span = Math.Max(0.001, at0 - at);
                for (int i = 0; i < senders.Length; i++) nodeRates[i] = (sentNow[i] - sentBefore[i]) / span;
                readRate = (readsNow - readsBefore) / span;
                lastProgress = at0;
                Monitor?.SetRates(_shape is null ? null : Share(_shape.RateAt(clock.Elapsed.TotalSeconds, _blockClock)), (double[])nodeRates.Clone());
                if (_options.Progress is { } view && !_options.Quiet) view.Update(Snapshot(clock.Elapsed, nodeRates, senders, rings, recorder, breaker, reads, readRate));
            }
        }
        if (sendEndTicks == 0) sendEndTicks = Math.Min(Stopwatch.GetTimestamp(), stopAtTicks);
        Volatile.Write(ref _scheduleEnd, sendEndTicks);
        Monitor?.SetStage(RunStage.Draining);
        cpuAtSendEnd = Environment.CpuUsage.TotalTime.TotalSeconds;
        double? machineBusy = Metrics.MachineCpu.BusyFraction(machineBefore, Metrics.MachineCpu.Read());
        long signerWait = pool is null ? 0 : pool.RingFullTicks - signerWaitBefore, signerIdle = pool is null ? 0 : pool.IdleTicks - signerIdleBefore;
        // Stop signing, then stop sending: batches already taken go out; in-flight answers are awaited (bounded).
        await stopTaking.CancelAsync().ConfigureAwait(false);
        signers.Stop();
        Task drained = Task.WhenAll(sendTasks.Concat(readTasks));
        if (await Task.WhenAny(drained, Task.Delay(_options.Sender.DrainTimeout + TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false) != drained)
            await abort.CancelAsync().ConfigureAwait(false);
        await drained.ConfigureAwait(false);
        if (_options.Progress is { } lastView && !_options.Quiet)
        {
            lastView.Update(Snapshot(clock.Elapsed, nodeRates, senders, rings, recorder, breaker, reads, readRate));
            lastView.Complete();
        }
        try { await resyncer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        if (probing is not null)
        {
            try { await probing.ConfigureAwait(false); } catch (OperationCanceledException) { } // stopped early: its steps so far stand
        }
        bool interrupted = reason == StopReason.Interrupted;
        _log.SendingStopped(reason switch
        {
            StopReason.Deadline => "deadline",
            StopReason.Count => "count reached",
            StopReason.Interrupted => "interrupted",
            _ => "stopped early",
        }, (sendEndTicks - startTicks) / (double)Stopwatch.Frequency, senders.Sum(s => s.Stats.Sent), senders.Sum(s => s.Stats.Errors));
        // Sending span: the planned duration when the deadline ended it (token k is due at k/rate, so n tokens span
        // n/rate); up to the last send when a count ended it; up to the stop otherwise.
        long lastSent = senders.Max(s => s.LastSentTicks);
        double sendSeconds = reason switch
        {
            StopReason.Deadline => (sendEndTicks - startTicks) / (double)Stopwatch.Frequency,
            StopReason.Count when lastSent > 0 => (lastSent - startTicks) / (double)Stopwatch.Frequency + (_shape is Shapes.ConstantShape c1 ? 1 / Share(c1.Rate) : 0),
            _ => (sendEndTicks - startTicks) / (double)Stopwatch.Frequency,
        };
        TimeSpan sendDuration = TimeSpan.FromSeconds(Math.Max(sendSeconds, 1e-3));
        // What the shape made due while sending (fresh schedules: the writer's thread may still be using its own).
        long intendedForVerdict = _shape is null ? 0
            : Enumerable.Range(0, apis.Count).Sum(i => Schedule(_shape, i, apis.Count).DueCount(Math.Min(sendEndTicks, stopAtTicks - 1) - startTicks));

        // A refused tx followed by accepted ones of the same wallet leaves those queued behind a nonce gap forever:
        // re-send the missing nonces (same txs, same bytes), unless the node is gone.
        GapRepair gaps = reason == StopReason.Aborted || replay is not null ? default
            : await CloseNonceGapsAsync(apis, submit, wallets, composer).ConfigureAwait(false);
        if (gaps.Resent > 0 || gaps.WalletsLeft > 0)
            _log.NonceGaps(gaps.Resent, gaps.Wallets, gaps.WalletsLeft > 0 ? string.Create(CultureInfo.InvariantCulture, $", {gaps.WalletsLeft:N0} wallets still have gaps") : "");

        // Grace period: give accepted txs time to show up in blocks (stops early once all are in, or when
        // no new block has come for a while). Not after Ctrl-C or an abort: the user wants out, or the node is gone.
        // A target that produced no block at all while we sent (e.g. the null sink) won't now: don't wait.
        bool graceRan = false;
        if (reason is StopReason.Deadline or StopReason.Count && tracker.Pending + tracker.PendingAmbiguous > 0 && watchers.Sum(w => w.BlockCount) > 0)
        {
            graceRan = true;
            _log.GraceStart(_options.InclusionGrace.TotalSeconds, tracker.Pending + tracker.PendingAmbiguous);
            var grace = Stopwatch.StartNew();
            int blocksBefore = watchers.Sum(w => w.BlockCount);
            var lastNewBlock = Stopwatch.StartNew();
            while (tracker.Pending + tracker.PendingAmbiguous > 0 && grace.Elapsed < _options.InclusionGrace && lastNewBlock.Elapsed < TimeSpan.FromSeconds(6)
                && (tracker.Pending > 0 || grace.Elapsed < TimeSpan.FromSeconds(3)))
            {
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                int blocks = watchers.Sum(w => w.BlockCount);
                if (blocks != blocksBefore) { blocksBefore = blocks; lastNewBlock.Restart(); }
            }
            _log.GraceEnd(grace.Elapsed.TotalSeconds,
                tracker.Pending + tracker.PendingAmbiguous == 0 ? "all in" : tracker.Pending == 0 ? "only lost answers left" : grace.Elapsed >= _options.InclusionGrace ? "time up" : "no new block for 6 s",
                tracker.Included, tracker.Pending + tracker.PendingAmbiguous);
        }
        await watchStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(watching).ConfigureAwait(false);
        AmbiguousOutcome ambiguous = await ResolveAmbiguousAsync(tracker, apis, reason == StopReason.Aborted && Writer?.Failure is null).ConfigureAwait(false);
        HdrLog?.Finish(); // the histograms are complete: the last interval

        // Receipts of the sampled included txs (--receipts): gas used and status (a reverted tx is not "included OK").
        // Not after an abort: the node may be gone.
        Receipts.ReceiptOutcome? receipts = null;
        if (recorder.Receipts is { } sample && reason != StopReason.Aborted)
        {
            var fetching = Stopwatch.StartNew();
            _log.ReceiptsStart(tracker.Included, sample.Percent);
            receipts = await Receipts.ReceiptFetcher.FetchAsync(apis, sample, TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
            _log.ReceiptsEnd(receipts.Fetched, fetching.Elapsed.TotalSeconds, receipts.Reverted, receipts.Missing);
            Writer?.AddReceipts(receipts.Rows);
        }

        // The workload's own check (the token ledger): balances as of the last block the watchers went through, so
        // every tx in it was matched (or was never ours). Not after an abort: the node may be gone.
        WorkloadCheck? check = null;
        if (included is not null && reason != StopReason.Aborted)
        {
            ulong? atBlock = watchers.SelectMany(w => w.Blocks).Select(b => (ulong?)b.Number).Max();
            _log.WorkloadCheckStart(workload switch
            {
                Workloads.Contracts.DeployWorkload => "the code at each created contract's address",
                Workloads.Contracts.GasWorkload => "the gasUsed of sampled receipts",
                Workloads.Contracts.StorageWorkload => "the storage slots of sampled txs",
                Workloads.Contracts.CallWorkload => "the receipts of sampled calls",
                CompositeWorkload weighted => $"each part's own check, over its own wallets ({weighted.Shares.Count(s => s.Wallets > 0)} parts)",
                _ => string.Create(CultureInfo.InvariantCulture,
                    $"the ledger: {(options.LedgerSample is int n && n < wallets.All.Length ? n : wallets.All.Length):N0} wallets' balances against their included ops"),
            });
            try
            {
                check = await workload.CheckAsync(new WorkloadCheckContext
                {
                    Nodes = apis, Wallets = wallets, Included = included, Sample = options.LedgerSample, AtBlock = atBlock, Composer = composer,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or RpcTransportException or RunSetupException or OperationCanceledException or IOException)
            {
                // The run happened: its summary and results stand; the check that could not be made fails.
                check = new WorkloadCheck { Name = "ledger", Checked = 0, Wallets = wallets.All.Length, Error = e.Message };
            }
        }
        double cpu = Environment.CpuUsage.TotalTime.TotalSeconds - cpuBefore;
        double wall = clock.Elapsed.TotalSeconds;
        double sendWall = Math.Max(1e-3, (sendEndTicks - startTicks) / (double)Stopwatch.Frequency);
        double signerSeconds = pool is null ? 0 : pool.Threads * sendWall;
        var evidence = new BottleneckEvidence
        {
            SendSeconds = sendDuration.TotalSeconds,
            Senders = senders.Length,
            WaitSigningMs = senders.Sum(s => s.WaitSigningTicks) * 1000.0 / Stopwatch.Frequency,
            WaitNetworkMs = senders.Sum(s => s.WaitNetworkTicks) * 1000.0 / Stopwatch.Frequency,
            RingPolls = ringPolls,
            RingEmptyFraction = ringPolls == 0 ? 0 : ringEmptyPolls / (double)ringPolls,
            RingFullFraction = ringPolls == 0 ? 0 : ringFullPolls / (double)ringPolls,
            SignerThreads = pool?.Threads ?? 0,
            SignerBusyFraction = pool is null || !signerSnapshotTaken ? null : Math.Clamp(1 - (signerWait + signerIdle) / (double)Stopwatch.Frequency / signerSeconds, 0, 1),
            SignerRingFullFraction = pool is null || !signerSnapshotTaken ? null : Math.Clamp(signerWait / (double)Stopwatch.Frequency / signerSeconds, 0, 1),
            CpuFraction = (cpuAtSendEnd - cpuBefore) / sendWall / Environment.ProcessorCount,
            Cores = Environment.ProcessorCount,
            MachineCpuFraction = machineBusy,
            TargetRate = _shape switch { null => null, Shapes.ConstantShape c => Share(c.Rate), _ => intendedForVerdict / Math.Max(1e-3, sendDuration.TotalSeconds) },
            Intended = _shape is null ? null : intendedForVerdict,
            Sent = senders.Sum(s => s.Stats.Sent),
            Errors = senders.Sum(s => s.Stats.Errors),
            Unsent = senders.Sum(s => s.Unsent),
            Late = senders.Sum(s => s.Late),
            BreakerTrips = breaker.Trips,
            RateLimitPauses = senders.Sum(s => s.RateLimitPauses),
        };
        if (_options.Sweep && funderKey is not null && PrivateKey.TryParse(funderKey.Trim(), out PrivateKey funderForSweep) && reason != StopReason.Aborted)
        {
            _log.Sweeping();
            await Sweeper.SweepAsync(apis, wallets, funderForSweep, _log, CancellationToken.None).ConfigureAwait(false);
        }
        long intended = intendedForVerdict;
        BottleneckVerdict verdict = Bottleneck.Judge(evidence);
        Monitor?.Finish(new RunMonitorFinal(verdict, ambiguous.Landed + ambiguous.InPool));
        return new RunSummary
        {
            Phases = sequencePhases is null ? [] : SequencePhases((Shapes.SequenceShape)_shape!, sequencePhases, sendEndTicks - startTicks),
            Nodes = senders.Select(s => s.Stats).ToArray(),
            SendDuration = sendDuration,
            TargetRate = _shape switch
            {
                null => null,
                Shapes.ConstantShape c => Share(c.Rate),
                _ => intended / sendDuration.TotalSeconds, // the shape's mean over the sending span
            },
            Shape = _shape is null or Shapes.ConstantShape ? null : _shape.Describe(_options.Duration),
            Intended = _shape is null ? null : intended,
            Signed = signers.Produced,
            Bottleneck = verdict,
            Replayed = feeder is not null,
            CpuSeconds = cpu,
            WallSeconds = wall,
            Cores = Environment.ProcessorCount,
            BreakerTrips = breaker.Trips,
            Resyncs = wallets.All.Sum(w => w.Resyncs),
            Interrupted = interrupted,
            AbortReason = abortMessage,
            ResultsFailed = Writer?.Failure is not null,
            GraceRan = graceRan,
            Late = senders.Sum(s => s.Late),
            MaxLag = TimeSpan.FromSeconds(senders.Max(s => s.MaxLagTicks) / (double)Stopwatch.Frequency),
            Unsent = senders.Sum(s => s.Unsent),
            RateLimitPauses = senders.Sum(s => s.RateLimitPauses),
            Gaps = gaps,
            Included = tracker.Included,
            NotIncluded = tracker.Pending,
            Untracked = tracker.Untracked,
            Ambiguous = ambiguous,
            Blocks = watchers.Sum(w => w.BlockCount),
            Streams = streams.Select(st => new PreconfStreamSummary(RpcEndpoint.Redacted(st.Url.ToString()), st.Messages, st.Hashes, st.Matched, recorder.PreconfByStream[st.Index], st.Connects, st.LastError)).ToArray(),
            PreconfLatency = preconf is null ? null : recorder.PreconfEarliest,
            PreconfUntracked = preconf?.Untracked ?? 0,
            // Polling after a WebSocket that failed says why (a refused certificate, a closed port), once per reason.
            HeadsVia = string.Join(", ", watchers.Select(w => w.Mode == "polling" && w.WebSocketError is string error && w.WebSocketUrl is Uri ws
                ? $"polling: {RpcEndpoint.Redacted(ws.ToString())} failed: {error}" : w.Mode).Distinct()),
            AckLatency = recorder.AckFromIntended,
            AckLatencyFromSend = recorder.AckFromSent,
            InclusionLatency = recorder.Inclusion,
            AckLatencyByNode = recorder.AckByNode,
            InclusionLatencyByNode = recorder.InclusionByNode,
            ResultsPath = Writer?.Path,
            Workload = replay is null ? workload.Spec : "transfer",
            Check = check,
            DroppedRecords = Writer?.Dropped ?? 0,
            Receipts = receipts,
            Reads = reads is null ? null : new Reads.ReadSummary
            {
                Method = _options.ReadMethod, Rate = _options.ReadRate, Sent = reads.Sent, Ok = reads.Ok, Errors = reads.Errors,
                ErrorsByOutcome = Reads.ReadOutcomes.All.Where(o => o != Reads.ReadOutcome.Ok && reads.Count(o) > 0)
                    .Select(o => new KeyValuePair<string, long>(Reads.ReadOutcomes.Name(o), reads.Count(o))).ToList(),
                Unsent = readers.Sum(r => r.Unsent),
                Latency = reads.Latency, LatencyFromSent = reads.LatencyFromSent,
            },
        };
    }

    private enum StopReason { Deadline, Count, Interrupted, Aborted }

    /// <summary>
    /// For every wallet that had a refused or lost tx: if the node's pending nonce is at or below the highest nonce
    /// it accepted from the wallet, the txs above are stuck behind a gap. Re-signs the nonces from the pending one up
    /// to that highest one (identical txs: those the node has come back as already known) and sends them in
    /// batches; then checks again. Bounded: two rounds.
    /// </summary>
    private static async Task<GapRepair> CloseNonceGapsAsync(List<RpcClient> apis, List<RpcClient> submit, WalletSet wallets, TxComposer workload)
    {
        var suspects = wallets.All.Where(w => w.Rejected > 0 && w.MaxAcceptedNonce >= 0).ToList();
        if (suspects.Count == 0) return default;
        long resent = 0;
        var repaired = new HashSet<Wallet>();
        var envelope = new byte[4096];
        var hash = new byte[32];
        var authorization = new SignedAuthorization[1];
        var calldata = new byte[workload.CalldataCapacity];
        List<Wallet> left = suspects;
        for (int round = 0; round < 2 && left.Count > 0; round++)
        {
            Dictionary<Wallet, ulong> pending = await PendingNoncesAsync(apis, left, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            var stuck = left.Where(w => pending.TryGetValue(w, out ulong p) && (long)p <= w.MaxAcceptedNonce).ToList();
            if (stuck.Count == 0) return new GapRepair(resent, repaired.Count, 0);
            foreach (IGrouping<int, Wallet> byNode in stuck.GroupBy(w => w.Node))
            {
                var calls = new List<(string Method, object?[] Params)>();
                foreach (Wallet w in byNode)
                {
                    repaired.Add(w);
                    for (ulong nonce = pending[w]; (long)nonce <= w.MaxAcceptedNonce && calls.Count < 100_000; nonce += (ulong)workload.NoncesPerTx)
                    {
                        int length = workload.Sign(w, nonce, envelope, hash, authorization, calldata, out _);
                        calls.Add(("eth_sendRawTransaction", [Hex.ToPrefixedString(envelope.AsSpan(0, length))]));
                    }
                }
                for (int start = 0; start < calls.Count; start += 100)
                {
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        IReadOnlyList<RpcBatchResult> results = await submit[byNode.Key].CallBatchAsync(calls.GetRange(start, Math.Min(100, calls.Count - start)), timeout.Token).ConfigureAwait(false);
                        foreach (RpcBatchResult r in results) if (r.IsSuccess) resent++;
                    }
                    catch (Exception e) when (e is RpcException or RpcTransportException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
                    {
                    }
                }
            }
            left = stuck;
        }
        Dictionary<Wallet, ulong> final = await PendingNoncesAsync(apis, left, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        int stillStuck = left.Count(w => !final.TryGetValue(w, out ulong p) || (long)p <= w.MaxAcceptedNonce);
        return new GapRepair(resent, repaired.Count, stillStuck);
    }

    /// <summary>Each wallet's pending nonce, from its node, in batches; wallets whose node did not answer are left out.</summary>
    private static async Task<Dictionary<Wallet, ulong>> PendingNoncesAsync(List<RpcClient> apis, List<Wallet> wallets, TimeSpan perCall, CancellationToken stop = default)
    {
        var nonces = new Dictionary<Wallet, ulong>();
        foreach (IGrouping<int, Wallet> byNode in wallets.GroupBy(w => w.Node))
        {
            List<Wallet> mine = byNode.ToList();
            for (int start = 0; start < mine.Count; start += 200)
            {
                List<Wallet> slice = mine.GetRange(start, Math.Min(200, mine.Count - start));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(perCall);
                try
                {
                    IReadOnlyList<RpcBatchResult> results = await apis[byNode.Key].CallBatchAsync(
                        slice.ConvertAll(w => ("eth_getTransactionCount", new object?[] { w.Address, "pending" })), timeout.Token).ConfigureAwait(false);
                    for (int i = 0; i < slice.Count; i++)
                        if (TryQuantity(results[i], out ulong nonce)) nonces[slice[i]] = nonce;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // The node did not answer in time or at all: those wallets are left out (unknown).
                }
            }
        }
        return nonces;
    }

    private static bool TryQuantity(RpcBatchResult result, out ulong value)
    {
        value = 0;
        return result.IsSuccess && result.Result.ValueKind == JsonValueKind.String && result.Result.GetString() is string text && text.StartsWith("0x", StringComparison.Ordinal)
            && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Txs whose answer was lost or unreadable and that no block has shown: asks the nodes whether they know them
    /// (<c>eth_getTransactionByHash</c>, in batches, bounded in count and time). Each is then in a pool or not found.
    /// </summary>
    private async Task<AmbiguousOutcome> ResolveAmbiguousAsync(Inclusion.InclusionTracker tracker, List<RpcClient> apis, bool nodeGone)
    {
        List<(Hash256 Hash, long Token)> open = tracker.TakeAmbiguous();
        long landed = tracker.IncludedAmbiguous;
        var resolutions = new List<(long Id, string Resolution)>(open.Count);
        long inPool = 0, notFound = 0, unchecked_ = 0;
        if (open.Count > 0 && !nodeGone)
        {
            var budget = Stopwatch.StartNew();
            const int MaxChecked = 20_000;
            for (int start = 0; start < open.Count; start += 100)
            {
                if (start >= MaxChecked || budget.Elapsed > TimeSpan.FromSeconds(15)) break;
                var slice = open.GetRange(start, Math.Min(100, open.Count - start));
                var found = new bool[slice.Count];
                var answered = new bool[slice.Count];
                foreach (RpcClient api in apis)
                {
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        IReadOnlyList<RpcBatchResult> results = await api.CallBatchAsync(slice.Select(t => ("eth_getTransactionByHash", new object?[] { t.Hash })).ToList(), timeout.Token).ConfigureAwait(false);
                        for (int i = 0; i < results.Count; i++)
                        {
                            if (results[i].Error is not null) continue;
                            answered[i] = true;
                            if (results[i].Result.ValueKind == JsonValueKind.Object) found[i] = true;
                        }
                    }
                    catch (Exception e) when (e is RpcException or RpcTransportException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
                    {
                    }
                }
                for (int i = 0; i < slice.Count; i++)
                {
                    if (!answered[i]) continue;
                    resolutions.Add((slice[i].Token, found[i] ? "in_pool" : "not_found"));
                    if (found[i]) inPool++; else notFound++;
                }
            }
        }
        unchecked_ = open.Count - inPool - notFound;
        Writer?.AddResolutions(resolutions);
        return new AmbiguousOutcome(landed, inPool, notFound, unchecked_);
    }

    /// <summary>
    /// The node's newHeads WebSocket: as given, or ws:// (wss:// for https) on its host, port and path (anvil, reth,
    /// nethermind serve both on one port; hosted RPCs usually on the same URL).
    /// </summary>
    private Uri? WebSocketFor(int node, RpcEndpoint endpoint)
    {
        if (_options.WebSockets is not { } given) return null;
        if (given.Count > node) return new Uri(given[node]);
        return endpoint.WebSocketUri;
    }

    /// <summary>
    /// Each phase of a sequence as it ran (a <c>phases</c> row): its window, the txs it made due (up to where sending
    /// stopped), what the node did with them. Phases are not judged one by one (the run's --expect-* verdicts judge the
    /// whole run), so they carry no verdict.
    /// </summary>
    private static IReadOnlyList<Engine.Probe.ProbeStep> SequencePhases(Shapes.SequenceShape sequence, Engine.Probe.PhaseTracker tracker, long sentTicks)
    {
        double sentSeconds = sentTicks / (double)Stopwatch.Frequency;
        var steps = new List<Engine.Probe.ProbeStep>();
        for (int i = 0; i < sequence.Phases.Count; i++)
        {
            Shapes.SequenceShape.Phase phase = sequence.Phases[i];
            if (phase.Start >= sentSeconds) break; // sending stopped before it began
            Engine.Probe.PhaseTracker.Phase counts = tracker.Phases[i];
            double seconds = Math.Min(phase.End, sentSeconds) - phase.Start;
            long offered = phase.End <= sentSeconds ? phase.Count
                : Math.Max(0, sequence.Timeline.DueCount((long)(sentSeconds * Stopwatch.Frequency) - 1) - phase.First);
            steps.Add(new Engine.Probe.ProbeStep
            {
                Index = i, Kind = Engine.Probe.ProbeKind.Phase, Name = phase.Name, Rate = offered / seconds,
                StartUs = (long)(phase.Start * 1e6), EndUs = (long)(phase.End * 1e6),
                Offered = offered, Sent = counts.Answered, Accepted = counts.Accepted, Included = counts.Included,
                IncludedRate = counts.Included / seconds,
                InclusionP50Ms = counts.Inclusion.Count == 0 ? null : counts.Inclusion.MillisAtPercentile(50),
                InclusionP99Ms = counts.Inclusion.Count == 0 ? null : counts.Inclusion.MillisAtPercentile(99),
                BacklogMid = 0, BacklogEnd = 0, BacklogTolerance = 0,
            });
        }
        return steps;
    }

    /// <summary>
    /// Waits until about 100 ms before <paramref name="at"/> and returns the time left to it then (negative when set-up
    /// ended after it, by at most <see cref="RunOptions.StartAtTolerance"/>; later than that is a set-up error: the
    /// shards would not begin together).
    /// </summary>
    private async Task<TimeSpan> WaitForStartAsync(DateTimeOffset at, CancellationToken interrupt)
    {
        TimeSpan left = at - DateTimeOffset.UtcNow;
        if (left < -RunOptions.StartAtTolerance)
            throw new RunSetupException(string.Create(CultureInfo.InvariantCulture,
                $"set-up ended {-left.TotalSeconds:0.0} s after --start-at {RunOptions.FormatStartAt(at)}: the shards would not begin together; give a --start-at further ahead (set-up took longer than planned)"));
        if (left > TimeSpan.FromMilliseconds(100))
        {
            _log.WaitingForStart(RunOptions.FormatStartAt(at), left.TotalSeconds);
            await Task.Delay(left - TimeSpan.FromMilliseconds(100), interrupt).ConfigureAwait(false);
        }
        return at - DateTimeOffset.UtcNow;
    }

    /// <summary>"500 tx/s for 10 s", "--max, 10,000 txs": what the run was asked to do, for the log.</summary>
    private string TargetText()
    {
        string text = _shape switch
        {
            null => "--max",
            Shapes.ConstantShape c => string.Create(CultureInfo.InvariantCulture, $"{Share(c.Rate):N0} tx/s"),
            _ => _shape.Describe(_options.Duration) + ShardNote(),
        };
        if (_options.Duration is TimeSpan d) text += string.Create(CultureInfo.InvariantCulture, $" for {d.TotalSeconds:N0} s");
        if (ShardCount is long n) text += string.Create(CultureInfo.InvariantCulture, $", {n:N0} txs");
        return text;
    }

    /// <summary>" (shard 1/3: a third of it)" when sharded: a shape's text is for all shards together.</summary>
    private string ShardNote() => _shard.Count == 1 ? "" : $" (shard {_shard}: 1/{_shard.Count} of it)";

    private static string SignerName(TxType type) => Requests.SignRequest.TypeName(type);

    internal static async Task<GasPricing> PriceGasAsync(RpcClient api, RunOptions _options)
    {
        UInt256 nodePrice = await api.GetGasPriceAsync().ConfigureAwait(false);
        UInt256 tip = _options.PriorityFee ?? await NodeTipAsync(api).ConfigureAwait(false);
        // Headroom over the node's current price so a rising base fee doesn't strand the run.
        BigInteger price = nodePrice.ToBigInteger() * _options.FeeHeadroom + tip.ToBigInteger();
        UInt256 gasPrice = _options.GasPrice ?? UInt256.FromBigInteger(price);
        UInt256 maxFee = _options.MaxFeePerGas ?? UInt256.FromBigInteger(price);
        if (tip > maxFee) tip = maxFee;
        return new GasPricing(gasPrice, maxFee, tip);
    }

    /// <summary>The node's suggested priority fee; 1 gwei when it has no eth_maxPriorityFeePerGas.</summary>
    private static async Task<UInt256> NodeTipAsync(RpcClient api)
    {
        try
        {
            return await api.GetMaxPriorityFeePerGasAsync().ConfigureAwait(false);
        }
        catch (RpcException)
        {
            return 1_000_000_000;
        }
    }

    /// <summary>true/false from a receipt's status; null while there is no receipt.</summary>
    private static bool? Succeeded(JsonElement? receipt) =>
        receipt is not { ValueKind: JsonValueKind.Object } r ? null
        : r.TryGetProperty("status", out JsonElement status) && status.GetString() == "0x1";

    /// <summary>A replay only works if each wallet's first presigned nonce is the node's pending nonce.</summary>
    private static void CheckReplayNonces(string file, WalletSet wallets)
    {
        var first = new Dictionary<int, ulong>(wallets.All.Length);
        using PresignedFileReader reader = PresignedFileReader.Open(file);
        while (first.Count < wallets.All.Length && reader.TryNext(out int index)) first.TryAdd(index, reader.CurrentNonce);
        foreach (Wallet w in wallets.All)
        {
            if (first.TryGetValue(w.Index, out ulong nonce) && nonce != w.NextNonce)
                throw new RunSetupException($"{file}: wallet {w.Index} ({w.Address}) starts at nonce {nonce} but the node expects {w.NextNonce}: presign again against this node's state");
        }
    }

    internal static async Task ForEachWalletAsync(IReadOnlyList<Wallet> wallets, Func<Wallet, Task> action)
    {
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(wallets.Select(async w =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try { await action(w).ConfigureAwait(false); }
            finally { gate.Release(); }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// What a shard funder is given for a workload's set-up (deploys, role grants, mints, all sent to the first node):
    /// 10M gas plus 60k per wallet at the fee cap, more than the set-ups use (a token deploy and a mint per wallet in
    /// batches); what is left stays with the shard funder and pays its wallets' funding next.
    /// </summary>
    internal static BigInteger SetupAllowance(int wallets, GasPricing gas) =>
        (10_000_000 + 60_000 * new BigInteger(wallets)) * gas.MaxFeePerGas.ToBigInteger();

    /// <summary>Tops every wallet up to what the run can spend, from the funder, and verifies it landed.</summary>
    private async Task FundAsync(List<RpcClient> apis, WalletSet wallets, UInt256 maxCostPerTx, TxComposer workload, string? funderKey, long? replayCount, CancellationToken cancel)
    {
        double seconds = (_options.Duration ?? TimeSpan.FromSeconds(60)).TotalSeconds;
        double expectedTxs = ShardCount ?? replayCount ?? (_shape is null ? 20_000 * seconds : Share(_shape.ExpectedTxs(seconds)) + 1);
        double perWallet = Math.Ceiling(expectedTxs / wallets.All.Length * 1.5) + 10; // 50% margin + resync slack
        BigInteger need = maxCostPerTx.ToBigInteger() * new BigInteger(perWallet);
        var balances = new Dictionary<Wallet, BigInteger>();
        await ForEachWalletAsync(wallets.All, async w =>
        {
            BigInteger balance = (await apis[w.Node].GetBalanceAsync(w.Address).ConfigureAwait(false)).ToBigInteger();
            lock (balances) balances[w] = balance;
        }).ConfigureAwait(false);
        Wallet[] poor = wallets.All.Where(w => balances[w] < need).ToArray();
        if (poor.Length == 0)
        {
            _log.WalletsAlreadyFunded();
            return;
        }
        BigInteger total = poor.Aggregate(BigInteger.Zero, (sum, w) => sum + (need - balances[w]));
        if (funderKey is null)
            throw new RunSetupException($"{poor.Length} wallets need {FormatEth(total)} ETH in total: set FASTLOAD_FUNDER_KEY (or --funder-key-file FILE, or --funder-mnemonic-file FILE [--funder-index N]) to a funded key");
        if (!PrivateKey.TryParse(funderKey.Trim(), out PrivateKey mainFunder))
            throw new RunSetupException("the funder key is not a 32-byte 0x-hex secp256k1 private key");
        // Sharded: this shard's wallets are funded from a funder of its own, which the main funder tops up with one tx
        // (see ShardFunder: shards funding from one key at once would take the same nonces).
        PrivateKey funder = _shard.Count > 1 ? ShardFunder.Derive(mainFunder, _shard) : mainFunder;
        _log.FundingStart(poor.Length, FormatEth(need), funder.Address.ToString());

        for (int node = 0; node < apis.Count; node++)
        {
            RpcClient api = apis[node];
            Wallet[] mine = poor.Where(w => w.Node == node).ToArray();
            if (mine.Length == 0) continue;
            BigInteger nodeTotal = mine.Aggregate(BigInteger.Zero, (sum, w) => sum + (need - balances[w]));
            var fundingGas = new GasPricing(workload.Gas.GasPrice, workload.Gas.MaxFeePerGas, workload.Gas.MaxPriorityFeePerGas);
            BigInteger fees = new BigInteger(mine.Length) * 21_000 * fundingGas.MaxFeePerGas.ToBigInteger();
            if (_shard.Count > 1)
                await ShardFunder.TopUpAsync(api, mainFunder, funder, _shard, nodeTotal + fees, fundingGas, workload.ChainId, _log, cancel).ConfigureAwait(false);
            BigInteger funderBalance = (await api.GetBalanceAsync(funder.Address).ConfigureAwait(false)).ToBigInteger();
            if (funderBalance < nodeTotal + fees)
                throw new RunSetupException($"funder {funder.Address} holds {FormatEth(funderBalance)} ETH on {api.Endpoint.Url} but funding needs {FormatEth(nodeTotal + fees)} ETH: top it up, or use fewer wallets / a shorter run");
            ulong nonce = await api.GetTransactionCountAsync(funder.Address).ConfigureAwait(false);
            byte[] envelope = new byte[256];
            byte[] hash = new byte[32];
            var calls = new List<(string Method, object?[] Params)>();
            foreach (Wallet w in mine)
            {
                var tx = new DynamicFeeTransaction
                {
                    ChainId = workload.ChainId, Nonce = nonce++, MaxFeePerGas = fundingGas.MaxFeePerGas, MaxPriorityFeePerGas = fundingGas.MaxPriorityFeePerGas,
                    GasLimit = 21_000, To = w.Address, Value = UInt256.FromBigInteger(need - balances[w]),
                };
                int length = TransactionSigner.Sign(tx, funder, envelope, hash);
                calls.Add(("eth_sendRawTransaction", [Hex.ToPrefixedString(envelope.AsSpan(0, length))]));
            }
            Hash256 lastHash = new(hash); // the funder's txs are mined in nonce order: the last one closes the set
            // Sent as JSON-RPC batches of 100, in nonce order. A refused one is sent again as it is (same nonce, same
            // bytes; "already known" counts as taken), up to 3 more times: a refusal that a proxy or a busy pool made up
            // must not leave the later funding txs queued behind a nonce gap.
            List<int> pending = Enumerable.Range(0, calls.Count).ToList();
            RpcException? lastRefusal = null;
            for (int attempt = 0; attempt < 4 && pending.Count > 0; attempt++)
            {
                if (attempt > 0) await Task.Delay(250 * attempt, cancel).ConfigureAwait(false);
                var refused = new List<int>();
                for (int start = 0; start < pending.Count; start += 100)
                {
                    List<int> slice = pending.GetRange(start, Math.Min(100, pending.Count - start));
                    IReadOnlyList<RpcBatchResult> results = await api.CallBatchAsync(slice.ConvertAll(i => calls[i]), cancel).ConfigureAwait(false);
                    int refusedBefore = refused.Count;
                    for (int i = 0; i < results.Count; i++)
                    {
                        if (results[i].Error is not RpcException error) continue;
                        if (ErrorClassifier.Classify(error.Code, System.Text.Encoding.UTF8.GetBytes(error.RpcMessage)) == TxOutcome.AlreadyKnown) continue;
                        refused.Add(slice[i]);
                        lastRefusal = error;
                    }
                    _log.FundingBatch(api.Endpoint.Url, slice.Count, attempt + 1, refused.Count - refusedBefore);
                }
                pending = refused;
            }
            if (pending.Count > 0)
                throw new RunSetupException($"{pending.Count} funding tx(s) were refused by {api.Endpoint.Url}, 4 times each: {lastRefusal!.RpcMessage}");
            // Wait for the last funding tx (same sender, so all earlier ones are in by then).
            bool? ok = Succeeded(await api.WaitForReceiptAsync(lastHash, Stopwatch.StartNew(), TimeSpan.FromSeconds(120), cancel).ConfigureAwait(false));
            if (ok is null) throw new RunSetupException($"funding txs were not included within 120 s on {api.Endpoint.Url}: is the node producing blocks?");
            if (ok == false) throw new RunSetupException($"a funding tx failed on {api.Endpoint.Url} ({lastHash}): check the funder's balance and the node's logs");
            _log.FundingIncluded(api.Endpoint.Url, mine.Length, lastHash.ToString());
        }
        // Verify.
        int short_ = 0;
        await ForEachWalletAsync(poor, async w =>
        {
            if ((await apis[w.Node].GetBalanceAsync(w.Address).ConfigureAwait(false)).ToBigInteger() < need) Interlocked.Increment(ref short_);
        }).ConfigureAwait(false);
        if (short_ > 0) throw new RunSetupException($"{short_} wallets are still short of funds after funding: check the funder and the node");
        _log.FundingConfirmed();
    }

    private static void LogResyncBatch(ILogger log, List<(Wallet Wallet, int Epoch)> batch, int fetched)
    {
        Span<int> byReason = stackalloc int[4];
        foreach ((Wallet wallet, _) in batch)
        {
            int reason = (int)wallet.LastResyncReason;
            if ((uint)reason < (uint)byReason.Length) byReason[reason]++;
        }
        log.ResyncBatch(batch.Count, byReason[(int)ResyncReason.Error], byReason[(int)ResyncReason.Periodic], byReason[(int)ResyncReason.Breaker],
            byReason[(int)ResyncReason.InclusionTimeout], fetched, batch.Count - fetched);
    }

    internal static string FormatEth(BigInteger wei) =>
        ((decimal)(wei / new BigInteger(1_000_000_000_000)) / 1_000_000m).ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>
    /// Resyncs invalidated wallets from their node's pending nonce: takes every request waiting, lets their txs still
    /// in flight be answered (bounded), then asks each node for all of its wallets in one JSON-RPC batch. A failed
    /// fetch (node down, 429, 5xx) hands the wallet back to its signer, which asks again: no wallet stalls for good.
    /// </summary>
    private static async Task ResyncAsync(ChannelReader<Wallet> requests, List<RpcClient> apis, ILogger log, CancellationToken stop)
    {
        var batch = new List<(Wallet Wallet, int Epoch)>();
        while (await requests.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 1000 && requests.TryRead(out Wallet? wallet)) batch.Add((wallet, wallet.FetchEpoch));
            // Let the wallets' txs still in flight be answered first, so the pending nonce counts them.
            for (int i = 0; i < 200 && batch.Exists(b => b.Wallet.InFlight > 0); i++) await Task.Delay(10, stop).ConfigureAwait(false);
            // Bounded: a node that keeps failing (503s, 429s) must not hold these wallets, nor the ones queued behind
            // them, in a long retry; a failed fetch goes back to the signers, who ask again.
            Dictionary<Wallet, ulong> fetched = await PendingNoncesAsync(apis, batch.ConvertAll(b => b.Wallet), TimeSpan.FromSeconds(2), stop).ConfigureAwait(false);
            bool anyFailed = false;
            foreach ((Wallet wallet, int epoch) in batch)
            {
                if (fetched.TryGetValue(wallet, out ulong nonce)) wallet.SetFetchedNonce(epoch, nonce);
                else
                {
                    wallet.FetchFailed(epoch);
                    anyFailed = true;
                }
            }
            if (log.IsEnabled(LogLevel.Debug)) LogResyncBatch(log, batch, fetched.Count);
            if (anyFailed) await Task.Delay(100, stop).ConfigureAwait(false); // the signers ask again
        }
    }
}

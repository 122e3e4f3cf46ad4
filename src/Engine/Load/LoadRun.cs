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

    /// <summary>The wallets of the last run (for tests and `sweep`).</summary>
    public WalletSet? Wallets { get; private set; }

    /// <summary>Receives every tx outcome; set before <see cref="RunAsync"/>.</summary>
    public ITxResultSink? Results { get; init; }

    /// <summary>Streams every tx, inclusion, block and per-second sample into a results file; the caller finishes it.</summary>
    public Results.ResultsWriter? Writer { get; init; }

    public async Task<RunSummary> RunAsync(CancellationToken interrupt)
    {
        LocalAnvil? anvil = null;
        var apis = new List<RpcClient>();
        try
        {
            IReadOnlyList<string> urls = _options.Rpc;
            string? funderKey = _options.FunderKey;
            if (urls.Count == 0)
            {
                Log($"Starting a local anvil (block time {_options.LocalBlockTime} s)...");
                anvil = await LocalAnvil.StartAsync(_options.LocalBlockTime, cancellation: interrupt).ConfigureAwait(false);
                urls = [anvil.Url.ToString()];
                funderKey ??= LocalAnvil.DevKey;
                Log($"anvil listening on {anvil.Url}");
            }
            foreach (string url in urls) apis.Add(await RpcClient.ConnectAsync(url, ct: interrupt).ConfigureAwait(false));
            return await RunOnNodesAsync(apis, funderKey, interrupt).ConfigureAwait(false);
        }
        finally
        {
            foreach (RpcClient api in apis) await api.DisposeAsync().ConfigureAwait(false);
            if (anvil is not null) await anvil.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Log(string line)
    {
        if (_options.Quiet) return;
        if (_options.Progress is { } view) view.Message(line);
        else _options.Log.WriteLine(line);
    }

    /// <summary>A snapshot for the live view (cold: a few times a second).</summary>
    private RunProgress Snapshot(TimeSpan elapsed, double[] nodeRates, NodeSender[] senders, PresignedRing[] rings, RunRecorder recorder, CircuitBreaker breaker)
    {        var errors = new List<KeyValuePair<string, long>>();
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
            TargetCount = _options.Count,
            TargetRate = _options.Rate,
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
        };
    }

    private async Task<RunSummary> RunOnNodesAsync(List<RpcClient> apis, string? funderKey, CancellationToken interrupt)
    {
        // Chain and gas.
        ulong chainId = await apis[0].GetChainIdAsync().ConfigureAwait(false);
        for (int i = 1; i < apis.Count; i++)
        {
            ulong other = await apis[i].GetChainIdAsync().ConfigureAwait(false);
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
        }
        GasPricing gas = await PriceGasAsync(apis[0], options).ConfigureAwait(false);
        var workload = new TransferWorkload(options.TxType, chainId, gas);

        // Wallets and their nonces.
        if (apis.Count > 255) throw new RunSetupException($"{apis.Count} nodes given: FastLoad sends to at most 255 at once");
        WalletSet wallets = WalletSet.Derive(WalletKeys.Funder(funderKey), options.Seed, options.Wallets, options.Shard, options.Signers, apis.Count);
        Wallets = wallets;
        Log(string.Create(CultureInfo.InvariantCulture, $"{wallets.All.Length:N0} wallets (shard {wallets.Shard}), {(replay is null ? $"{wallets.BySigner.Length} signer threads" : $"replaying {replay.Count:N0} presigned txs")}, {SignerName(options.TxType)} transfers, chain {chainId}"));
        Writer?.WriteNodes(apis.Select(a => a.Endpoint.Url).ToArray());
        Writer?.WriteWallets(wallets.All);
        await ForEachWalletAsync(wallets.All, async w => w.NextNonce = await apis[w.Node].GetTransactionCountAsync(w.Address).ConfigureAwait(false)).ConfigureAwait(false);
        if (replay is not null) CheckReplayNonces(_options.ReplayFile!, wallets);

        await FundAsync(apis, wallets, replay is null ? workload.MaxCostPerTx : UInt256.Parse(replay.MaxCostPerTx), workload, funderKey, replay?.Count, interrupt).ConfigureAwait(false);

        // Rings, signers, senders.
        // About half a second of sending per node: enough to absorb signer jitter, small enough that an
        // invalidated wallet revokes little presigned work (--max: room for bursts).
        int ringCapacity = (int)Math.Clamp((_options.Rate ?? 40_000) / apis.Count / 2, 256, 65_536);
        var rings = new PresignedRing[apis.Count];
        for (int i = 0; i < rings.Length; i++) rings[i] = new PresignedRing(ringCapacity, CallWriter.MaxLength(512));
        var resync = Channel.CreateUnbounded<Wallet>();
        ReplayFeeder? feeder = replay is null ? null : new ReplayFeeder(_options.ReplayFile!, wallets, rings, _options.Count ?? replay.Count);
        ITxSource signers = feeder ?? (ITxSource)new SignerPool(wallets, rings, workload, _options.Count ?? -1, _options.PeriodicResync, w => resync.Writer.TryWrite(w), _options.RoundRobin);
        var breaker = new CircuitBreaker();
        var recorder = new RunRecorder(apis.Count, Results, Writer);
        var senders = new NodeSender[apis.Count];
        for (int i = 0; i < apis.Count; i++)
        {
            senders[i] = new NodeSender(apis[i].Endpoint, new NodeStats(apis[i].Endpoint.Url), rings[i],
                _options.Sender with { Rate = _options.Rate / apis.Count, NodeIndex = i }, breaker, signers, recorder.ForNode(i));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        // Inclusion: every accepted tx is looked for in the blocks each node produces from now on.
        var tracker = new Inclusion.InclusionTracker();
        recorder.Tracker = tracker;
        var watchers = apis.Select((api, node) => new Inclusion.BlockWatcher(api, tracker, TimeSpan.FromMilliseconds(100))
        {
            OnIncluded = included => recorder.OnIncluded(node, included),
            OnBlock = block => Writer?.AddBlock(node, block),
            WebSocketUrl = WebSocketFor(node, api.Endpoint),
        }).ToArray();
        using var watchStop = new CancellationTokenSource();
        Task[] watching = watchers.Select(w => w.RunAsync(watchStop.Token)).ToArray();
        Task resyncer = ResyncAsync(resync.Reader, apis, stop.Token);
        double cpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        signers.Start();
        // Give the signers a head start so the first batches are full (presign ahead).
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500 && rings.Sum(r => r.Count) < Math.Min(ringCapacity / 2, _options.Count ?? long.MaxValue)) await Task.Delay(5, interrupt).ConfigureAwait(false);

        Log(_options.Rate is double rate
            ? string.Create(CultureInfo.InvariantCulture, $"Sending at {rate:N0} tx/s to {apis.Count} node(s){(_options.Duration is TimeSpan d ? string.Create(CultureInfo.InvariantCulture, $" for {d.TotalSeconds:N0} s") : "")}{(_options.Count is long n ? string.Create(CultureInfo.InvariantCulture, $", {n:N0} txs") : "")}...")
            : $"Sending as fast as the node(s) take (--max) to {apis.Count} node(s)...");
        var clock = Stopwatch.StartNew();
        long startTicks = Stopwatch.GetTimestamp();
        Writer?.Begin(startTicks, DateTime.UtcNow, () => (signers.Produced, senders.Select((s, i) =>
            new Results.NodeCounters(s.Stats.Sent, s.Stats.Answered, s.Stats.Errors, recorder.IncludedAt(i), s.Stats.Sent - s.Stats.Answered, rings[i].Count)).ToArray()));
        long stopAtTicks = _options.Duration is TimeSpan limit ? startTicks + (long)(limit.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var sendTasks = senders.Select(s => Task.Run(() => s.RunAsync(startTicks, stopAtTicks, stop.Token))).ToArray();
        bool interrupted = false;
        var recentSent = new Queue<(double At, long[] Sent)>(); // per node, for the live view's rates over the last second
        recentSent.Enqueue((0, new long[senders.Length]));
        var nodeRates = new double[senders.Length];
        double lastProgress = 0;
        while (!sendTasks.All(t => t.IsCompleted))
        {
            try
            {
                await Task.Delay(100, interrupt).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                interrupted = true;
                break;
            }
            long sent = senders.Sum(s => s.Stats.Sent);
            long errors = senders.Sum(s => s.Stats.Errors);
            long revoked = senders.Sum(s => s.Stats.Revoked);
            if (breaker.Observe(Stopwatch.GetTimestamp(), sent, errors, signers.Produced, revoked))
            {
                Log($"circuit breaker open: errors/revocations spiked ({senders.Select(s => s.LastError).FirstOrDefault(e => e is not null)}); resyncing every wallet, rate down to {breaker.OpenRateFraction:P0}");
                foreach (Wallet w in wallets.All) w.RequestResync();
            }
            if (_options.Count is long count && sent >= count) break;
            if (feeder is { Finished: true } && rings.All(r => r.Count == 0) && senders.All(s => s.InFlightBatches == 0)) break;
            if (feeder?.Error is Exception replayError) throw new RunSetupException($"replay failed: {replayError.Message}");
            if (_options.Progress is { } view && !_options.Quiet && clock.Elapsed.TotalSeconds - lastProgress >= 0.25)
            {
                // The rate over the last second (snapshots come every 250 ms).
                double now = clock.Elapsed.TotalSeconds;
                long[] sentNow = senders.Select(s => s.Stats.Sent).ToArray();
                recentSent.Enqueue((now, sentNow));
                while (recentSent.Count > 1 && now - recentSent.Peek().At > 1.0) recentSent.Dequeue();
                (double at, long[] sentBefore) = recentSent.Count > 1 ? recentSent.Peek() : (0, new long[senders.Length]);
                double span = Math.Max(0.001, now - at);
                for (int i = 0; i < senders.Length; i++) nodeRates[i] = (sentNow[i] - sentBefore[i]) / span;
                lastProgress = now;
                view.Update(Snapshot(clock.Elapsed, nodeRates, senders, rings, recorder, breaker));
            }
        }
        if (_options.Progress is { } last && !_options.Quiet)
        {
            last.Update(Snapshot(clock.Elapsed, nodeRates, senders, rings, recorder, breaker));
            last.Complete();
        }
        TimeSpan sendDuration = _options.Duration is TimeSpan planned && !interrupted && clock.Elapsed >= planned ? planned : clock.Elapsed;
        // Stop signing first, then stop sending and drain what is in flight.
        signers.Stop();
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(sendTasks).ConfigureAwait(false);
        try { await resyncer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        // Grace period: give accepted txs time to show up in blocks (stops early once all are in, or when
        // no new block has come for a while).
        // A target that produced no block at all while we sent (e.g. the null sink) won't now: don't wait.
        if (senders.Sum(s => s.Stats.Accepted) > 0 && !interrupted && watchers.Sum(w => w.BlockCount) > 0)
        {
            var grace = Stopwatch.StartNew();
            int blocksBefore = watchers.Sum(w => w.BlockCount);
            var lastNewBlock = Stopwatch.StartNew();
            while (tracker.Pending > 0 && grace.Elapsed < _options.InclusionGrace && lastNewBlock.Elapsed < TimeSpan.FromSeconds(6))
            {
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                int blocks = watchers.Sum(w => w.BlockCount);
                if (blocks != blocksBefore) { blocksBefore = blocks; lastNewBlock.Restart(); }
            }
        }
        await watchStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(watching).ConfigureAwait(false);
        double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore;
        if (_options.Sweep && funderKey is not null && PrivateKey.TryParse(funderKey.Trim(), out PrivateKey funderForSweep))
        {
            Log("Sweeping what is left back to the funder...");
            await Sweeper.SweepAsync(apis, wallets, funderForSweep.Address, _options.Quiet ? TextWriter.Null : _options.Log, CancellationToken.None).ConfigureAwait(false);
        }
        return new RunSummary
        {
            Nodes = senders.Select(s => s.Stats).ToArray(),
            SendDuration = sendDuration,
            TargetRate = _options.Rate,
            Signed = signers.Produced,
            CpuSeconds = cpu,
            BreakerTrips = breaker.Trips,
            Resyncs = wallets.All.Sum(w => w.Resyncs),
            Interrupted = interrupted,
            Included = tracker.Included,
            NotIncluded = tracker.Pending,
            Untracked = tracker.Untracked,
            Blocks = watchers.Sum(w => w.BlockCount),
            HeadsVia = string.Join(", ", watchers.Select(w => w.Mode).Distinct()),
            AckLatency = recorder.AckFromIntended,
            AckLatencyFromSend = recorder.AckFromSent,
            InclusionLatency = recorder.Inclusion,
            AckLatencyByNode = recorder.AckByNode,
            InclusionLatencyByNode = recorder.InclusionByNode,
            ResultsPath = Writer?.Path,
            DroppedRecords = Writer?.Dropped ?? 0,
        };
    }

    /// <summary>The node's newHeads WebSocket: as given, or ws:// on its HTTP host and port (anvil, reth, nethermind serve both there).</summary>
    private Uri? WebSocketFor(int node, RpcEndpoint endpoint)
    {
        if (_options.WebSockets is not { } given) return null;
        if (given.Count > node) return new Uri(given[node]);
        var http = new Uri(endpoint.Url);
        return new UriBuilder(http) { Scheme = "ws", Port = http.Port }.Uri;
    }

    private static string SignerName(TxType type) => Requests.SignRequest.TypeName(type);

    internal static async Task<GasPricing> PriceGasAsync(RpcClient api, RunOptions _options)
    {
        UInt256 nodePrice = await api.GetGasPriceAsync().ConfigureAwait(false);
        UInt256 tip = _options.PriorityFee ?? await NodeTipAsync(api).ConfigureAwait(false);
        // Headroom over the node's current price so a rising base fee doesn't strand the run.
        BigInteger price = nodePrice.ToBigInteger() * 2 + tip.ToBigInteger();
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
        var first = new Dictionary<int, ulong>();
        using PresignedFileReader reader = PresignedFileReader.Open(file);
        var scratch = new PresignedTx(512);
        while (first.Count < wallets.All.Length && reader.TryRead(scratch, out int index)) first.TryAdd(index, scratch.Nonce);
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

    /// <summary>Tops every wallet up to what the run can spend, from the funder, and verifies it landed.</summary>
    private async Task FundAsync(List<RpcClient> apis, WalletSet wallets, UInt256 maxCostPerTx, TransferWorkload workload, string? funderKey, long? replayCount, CancellationToken cancel)
    {
        double expectedTxs = _options.Count ?? replayCount ?? (_options.Rate ?? 20_000) * (_options.Duration ?? TimeSpan.FromSeconds(60)).TotalSeconds;
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
            Log("All wallets already hold enough to run.");
            return;
        }
        BigInteger total = poor.Aggregate(BigInteger.Zero, (sum, w) => sum + (need - balances[w]));
        if (funderKey is null)
            throw new RunSetupException($"{poor.Length} wallets need {FormatEth(total)} ETH in total: set FASTLOAD_FUNDER_KEY (or --funder-key-file FILE) to a funded key");
        if (!PrivateKey.TryParse(funderKey.Trim(), out PrivateKey funder))
            throw new RunSetupException("the funder key is not a 32-byte 0x-hex secp256k1 private key");
        Log(string.Create(CultureInfo.InvariantCulture, $"Funding {poor.Length:N0} wallets with {FormatEth(need)} ETH each from {funder.Address}..."));

        for (int node = 0; node < apis.Count; node++)
        {
            RpcClient api = apis[node];
            Wallet[] mine = poor.Where(w => w.Node == node).ToArray();
            if (mine.Length == 0) continue;
            BigInteger nodeTotal = mine.Aggregate(BigInteger.Zero, (sum, w) => sum + (need - balances[w]));
            var fundingGas = new GasPricing(workload.Gas.GasPrice, workload.Gas.MaxFeePerGas, workload.Gas.MaxPriorityFeePerGas);
            BigInteger fees = new BigInteger(mine.Length) * 21_000 * fundingGas.MaxFeePerGas.ToBigInteger();
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
            // Sent as JSON-RPC batches of 100, in nonce order.
            for (int start = 0; start < calls.Count; start += 100)
            {
                IReadOnlyList<RpcBatchResult> results = await api.CallBatchAsync(calls.GetRange(start, Math.Min(100, calls.Count - start)), cancel).ConfigureAwait(false);
                foreach (RpcBatchResult result in results)
                    if (result.Error is RpcException error) throw new RunSetupException($"a funding tx was refused by {api.Endpoint.Url}: {error.RpcMessage}");
            }
            // Wait for the last funding tx (same sender, so all earlier ones are in by then).
            bool? ok = Succeeded(await api.WaitForReceiptAsync(lastHash, Stopwatch.StartNew(), TimeSpan.FromSeconds(120), cancel).ConfigureAwait(false));
            if (ok is null) throw new RunSetupException($"funding txs were not included within 120 s on {api.Endpoint.Url}: is the node producing blocks?");
            if (ok == false) throw new RunSetupException($"a funding tx failed on {api.Endpoint.Url} ({lastHash}): check the funder's balance and the node's logs");
        }
        // Verify.
        int short_ = 0;
        await ForEachWalletAsync(poor, async w =>
        {
            if ((await apis[w.Node].GetBalanceAsync(w.Address).ConfigureAwait(false)).ToBigInteger() < need) Interlocked.Increment(ref short_);
        }).ConfigureAwait(false);
        if (short_ > 0) throw new RunSetupException($"{short_} wallets are still short of funds after funding: check the funder and the node");
        Log("Funding confirmed.");
    }

    internal static string FormatEth(BigInteger wei) =>
        ((decimal)(wei / new BigInteger(1_000_000_000_000)) / 1_000_000m).ToString("0.######", CultureInfo.InvariantCulture);

    private static async Task ResyncAsync(ChannelReader<Wallet> requests, List<RpcClient> apis, CancellationToken stop)
    {
        await foreach (Wallet wallet in requests.ReadAllAsync(stop).ConfigureAwait(false))
        {
            int epoch = wallet.FetchEpoch;
            try
            {
                // Let the wallet's txs still in flight be answered first, so the pending nonce counts them.
                for (int i = 0; i < 200 && wallet.InFlight > 0; i++) await Task.Delay(10, stop).ConfigureAwait(false);
                wallet.SetFetchedNonce(epoch, await apis[wallet.Node].GetTransactionCountAsync(wallet.Address).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                wallet.FetchFailed(epoch);
                await Task.Delay(100, stop).ConfigureAwait(false);
            }
        }
    }
}

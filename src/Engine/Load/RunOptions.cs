using FastLoad.Engine.Rpc;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLoad.Engine.Load;

/// <summary>Everything a load run is told; defaults are what `fastload run` uses with no flags.</summary>
public sealed record RunOptions
{
    /// <summary>Node URLs; empty = start a local anvil.</summary>
    public IReadOnlyList<string> Rpc { get; init; } = [];

    /// <summary>
    /// Where the txs are sent (<c>--send-rpc</c>, e.g. a sequencer or block builder), one URL for every node or one per
    /// <see cref="Rpc"/> node in its order; empty = to the <see cref="Rpc"/> nodes. Nonces, blocks, receipts, funding and
    /// set-up always use <see cref="Rpc"/>.
    /// </summary>
    public IReadOnlyList<string> SendRpc { get; init; } = [];

    /// <summary>
    /// Confirmation streams (<c>--confirm-ws</c>): WebSockets whose messages mention tx hashes (preconfirmations,
    /// flashblocks); each stream's first mention of a tx is recorded as its preconfirmation. At most 64.
    /// </summary>
    public IReadOnlyList<string> ConfirmStreams { get; init; } = [];

    /// <summary>Extra request headers (<c>--header</c>): for every node, or for one by its 0-based position in <see cref="Rpc"/>.</summary>
    public IReadOnlyList<NodeHeader> Headers { get; init; } = [];

    /// <summary>How https/wss servers are trusted (<c>--ca-cert</c>, <c>--insecure</c>); default: the system's store.</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.SystemTrust;

    /// <summary>Headers and trust for node <paramref name="node"/> (its 0-based position in <see cref="Rpc"/>).</summary>
    public RpcConnectOptions ConnectFor(int node) => new() { Headers = NodeHeader.For(Headers, node), Tls = Tls };

    /// <summary>Total tx/s across all nodes; null = --max (unless <see cref="Shape"/> is set).</summary>
    public double? Rate { get; init; } = 200;

    /// <summary>When txs are due (<c>--shape</c>); null = constant at <see cref="Rate"/> (or --max when that is null too).</summary>
    public Shapes.LoadShape? Shape { get; init; }

    /// <summary>The shape the run follows: <see cref="Shape"/>, else constant at <see cref="Rate"/>; null for --max.</summary>
    public Shapes.LoadShape? EffectiveShape => Shape ?? (Rate is double rate ? new Shapes.ConstantShape(rate) : null);

    public TimeSpan? Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this many txs sent (instead of, or as well as, a duration).</summary>
    public long? Count { get; init; }

    public int Wallets { get; init; } = 100;

    public int Signers { get; init; } = Environment.ProcessorCount;

    public TxType TxType { get; init; } = TxType.DynamicFee;

    public string Seed { get; init; } = "fastload";

    /// <summary>
    /// This process's shard (<c>--shard i/N</c>): its wallets are those of index i mod N, and it sends its part of
    /// <see cref="Rate"/>, <see cref="Shape"/> and <see cref="Count"/>, which are for all shards together.
    /// </summary>
    public Shard Shard { get; init; } = Shard.Single;

    /// <summary>
    /// When sending begins (<c>--start-at</c>), so that shards on several machines begin together: set-up (funding,
    /// signing ahead, connecting) is done before it, token 0 is due at it, and <c>runs.started_at</c> is it. Null: as soon
    /// as set-up ends.
    /// </summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>How late set-up may end after <see cref="StartAt"/> and the run still begin (its first txs late); later is a set-up error.</summary>
    public static readonly TimeSpan StartAtTolerance = TimeSpan.FromSeconds(2);

    /// <summary>A start time as <c>--start-at</c> takes it back: ISO 8601 UTC with milliseconds.</summary>
    public static string FormatStartAt(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public SenderOptions Sender { get; init; } = new();

    /// <summary>Resync each wallet every K txs (0 = only on errors).</summary>
    public int PeriodicResync { get; init; }

    /// <summary>Block time of the local anvil FastLoad starts, seconds.</summary>
    public double LocalBlockTime { get; init; } = 1;

    /// <summary>Funder key (0x-hex) when not using the local anvil's dev account.</summary>
    public string? FunderKey { get; init; }

    /// <summary>Gas price overrides in wei.</summary>
    public Primitives.UInt256? GasPrice { get; init; }

    public Primitives.UInt256? MaxFeePerGas { get; init; }

    public Primitives.UInt256? PriorityFee { get; init; }

    /// <summary>Default fee cap: the node's gas price times this, plus the tip (2; the probe takes 10, since its full blocks raise the base fee).</summary>
    public int FeeHeadroom { get; init; } = 2;

    /// <summary>What to send (<c>--workload</c>): ETH transfers by default.</summary>
    public Workloads.WorkloadSpec Workload { get; init; } = Workloads.WorkloadSpec.Transfer;

    /// <summary>Contracts of an earlier run to use instead of deploying (<c>--reuse-setup FILE</c>).</summary>
    public IReadOnlyList<Workloads.DeployedContract> ReuseSetup { get; init; } = [];

    /// <summary>The post-run ledger check compares this many wallets, drawn at random (<c>--ledger-sample N</c>); null = all.</summary>
    public int? LedgerSample { get; init; }

    /// <summary>Reads/s across all nodes sent alongside the txs (<c>--read-rate</c>); 0 = no reads.</summary>
    public double ReadRate { get; init; }

    /// <summary>What each read asks (<c>--read-method</c>).</summary>
    public Reads.ReadMethod ReadMethod { get; init; } = Reads.ReadMethods.Default;

    /// <summary>The share (0..100) of included txs whose receipt is fetched after the run (<c>--receipts</c>); null = the workload's default.</summary>
    public double? ReceiptsPercent { get; init; }

    /// <summary>
    /// <see cref="ReceiptsPercent"/>, else 100 for the workloads whose post-run check is about receipts (gas:N, call: a
    /// reverted call is what they look for, so every included tx gets its status), else 0 (transfers, erc20, mix,
    /// deploy, storage: their checks read balances, code or storage instead).
    /// </summary>
    public double EffectiveReceiptsPercent => ReceiptsPercent ?? (ReplayFile is null && Workload.NeedsReceipts ? 100 : 0);

    /// <summary>Replay this presigned file instead of signing (the file sets seed, wallets, tx type, chain).</summary>
    public string? ReplayFile { get; init; }

    /// <summary>Allow public mainnet chain ids (see <see cref="ChainGuard"/>); refused otherwise.</summary>
    public bool AllowMainnet { get; init; }

    /// <summary>After the run, return what is left in the wallets to the funder.</summary>
    public bool Sweep { get; init; }

    /// <summary>Send each tx to the next node in turn instead of the wallet's own node (nodes must share a mempool).</summary>
    public bool RoundRobin { get; init; }

    /// <summary>After sending stops, how long to wait for accepted txs to appear in blocks.</summary>
    public TimeSpan InclusionGrace { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A node that gives no 2xx answer for this long while we try to reach it ends the run (--node-timeout).</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where each node's newHeads WebSocket is (same order as <see cref="Rpc"/>); empty = try ws:// (wss:// for an
    /// https node) on each node's host, port and path; null = poll only.
    /// </summary>
    public IReadOnlyList<string>? WebSockets { get; init; } = [];

    /// <summary>No progress view updates (the CLI's --quiet; its console logging is off then too).</summary>
    public bool Quiet { get; init; }

    /// <summary>TEST ONLY: CPU time burnt per signed tx to make signing slow on purpose (see <see cref="SignerPool.TestSignDelayTicks"/>); zero in real runs.</summary>
    public TimeSpan TestSignDelay { get; init; }

    /// <summary>Shows progress a few times a second; null = no progress. The run's messages go to <see cref="Logger"/>.</summary>
    public IRunProgressView? Progress { get; init; }

    /// <summary>The run's events (<see cref="RunLog"/>): set-up steps, funding, connections, errors first seen, breaker, grace, sweep.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}

using System.CommandLine;
using System.Globalization;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Workloads;
using FastLoad.Runner.Logging;

namespace FastLoad.Runner.Commands;

/// <summary>
/// The options <c>run</c> and <c>probe</c> share: the nodes (<c>--rpc</c>, <c>--send-rpc</c>, <c>--ws</c>,
/// <c>--confirm-ws</c>, and <see cref="ConnectionFlags"/>), what is signed and how it is sent (wallets, signers, tx type,
/// batch, connections, pipelining, seed, workload, fees, the funder), read traffic, the local anvil's block time, the
/// results file, the console, the log and <see cref="MetricsFlags"/>. Declared once, added to a command by
/// <see cref="AddTo"/>, and read with the same checks and the same one-line errors for both commands: <see cref="ResultsPath"/>,
/// <see cref="Read"/> (the shared part of <see cref="RunOptions"/>), then, once the command's own flags are good,
/// <see cref="Finish"/> (the funder key, the progress view, the log). Help texts are run's; a command gives its own for
/// the flags whose meaning differs for it.
/// </summary>
internal sealed class LoadFlags
{
    private readonly string _command;
    private readonly FunderKeyOptions _funder = new("File holding the funder's 0x private key (or set FASTLOAD_FUNDER_KEY).");

    /// <param name="command">The command's name, for its messages (<c>fastload probe: warning: …</c>) and its log.</param>
    /// <param name="descriptions">The command's own help text of some flags, by flag name (e.g. <c>--quiet</c>).</param>
    public LoadFlags(string command, IReadOnlyDictionary<string, string>? descriptions = null)
    {
        _command = command;
        foreach ((string name, string text) in descriptions ?? new Dictionary<string, string>())
            (Own.FirstOrDefault(o => o.Name == name) ?? throw new ArgumentException($"{name} is not a shared flag", nameof(descriptions))).Description = text;
    }

    public Option<string?> Rpc { get; } = new("--rpc") { Description = "Node URL(s), comma-separated: http://host:port or https://[user:password@]host[:port]/path. Default: start a local anvil." };
    public Option<int> Wallets { get; } = new("--wallets", "-w") { Description = "Wallets across all shards.", DefaultValueFactory = _ => 100 };
    public Option<int> Signers { get; } = new("--signers") { Description = "Signer threads (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
    public Option<string> TxType { get; } = new("--tx-type") { Description = "legacy, 2930, 1559 or 7702.", DefaultValueFactory = _ => "1559" };
    public Option<int> Batch { get; } = new("--batch") { Description = "eth_sendRawTransaction calls per JSON-RPC batch.", DefaultValueFactory = _ => 100 };
    public Option<int> Connections { get; } = new("--connections") { Description = "Keep-alive connections per node.", DefaultValueFactory = _ => 2 };
    public Option<int> Pipelining { get; } = new("--pipelining") { Description = "Requests in flight per connection.", DefaultValueFactory = _ => 4 };
    public Option<string> Seed { get; } = new("--seed") { Description = "Seed the wallets are derived from.", DefaultValueFactory = _ => "fastload" };
    public Option<double> BlockTime { get; } = new("--block-time") { Description = "Block time of the local anvil, seconds.", DefaultValueFactory = _ => 1 };
    public Option<decimal?> GasPrice { get; } = new("--gas-price-gwei") { Description = "Gas price for legacy/2930 (default: 2x the node's + tip)." };
    public Option<decimal?> MaxFee { get; } = new("--max-fee-gwei") { Description = "Max fee per gas for 1559/7702." };
    public Option<decimal?> PriorityFee { get; } = new("--priority-fee-gwei") { Description = "Priority fee per gas for 1559/7702." };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print errors and the final summary only." };
    public Option<bool> NoLive { get; } = new("--no-live") { Description = "Plain progress lines, once a second, even on a terminal (they are the default when output is redirected)." };
    public Option<bool> AllowMainnet { get; } = new("--allow-mainnet") { Description = "Allow a public mainnet chain id (1, 10, 56, 137, 8453, 42161, ...); refused otherwise." };
    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Results file (DuckDB) to write: every tx, block and per-second sample. Default: results/<start time>.duckdb." };
    public Option<bool> NoResults { get; } = new("--no-results") { Description = "Write no results file (the summary is still printed)." };
    public Option<string?> Ws { get; } = new("--ws") { Description = "newHeads WebSocket URL(s), comma-separated, one per --rpc node; 'none' to poll for blocks. Default: try ws:// on each node's host and port, poll if refused." };
    public Option<string> NodeTimeout { get; } = new("--node-timeout") { Description = "End the run when a node gives no answer for this long while we try to reach it: 30s, 2m.", DefaultValueFactory = _ => "30s" };
    public Option<string> Workload { get; } = new("--workload") { Description = "What to send: transfer (ETH), erc20 (deploy a token, mint to every wallet, transfers between wallets), mix:mint=50,burn=30,transfer=20 (weighted token ops, checked by a ledger after the run) deploy (a contract creation per tx, each checked for its code) gas:N (calls using about N gas each, checked on sampled receipts) storage:N (calls writing N new storage slots each, checked by eth_getStorageAt) or call:ADDR:SIG[:ARGS] / call:ADDR:0xCALLDATA (any contract call; args may be {wallet}, {counter}, {random}); several joined by + with @WEIGHT each mix them in one run, each part on its own share of the wallets: transfer@70+erc20@20+gas:100000@10.", DefaultValueFactory = _ => "transfer" };
    public Option<double?> ReadRate { get; } = new("--read-rate") { Description = "Also send this many JSON-RPC reads/s (total, split evenly across nodes) on connections of their own, each read's latency and outcome recorded (default: none)." };
    public Option<string?> ReadMethod { get; } = new("--read-method") { Description = "What each read asks: eth_blockNumber (default), eth_getBalance (the run's wallets in turn), eth_call (the erc20/mix token's balanceOf(wallet), else a call to the funder) or eth_getTransactionReceipt (the run's recently included txs)." };
    public Option<string?> SendRpc { get; } = new("--send-rpc") { Description = "Send the txs here instead (a sequencer or block builder): one URL for all --rpc nodes, or one per node, comma-separated. --rpc still serves nonces, blocks, receipts, funding and set-up." };
    public Option<string?> ConfirmWs { get; } = new("--confirm-ws") { Description = "WebSocket stream(s), comma-separated, whose messages mention tx hashes (preconfirmations, flashblocks, pending txs): each stream's first mention of a tx is recorded as its preconfirmation (txs.preconf_us, tx_preconfs)." };
    public Option<FileInfo?> LogFile { get; } = CliLog.FileOption();
    public Option<string> LogLevel { get; } = CliLog.LevelOption();
    public ConnectionFlags Connection { get; } = new();
    public MetricsFlags Metrics { get; } = new(linger: true);

    /// <summary>The fee cap's multiple of the node's price when no fee is given (probe: 10, full blocks raise the base fee).</summary>
    public int FeeHeadroom { get; init; } = new RunOptions().FeeHeadroom;

    // In --help order after the command's own options (--rpc heads the list); --send-rpc stays after --quiet, as run listed them.
    private Option[] Own =>
    [
        Rpc, Wallets, Signers, TxType, Batch, Connections, Pipelining, Seed, BlockTime, GasPrice, MaxFee, PriorityFee, Quiet, NoLive, AllowMainnet,
        Out, NoResults, Ws, NodeTimeout, Workload, ReadRate, ReadMethod, SendRpc, ConfirmWs, LogFile, LogLevel,
    ];

    /// <summary>Adds the shared options to <paramref name="command"/>: <c>--rpc</c> first, the rest after the command's own.</summary>
    public void AddTo(Command command)
    {
        Option[] own = Own;
        command.Options.Insert(0, own[0]);
        foreach (Option option in own.AsSpan(1)) command.Options.Add(option);
        _funder.AddTo(command);
        Connection.AddTo(command);
        Metrics.AddTo(command);
    }

    /// <summary>Where the results go: --out, the default name, or null with --no-results (the two exclude each other).</summary>
    public string? ResultsPath(ParseResult parse)
    {
        if (parse.GetValue(NoResults) && parse.GetValue(Out) is not null) throw new ArgumentException("--out and --no-results exclude each other: pick one");
        return parse.GetValue(NoResults) ? null : parse.GetValue(Out) ?? RunCommand.DefaultResultsPath(DateTime.UtcNow);
    }

    /// <summary>No --out: the results file has a default name (another run taking it meanwhile moves this one to the next free name).</summary>
    public bool DefaultResultsName(ParseResult parse) => parse.GetValue(Out) is null;

    /// <summary>
    /// One warning line for each place the run would send a node's headers (or its URL's basic auth) without TLS to a
    /// host that is not this machine: an http:// node or --send-rpc, a ws:// --ws, or a ws:// --confirm-ws (which gets
    /// the headers given for every node). Anyone on the path could read a token there.
    /// </summary>
    private void WarnOfHeadersInPlainText(string[] urls, IReadOnlyList<string>? webSockets, IReadOnlyList<string> sendUrls,
        IReadOnlyList<string> confirmUrls, IReadOnlyList<NodeHeader> headers, TlsOptions tls)
    {
        var warned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < urls.Length; i++)
        {
            RpcEndpoint node = RpcEndpoint.Parse(urls[i], new RpcConnectOptions { Headers = NodeHeader.For(headers, i), Tls = tls });
            if (node.Headers.Count == 0) continue;
            Warn(node.Url, node.IsTls, $"node {i}'s headers");
            if ((i < sendUrls.Count || sendUrls.Count == 1) && NodeHeader.For(headers, i).Count > 0) // --send-rpc gets the --header ones, not --rpc's basic auth
            {
                RpcEndpoint send = RpcEndpoint.Parse(sendUrls[sendUrls.Count == 1 ? 0 : i], new RpcConnectOptions { Tls = tls });
                Warn(send.Url, send.IsTls, $"node {i}'s headers (--send-rpc)");
            }
            if (webSockets is { Count: > 0 } && i < webSockets.Count && Uri.TryCreate(webSockets[i], UriKind.Absolute, out Uri? ws))
                Warn(ws.ToString(), ws.Scheme == "wss", $"node {i}'s headers (--ws)");
        }
        if (NodeHeader.For(headers, -1).Count > 0)
            foreach (string stream in confirmUrls)
                if (Uri.TryCreate(stream, UriKind.Absolute, out Uri? uri)) Warn(uri.ToString(), uri.Scheme == "wss", "the headers given for every node (--confirm-ws)");

        void Warn(string url, bool encrypted, string what)
        {
            if (encrypted || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.IsLoopback || !warned.Add(url)) return;
            Console.Error.WriteLine($"fastload {_command}: warning: {what} go to {RpcEndpoint.Redacted(url)} without TLS: anyone on the path can read them (use https:// or wss://)");
        }
    }

    /// <summary>
    /// The shared part of the run's options, every flag checked (the funder key, the progress view and the log come
    /// later, from <see cref="Finish"/>). Throws <see cref="ArgumentException"/> with one line.
    /// </summary>
    /// <param name="expandEnvironment">False for a run started through <c>fastload serve</c>: <c>$VAR</c> and <c>env:VAR</c> in
    /// --header are refused there (they would read the service's own environment).</param>
    public RunOptions Read(ParseResult parse, bool expandEnvironment = true)
    {
        var urls = (parse.GetValue(Rpc) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        (IReadOnlyList<NodeHeader> headers, TlsOptions tls) = Connection.Read(parse, urls.Length, _command, expandEnvironment);
        for (int i = 0; i < urls.Length; i++) // fail fast with the URL's own message
            RpcEndpoint.Parse(urls[i], new RpcConnectOptions { Headers = NodeHeader.For(headers, i), Tls = tls });
        IReadOnlyList<string>? webSockets = RunCommand.ParseWebSockets(parse.GetValue(Ws), urls.Length);
        IReadOnlyList<string> sendUrls = RunCommand.ParseSendRpc(parse.GetValue(SendRpc), urls.Length);
        try
        {
            for (int i = 0; i < sendUrls.Count; i++)
                RpcEndpoint.Parse(sendUrls[i], new RpcConnectOptions { Headers = NodeHeader.For(headers, i), Tls = tls });
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--send-rpc: {e.Message}");
        }
        IReadOnlyList<string> confirmUrls = RunCommand.ParseConfirmStreams(parse.GetValue(ConfirmWs));
        WarnOfHeadersInPlainText(urls, webSockets, sendUrls, confirmUrls, headers, tls);
        foreach (Option<int> option in (Option<int>[])[Wallets, Signers, Batch, Connections, Pipelining])
            if (parse.GetValue(option) < 1) throw new ArgumentException($"{option.Name} must be at least 1");
        WorkloadSpec workload = WorkloadSpec.Parse(parse.GetValue(Workload)!);
        Engine.Transactions.TxType txType = TransferWorkload.ParseType(parse.GetValue(TxType)!);
        workload.EnsureFits(txType);
        double readRate = parse.GetValue(ReadRate) ?? 0;
        if (readRate < 0 || !double.IsFinite(readRate))
            throw new ArgumentException($"--read-rate {readRate.ToString(CultureInfo.InvariantCulture)} is not a rate: give reads/s, 0 or more (e.g. --read-rate 100)");
        Engine.Reads.ReadMethod readMethod = parse.GetValue(ReadMethod) is string methodText ? Engine.Reads.ReadMethods.Parse(methodText) : Engine.Reads.ReadMethods.Default;
        if (parse.GetValue(ReadMethod) is not null && readRate == 0)
            throw new ArgumentException("--read-method applies to read traffic: give --read-rate R too (reads/s)");
        return new RunOptions
        {
            Rpc = urls,
            SendRpc = sendUrls,
            ConfirmStreams = confirmUrls,
            Headers = headers,
            Tls = tls,
            Wallets = parse.GetValue(Wallets),
            Signers = parse.GetValue(Signers),
            TxType = txType,
            Workload = workload,
            Seed = parse.GetValue(Seed)!,
            NodeTimeout = RunCommand.ParseDuration(parse.GetValue(NodeTimeout)!, "--node-timeout"),
            LocalBlockTime = parse.GetValue(BlockTime),
            GasPrice = RunCommand.Gwei(parse.GetValue(GasPrice)),
            MaxFeePerGas = RunCommand.Gwei(parse.GetValue(MaxFee)),
            PriorityFee = RunCommand.Gwei(parse.GetValue(PriorityFee)),
            FeeHeadroom = FeeHeadroom,
            Sender = new SenderOptions { Batch = parse.GetValue(Batch), Connections = parse.GetValue(Connections), Pipelining = parse.GetValue(Pipelining) },
            Quiet = parse.GetValue(Quiet),
            WebSockets = webSockets,
            AllowMainnet = parse.GetValue(AllowMainnet),
            ReadRate = readRate,
            ReadMethod = readMethod,
        };
    }

    /// <summary>
    /// Last, once every other flag is good: the funder key, the progress view on <paramref name="host"/>'s output, and the
    /// log (its file is opened only now). Throws <see cref="ArgumentException"/> with one line.
    /// </summary>
    public (RunOptions Options, CliLog Log) Finish(ParseResult parse, RunOptions options, RunHost host)
    {
        string? funderKey = _funder.Read(parse, _command);
        bool quiet = parse.GetValue(Quiet);
        IRunProgressView view = Live.ProgressViews.For(host.Out, isTerminal: host.Terminal && !parse.GetValue(NoLive), quiet);
        CliLog log = CliLog.Create(_command, parse.GetValue(LogFile), parse.GetValue(LogLevel)!, quiet ? null : view.Message);
        return (options with { FunderKey = funderKey, Progress = view, Logger = log.Logger }, log);
    }
}

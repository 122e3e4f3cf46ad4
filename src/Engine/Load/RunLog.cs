using Microsoft.Extensions.Logging;
using ZLogger;

namespace FastLoad.Engine.Load;

/// <summary>
/// The run's events, one method each (ZLogger's <c>[ZLoggerMessage]</c> generator: the message is written straight
/// into the provider's UTF-8 buffer, the holes become structured fields, nothing is formatted when the level is off).
/// Ids 1-49 are headlines: the lines `fastload run` has always printed; the CLI shows them on the console and
/// records them. Ids 50-99 are details: recorded in the <c>--log</c> file, shown on the console only at
/// <c>--log-level debug</c> or <c>trace</c>. None is written per tx: the send path only counts, and what it noticed
/// (a new error text, a lost connection) is logged once, off the per-tx path's steady state.
/// Keys, seeds and mnemonics are never a field of any event.
/// </summary>
public static partial class RunLog
{
    /// <summary>Ids below this are headlines (see the type's remarks).</summary>
    public const int FirstDetailId = 50;

    /// <summary>True for events that `fastload` prints on the console at the default level.</summary>
    public static bool IsHeadline(EventId id) => id.Id is > 0 and < FirstDetailId;

    // Headlines: the console lines of a run, unchanged.

    [ZLoggerMessage(1, LogLevel.Information, "Starting a local anvil (block time {blockTimeSeconds} s)...")]
    public static partial void LocalAnvilStarting(this ILogger logger, double blockTimeSeconds);

    [ZLoggerMessage(2, LogLevel.Information, "anvil listening on {url}")]
    public static partial void LocalAnvilListening(this ILogger logger, string url);

    [ZLoggerMessage(3, LogLevel.Warning, "retrying: {retry}")]
    public static partial void SetupRetry(this ILogger logger, string retry);

    [ZLoggerMessage(4, LogLevel.Information, "{walletCount:N0} wallets (shard {shard}), {producers}, {txType} txs: {workload}, chain {chainId}")]
    public static partial void RunPlan(this ILogger logger, int walletCount, string shard, string producers, string txType, string workload, ulong chainId);

    [ZLoggerMessage(5, LogLevel.Information, "All wallets already hold enough to run.")]
    public static partial void WalletsAlreadyFunded(this ILogger logger);

    [ZLoggerMessage(6, LogLevel.Information, "Funding {walletCount:N0} wallets with {ethEach} ETH each from {funder}...")]
    public static partial void FundingStart(this ILogger logger, int walletCount, string ethEach, string funder);

    [ZLoggerMessage(7, LogLevel.Information, "Funding confirmed.")]
    public static partial void FundingConfirmed(this ILogger logger);

    [ZLoggerMessage(8, LogLevel.Information, "Sending at {rate:N0} tx/s to {nodes} node(s){forDuration}{forCount}...")]
    public static partial void SendingAtRate(this ILogger logger, double rate, int nodes, string forDuration, string forCount);

    [ZLoggerMessage(40, LogLevel.Information, "Sending {shape} to {nodes} node(s){forDuration}{forCount}...")]
    public static partial void SendingShaped(this ILogger logger, string shape, int nodes, string forDuration, string forCount);

    [ZLoggerMessage(9, LogLevel.Information, "Sending as fast as the node(s) take (--max) to {nodes} node(s)...")]
    public static partial void SendingMax(this ILogger logger, int nodes);

    [ZLoggerMessage(10, LogLevel.Warning, "circuit breaker open: errors or revocations spiked{lastError}; resyncing every wallet, rate down to {rateFraction:P0}")]
    public static partial void BreakerOpen(this ILogger logger, string lastError, double rateFraction);

    [ZLoggerMessage(11, LogLevel.Error, "Stopping the run: {reason}")]
    public static partial void StoppingEarly(this ILogger logger, string reason);

    [ZLoggerMessage(12, LogLevel.Warning, "Nonce gaps after sending: {resent:N0} txs re-sent in {wallets:N0} wallets{stillStuck}")]
    public static partial void NonceGaps(this ILogger logger, long resent, int wallets, string stillStuck);

    [ZLoggerMessage(13, LogLevel.Information, "Sweeping what is left back to the funder...")]
    public static partial void Sweeping(this ILogger logger);

    [ZLoggerMessage(14, LogLevel.Information, "Swept {wallets:N0} wallets: {eth} ETH returned to {to}")]
    public static partial void Swept(this ILogger logger, int wallets, string eth, string to);

    // Details: in the log file.

    [ZLoggerMessage(50, LogLevel.Information, "node {node} {url}: connected, chain {chainId}")]
    public static partial void NodeConnected(this ILogger logger, int node, string url, ulong chainId);

    [ZLoggerMessage(51, LogLevel.Information, "run start: {nodes} node(s), {target}, {walletCount} wallets, {producers}, tx type {txType}")]
    public static partial void RunStart(this ILogger logger, int nodes, string target, int walletCount, string producers, string txType);

    [ZLoggerMessage(52, LogLevel.Information, "funding batch on {url}: {sent} txs sent (try {attempt}), {refused} refused")]
    public static partial void FundingBatch(this ILogger logger, string url, int sent, int attempt, int refused);

    [ZLoggerMessage(53, LogLevel.Information, "funding on {url}: {walletCount} wallets funded, last tx {lastTx} included")]
    public static partial void FundingIncluded(this ILogger logger, string url, int walletCount, string lastTx);

    [ZLoggerMessage(54, LogLevel.Information, "node {node} {url}: connection {connection} open")]
    public static partial void SenderConnected(this ILogger logger, int node, string url, int connection);

    [ZLoggerMessage(55, LogLevel.Warning, "node {node} {url}: connection {connection} lost (loss {losses}): {reason}")]
    public static partial void SenderDisconnected(this ILogger logger, int node, string url, int connection, long losses, string reason);

    [ZLoggerMessage(56, LogLevel.Information, "node {node} {url}: connection {connection} open again")]
    public static partial void SenderReconnected(this ILogger logger, int node, string url, int connection);

    [ZLoggerMessage(57, LogLevel.Warning, "node {node} {url}: cannot connect ({reason}); trying again every 100 ms")]
    public static partial void SenderUnreachable(this ILogger logger, int node, string url, string reason);

    [ZLoggerMessage(58, LogLevel.Warning, "node {node} {url}: first {outcome}: {error}")]
    public static partial void ErrorFirstSeen(this ILogger logger, int node, string url, string outcome, string error);

    [ZLoggerMessage(59, LogLevel.Information, "node {node} {url}: {limit} distinct error texts logged; further new ones are not")]
    public static partial void ErrorTextsCapped(this ILogger logger, int node, string url, int limit);

    [ZLoggerMessage(60, LogLevel.Debug, "resync: {walletCount} wallets ({afterErrors} after errors, {periodic} periodic, {byBreaker} by the breaker, {inclusionTimeouts} inclusion timeouts): {fetched} fetched, {failed} failed")]
    public static partial void ResyncBatch(this ILogger logger, int walletCount, int afterErrors, int periodic, int byBreaker, int inclusionTimeouts, int fetched, int failed);

    [ZLoggerMessage(61, LogLevel.Information, "circuit breaker closed: back to the full rate {openSeconds:0.0} s after it opened")]
    public static partial void BreakerClosed(this ILogger logger, double openSeconds);

    [ZLoggerMessage(62, LogLevel.Information, "sending stopped ({reason}) after {seconds:0.00} s: {sent} sent, {errors} errors")]
    public static partial void SendingStopped(this ILogger logger, string reason, double seconds, long sent, long errors);

    [ZLoggerMessage(63, LogLevel.Information, "grace period: waiting up to {graceSeconds} s for {pending} accepted txs to appear in blocks")]
    public static partial void GraceStart(this ILogger logger, double graceSeconds, long pending);

    [ZLoggerMessage(64, LogLevel.Information, "grace period over after {seconds:0.0} s ({why}): {included} included, {pending} not")]
    public static partial void GraceEnd(this ILogger logger, double seconds, string why, long included, long pending);

    [ZLoggerMessage(41, LogLevel.Information, "Reading {method} at {rate:N0}/s alongside, over {nodes} connection(s) of their own.")]
    public static partial void ReadsStart(this ILogger logger, string method, double rate, int nodes);

    [ZLoggerMessage(42, LogLevel.Information, "Fetching the receipts of {count:N0} included txs ({percent} % sample)...")]
    public static partial void ReceiptsStart(this ILogger logger, long count, double percent);

    [ZLoggerMessage(45, LogLevel.Information, "Waiting for --start-at {startAt} ({seconds:0.0} s)...")]
    public static partial void WaitingForStart(this ILogger logger, string startAt, double seconds);

    [ZLoggerMessage(46, LogLevel.Information, "Shard {shard}: topping up its own funder {shardFunder} with {eth} ETH from {funder}...")]
    public static partial void ShardFunderTopUp(this ILogger logger, string shard, string shardFunder, string eth, string funder);

    [ZLoggerMessage(66, LogLevel.Information, "shard funder top-up on {url}: nonce {nonce} {what}")]
    public static partial void ShardFunderAttempt(this ILogger logger, string url, ulong nonce, string what);

    [ZLoggerMessage(65, LogLevel.Information, "receipts: {fetched} read in {seconds:0.0} s, {reverted} reverted, {missing} missing")]
    public static partial void ReceiptsEnd(this ILogger logger, long fetched, double seconds, long reverted, long missing);

    [ZLoggerMessage(43, LogLevel.Information, "Sending to {sendUrls}; nonces, blocks and receipts from {rpcUrls} (--send-rpc).")]
    public static partial void SendingElsewhere(this ILogger logger, string sendUrls, string rpcUrls);

    [ZLoggerMessage(44, LogLevel.Information, "Confirmation streams open: {urls} (each one's first mention of a tx is its preconfirmation).")]
    public static partial void StreamsOpen(this ILogger logger, string urls);

    [ZLoggerMessage(47, LogLevel.Warning, "confirmation stream {stream} ({url}): {error}; opening it again")]
    public static partial void StreamDropped(this ILogger logger, int stream, string url, string error);
}

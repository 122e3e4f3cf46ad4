using FastLoad.Engine.Load;
using Microsoft.Extensions.Logging;
using ZLogger;

namespace FastLoad.Runner.Logging;

/// <summary>
/// The commands' own events (the engine's are <see cref="RunLog"/>). Ids 100-149 are headlines, the lines the commands
/// have always printed; 150-199 are details for the <c>--log</c> file.
/// </summary>
public static partial class CliEvents
{
    /// <summary>True for the engine's and the commands' headline events: those the console shows at the default level.</summary>
    public static bool IsHeadline(EventId id) => RunLog.IsHeadline(id) || id.Id is >= 100 and < 150;

    /// <summary>Events that record a line the command already wrote to stderr itself (a signal, an error): never echoed to the console.</summary>
    public static bool IsStderrEcho(EventId id) => id.Id is 152 or 153;

    // Headlines.

    [ZLoggerMessage(100, LogLevel.Information, "sink listening on {url}")]
    public static partial void SinkListening(this ILogger logger, string url);

    [ZLoggerMessage(107, LogLevel.Information, "sink listening on {url} (self-signed; trust it with --ca-cert {certificate})")]
    public static partial void SinkListeningTls(this ILogger logger, string url, string certificate);

    [ZLoggerMessage(101, LogLevel.Information, "sink forwarding to {upstream}")]
    public static partial void SinkForwarding(this ILogger logger, string upstream);

    [ZLoggerMessage(102, LogLevel.Information, "sink faults (seed {seed}): {faults}")]
    public static partial void SinkFaults(this ILogger logger, ulong seed, string faults);

    [ZLoggerMessage(103, LogLevel.Information, "sink: {acceptedPerSecond:N0} tx/s accepted, {rejectedPerSecond:N0} rejected/s, {requestsPerSecond:N0} req/s; total {accepted:N0} accepted, {rejected:N0} rejected{faultsSuffix}")]
    public static partial void SinkSecond(this ILogger logger, double acceptedPerSecond, double rejectedPerSecond, double requestsPerSecond, long accepted, long rejected, string faultsSuffix);

    [ZLoggerMessage(104, LogLevel.Information, "sink stopped: {accepted:N0} txs accepted, {rejected:N0} rejected, {requests:N0} requests on {connections:N0} connections{tlsSuffix}")]
    public static partial void SinkStopped(this ILogger logger, long accepted, long rejected, long requests, long connections, string tlsSuffix);

    [ZLoggerMessage(105, LogLevel.Information, "sink faults injected: {faults}")]
    public static partial void SinkFaultsInjected(this ILogger logger, string faults);

    [ZLoggerMessage(106, LogLevel.Information, "Presigned {count:N0} txs into {path} ({mebibytes:F1} MiB) in {seconds:F2} s: {rate:N0} tx/s")]
    public static partial void Presigned(this ILogger logger, long count, string path, double mebibytes, double seconds, double rate);

    // Details.

    [ZLoggerMessage(108, LogLevel.Information, "metrics: serving {url} (Prometheus text format)")]
    public static partial void MetricsServing(this ILogger logger, string url);

    [ZLoggerMessage(109, LogLevel.Warning, "metrics: /metrics is reachable from other hosts ({url}): it shows node URLs and the run's figures")]
    public static partial void MetricsExposed(this ILogger logger, string url);

    [ZLoggerMessage(110, LogLevel.Information, "metrics: serving the final figures for {seconds:0.#} s more (--metrics-linger)")]
    public static partial void MetricsLinger(this ILogger logger, double seconds);

    [ZLoggerMessage(150, LogLevel.Information, "results file written: {path}, {rows} tx rows, status {status}")]
    public static partial void ResultsWritten(this ILogger logger, string path, long rows, string status);

    [ZLoggerMessage(151, LogLevel.Information, "run end: {status}; {sent} sent, {accepted} accepted, {errors} errors, {included} included in {sendSeconds:0.00} s of sending; exit code {exitCode}")]
    public static partial void RunEnd(this ILogger logger, string status, long sent, long accepted, long errors, long included, double sendSeconds, int exitCode);

    [ZLoggerMessage(152, LogLevel.Warning, "{signal}: stopping (no more signing, draining in-flight requests)")]
    public static partial void Signal(this ILogger logger, string signal);

    [ZLoggerMessage(153, LogLevel.Error, "{command} failed: {error}")]
    public static partial void CommandFailed(this ILogger logger, string command, string error);

    [ZLoggerMessage(154, LogLevel.Information, "presign start: {count} txs into {path}, {wallets} wallets, tx type {txType}")]
    public static partial void PresignStart(this ILogger logger, long count, string path, int wallets, string txType);

    [ZLoggerMessage(155, LogLevel.Information, "sweep start: {wallets} wallets on {nodes} node(s) back to {to}")]
    public static partial void SweepStart(this ILogger logger, int wallets, int nodes, string to);
}

using Microsoft.Extensions.Logging;
using ZLogger;

namespace FastLoad.Engine.Load;

/// <summary>The workload set-up's events (ids 20-29 headlines, 70-79 details); see <see cref="RunLog"/>.</summary>
public static partial class RunLog
{
    [ZLoggerMessage(20, LogLevel.Information, "Workload {spec}: setting up on {url}...")]
    public static partial void WorkloadSetupStart(this ILogger logger, string spec, string url);

    [ZLoggerMessage(21, LogLevel.Information, "Deployed {contract} at {address} (tx {tx})")]
    public static partial void ContractDeployed(this ILogger logger, string contract, string address, string tx);

    [ZLoggerMessage(22, LogLevel.Information, "Reusing {contract} at {address} (code checked on every node)")]
    public static partial void ContractReused(this ILogger logger, string contract, string address);

    [ZLoggerMessage(23, LogLevel.Information, "Workload ready: minter role granted to {granted:N0}, {minted:N0} wallets minted {tokens} tokens each; gas limits {gasLimits}")]
    public static partial void WorkloadReady(this ILogger logger, int granted, int minted, string tokens, string gasLimits);

    [ZLoggerMessage(24, LogLevel.Information, "Checking {what}...")]
    public static partial void WorkloadCheckStart(this ILogger logger, string what);

    [ZLoggerMessage(25, LogLevel.Information, "Workload ready: gas limits {gasLimits}")]
    public static partial void WorkloadGasReady(this ILogger logger, string gasLimits);

    [ZLoggerMessage(70, LogLevel.Debug, "set-up tx {what}: {tx}")]
    public static partial void SetupTxSent(this ILogger logger, string what, string tx);
}

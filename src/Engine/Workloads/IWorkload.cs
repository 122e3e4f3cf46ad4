using FastLoad.Engine.Primitives;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Workloads;

/// <summary>
/// What a run sends: set up once before sending (deploys, role grants, mints), then asked by the signer threads for
/// the next tx of a wallet, then checked after the run. <see cref="NextTx"/> is the hot path: it writes calldata into
/// the caller's span and returns a plain struct, allocating nothing.
/// </summary>
/// <remarks>
/// <see cref="NextTx"/> must be a pure function of the wallet and the nonce (given the set-up): the same nonce always
/// gives the same tx. A wallet's txs are re-signed after a resync, and nonce gaps are closed after the run by signing
/// the missing nonces again, which only works when the node sees the same bytes; and the ledger check recomputes each
/// included tx's effect from its wallet and nonce alone. Each wallet is owned by one signer thread, so per-wallet state
/// needs no lock.
/// </remarks>
public interface IWorkload
{
    /// <summary>The --workload text it was made from, normalised (e.g. <c>mix:mint=50,burn=30,transfer=20</c>).</summary>
    string Spec { get; }

    /// <summary>Largest calldata <see cref="NextTx"/> writes.</summary>
    int MaxCalldataLength { get; }

    /// <summary>The most gas any tx of this workload is given (after <see cref="SetupAsync"/>): funding is sized on it.</summary>
    ulong MaxGasLimit { get; }

    /// <summary>The most ETH (wei) any tx carries.</summary>
    UInt256 MaxValue { get; }

    /// <summary>Contracts the set-up deployed or reused (for the results' <c>contracts</c> table).</summary>
    IReadOnlyList<DeployedContract> Contracts { get; }

    /// <summary>True when the post-run check needs the (wallet, nonce) of every included tx.</summary>
    bool NeedsInclusions { get; }

    /// <summary>Once, before funding and sending; awaited. Wallet nonces are known (<see cref="Wallet.NextNonce"/>).</summary>
    Task SetupAsync(WorkloadSetup setup, CancellationToken cancel);

    /// <summary>The tx of <paramref name="wallet"/> at <paramref name="nonce"/>: calldata into <paramref name="calldata"/>, the rest returned.</summary>
    TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata);

    /// <summary>After the run (cold): checks the workload's effect on chain; null when it has nothing to check.</summary>
    Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel);
}

/// <summary>One tx as a workload plans it; the signer adds nonce, fees, chain id and signature.</summary>
public readonly record struct TxPlan(WorkloadOp Op, Address? To, UInt256 Value, int DataLength, ulong GasLimit);

/// <summary>What a tx does, stored per tx in the results (<c>txs.op</c>). One byte; names in <see cref="WorkloadOps"/>.</summary>
public enum WorkloadOp : byte
{
    Transfer = 0,
    Erc20Transfer = 1,
    Mint = 2,
    Burn = 3,
    Deploy = 4,
    GasBurn = 5,
    StorageWrite = 6,
    Call = 7,
}

/// <summary>The one name table of <see cref="WorkloadOp"/> (results' <c>ops</c> table, CLI output).</summary>
public static class WorkloadOps
{
    public static string Name(WorkloadOp op) => op switch
    {
        WorkloadOp.Transfer => "transfer",
        WorkloadOp.Erc20Transfer => "erc20_transfer",
        WorkloadOp.Mint => "mint",
        WorkloadOp.Burn => "burn",
        WorkloadOp.Deploy => "deploy",
        WorkloadOp.GasBurn => "gas_burn",
        WorkloadOp.StorageWrite => "storage_write",
        WorkloadOp.Call => "call",
        _ => "other",
    };

    public static IReadOnlyList<WorkloadOp> All { get; } = Enum.GetValues<WorkloadOp>();
}

/// <summary>A contract a run's set-up deployed (or found again with --reuse-setup).</summary>
public sealed record DeployedContract(string Name, Address Address, Hash256? DeployTx)
{
    /// <summary>Taken from an earlier run (--reuse-setup) rather than deployed by this one.</summary>
    public bool Reused { get; init; }
}

/// <summary>The outcome of a workload's post-run check, as data (the CLI formats it).</summary>
public sealed record WorkloadCheck
{
    /// <summary>What was checked, e.g. "ledger".</summary>
    public required string Name { get; init; }

    /// <summary>Wallets whose balance was compared.</summary>
    public required int Checked { get; init; }

    /// <summary>Wallets in the run.</summary>
    public required int Wallets { get; init; }

    /// <summary>Included txs the check counted (from the run's inclusion tracking).</summary>
    public long IncludedTxs { get; init; }

    public IReadOnlyList<LedgerMismatch> Mismatches { get; init; } = [];

    /// <summary>Sum of the checked wallets' balances, expected from the ledger and read on chain (all wallets checked only).</summary>
    public System.Numerics.BigInteger? ExpectedSum { get; init; }

    public System.Numerics.BigInteger? ActualSum { get; init; }

    /// <summary>The token's totalSupply() after the run.</summary>
    public System.Numerics.BigInteger? TotalSupply { get; init; }

    /// <summary>Included ops by kind (mint, burn, erc20_transfer) and the tokens they moved.</summary>
    public IReadOnlyList<(WorkloadOp Op, long Count, System.Numerics.BigInteger Amount)> Ops { get; init; } = [];

    /// <summary>Why the check could not be made (a node error); it then fails.</summary>
    public string? Error { get; init; }

    /// <summary>A weighted workload's checks, one per part that has one (the rest of this record sums them).</summary>
    public IReadOnlyList<(string Spec, WorkloadCheck Check)> Parts { get; init; } = [];

    public bool Passed => Parts.Count > 0 ? Parts.All(p => p.Check.Passed) : Error is null && Mismatches.Count == 0 && ExpectedSum == ActualSum;
}

/// <summary>
/// A wallet whose balance on chain is not what its included ops imply (<c>ledger</c>); for <c>deploy</c>, a created
/// address without the expected code (<see cref="Expected"/> and <see cref="Actual"/> are code lengths in bytes).
/// </summary>
public sealed record LedgerMismatch(int Wallet, Address Address, System.Numerics.BigInteger Expected, System.Numerics.BigInteger Actual);

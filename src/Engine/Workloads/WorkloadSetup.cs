using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using Microsoft.Extensions.Logging;

namespace FastLoad.Engine.Workloads;

/// <summary>What a workload's set-up works with (cold path).</summary>
public sealed record WorkloadSetup
{
    /// <summary>The run's nodes (one chain); set-up txs go to the first.</summary>
    public required IReadOnlyList<RpcClient> Nodes { get; init; }

    /// <summary>The funder pays for set-up txs (deploys, grants, mints); null when none was given.</summary>
    public required PrivateKey? Funder { get; init; }

    public required ulong ChainId { get; init; }

    public required GasPricing Gas { get; init; }

    public required TxType TxType { get; init; }

    public required WalletSet Wallets { get; init; }

    /// <summary>Nonces each tx takes from its sender (2 for EIP-7702 with a self-signed authorization).</summary>
    public int NoncesPerTx => TransferWorkload.NoncesPerTxOf(TxType);

    /// <summary>Contracts of an earlier run to use instead of deploying (--reuse-setup).</summary>
    public IReadOnlyList<DeployedContract> Reuse { get; init; } = [];

    public ILogger Log { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The funder, or a one-line error saying how to give one.</summary>
    public PrivateKey RequireFunder(string workload) => Funder ?? throw new RunSetupException(
        $"--workload {workload} deploys and mints from the funder: set FASTLOAD_FUNDER_KEY (or --funder-key-file FILE, or --funder-mnemonic-file FILE)");
}

/// <summary>What a workload's post-run check works with (cold path).</summary>
public sealed record WorkloadCheckContext
{
    public required IReadOnlyList<RpcClient> Nodes { get; init; }

    public required WalletSet Wallets { get; init; }

    /// <summary>(wallet, nonce) of every tx the run saw in a block; null when not tracked.</summary>
    public IncludedNonces? Included { get; init; }

    /// <summary>Compare this many wallets, drawn at random, instead of all (--ledger-sample N); null = all.</summary>
    public int? Sample { get; init; }

    /// <summary>Signs the run's txs again (the same nonce gives the same tx, so the same hash): for checks that need receipts.</summary>
    public TxComposer? Composer { get; init; }

    /// <summary>Read balances as of this block (the last one the run's block watchers went through); null = latest.</summary>
    public ulong? AtBlock { get; init; }
}

using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Workloads;

/// <summary>
/// ETH transfers of <see cref="Value"/> wei to <see cref="Recipient"/>, of the chosen tx type (<c>--workload transfer</c>,
/// the default). For EIP-7702 each tx also carries an authorization signed by the sender itself (its nonce + 1),
/// delegating to <see cref="Recipient"/> — two signatures per tx, as a real 7702 load has — and so takes two nonces
/// (<see cref="NoncesPerTx"/>). No set-up, no calldata; checked on chain by nonces and balances in the tests.
/// </summary>
public sealed class TransferWorkload : IWorkload
{
    private TxComposer? _composer;

    public TransferWorkload(TxType type, UInt256 chainId, GasPricing gas)
    {
        Type = type;
        ChainId = chainId;
        Gas = gas;
    }

    public TxType Type { get; }

    public UInt256 ChainId { get; }

    public GasPricing Gas { get; }

    public string Spec => "transfer";

    public Address Recipient { get; init; } = TxComposer.DefaultDelegate;

    public UInt256 Value { get; init; } = 1;

    public ulong GasLimit => GasLimitOf(Type);

    /// <summary>21,000 for a plain transfer; 30,000 for EIP-2930; 60,000 for EIP-7702 (one authorization, 25,000 more).</summary>
    public static ulong GasLimitOf(TxType type) => type == TxType.SetCode ? 60_000UL : type == TxType.AccessList ? 30_000UL : 21_000UL;

    public int MaxCalldataLength => 0;

    public ulong MaxGasLimit => GasLimit;

    public UInt256 MaxValue => Value;

    public IReadOnlyList<DeployedContract> Contracts => [];

    public bool NeedsInclusions => false;

    /// <summary>
    /// Nonces one tx takes from its sender on chain. EIP-7702 bumps the sender's nonce for the tx before it
    /// processes the authorization list, so a self-signed authorization must carry nonce + 1 and bumps it again:
    /// the wallet's next tx has nonce + 2.
    /// </summary>
    public int NoncesPerTx => NoncesPerTxOf(Type);

    /// <summary><see cref="NoncesPerTx"/> for a tx type.</summary>
    public static int NoncesPerTxOf(TxType type) => type == TxType.SetCode ? 2 : 1;

    /// <summary>
    /// True when a wallet may have only one tx in a node's pool at a time: node pools count one nonce per tx, so they
    /// park a wallet's next tx (nonce + <see cref="NoncesPerTx"/>) as a nonce gap until the previous one is mined, and
    /// anvil and hardhat never promote it even then; geth takes one pending tx per delegated account.
    /// </summary>
    public bool OneTxInPoolPerWallet => NoncesPerTx > 1;

    /// <summary>The signer of this workload's txs (type, chain, fees bound).</summary>
    public TxComposer Composer => _composer ??= new TxComposer(this, Type, ChainId, Gas);

    /// <summary>The most one tx can cost: gas limit × fee cap + value.</summary>
    public UInt256 MaxCostPerTx => Composer.MaxCostPerTx;

    public Task SetupAsync(WorkloadSetup setup, CancellationToken cancel) => Task.CompletedTask;

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata) => new(WorkloadOp.Transfer, Recipient, Value, 0, GasLimit);

    public Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel) => Task.FromResult<WorkloadCheck?>(null);

    /// <summary>
    /// Signs the next tx of <paramref name="wallet"/> with <paramref name="nonce"/> into <paramref name="envelope"/>;
    /// it takes nonces <paramref name="nonce"/> to <paramref name="nonce"/> + <see cref="NoncesPerTx"/> - 1.
    /// </summary>
    public int Sign(Wallet wallet, ulong nonce, Span<byte> envelope, Span<byte> txHash, SignedAuthorization[] authorizationScratch) =>
        Composer.Sign(wallet, nonce, envelope, txHash, authorizationScratch, [], out _);

    /// <summary>Parses --tx-type.</summary>
    public static TxType ParseType(string text) => text.ToLowerInvariant() switch
    {
        "legacy" or "0" => TxType.Legacy,
        "2930" or "eip2930" or "1" => TxType.AccessList,
        "1559" or "eip1559" or "2" => TxType.DynamicFee,
        "7702" or "eip7702" or "4" => TxType.SetCode,
        _ => throw new ArgumentException($"--tx-type '{text}' is unknown: use legacy, 2930, 1559 or 7702"),
    };
}

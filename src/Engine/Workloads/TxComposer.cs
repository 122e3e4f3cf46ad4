using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Workloads;

/// <summary>
/// Signs a workload's next tx: asks the workload for the plan (op, to, value, calldata, gas limit), binds the run's tx
/// type, chain id and fees, signs into the caller's envelope. One interface call per tx on top of the signing; nothing
/// allocated (calldata lives in the caller's per-thread buffer, wrapped as memory, never copied).
/// </summary>
public sealed class TxComposer(IWorkload workload, TxType type, UInt256 chainId, GasPricing gas)
{
    /// <summary>What an EIP-7702 tx's self-signed authorization delegates to (and the default ETH transfer recipient).</summary>
    public static readonly Address DefaultDelegate = Address.Parse("0x000000000000000000000000000000000000dEaD");

    public IWorkload Workload { get; } = workload;

    public TxType Type { get; } = type;

    public UInt256 ChainId { get; } = chainId;

    public GasPricing Gas { get; } = gas;

    public int NoncesPerTx => TransferWorkload.NoncesPerTxOf(Type);

    /// <summary>See <see cref="TransferWorkload.OneTxInPoolPerWallet"/>.</summary>
    public bool OneTxInPoolPerWallet => NoncesPerTx > 1;

    /// <summary>The calldata buffer each signer thread needs.</summary>
    public int CalldataCapacity => Math.Max(1, Workload.MaxCalldataLength);

    /// <summary>The most one tx can cost: the workload's largest gas limit × fee cap + its largest value.</summary>
    public UInt256 MaxCostPerTx
    {
        get
        {
            UInt256 fee = Type is TxType.Legacy or TxType.AccessList ? Gas.GasPrice : Gas.MaxFeePerGas;
            if (!fee.TryMultiplyAdd(Workload.MaxGasLimit, 0, out UInt256 cost)) return UInt256.MaxValue;
            return UInt256.FromBigInteger(Workload.MaxValue.ToBigInteger() + cost.ToBigInteger());
        }
    }

    /// <summary>
    /// Signs the tx of <paramref name="wallet"/> at <paramref name="nonce"/> into <paramref name="envelope"/> (it takes
    /// nonces <paramref name="nonce"/> to <paramref name="nonce"/> + <see cref="NoncesPerTx"/> - 1); returns the
    /// envelope length and the tx's op.
    /// </summary>
    public int Sign(Wallet wallet, ulong nonce, Span<byte> envelope, Span<byte> txHash, SignedAuthorization[] authorizationScratch, byte[] calldata, out WorkloadOp op)
    {
        TxPlan plan = Workload.NextTx(wallet, nonce, calldata);
        op = plan.Op;
        ReadOnlyMemory<byte> data = plan.DataLength == 0 ? default : calldata.AsMemory(0, plan.DataLength);
        switch (Type)
        {
            case TxType.Legacy:
                return TransactionSigner.Sign(new LegacyTransaction
                {
                    ChainId = ChainId, Nonce = nonce, GasPrice = Gas.GasPrice, GasLimit = plan.GasLimit, To = plan.To, Value = plan.Value, Data = data,
                }, wallet.Key, envelope, txHash);
            case TxType.AccessList:
                return TransactionSigner.Sign(new AccessListTransaction
                {
                    ChainId = ChainId, Nonce = nonce, GasPrice = Gas.GasPrice, GasLimit = plan.GasLimit, To = plan.To, Value = plan.Value, Data = data,
                }, wallet.Key, envelope, txHash);
            case TxType.SetCode:
                authorizationScratch[0] = new Authorization { ChainId = ChainId, Address = DelegateOf(plan), Nonce = nonce + 1 }.Sign(wallet.Key);
                return TransactionSigner.Sign(new SetCodeTransaction
                {
                    ChainId = ChainId, Nonce = nonce, MaxFeePerGas = Gas.MaxFeePerGas, MaxPriorityFeePerGas = Gas.MaxPriorityFeePerGas,
                    GasLimit = plan.GasLimit, To = plan.To ?? DefaultDelegate, Value = plan.Value, Data = data, AuthorizationList = authorizationScratch,
                }, wallet.Key, envelope, txHash);
            default:
                return TransactionSigner.Sign(new DynamicFeeTransaction
                {
                    ChainId = ChainId, Nonce = nonce, MaxFeePerGas = Gas.MaxFeePerGas, MaxPriorityFeePerGas = Gas.MaxPriorityFeePerGas,
                    GasLimit = plan.GasLimit, To = plan.To, Value = plan.Value, Data = data,
                }, wallet.Key, envelope, txHash);
        }
    }

    /// <summary>An ETH transfer delegates to its recipient (as before workloads existed); a contract call to the default.</summary>
    private static Address DelegateOf(in TxPlan plan) => plan.Op == WorkloadOp.Transfer && plan.To is Address to ? to : DefaultDelegate;
}

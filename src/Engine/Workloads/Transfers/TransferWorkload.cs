using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Load;

/// <summary>Gas pricing for the run: fetched from the node, optionally overridden.</summary>
public readonly record struct GasPricing(UInt256 GasPrice, UInt256 MaxFeePerGas, UInt256 MaxPriorityFeePerGas);

/// <summary>
/// ETH transfers of <see cref="Value"/> wei to <see cref="Recipient"/>, of the chosen tx type.
/// For EIP-7702 each tx also carries an authorization signed by the sender itself (its nonce + 1),
/// delegating to <see cref="Recipient"/> — two signatures per tx, as a real 7702 load has — and so
/// takes two nonces (<see cref="NoncesPerTx"/>).
/// </summary>
public sealed class TransferWorkload(TxType type, UInt256 chainId, GasPricing gas)
{
    public TxType Type { get; } = type;

    public UInt256 ChainId { get; } = chainId;

    public GasPricing Gas { get; } = gas;

    public Address Recipient { get; init; } = Address.Parse("0x000000000000000000000000000000000000dEaD");

    public UInt256 Value { get; init; } = 1;

    public ulong GasLimit => Type == TxType.SetCode ? 60_000UL : Type == TxType.AccessList ? 30_000UL : 21_000UL;

    /// <summary>
    /// Nonces one tx takes from its sender on chain. EIP-7702 bumps the sender's nonce for the tx before it
    /// processes the authorization list, so a self-signed authorization must carry nonce + 1 and bumps it again:
    /// the wallet's next tx has nonce + 2.
    /// </summary>
    public int NoncesPerTx => NoncesPerTxOf(Type);

    /// <summary><see cref="NoncesPerTx"/> for a tx type of this workload.</summary>
    public static int NoncesPerTxOf(TxType type) => type == TxType.SetCode ? 2 : 1;

    /// <summary>
    /// True when a wallet may have only one tx in a node's pool at a time: node pools count one nonce per tx, so they
    /// park a wallet's next tx (nonce + <see cref="NoncesPerTx"/>) as a nonce gap until the previous one is mined, and
    /// anvil and hardhat never promote it even then; geth takes one pending tx per delegated account.
    /// </summary>
    public bool OneTxInPoolPerWallet => NoncesPerTx > 1;

    /// <summary>The most one tx can cost: gas limit × fee cap + value.</summary>
    public UInt256 MaxCostPerTx
    {
        get
        {
            UInt256 fee = Type is TxType.Legacy or TxType.AccessList ? Gas.GasPrice : Gas.MaxFeePerGas;
            if (!fee.TryMultiplyAdd(GasLimit, 0, out UInt256 cost)) return UInt256.MaxValue;
            var total = new System.Numerics.BigInteger(Value.U0) + cost.ToBigInteger();
            return UInt256.FromBigInteger(total);
        }
    }

    /// <summary>
    /// Signs the next tx of <paramref name="wallet"/> with <paramref name="nonce"/> into <paramref name="envelope"/>;
    /// it takes nonces <paramref name="nonce"/> to <paramref name="nonce"/> + <see cref="NoncesPerTx"/> - 1.
    /// </summary>
    public int Sign(Wallet wallet, ulong nonce, Span<byte> envelope, Span<byte> txHash, SignedAuthorization[] authorizationScratch)
    {
        switch (Type)
        {
            case TxType.Legacy:
                return TransactionSigner.Sign(new LegacyTransaction
                {
                    ChainId = ChainId, Nonce = nonce, GasPrice = Gas.GasPrice, GasLimit = GasLimit, To = Recipient, Value = Value,
                }, wallet.Key, envelope, txHash);
            case TxType.AccessList:
                return TransactionSigner.Sign(new AccessListTransaction
                {
                    ChainId = ChainId, Nonce = nonce, GasPrice = Gas.GasPrice, GasLimit = GasLimit, To = Recipient, Value = Value,
                }, wallet.Key, envelope, txHash);
            case TxType.SetCode:
                authorizationScratch[0] = new Authorization { ChainId = ChainId, Address = Recipient, Nonce = nonce + 1 }.Sign(wallet.Key);
                return TransactionSigner.Sign(new SetCodeTransaction
                {
                    ChainId = ChainId, Nonce = nonce, MaxFeePerGas = Gas.MaxFeePerGas, MaxPriorityFeePerGas = Gas.MaxPriorityFeePerGas,
                    GasLimit = GasLimit, To = Recipient, Value = Value, AuthorizationList = authorizationScratch,
                }, wallet.Key, envelope, txHash);
            default:
                return TransactionSigner.Sign(new DynamicFeeTransaction
                {
                    ChainId = ChainId, Nonce = nonce, MaxFeePerGas = Gas.MaxFeePerGas, MaxPriorityFeePerGas = Gas.MaxPriorityFeePerGas,
                    GasLimit = GasLimit, To = Recipient, Value = Value,
                }, wallet.Key, envelope, txHash);
        }
    }

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

using System.Diagnostics.CodeAnalysis;

namespace FastLoad.Engine.Sink;

/// <summary>
/// The real <c>eth_sendRawTransaction</c> errors of geth, reth, anvil and hardhat, word for word, that
/// <c>tx-error</c> injects: the same texts <see cref="Rpc.ErrorClassifier"/> and its tests know (sources cited there:
/// geth core/txpool errors, reth RpcPoolError/RpcInvalidTransactionError, anvil 1.7.1 observed, hardhat/EDR).
/// A client without such an error (anvil and hardhat have no pool limit) has no entry.
/// </summary>
public static class TxErrorMessages
{
    public static IReadOnlyList<string> Clients { get; } = ["geth", "reth", "anvil", "hardhat"];

    private static readonly Dictionary<(TxErrorKind, string), (int Code, string Message)> Table = new()
    {
        [(TxErrorKind.NonceTooLow, "geth")] = (-32000, "nonce too low"),
        [(TxErrorKind.NonceTooHigh, "geth")] = (-32000, "nonce too high"),
        [(TxErrorKind.AlreadyKnown, "geth")] = (-32000, "already known"),
        [(TxErrorKind.ReplacementUnderpriced, "geth")] = (-32000, "replacement transaction underpriced"),
        [(TxErrorKind.Underpriced, "geth")] = (-32000, "transaction underpriced: tip needed 1, tip permitted 0"),
        [(TxErrorKind.InsufficientFunds, "geth")] = (-32000, "insufficient funds for gas * price + value: balance 0, tx cost 21000000000000, overshot 21000000000000"),
        [(TxErrorKind.TxPoolFull, "geth")] = (-32000, "txpool is full"),

        [(TxErrorKind.NonceTooLow, "reth")] = (-32000, "nonce too low: next nonce 5, tx nonce 3"),
        [(TxErrorKind.NonceTooHigh, "reth")] = (-32000, "nonce too high"),
        [(TxErrorKind.AlreadyKnown, "reth")] = (-32000, "already known"),
        [(TxErrorKind.ReplacementUnderpriced, "reth")] = (-32003, "replacement transaction underpriced"),
        [(TxErrorKind.Underpriced, "reth")] = (-32003, "transaction priority fee below minimum required priority fee 1000"),
        [(TxErrorKind.InsufficientFunds, "reth")] = (-32003, "insufficient funds for gas * price + value: have 0 want 21000000000000"),
        [(TxErrorKind.TxPoolFull, "reth")] = (-32003, "txpool is full"),

        [(TxErrorKind.NonceTooLow, "anvil")] = (-32003, "nonce too low"),
        [(TxErrorKind.NonceTooHigh, "anvil")] = (-32003, "Nonce too high"),
        [(TxErrorKind.AlreadyKnown, "anvil")] = (-32003, "transaction already imported"),
        [(TxErrorKind.ReplacementUnderpriced, "anvil")] = (-32003, "replacement transaction underpriced"),
        [(TxErrorKind.Underpriced, "anvil")] = (-32003, "max fee per gas less than block base fee"),
        [(TxErrorKind.InsufficientFunds, "anvil")] = (-32003, "Insufficient funds for gas * price + value"),

        [(TxErrorKind.NonceTooLow, "hardhat")] = (-32000, "Nonce too low. Expected nonce to be 3 but got 1. Note that transactions can't be queued when automining."),
        [(TxErrorKind.NonceTooHigh, "hardhat")] = (-32000, "Nonce too high. Expected nonce to be 0 but got 5. Note that transactions can't be queued when automining."),
        [(TxErrorKind.AlreadyKnown, "hardhat")] = (-32000, "Known transaction: {hash}"),
        [(TxErrorKind.ReplacementUnderpriced, "hardhat")] = (-32000, "Replacement transaction underpriced. A gasPrice/maxFeePerGas of at least 22000000000 is necessary to replace the existing transaction with nonce 0."),
        [(TxErrorKind.Underpriced, "hardhat")] = (-32000, "Transaction maxFeePerGas (200000) is too low for the next block, which has a baseFeePerGas of 875000000"),
        [(TxErrorKind.InsufficientFunds, "hardhat")] = (-32000, "sender doesn't have enough funds to send tx. The max upfront cost is: 420000 and the sender's account only has: 0"),
    };

    public static string KindName(TxErrorKind kind) => kind switch
    {
        TxErrorKind.NonceTooLow => "nonce-too-low",
        TxErrorKind.NonceTooHigh => "nonce-too-high",
        TxErrorKind.AlreadyKnown => "already-known",
        TxErrorKind.ReplacementUnderpriced => "replacement-underpriced",
        TxErrorKind.Underpriced => "underpriced",
        TxErrorKind.InsufficientFunds => "insufficient-funds",
        TxErrorKind.TxPoolFull => "txpool-full",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParseKind(string name, out TxErrorKind kind)
    {
        foreach (TxErrorKind k in Enum.GetValues<TxErrorKind>())
        {
            if (KindName(k).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>The code and message <paramref name="client"/> answers for <paramref name="kind"/>; <c>{hash}</c> stands for the tx hash.</summary>
    public static bool TryGet(TxErrorKind kind, string client, out int code, [NotNullWhen(true)] out string? message)
    {
        if (Table.TryGetValue((kind, client), out (int Code, string Message) entry))
        {
            code = entry.Code;
            message = entry.Message;
            return true;
        }
        code = 0;
        message = null;
        return false;
    }

    /// <summary>The clients that have <paramref name="kind"/>.</summary>
    public static IEnumerable<string> ClientsWith(TxErrorKind kind) => Clients.Where(c => Table.ContainsKey((kind, c)));
}

using System.Runtime.CompilerServices;
using System.Text;

namespace FastLoad.Engine.Rpc;

/// <summary>
/// Maps a JSON-RPC error (code + message) or an HTTP status to a <see cref="TxOutcome"/>. Nodes do not agree on codes,
/// so the message decides: case-insensitive substring rules over the wordings of geth, reth/anvil (foundry),
/// Nethermind (old CamelCase codes and the newer geth-style phrases), Besu, Erigon and hardhat (EDR).
/// The rules are checked in order, most specific first; the code only decides when no rule matched. Allocates nothing.
/// </summary>
public static class ErrorClassifier
{
    /// <summary>Only the first bytes of a message are looked at: every rule's phrase sits near the start.</summary>
    public const int MaxScannedBytes = 512;

    /// <summary>EIP-1474 "limit exceeded"; Infura answers rate limiting with it.</summary>
    public const int LimitExceededCode = -32005;

    public static TxOutcome Classify(int code, string message) => Classify(code, Encoding.UTF8.GetBytes(message));

    public static TxOutcome Classify(int code, ReadOnlySpan<byte> message)
    {
        Scratch scratch = default;
        Span<byte> lower = scratch;
        int length = Math.Min(message.Length, MaxScannedBytes);
        for (int i = 0; i < length; i++)
        {
            byte b = message[i];
            lower[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }
        return ClassifyLower(code, lower[..length]);
    }

    private static TxOutcome ClassifyLower(int code, ReadOnlySpan<byte> m)
    {
        // --- the tx is already in the pool -------------------------------------------------------------------
        if (m.IndexOf("already known"u8) >= 0 // geth ErrAlreadyKnown, reth RpcPoolError, Nethermind (new), Erigon
            || m.IndexOf("alreadyknown"u8) >= 0 // Nethermind AcceptTxResult.AlreadyKnown (old code text)
            || m.IndexOf("already imported"u8) >= 0 // anvil: "transaction already imported"
            || ContainsWord(m, "known transaction"u8) // Besu "Known transaction", hardhat "Known transaction: 0x…" (not "unknown transaction")
            || m.IndexOf("with same hash"u8) >= 0 // Erigon "existing tx(n) with same hash"
            || m.IndexOf("already_exists"u8) >= 0) // Erigon ImportResult prefix "ALREADY_EXISTS: …"
            return TxOutcome.AlreadyKnown;

        // --- same nonce in the pool, not enough fee bump ------------------------------------------------------
        if (m.IndexOf("replacement transaction underpriced"u8) >= 0 // geth, reth, anvil, Besu, Erigon, Nethermind (new), hardhat
            || m.IndexOf("replacementnotallowed"u8) >= 0 // Nethermind AcceptTxResult.ReplacementNotAllowed (old)
            || m.IndexOf("could not replace existing tx"u8) >= 0 // Erigon NotReplaced
            || m.IndexOf("to replace existing transaction"u8) >= 0) // anvil/reth PoolError "insufficient gas price to replace existing transaction"
            return TxOutcome.Underpriced;

        // --- the pool (or this sender's share of it) is full -------------------------------------------------
        if (m.IndexOf("pool is full"u8) >= 0 // geth/reth "txpool is full", Erigon "pending/baseFee/queued sub-pool is full"
            || m.IndexOf("txpoolfull"u8) >= 0 || m.IndexOf("pool full"u8) >= 0 || m.IndexOf("pool overflow"u8) >= 0
            || m.IndexOf("account limit exceeded"u8) >= 0 // geth ErrAccountLimitExceeded: too many txs from this sender
            || m.IndexOf("feetoolowtocompete"u8) >= 0 // Nethermind (old): pool full and the fee is below its cheapest tx
            || m.IndexOf("spammer"u8) >= 0) // Erigon Spammer: sender over its pool slots
            return TxOutcome.PoolFull;

        // --- nonce ----------------------------------------------------------------------------------------------
        if (m.IndexOf("authority nonce too low"u8) >= 0) // geth: an EIP-7702 authorization's nonce, not the tx nonce
            return TxOutcome.Other;
        if (m.IndexOf("nonce too low"u8) >= 0 // geth ErrNonceTooLow, reth "nonce too low: next nonce N, tx nonce M", anvil, Besu, Erigon, hardhat
            || m.IndexOf("oldnonce"u8) >= 0 // Nethermind AcceptTxResult.OldNonce (old)
            || m.IndexOf("nonce is too low"u8) >= 0) // OpenEthereum "Transaction nonce is too low"
            return TxOutcome.NonceTooLow;
        if (m.IndexOf("nonce too high"u8) >= 0 // geth ErrNonceTooHigh, reth, anvil "Nonce too high", Besu, Nethermind (new), hardhat
            || m.IndexOf("noncegap"u8) >= 0 || m.IndexOf("nonce gap"u8) >= 0 // Nethermind AcceptTxResult.NonceGap (old)
            || m.IndexOf("nonce too far in future"u8) >= 0 || m.IndexOf("noncetoofarinfuture"u8) >= 0 // Nethermind NonceTooFarInFuture
            || m.IndexOf("too distant from current sender nonce"u8) >= 0) // Besu NONCE_TOO_FAR_IN_FUTURE_FOR_SENDER
            return TxOutcome.NonceTooHigh;

        // --- balance ---------------------------------------------------------------------------------------------
        if (m.IndexOf("insufficient funds"u8) >= 0 // geth "insufficient funds for gas * price + value", reth, anvil, Erigon, Nethermind (new)
            || m.IndexOf("insufficientfunds"u8) >= 0 // Nethermind AcceptTxResult.InsufficientFunds (old)
            || m.IndexOf("upfront cost exceeds account balance"u8) >= 0 // Besu
            || m.IndexOf("enough funds"u8) >= 0) // hardhat "sender doesn't have enough funds to send tx"
            return TxOutcome.InsufficientFunds;

        // --- fee below the pool's minimum or the base fee -----------------------------------------------------
        if (m.IndexOf("underpriced"u8) >= 0 // geth ErrUnderpriced "transaction underpriced", Erigon "underpriced", Nethermind (new)
            || m.IndexOf("fee per gas less than block base fee"u8) >= 0 // geth ErrFeeCapTooLow, reth, anvil
            || m.IndexOf("feetoolow"u8) >= 0 // Nethermind AcceptTxResult.FeeTooLow (old)
            || m.IndexOf("fee too low"u8) >= 0 || m.IndexOf("fee_too_low"u8) >= 0 // Erigon FeeTooLow / ImportResult FEE_TOO_LOW
            || m.IndexOf("gas price below"u8) >= 0 // Besu "Gas price below configured minimum gas price" / "… current base fee"
            || m.IndexOf("too low for the next block"u8) >= 0 // hardhat "Transaction maxFeePerGas (x) is too low for the next block, …"
            || m.IndexOf("which is below the minimum"u8) >= 0 // hardhat "Transaction gas price is x, which is below the minimum of y"
            || m.IndexOf("priority fee below minimum"u8) >= 0) // reth PriorityFeeBelowMinimum
            return TxOutcome.Underpriced;

        // --- not a rate limit even though some nodes use -32005 for it ---------------------------------------
        if (m.IndexOf("exceeds block gas limit"u8) >= 0 // geth ErrGasLimit, Besu -32005 "Transaction gas limit exceeds block gas limit"
            || m.IndexOf("max batch size"u8) >= 0) // Besu -32005 "Number of requests exceeds max batch size": a config limit
            return TxOutcome.Other;

        // --- slow down ----------------------------------------------------------------------------------------------
        if (m.IndexOf("rate limit"u8) >= 0 // proxies: "rate limit exceeded", "rate limited"
            || m.IndexOf("too many requests"u8) >= 0 // an HTTP 429 reason relayed in JSON
            || m.IndexOf("request rate exceeded"u8) >= 0 // Infura "project ID request rate exceeded"
            || m.IndexOf("compute units"u8) >= 0 // Alchemy "exceeded its compute units per second capacity"
            || m.IndexOf("limit exceeded"u8) >= 0) // EIP-1474 -32005 "Limit exceeded" (Nethermind, Infura)
            return TxOutcome.RateLimited;

        return code == LimitExceededCode ? TxOutcome.RateLimited : TxOutcome.Other;
    }

    /// <summary>
    /// What an HTTP status says on its own: 429 → <see cref="TxOutcome.RateLimited"/>, any other non-2xx →
    /// <see cref="TxOutcome.ServerError"/>, 2xx → <see cref="TxOutcome.Pending"/> (no verdict: read the JSON-RPC body).
    /// </summary>
    public static TxOutcome FromHttpStatus(int status) => status switch
    {
        >= 200 and < 300 => TxOutcome.Pending,
        429 => TxOutcome.RateLimited,
        _ => TxOutcome.ServerError,
    };

    /// <summary><paramref name="word"/> occurs where the byte before it is not a letter.</summary>
    private static bool ContainsWord(ReadOnlySpan<byte> text, ReadOnlySpan<byte> word)
    {
        int offset = 0;
        while (true)
        {
            int at = text[offset..].IndexOf(word);
            if (at < 0) return false;
            at += offset;
            if (at == 0 || !char.IsAsciiLetter((char)text[at - 1])) return true;
            offset = at + 1;
        }
    }

    [InlineArray(MaxScannedBytes)]
    private struct Scratch
    {
        private byte _element0;
    }
}

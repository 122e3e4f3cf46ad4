using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary>
/// Real <c>eth_sendRawTransaction</c> error messages, as each node writes them (source or observed), and what they mean.
/// Sources: geth core/txpool/errors.go + core/error.go; reth rpc-eth-types error/mod.rs (RpcPoolError,
/// RpcInvalidTransactionError); anvil (foundry) crates/anvil/src/eth/error.rs and anvil 1.7.1 observed on the wire;
/// Nethermind AcceptTxResult.cs (old CamelCase codes) and TxPoolErrorMessages.cs (newer phrases); Besu RpcErrorType.java;
/// Erigon txpoolcfg DiscardReason; hardhat/EDR ProviderError + MemPoolAddTransactionError.
/// </summary>
public class ErrorClassifierTests
{
    [Theory]
    // --- geth ---
    [InlineData(-32000, "nonce too low", TxOutcome.NonceTooLow)] // geth core.ErrNonceTooLow
    [InlineData(-32000, "nonce too high", TxOutcome.NonceTooHigh)] // geth core.ErrNonceTooHigh
    [InlineData(-32000, "already known", TxOutcome.AlreadyKnown)] // geth txpool.ErrAlreadyKnown; reth RpcPoolError::AlreadyKnown (same text and code)
    [InlineData(-32000, "replacement transaction underpriced", TxOutcome.Underpriced)] // geth txpool.ErrReplaceUnderpriced
    [InlineData(-32000, "transaction underpriced: tip needed 1, tip permitted 0", TxOutcome.Underpriced)] // geth txpool.ErrUnderpriced (wrapped)
    [InlineData(-32000, "max fee per gas less than block base fee: address 0xabc, maxFeePerGas: 2, baseFee: 7", TxOutcome.Underpriced)] // geth core.ErrFeeCapTooLow
    [InlineData(-32000, "insufficient funds for gas * price + value: balance 0, tx cost 21000000000000, overshot 21000000000000", TxOutcome.InsufficientFunds)] // geth core.ErrInsufficientFunds
    [InlineData(-32000, "insufficient funds for transfer", TxOutcome.InsufficientFunds)] // geth core.ErrInsufficientFundsForTransfer
    [InlineData(-32000, "txpool is full", TxOutcome.PoolFull)] // geth legacypool ErrTxPoolOverflow
    [InlineData(-32000, "account limit exceeded", TxOutcome.PoolFull)] // geth txpool.ErrAccountLimitExceeded
    [InlineData(-32000, "exceeds block gas limit", TxOutcome.Other)] // geth txpool.ErrGasLimit
    [InlineData(-32000, "intrinsic gas too low", TxOutcome.Other)] // geth core.ErrIntrinsicGas
    [InlineData(-32000, "authority nonce too low", TxOutcome.Other)] // geth txpool.ErrAuthorityNonceTooLow (an EIP-7702 authorization, not the tx)
    [InlineData(-32000, "future transaction tries to replace pending", TxOutcome.Other)] // geth txpool.ErrFutureReplacePending
    // --- reth (alloy/jsonrpsee codes: -32000 invalid input, -32003 rejected) ---
    [InlineData(-32000, "nonce too low: next nonce 5, tx nonce 3", TxOutcome.NonceTooLow)] // reth RpcInvalidTransactionError::NonceTooLow
    [InlineData(-32003, "insufficient funds for gas * price + value: have 0 want 21000000000000", TxOutcome.InsufficientFunds)] // reth InsufficientFunds
    [InlineData(-32003, "transaction priority fee below minimum required priority fee 1000", TxOutcome.Underpriced)] // reth PriorityFeeBelowMinimum
    [InlineData(-32003, "txpool is full", TxOutcome.PoolFull)] // reth RpcPoolError::TxPoolOverflow
    // --- anvil 1.7.1 (observed; code -32003 transaction_rejected) ---
    [InlineData(-32003, "nonce too low", TxOutcome.NonceTooLow)] // anvil: resend after automine, or a used nonce
    [InlineData(-32003, "transaction already imported", TxOutcome.AlreadyKnown)] // anvil --no-mining: same tx twice
    [InlineData(-32003, "replacement transaction underpriced", TxOutcome.Underpriced)] // anvil: same nonce, same fees
    [InlineData(-32003, "max fee per gas less than block base fee", TxOutcome.Underpriced)] // anvil: maxFeePerGas below base fee
    [InlineData(-32003, "Insufficient funds for gas * price + value", TxOutcome.InsufficientFunds)] // anvil: unfunded sender
    [InlineData(-32003, "Nonce too high", TxOutcome.NonceTooHigh)] // anvil InvalidTransactionError::NonceTooHigh (source)
    [InlineData(-32003, "Tx: [0x01] insufficient gas price to replace existing transaction", TxOutcome.Underpriced)] // anvil PoolError Display
    [InlineData(-32602, "Failed to decode transaction", TxOutcome.Other)] // anvil: garbage raw tx
    // --- Nethermind ---
    [InlineData(-32010, "OldNonce", TxOutcome.NonceTooLow)] // Nethermind AcceptTxResult.OldNonce (≤1.30)
    [InlineData(-32010, "NonceGap, Future nonce. Expected nonce: 3", TxOutcome.NonceTooHigh)] // Nethermind AcceptTxResult.NonceGap
    [InlineData(-32010, "FeeTooLow, MaxFeePerGas too low. MaxFeePerGas: 1, BaseFee: 7", TxOutcome.Underpriced)] // Nethermind AcceptTxResult.FeeTooLow
    [InlineData(-32010, "FeeTooLowToCompete", TxOutcome.PoolFull)] // Nethermind: pool full, fee below its cheapest tx
    [InlineData(-32010, "AlreadyKnown", TxOutcome.AlreadyKnown)] // Nethermind AcceptTxResult.AlreadyKnown
    [InlineData(-32010, "InsufficientFunds, Account balance: 0, cumulative cost: 21000", TxOutcome.InsufficientFunds)] // Nethermind AcceptTxResult.InsufficientFunds
    [InlineData(-32010, "ReplacementNotAllowed", TxOutcome.Underpriced)] // Nethermind AcceptTxResult.ReplacementNotAllowed
    [InlineData(-32010, "NonceTooFarInFuture", TxOutcome.NonceTooHigh)] // Nethermind AcceptTxResult.NonceTooFarInFuture
    [InlineData(-32010, "nonce too far in future", TxOutcome.NonceTooHigh)] // Nethermind TxPoolErrorMessages.NonceTooFarInFuture (newer)
    [InlineData(-32010, "transaction underpriced", TxOutcome.Underpriced)] // Nethermind TxPoolErrorMessages.TransactionUnderpriced (newer)
    [InlineData(-32005, "Limit exceeded", TxOutcome.RateLimited)] // Nethermind ErrorCodes.LimitExceeded
    // --- Besu ---
    [InlineData(-32001, "Nonce too low", TxOutcome.NonceTooLow)] // Besu RpcErrorType.NONCE_TOO_LOW
    [InlineData(-32006, "Nonce too high", TxOutcome.NonceTooHigh)] // Besu NONCE_TOO_HIGH
    [InlineData(-32000, "Transaction nonce is too distant from current sender nonce", TxOutcome.NonceTooHigh)] // Besu NONCE_TOO_FAR_IN_FUTURE_FOR_SENDER
    [InlineData(-32000, "Known transaction", TxOutcome.AlreadyKnown)] // Besu ETH_SEND_TX_ALREADY_KNOWN
    [InlineData(-32000, "Replacement transaction underpriced", TxOutcome.Underpriced)] // Besu ETH_SEND_TX_REPLACEMENT_UNDERPRICED
    [InlineData(-32004, "Upfront cost exceeds account balance", TxOutcome.InsufficientFunds)] // Besu TRANSACTION_UPFRONT_COST_EXCEEDS_BALANCE
    [InlineData(-32009, "Gas price below configured minimum gas price", TxOutcome.Underpriced)] // Besu GAS_PRICE_TOO_LOW
    [InlineData(-32009, "Gas price below current base fee", TxOutcome.Underpriced)] // Besu GAS_PRICE_BELOW_CURRENT_BASE_FEE
    [InlineData(-32005, "Transaction gas limit exceeds block gas limit", TxOutcome.Other)] // Besu EXCEEDS_BLOCK_GAS_LIMIT (-32005, not a rate limit)
    [InlineData(-32005, "Number of requests exceeds max batch size", TxOutcome.Other)] // Besu EXCEEDS_RPC_MAX_BATCH_SIZE
    // --- Erigon ---
    [InlineData(-32000, "INTERNAL_ERROR: nonce too low", TxOutcome.NonceTooLow)] // Erigon ImportResult + DiscardReason NonceTooLow
    [InlineData(-32000, "ALREADY_EXISTS: already known", TxOutcome.AlreadyKnown)] // Erigon AlreadyKnown
    [InlineData(-32000, "INTERNAL_ERROR: existing txn with same hash", TxOutcome.AlreadyKnown)] // Erigon DuplicateHash
    [InlineData(-32000, "FEE_TOO_LOW: underpriced", TxOutcome.Underpriced)] // Erigon UnderPriced
    [InlineData(-32000, "FEE_TOO_LOW: fee too low", TxOutcome.Underpriced)] // Erigon FeeTooLow
    [InlineData(-32000, "INTERNAL_ERROR: could not replace existing tx", TxOutcome.Underpriced)] // Erigon NotReplaced
    [InlineData(-32000, "INTERNAL_ERROR: insufficient funds", TxOutcome.InsufficientFunds)] // Erigon InsufficientFunds
    [InlineData(-32000, "INTERNAL_ERROR: pending sub-pool is full", TxOutcome.PoolFull)] // Erigon PendingPoolOverflow
    [InlineData(-32000, "INTERNAL_ERROR: queued sub-pool is full", TxOutcome.PoolFull)] // Erigon QueuedPoolOverflow
    [InlineData(-32000, "INTERNAL_ERROR: spammer", TxOutcome.PoolFull)] // Erigon Spammer
    // --- hardhat (EDR) ---
    [InlineData(-32000, "Nonce too low. Expected nonce to be 3 but got 1. Note that transactions can't be queued when automining.", TxOutcome.NonceTooLow)] // hardhat AutoMineNonceTooLow
    [InlineData(-32000, "Nonce too high. Expected nonce to be 0 but got 5. Note that transactions can't be queued when automining.", TxOutcome.NonceTooHigh)] // hardhat AutoMineNonceTooHigh
    [InlineData(-32000, "Transaction nonce too low. Expected nonce to be at least 4 but got 2.", TxOutcome.NonceTooLow)] // EDR mempool NonceTooLow
    [InlineData(-32000, "Known transaction: 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060", TxOutcome.AlreadyKnown)] // EDR TransactionAlreadyExists
    [InlineData(-32000, "Replacement transaction underpriced. A gasPrice/maxFeePerGas of at least 22000000000 is necessary to replace the existing transaction with nonce 0.", TxOutcome.Underpriced)] // EDR ReplacementMaxFeePerGasTooLow (hardhat 2.29.1 says exactly this)
    [InlineData(-32000, "sender doesn't have enough funds to send tx. The max upfront cost is: 420000 and the sender's account only has: 0", TxOutcome.InsufficientFunds)] // hardhat/EDR
    [InlineData(-32000, "Transaction maxFeePerGas (200000) is too low for the next block, which has a baseFeePerGas of 875000000", TxOutcome.Underpriced)] // hardhat AutoMineMaxFeePerGasTooLow
    [InlineData(-32000, "Transaction gas price is 1, which is below the minimum of 2", TxOutcome.Underpriced)] // hardhat AutoMinePriorityFeeTooLow
    [InlineData(-32602, "Transaction hash '0x01' doesn't exist on the blockchain.", TxOutcome.Other)] // hardhat InvalidTransactionHash
    // --- hardhat 2.29.1 (EDR 0.12.0-next.23), observed on the wire by HardhatTests (interval mining, then automine) ---
    [InlineData(-32000, "Known transaction: 0x44603bad86229f60d957dda4cee58c038ea2af2ed98b59cd9a0f5929e587b299", TxOutcome.AlreadyKnown)]
    [InlineData(-32000, "Sender doesn't have enough funds to send tx. The max upfront cost is: 420000000000001 and the sender's balance is: 0.", TxOutcome.InsufficientFunds)]
    [InlineData(-32000, "Transaction nonce too low. Expected nonce to be at least 1 but got 0.", TxOutcome.NonceTooLow)]
    [InlineData(-32000, "Nonce too low. Expected nonce to be 2 but got 0. Note that transactions can't be queued when automining.", TxOutcome.NonceTooLow)]
    [InlineData(-32000, "Nonce too high. Expected nonce to be 0 but got 7. Note that transactions can't be queued when automining.", TxOutcome.NonceTooHigh)]
    [InlineData(-32000, "Transaction maxFeePerGas (1) is too low for the next block, which has a baseFeePerGas of 765701563", TxOutcome.Underpriced)]
    [InlineData(-32000, "Transaction gasPrice (1) is too low for the next block, which has a baseFeePerGas of 765701563", TxOutcome.Underpriced)]
    [InlineData(-32000, "maxPriorityFeePerGas (1000000000) is bigger than maxFeePerGas (1)", TxOutcome.Other)]
    [InlineData(-32000, "Transaction gas limit is 100000000 and exceeds block gas limit of 60000000", TxOutcome.Other)]
    [InlineData(-32000, "Transaction requires at least 21000 gas but got 20000", TxOutcome.Other)]
    [InlineData(-32602, "Trying to send a raw transaction with an invalid chainId. The expected chainId is 31337", TxOutcome.Other)]
    // --- providers and proxies ---
    [InlineData(-32005, "project ID request rate exceeded", TxOutcome.RateLimited)] // Infura
    [InlineData(429, "Your app has exceeded its compute units per second capacity.", TxOutcome.RateLimited)] // Alchemy
    [InlineData(-32000, "rate limit exceeded", TxOutcome.RateLimited)] // generic proxy
    [InlineData(-32005, "something we have never seen", TxOutcome.RateLimited)] // EIP-1474 "limit exceeded" code alone
    [InlineData(-32000, "execution reverted", TxOutcome.Other)]
    [InlineData(-32601, "the method eth_foo does not exist/is not available", TxOutcome.Other)]
    [InlineData(-32000, "unknown transaction type", TxOutcome.Other)] // not "known transaction"
    public void Classifies_real_node_messages(int code, string message, TxOutcome expected)
    {
        Assert.Equal(expected, ErrorClassifier.Classify(code, Encoding.UTF8.GetBytes(message)));
        Assert.Equal(expected, ErrorClassifier.Classify(code, message.ToUpperInvariant()));
    }

    [Theory]
    [InlineData(200, TxOutcome.Pending)]
    [InlineData(204, TxOutcome.Pending)]
    [InlineData(429, TxOutcome.RateLimited)]
    [InlineData(500, TxOutcome.ServerError)]
    [InlineData(502, TxOutcome.ServerError)]
    [InlineData(503, TxOutcome.ServerError)]
    [InlineData(404, TxOutcome.ServerError)]
    public void Maps_http_statuses(int status, TxOutcome expected) => Assert.Equal(expected, ErrorClassifier.FromHttpStatus(status));

    [Fact]
    public void Looks_only_at_the_start_of_a_very_long_message()
    {
        string message = new string('x', ErrorClassifier.MaxScannedBytes) + "nonce too low";
        Assert.Equal(TxOutcome.Other, ErrorClassifier.Classify(-32000, message));
        Assert.Equal(TxOutcome.NonceTooLow, ErrorClassifier.Classify(-32000, "nonce too low" + new string('x', 5000)));
    }

    [Fact]
    public void Classifying_allocates_nothing()
    {
        byte[] message = Encoding.UTF8.GetBytes("Replacement transaction underpriced. A gasPrice/maxFeePerGas of at least 22 is necessary");
        ErrorClassifier.Classify(-32000, message);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) ErrorClassifier.Classify(-32000, message);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

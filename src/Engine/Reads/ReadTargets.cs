using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Reads;

/// <summary>
/// What the reads point at (cold, set once before sending): <c>eth_getBalance</c> rotates over <see cref="Wallets"/>;
/// <c>eth_call</c> asks the workload's token for <c>balanceOf(wallet)</c> when there is one, else calls the funder's
/// address (no code: a plain answer of <c>0x</c>); <c>eth_getTransactionReceipt</c> asks for the run's recently
/// included txs (<see cref="Recent"/>), and sends <c>eth_blockNumber</c> until the first is included.
/// </summary>
public sealed class ReadTargets
{
    public required Address[] Wallets { get; init; }

    /// <summary>An ERC-20 the workload uses (erc20, mix), or null.</summary>
    public Address? Token { get; init; }

    /// <summary>The funder's address: the target of <c>eth_call</c> when there is no token.</summary>
    public required Address Funder { get; init; }

    public RecentTxHashes Recent { get; init; } = new();
}

using System.Collections.Frozen;
using FastLoad.Engine.Load;

namespace FastLoad.Engine.Wallets;

/// <summary>
/// Refuses public mainnets: a load run there spends real money, and its wallets would be funded from a real key.
/// Only <c>--allow-mainnet</c> lets FastLoad talk to one of these chains.
/// </summary>
public static class ChainGuard
{
    /// <summary>Chain id → name of public mainnets (L1s and L2s with real value).</summary>
    private static readonly FrozenDictionary<ulong, string> Mainnets = new Dictionary<ulong, string>
    {
        [1] = "Ethereum", [10] = "OP Mainnet", [25] = "Cronos", [30] = "Rootstock", [56] = "BNB Smart Chain",
        [61] = "Ethereum Classic", [100] = "Gnosis", [130] = "Unichain", [137] = "Polygon PoS", [146] = "Sonic",
        [169] = "Manta Pacific", [204] = "opBNB", [250] = "Fantom", [252] = "Fraxtal", [288] = "Boba",
        [324] = "zkSync Era", [480] = "World Chain", [1088] = "Metis", [1101] = "Polygon zkEVM", [1135] = "Lisk",
        [1284] = "Moonbeam", [1285] = "Moonriver", [1868] = "Soneium", [2020] = "Ronin", [5000] = "Mantle",
        [8217] = "Kaia", [8453] = "Base", [34443] = "Mode", [42161] = "Arbitrum One", [42170] = "Arbitrum Nova",
        [42220] = "Celo", [43114] = "Avalanche C-Chain", [57073] = "Ink", [59144] = "Linea", [60808] = "BOB",
        [80094] = "Berachain", [81457] = "Blast", [167000] = "Taiko", [534352] = "Scroll", [7777777] = "Zora",
        [1313161554] = "Aurora",
    }.ToFrozenDictionary();

    /// <summary>The mainnet's name, or null when <paramref name="chainId"/> is not a known public mainnet.</summary>
    public static string? MainnetName(ulong chainId) => Mainnets.GetValueOrDefault(chainId);

    /// <summary>Throws a one-line <see cref="RunSetupException"/> when <paramref name="chainId"/> is a public mainnet and it was not allowed.</summary>
    /// <param name="where">The node (URL) or file the chain id came from, for the message.</param>
    public static void EnsureAllowed(ulong chainId, string where, bool allowMainnet)
    {
        if (allowMainnet || MainnetName(chainId) is not string name) return;
        throw new RunSetupException($"{where} is chain {chainId} ({name}), a public mainnet: FastLoad would spend real funds there; pass --allow-mainnet if that is what you want");
    }
}

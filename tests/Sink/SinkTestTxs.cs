using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Tests.Sink;

/// <summary>EIP-1559 transfers signed by the library, with the hash the signer computed.</summary>
public static class SinkTestTxs
{
    private static readonly PrivateKey Key = DeterministicKeys.Derive("sink-test", 0);
    private static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000dead");

    public static (byte[] Raw, string Hash) Sign(ulong nonce)
    {
        var tx = new DynamicFeeTransaction
        {
            ChainId = 31337, Nonce = nonce, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 30_000_000_000,
            GasLimit = 21_000, To = Recipient, Value = nonce + 1,
        };
        byte[] envelope = new byte[256];
        byte[] hash = new byte[32];
        int length = TransactionSigner.Sign(tx, Key, envelope, hash);
        return (envelope[..length], Hex.ToPrefixedString(hash));
    }

    public static (string RawHex, string Hash) SignHex(ulong nonce)
    {
        (byte[] raw, string hash) = Sign(nonce);
        return (Hex.ToPrefixedString(raw), hash);
    }

    public static string SendRaw(object id, string rawHex) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"eth_sendRawTransaction","params":["{{rawHex}}"]}""";
}

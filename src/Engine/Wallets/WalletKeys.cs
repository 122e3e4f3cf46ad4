using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FastLoad.Engine.Load;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Wallets;

/// <summary>
/// The keys of a run's wallets, derived from the funder's private key and the seed, so that knowing the seed
/// (recorded, shared, often the default) is not enough to spend from the wallets:
/// <code>
/// key(i) = the first k_a, a = 0, 1, 2, ..., with 0 &lt; k_a &lt; n (the secp256k1 group order), where
/// k_a = HMAC-SHA256(key = funder private key (32 bytes),
///                   msg = "fastload/wallet/v2" ‖ len(seed) as uint32 big-endian ‖ seed (UTF-8) ‖ i as uint64 big-endian ‖ a as 1 byte)
/// </code>
/// The seed's length prefix keeps (seed, index) pairs from colliding; a retry (a &gt; 0) happens with probability
/// about 2^-128. The same funder key, seed and index always give the same wallet, so runs are reproducible and
/// shards agree. Cold path: once per wallet at start.
/// </summary>
public static class WalletKeys
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("fastload/wallet/v2");

    public static PrivateKey Derive(in PrivateKey funder, string seed, ulong index)
    {
        byte[] seedBytes = Encoding.UTF8.GetBytes(seed);
        byte[] message = new byte[Domain.Length + 4 + seedBytes.Length + 8 + 1];
        Domain.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(Domain.Length), (uint)seedBytes.Length);
        seedBytes.CopyTo(message, Domain.Length + 4);
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(Domain.Length + 4 + seedBytes.Length), index);
        return FirstValidKey(funder, message);
    }

    /// <summary>
    /// The first valid secp256k1 key among HMAC-SHA256(key = <paramref name="funder"/>, msg = <paramref name="message"/>)
    /// with the message's last byte set to the attempt 0, 1, 2, ... (a retry has a chance of about 2^-128).
    /// </summary>
    internal static PrivateKey FirstValidKey(in PrivateKey funder, byte[] message)
    {
        Span<byte> candidate = stackalloc byte[32];
        for (int attempt = 0; attempt < 256; attempt++)
        {
            message[^1] = (byte)attempt;
            HMACSHA256.HashData(funder.Bytes, message, candidate);
            if (PrivateKey.TryCreate(candidate, out PrivateKey key)) return key;
        }
        throw new InvalidOperationException("no valid key in 256 attempts"); // probability ~2^-32768
    }

    /// <summary>
    /// The funder key a run's wallets derive from; a one-line <see cref="RunSetupException"/> when there is none or
    /// it does not parse. Never puts the key in a message.
    /// </summary>
    public static PrivateKey Funder(string? funderKey)
    {
        if (string.IsNullOrWhiteSpace(funderKey))
            throw new RunSetupException("no funder key: wallets are derived from the funder key and the seed; set FASTLOAD_FUNDER_KEY or --funder-key-file FILE to the funder's private key, or give --funder-mnemonic-file FILE [--funder-index N]");
        if (!PrivateKey.TryParse(funderKey.Trim(), out PrivateKey funder))
            throw new RunSetupException("the funder key is not a 32-byte 0x-hex secp256k1 private key: check FASTLOAD_FUNDER_KEY or --funder-key-file");
        return funder;
    }
}

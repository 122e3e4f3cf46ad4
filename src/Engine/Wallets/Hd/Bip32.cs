using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Wallets.Hd;

/// <summary>
/// BIP-32 private-key derivation (secp256k1) and the BIP-44 Ethereum path <c>m/44'/60'/0'/0/N</c> that wallets
/// (MetaMask, Ledger, anvil, hardhat, cast) use for account N. Cold path: plain code, run once per run.
/// <code>
/// master:    I = HMAC-SHA512(key = "Bitcoin seed", seed);            k = I[0..32], c = I[32..64]
/// child i:   I = HMAC-SHA512(key = c, i ≥ 2^31 ? 0x00 ‖ k ‖ ser32(i)   (hardened)
///                                            : serP(k·G) ‖ ser32(i));  (normal: the compressed public key)
///            k_i = (I[0..32] + k) mod n,  c_i = I[32..64]
/// </code>
/// The addition mod n, and the checks BIP-32 asks for (I[0..32] &lt; n, k_i ≠ 0), are libsecp256k1's
/// <c>secp256k1_ec_seckey_tweak_add</c>; the compressed public key is its <c>secp256k1_ec_pubkey_serialize</c>.
/// </summary>
public static class Bip32
{
    /// <summary>Indices at or above this are hardened (written N' in a path).</summary>
    public const uint Hardened = 0x8000_0000;

    /// <summary>The highest account index of <c>m/44'/60'/0'/0/N</c> (N is a normal, non-hardened index).</summary>
    public const int MaxAccountIndex = int.MaxValue;

    private static readonly byte[] MasterKey = Encoding.ASCII.GetBytes("Bitcoin seed");

    /// <summary>The private key at <paramref name="path"/> (indices, hardened ones with <see cref="Hardened"/> set) below the seed's master key.</summary>
    public static PrivateKey Derive(ReadOnlySpan<byte> seed, ReadOnlySpan<uint> path)
    {
        Span<byte> i = stackalloc byte[64];
        Span<byte> key = stackalloc byte[32];
        Span<byte> chainCode = stackalloc byte[32];
        Span<byte> data = stackalloc byte[37];
        try
        {
            HMACSHA512.HashData(MasterKey, seed, i);
            i[..32].CopyTo(key);
            i[32..].CopyTo(chainCode);
            if (!Secp256k1.IsValidPrivateKey(key)) throw Invalid("master key");

            foreach (uint index in path)
            {
                if (index >= Hardened)
                {
                    data[0] = 0;
                    key.CopyTo(data[1..33]);
                }
                else if (!Secp256k1.TryGetCompressedPublicKey(key, data[..33]))
                {
                    throw Invalid("public key");
                }
                BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
                HMACSHA512.HashData(chainCode, data, i);
                if (!Secp256k1.TryAddTweak(key, i[..32])) throw Invalid($"child {index & ~Hardened}{(index >= Hardened ? "'" : "")}");
                i[32..].CopyTo(chainCode);
            }
            if (!PrivateKey.TryCreate(key, out PrivateKey result)) throw Invalid("key");
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(i);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(chainCode);
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>The key of Ethereum account <paramref name="index"/>: <c>m/44'/60'/0'/0/index</c>.</summary>
    public static PrivateKey DeriveEthereumAccount(ReadOnlySpan<byte> seed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ReadOnlySpan<uint> path = [44 | Hardened, 60 | Hardened, 0 | Hardened, 0, (uint)index];
        return Derive(seed, path);
    }

    /// <summary>A BIP-39 mnemonic's Ethereum account <paramref name="index"/> (<c>m/44'/60'/0'/0/index</c>, no passphrase by default).</summary>
    public static PrivateKey FromMnemonic(string mnemonic, int index, string passphrase = "")
    {
        byte[] seed = Bip39.ToSeed(mnemonic, passphrase);
        try
        {
            return DeriveEthereumAccount(seed, index);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    // Probability about 2^-127 per step; BIP-32 says to skip to the next index, which would silently change the
    // account a user asked for, so it is an error instead.
    private static InvalidOperationException Invalid(string what) =>
        new($"BIP-32: the derived {what} is not a valid secp256k1 key (probability ~2^-127): use another index");
}

using System.Buffers.Binary;
using System.Text;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Signing;

/// <summary>
/// Private keys derived from a seed alone: key(i) = keccak256("fastload/wallet" ‖ seed ‖ i as 8 bytes big-endian),
/// re-hashed in the (astronomically unlikely) case it is not a valid secret key. Anyone who knows the seed has
/// the keys, so these are for keys that never hold funds (demo, benchmarks, test fixtures); a run's wallets
/// derive through <see cref="Wallets.WalletKeys"/>, keyed by the funder's key.
/// </summary>
public static class DeterministicKeys
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("fastload/wallet");

    public static PrivateKey Derive(ReadOnlySpan<byte> seed, ulong index)
    {
        var keccak = Keccak256.Create();
        keccak.Update(Domain);
        keccak.Update(seed);
        Span<byte> indexBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(indexBytes, index);
        keccak.Update(indexBytes);
        Bytes32 candidate = default;
        keccak.Final(candidate);
        PrivateKey key;
        while (!PrivateKey.TryCreate(candidate, out key))
        {
            Bytes32 previous = candidate;
            Keccak256.Hash(previous, candidate);
        }
        return key;
    }

    public static PrivateKey Derive(string seed, ulong index) => Derive(Encoding.UTF8.GetBytes(seed), index);
}

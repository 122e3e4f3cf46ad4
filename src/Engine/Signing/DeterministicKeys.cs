using System.Buffers.Binary;
using System.Text;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Signing;

/// <summary>
/// Private keys derived from a seed: key(i) = keccak256("fastload/wallet" ‖ seed ‖ i as 8 bytes big-endian),
/// re-hashed in the (astronomically unlikely) case it is not a valid secret key. The same seed and
/// index always give the same wallet, so runs are reproducible and shards agree on who owns what.
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

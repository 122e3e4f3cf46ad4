using System.Runtime.CompilerServices;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>
/// Signs any transaction body into a caller-owned buffer: signing hash (encoder → Keccak, no payload
/// materialised), secp256k1 signature, envelope, then the tx hash. Allocates nothing.
/// </summary>
public static class TransactionSigner
{
    /// <summary>Upper bound of the envelope size for a body, before the signature is known.</summary>
    public static int MaxSignedLength<TTx>(in TTx tx) where TTx : struct, ISignableTransaction
    {
        // r and s are at most 33 bytes each, v at most 33 (EIP-155 with a huge chain id).
        var worst = new Signature(1, UInt256.MaxValue, UInt256.MaxValue);
        return tx.GetSignedLength(worst) + 33;
    }

    /// <summary>Signs <paramref name="tx"/>; writes the envelope and the tx hash; returns the envelope length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sign<TTx>(in TTx tx, in PrivateKey key, Span<byte> destination, Span<byte> txHash32)
        where TTx : struct, ISignableTransaction
    {
        Bytes32 signingHash = default;
        tx.WriteSigningHash(signingHash);
        Bytes64 compact = default;
        int recoveryId = Secp256k1.Sign(signingHash, key.Bytes, compact);
        var signature = Signature.FromCompact(compact, recoveryId);
        int length = tx.WriteSigned(destination, signature);
        Keccak256.Hash(destination[..length], txHash32);
        return length;
    }
}

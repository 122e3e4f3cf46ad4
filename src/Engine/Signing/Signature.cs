using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Signing;

/// <summary>An ECDSA signature as transactions carry it: y-parity (recovery id) and r, s as integers.</summary>
public readonly struct Signature(byte yParity, UInt256 r, UInt256 s)
{
    public byte YParity { get; } = yParity;

    public UInt256 R { get; } = r;

    public UInt256 S { get; } = s;

    /// <summary>From libsecp256k1's compact r‖s and its recovery id.</summary>
    public static Signature FromCompact(ReadOnlySpan<byte> signature64, int recoveryId) =>
        new((byte)recoveryId, UInt256.FromBigEndian(signature64[..32]), UInt256.FromBigEndian(signature64[32..64]));

    /// <summary>Writes r‖s as 64 big-endian bytes.</summary>
    public void WriteCompact(Span<byte> destination64)
    {
        R.WriteBigEndian32(destination64);
        S.WriteBigEndian32(destination64[32..]);
    }

    /// <summary>Signs a 32-byte hash.</summary>
    public static Signature Sign(ReadOnlySpan<byte> hash32, in PrivateKey key)
    {
        Bytes64 compact = default;
        int recoveryId = Secp256k1.Sign(hash32, key.Bytes, compact);
        return FromCompact(compact, recoveryId);
    }

    /// <summary>Recovers the signer's address; false if the signature is invalid for the hash.</summary>
    public bool TryRecoverAddress(ReadOnlySpan<byte> hash32, out Address address)
    {
        address = default;
        Bytes64 compact = default;
        WriteCompact(compact);
        Bytes65 publicKey = default;
        if (YParity > 1 || !Secp256k1.TryRecover(hash32, compact, YParity, publicKey)) return false;
        address = PrivateKey.AddressOf(publicKey);
        return true;
    }

    /// <summary>secp256k1n / 2: signatures with s above it are malleable and rejected since Homestead (EIP-2).</summary>
    public static readonly UInt256 HalfCurveOrder = new(0xDFE92F46681B20A0, 0x5D576E7357A4501D, 0xFFFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF);

    public bool IsLowS => S <= HalfCurveOrder && !S.IsZero && !R.IsZero;
}

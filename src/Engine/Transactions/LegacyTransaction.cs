using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>
/// A legacy (type 0) transaction. With a non-zero <see cref="ChainId"/> it is signed per EIP-155:
/// the signing hash covers [fields, chainId, 0, 0] and v = chainId * 2 + 35 + yParity.
/// A zero chain id means an unprotected (pre-EIP-155) transaction with v = 27 + yParity.
/// </summary>
[RlpSerializable]
public partial struct LegacyTransaction : ISignableTransaction, IRlpEncodable
{
    [RlpField(0)] public ulong Nonce;
    [RlpField(1)] public UInt256 GasPrice;
    [RlpField(2)] public ulong GasLimit;
    [RlpField(3)] public Address? To;
    [RlpField(4)] public UInt256 Value;
    [RlpField(5)] public ReadOnlyMemory<byte> Data;

    /// <summary>Not an RLP field of the body: it enters the signing hash and v.</summary>
    public UInt256 ChainId;

    public readonly TxType Type => TxType.Legacy;

    public readonly void WriteSigningHash(Span<byte> hash32)
    {
        KeccakRlpWriter writer = KeccakRlpWriter.Create();
        int content = GetRlpContentLength();
        if (ChainId.IsZero)
        {
            Rlp.Rlp.WriteListHeader(ref writer, content);
            EncodeRlpContent(ref writer);
        }
        else
        {
            Rlp.Rlp.WriteListHeader(ref writer, content + Rlp.Rlp.LengthOf(ChainId) + 2);
            EncodeRlpContent(ref writer);
            Rlp.Rlp.Write(ref writer, ChainId);
            writer.WriteByte(Rlp.Rlp.EmptyString);
            writer.WriteByte(Rlp.Rlp.EmptyString);
        }
        writer.Final(hash32);
    }

    /// <summary>v as EIP-155 defines it, or 27/28 without a chain id.</summary>
    public readonly UInt256 V(in Signature signature)
    {
        if (ChainId.IsZero) return 27u + (ulong)signature.YParity;
        if (!ChainId.TryMultiplyAdd(2, 35u + signature.YParity, out UInt256 v))
            throw new OverflowException("chain id too large for EIP-155 v");
        return v;
    }

    private readonly int SignedContentLength(in Signature signature, in UInt256 v) =>
        GetRlpContentLength() + Rlp.Rlp.LengthOf(v) + Rlp.Rlp.LengthOf(signature.R) + Rlp.Rlp.LengthOf(signature.S);

    public readonly int GetSignedLength(in Signature signature) =>
        Rlp.Rlp.LengthOfList(SignedContentLength(signature, V(signature)));

    public readonly int WriteSigned(Span<byte> destination, in Signature signature)
    {
        UInt256 v = V(signature);
        var writer = new SpanRlpWriter(destination);
        Rlp.Rlp.WriteListHeader(ref writer, SignedContentLength(signature, v));
        EncodeRlpContent(ref writer);
        Rlp.Rlp.Write(ref writer, v);
        Rlp.Rlp.Write(ref writer, signature.R);
        Rlp.Rlp.Write(ref writer, signature.S);
        return writer.Position;
    }
}

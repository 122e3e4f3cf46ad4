using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>An EIP-2930 (type 1) transaction: legacy gas price plus an access list.</summary>
[RlpSerializable]
public partial struct AccessListTransaction : ISignableTransaction, IRlpEncodable
{
    [RlpField(0)] public UInt256 ChainId;
    [RlpField(1)] public ulong Nonce;
    [RlpField(2)] public UInt256 GasPrice;
    [RlpField(3)] public ulong GasLimit;
    [RlpField(4)] public Address? To;
    [RlpField(5)] public UInt256 Value;
    [RlpField(6)] public ReadOnlyMemory<byte> Data;
    [RlpField(7)] public ReadOnlyMemory<AccessListItem> AccessList;

    public readonly TxType Type => TxType.AccessList;

    public readonly void WriteSigningHash(Span<byte> hash32) => TypedEnvelope.WriteSigningHash(this, Type, hash32);

    public readonly int GetSignedLength(in Signature signature) => TypedEnvelope.GetSignedLength(this, signature);

    public readonly int WriteSigned(Span<byte> destination, in Signature signature) =>
        TypedEnvelope.WriteSigned(this, Type, destination, signature);
}

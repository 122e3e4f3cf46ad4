using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>An EIP-1559 (type 2) transaction: priority fee and fee cap instead of a gas price.</summary>
[RlpSerializable]
public partial struct DynamicFeeTransaction : ISignableTransaction, IRlpEncodable
{
    [RlpField(0)] public UInt256 ChainId;
    [RlpField(1)] public ulong Nonce;
    [RlpField(2)] public UInt256 MaxPriorityFeePerGas;
    [RlpField(3)] public UInt256 MaxFeePerGas;
    [RlpField(4)] public ulong GasLimit;
    [RlpField(5)] public Address? To;
    [RlpField(6)] public UInt256 Value;
    [RlpField(7)] public ReadOnlyMemory<byte> Data;
    [RlpField(8)] public ReadOnlyMemory<AccessListItem> AccessList;

    public readonly TxType Type => TxType.DynamicFee;

    public readonly void WriteSigningHash(Span<byte> hash32) => TypedEnvelope.WriteSigningHash(this, Type, hash32);

    public readonly int GetSignedLength(in Signature signature) => TypedEnvelope.GetSignedLength(this, signature);

    public readonly int WriteSigned(Span<byte> destination, in Signature signature) =>
        TypedEnvelope.WriteSigned(this, Type, destination, signature);
}

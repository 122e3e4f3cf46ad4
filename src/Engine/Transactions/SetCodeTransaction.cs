using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>
/// An EIP-7702 (type 4) transaction: an EIP-1559 body with a destination that cannot be empty
/// and a list of signed authorizations, each delegating an account's code to an address.
/// </summary>
[RlpSerializable]
public partial struct SetCodeTransaction : ISignableTransaction, IRlpEncodable
{
    [RlpField(0)] public UInt256 ChainId;
    [RlpField(1)] public ulong Nonce;
    [RlpField(2)] public UInt256 MaxPriorityFeePerGas;
    [RlpField(3)] public UInt256 MaxFeePerGas;
    [RlpField(4)] public ulong GasLimit;
    [RlpField(5)] public Address To;
    [RlpField(6)] public UInt256 Value;
    [RlpField(7)] public ReadOnlyMemory<byte> Data;
    [RlpField(8)] public ReadOnlyMemory<AccessListItem> AccessList;
    [RlpField(9)] public ReadOnlyMemory<SignedAuthorization> AuthorizationList;

    public readonly TxType Type => TxType.SetCode;

    public readonly void WriteSigningHash(Span<byte> hash32) => TypedEnvelope.WriteSigningHash(this, Type, hash32);

    public readonly int GetSignedLength(in Signature signature) => TypedEnvelope.GetSignedLength(this, signature);

    public readonly int WriteSigned(Span<byte> destination, in Signature signature) =>
        TypedEnvelope.WriteSigned(this, Type, destination, signature);
}

/// <summary>
/// An EIP-7702 authorization before signing: the authority lets its account run the code at
/// <see cref="Address"/> on chain <see cref="ChainId"/> (0 = any chain) while its nonce is <see cref="Nonce"/>.
/// </summary>
[RlpSerializable]
public partial struct Authorization : IRlpEncodable
{
    /// <summary>EIP-7702's MAGIC prefix of the authorization signing hash.</summary>
    public const byte Magic = 0x05;

    [RlpField(0)] public UInt256 ChainId;
    [RlpField(1)] public Address Address;
    [RlpField(2)] public ulong Nonce;

    /// <summary>keccak(0x05 ‖ rlp([chainId, address, nonce])).</summary>
    public readonly void WriteSigningHash(Span<byte> hash32)
    {
        KeccakRlpWriter writer = KeccakRlpWriter.Create();
        writer.WriteByte(Magic);
        EncodeRlp(ref writer);
        writer.Final(hash32);
    }

    /// <summary>Signs this authorization with the authority's key.</summary>
    public readonly SignedAuthorization Sign(in PrivateKey authority)
    {
        Bytes32 hash = default;
        WriteSigningHash(hash);
        Signature signature = Signature.Sign(hash, authority);
        return new SignedAuthorization
        {
            ChainId = ChainId,
            Address = Address,
            Nonce = Nonce,
            YParity = signature.YParity,
            R = signature.R,
            S = signature.S,
        };
    }
}

/// <summary>A signed EIP-7702 authorization tuple: [chainId, address, nonce, yParity, r, s].</summary>
[RlpSerializable]
public partial struct SignedAuthorization : IRlpEncodable
{
    [RlpField(0)] public UInt256 ChainId;
    [RlpField(1)] public Address Address;
    [RlpField(2)] public ulong Nonce;
    [RlpField(3)] public byte YParity;
    [RlpField(4)] public UInt256 R;
    [RlpField(5)] public UInt256 S;

    public readonly Authorization Unsigned => new() { ChainId = ChainId, Address = Address, Nonce = Nonce };

    /// <summary>Recovers the authority (the account that delegates); false if the signature is invalid.</summary>
    public readonly bool TryRecoverAuthority(out Address authority)
    {
        Bytes32 hash = default;
        Unsigned.WriteSigningHash(hash);
        return new Signature(YParity, R, S).TryRecoverAddress(hash, out authority);
    }
}

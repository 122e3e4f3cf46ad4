using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>A transaction body that can be hashed for signing and written as a signed envelope.</summary>
public interface ISignableTransaction
{
    /// <summary>EIP-2718 type byte; 0 for legacy.</summary>
    TxType Type { get; }

    /// <summary>Writes the 32-byte hash that is signed.</summary>
    void WriteSigningHash(Span<byte> hash32);

    /// <summary>Bytes of the signed envelope (what <c>eth_sendRawTransaction</c> takes).</summary>
    int GetSignedLength(in Signature signature);

    /// <summary>Writes the signed envelope; returns bytes written.</summary>
    int WriteSigned(Span<byte> destination, in Signature signature);
}

public enum TxType : byte
{
    Legacy = 0,
    AccessList = 1,
    DynamicFee = 2,
    Blob = 3,
    SetCode = 4,
}

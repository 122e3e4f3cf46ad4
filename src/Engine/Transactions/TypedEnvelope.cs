using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>
/// EIP-2718 typed envelopes: signing hash = keccak(type ‖ rlp([fields])),
/// signed = type ‖ rlp([fields, yParity, r, s]). Shared by every typed transaction.
/// </summary>
public static class TypedEnvelope
{
    public static void WriteSigningHash<TBody>(in TBody body, TxType type, Span<byte> hash32)
        where TBody : struct, IRlpEncodable
    {
        KeccakRlpWriter writer = KeccakRlpWriter.Create();
        writer.WriteByte((byte)type);
        body.EncodeRlp(ref writer);
        writer.Final(hash32);
    }

    private static int SignedContentLength<TBody>(in TBody body, in Signature signature)
        where TBody : struct, IRlpEncodable =>
        body.GetRlpContentLength()
        + Rlp.Rlp.LengthOf(signature.YParity)
        + Rlp.Rlp.LengthOf(signature.R)
        + Rlp.Rlp.LengthOf(signature.S);

    public static int GetSignedLength<TBody>(in TBody body, in Signature signature)
        where TBody : struct, IRlpEncodable =>
        1 + Rlp.Rlp.LengthOfList(SignedContentLength(body, signature));

    public static int WriteSigned<TBody>(in TBody body, TxType type, Span<byte> destination, in Signature signature)
        where TBody : struct, IRlpEncodable
    {
        var writer = new SpanRlpWriter(destination);
        writer.WriteByte((byte)type);
        Rlp.Rlp.WriteListHeader(ref writer, SignedContentLength(body, signature));
        body.EncodeRlpContent(ref writer);
        WriteSignature(ref writer, signature);
        return writer.Position;
    }

    /// <summary>yParity, r, s — the tail every typed envelope and every 7702 authorization shares.</summary>
    public static void WriteSignature<TWriter>(ref TWriter writer, in Signature signature)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        Rlp.Rlp.Write(ref writer, signature.YParity);
        Rlp.Rlp.Write(ref writer, signature.R);
        Rlp.Rlp.Write(ref writer, signature.S);
    }
}

namespace FastLoad.Engine.Rlp;

/// <summary>
/// The byte sink an RLP encoder writes to. Encoders are generic over a struct implementing this,
/// so one generated encoder serves a span writer, a length counter and a Keccak feeder with no
/// virtual calls. The RLP grammar itself lives in <see cref="Rlp"/>.
/// </summary>
public interface IRlpWriter
{
    void WriteByte(byte value);

    void WriteBytes(scoped ReadOnlySpan<byte> value);
}

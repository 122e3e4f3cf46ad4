namespace FastLoad.Engine.Rlp;

/// <summary>
/// Implemented by the members the generator emits for an <see cref="RlpSerializableAttribute"/> struct.
/// Declaring a struct <c>: IRlpEncodable</c> lets generic code (envelopes, hashing) call its encoder
/// through a constrained call, with no boxing.
/// </summary>
public interface IRlpEncodable
{
    int GetRlpContentLength();

    int GetRlpLength();

    void EncodeRlpContent<TWriter>(ref TWriter writer) where TWriter : struct, IRlpWriter, allows ref struct;

    void EncodeRlp<TWriter>(ref TWriter writer) where TWriter : struct, IRlpWriter, allows ref struct;
}

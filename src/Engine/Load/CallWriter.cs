using System.Buffers.Text;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Load;

/// <summary>Writes one <c>eth_sendRawTransaction</c> JSON-RPC call object, hex straight into the buffer.</summary>
public static class CallWriter
{
    private static ReadOnlySpan<byte> Head => """{"jsonrpc":"2.0","id":"""u8;
    private static ReadOnlySpan<byte> Middle => ""","method":"eth_sendRawTransaction","params":["""u8;
    private static ReadOnlySpan<byte> Tail => "\"]}"u8;

    /// <summary>Bytes needed for a call carrying an envelope of <paramref name="envelopeLength"/> bytes.</summary>
    public static int MaxLength(int envelopeLength) => Head.Length + 20 + Middle.Length + 1 + Hex.PrefixedLength(envelopeLength) + Tail.Length;

    public static int Write(Span<byte> destination, long id, ReadOnlySpan<byte> envelope)
    {
        Head.CopyTo(destination);
        int p = Head.Length;
        Utf8Formatter.TryFormat(id, destination[p..], out int digits);
        p += digits;
        Middle.CopyTo(destination[p..]);
        p += Middle.Length;
        destination[p++] = (byte)'"';
        p += Hex.WritePrefixedUtf8(envelope, destination[p..]);
        Tail.CopyTo(destination[p..]);
        return p + Tail.Length;
    }
}

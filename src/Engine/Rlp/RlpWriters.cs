using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using FastLoad.Engine.Crypto;

namespace FastLoad.Engine.Rlp;

/// <summary>Writes RLP into a caller-owned span. Size the span with the encoder's length function.</summary>
public ref struct SpanRlpWriter : IRlpWriter
{
    private readonly Span<byte> _buffer;

    public SpanRlpWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly Span<byte> Written => _buffer[..Position];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        int position = Position;
        if ((uint)position >= (uint)_buffer.Length) ThrowFull();
        _buffer[position] = value;
        Position = position + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        int position = Position;
        if (value.Length > _buffer.Length - position) ThrowFull();
        value.CopyTo(_buffer[position..]);
        Position = position + value.Length;
    }

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowFull() => throw new InvalidOperationException("RLP output buffer is too small: size it with GetRlpLength()");
}

/// <summary>Counts the bytes an encoder would write; used to check generated length functions.</summary>
public struct RlpLengthCounter : IRlpWriter
{
    public int Length { get; private set; }

    public void WriteByte(byte value) => Length++;

    public void WriteBytes(scoped ReadOnlySpan<byte> value) => Length += value.Length;
}

/// <summary>
/// Feeds the encoding straight into Keccak-256, so a signing hash never materialises its payload.
/// </summary>
public struct KeccakRlpWriter : IRlpWriter
{
    private Keccak256 _keccak;

    public static KeccakRlpWriter Create() => new() { _keccak = Keccak256.Create() };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value) => _keccak.Update(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBytes(scoped ReadOnlySpan<byte> value) => _keccak.Update(value);

    public void Final(Span<byte> hash32) => _keccak.Final(hash32);
}

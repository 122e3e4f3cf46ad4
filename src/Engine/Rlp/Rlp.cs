using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Rlp;

/// <summary>
/// The RLP grammar: how long each value encodes to, and how it is written to any <see cref="IRlpWriter"/>.
/// Generated encoders call these overloads field by field; lengths always come first so that a list
/// header is written once, with its exact size.
/// </summary>
public static class Rlp
{
    public const byte EmptyString = 0x80;
    public const byte EmptyList = 0xc0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ByteLength(ulong value) => 8 - (BitOperations.LeadingZeroCount(value) >> 3);

    /// <summary>Size of a string or list header for a payload of <paramref name="length"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HeaderLength(int length) => length < 56 ? 1 : 1 + ByteLength((ulong)length);

    public static int LengthOfList(int contentLength) => HeaderLength(contentLength) + contentLength;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LengthOf(ulong value) => value < 0x80 ? 1 : 1 + ByteLength(value);

    public static int LengthOf(uint value) => LengthOf((ulong)value);

    public static int LengthOf(byte value) => LengthOf((ulong)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LengthOf(in UInt256 value) => value.IsUInt64 ? LengthOf(value.U0) : 1 + value.ByteLength;

    public static int LengthOf(in Address value) => 1 + Address.Size;

    public static int LengthOf(in Address? value) => value.HasValue ? 1 + Address.Size : 1;

    public static int LengthOf(in Hash256 value) => 1 + Hash256.Size;

    public static int LengthOf(ReadOnlySpan<byte> value) =>
        value.Length == 1 && value[0] < 0x80 ? 1 : HeaderLength(value.Length) + value.Length;

    public static int LengthOf(ReadOnlyMemory<byte> value) => LengthOf(value.Span);

    public static void Write<TWriter>(ref TWriter writer, ulong value)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        if (value < 0x80)
        {
            writer.WriteByte(value == 0 ? EmptyString : (byte)value);
            return;
        }
        int length = ByteLength(value);
        writer.WriteByte((byte)(EmptyString + length));
        WriteBigEndian(ref writer, value, length);
    }

    public static void Write<TWriter>(ref TWriter writer, uint value)
        where TWriter : struct, IRlpWriter, allows ref struct => Write(ref writer, (ulong)value);

    public static void Write<TWriter>(ref TWriter writer, byte value)
        where TWriter : struct, IRlpWriter, allows ref struct => Write(ref writer, (ulong)value);

    public static void Write<TWriter>(ref TWriter writer, in UInt256 value)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        if (value.IsUInt64)
        {
            Write(ref writer, value.U0);
            return;
        }
        Bytes32 scratch = default;
        int length = value.WriteBigEndianMinimal(scratch);
        writer.WriteByte((byte)(EmptyString + length));
        writer.WriteBytes(((ReadOnlySpan<byte>)scratch)[..length]);
    }

    public static void Write<TWriter>(ref TWriter writer, in Address value)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        writer.WriteByte(EmptyString + Address.Size);
        writer.WriteBytes(value.Bytes);
    }

    public static void Write<TWriter>(ref TWriter writer, in Address? value)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        if (value.HasValue) Write(ref writer, value.GetValueOrDefault());
        else writer.WriteByte(EmptyString);
    }

    public static void Write<TWriter>(ref TWriter writer, in Hash256 value)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        writer.WriteByte(EmptyString + Hash256.Size);
        writer.WriteBytes(value.Bytes);
    }

    public static void Write<TWriter>(ref TWriter writer, ReadOnlySpan<byte> value)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        if (value.Length == 1 && value[0] < 0x80)
        {
            writer.WriteByte(value[0]);
            return;
        }
        WriteHeader(ref writer, EmptyString, value.Length);
        writer.WriteBytes(value);
    }

    public static void Write<TWriter>(ref TWriter writer, ReadOnlyMemory<byte> value)
        where TWriter : struct, IRlpWriter, allows ref struct => Write(ref writer, value.Span);

    /// <summary>Writes the header of a list whose items take <paramref name="contentLength"/> bytes.</summary>
    public static void WriteListHeader<TWriter>(ref TWriter writer, int contentLength)
        where TWriter : struct, IRlpWriter, allows ref struct => WriteHeader(ref writer, EmptyList, contentLength);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteHeader<TWriter>(ref TWriter writer, byte shortBase, int length)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        if (length < 56)
        {
            writer.WriteByte((byte)(shortBase + length));
            return;
        }
        int lengthOfLength = ByteLength((ulong)length);
        writer.WriteByte((byte)(shortBase + 55 + lengthOfLength));
        WriteBigEndian(ref writer, (ulong)length, lengthOfLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBigEndian<TWriter>(ref TWriter writer, ulong value, int length)
        where TWriter : struct, IRlpWriter, allows ref struct
    {
        ulong bigEndian = BinaryPrimitives.ReverseEndianness(value);
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in bigEndian));
        writer.WriteBytes(bytes[(8 - length)..]);
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastLoad.Engine.Primitives;

/// <summary>
/// An unsigned 256-bit integer as four 64-bit limbs, least significant first.
/// Only what transaction encoding needs: construction, parsing, minimal big-endian bytes,
/// comparison and small arithmetic. No <see cref="BigInteger"/> on any hot path.
/// </summary>
public readonly struct UInt256 : IEquatable<UInt256>, IComparable<UInt256>
{
    public readonly ulong U0;
    public readonly ulong U1;
    public readonly ulong U2;
    public readonly ulong U3;

    public static readonly UInt256 Zero = default;
    public static readonly UInt256 MaxValue = new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    public UInt256(ulong value) => U0 = value;

    public UInt256(ulong u0, ulong u1, ulong u2, ulong u3)
    {
        U0 = u0;
        U1 = u1;
        U2 = u2;
        U3 = u3;
    }

    public bool IsZero => (U0 | U1 | U2 | U3) == 0;

    /// <summary>True when the value fits in 64 bits.</summary>
    public bool IsUInt64 => (U1 | U2 | U3) == 0;

    /// <summary>Number of bytes in the minimal big-endian form (0 for zero).</summary>
    public int ByteLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (U3 != 0) return 32 - (BitOperations.LeadingZeroCount(U3) >> 3);
            if (U2 != 0) return 24 - (BitOperations.LeadingZeroCount(U2) >> 3);
            if (U1 != 0) return 16 - (BitOperations.LeadingZeroCount(U1) >> 3);
            return 8 - (BitOperations.LeadingZeroCount(U0) >> 3);
        }
    }

    public static implicit operator UInt256(ulong value) => new(value);

    /// <summary>Writes all 32 bytes, big-endian.</summary>
    public void WriteBigEndian32(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, U3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], U2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], U1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], U0);
    }

    /// <summary>Writes the minimal big-endian form (<see cref="ByteLength"/> bytes); returns the count.</summary>
    public int WriteBigEndianMinimal(Span<byte> destination)
    {
        Bytes32 full = default;
        Span<byte> tmp = full;
        WriteBigEndian32(tmp);
        int length = ByteLength;
        tmp[(32 - length)..].CopyTo(destination);
        return length;
    }

    /// <summary>Reads up to 32 big-endian bytes (leading zeros allowed).</summary>
    public static UInt256 FromBigEndian(ReadOnlySpan<byte> source)
    {
        if (source.Length > 32) ThrowTooLong();
        Bytes32 full = default;
        Span<byte> tmp = full;
        source.CopyTo(tmp[(32 - source.Length)..]);
        return new UInt256(
            BinaryPrimitives.ReadUInt64BigEndian(tmp[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(tmp[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(tmp[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(tmp));
    }

    /// <summary>this * multiplier + addend; false on overflow past 256 bits.</summary>
    public bool TryMultiplyAdd(ulong multiplier, ulong addend, out UInt256 result)
    {
        ulong carry = addend;
        ulong r0 = MulAdd(U0, multiplier, ref carry);
        ulong r1 = MulAdd(U1, multiplier, ref carry);
        ulong r2 = MulAdd(U2, multiplier, ref carry);
        ulong r3 = MulAdd(U3, multiplier, ref carry);
        result = new UInt256(r0, r1, r2, r3);
        return carry == 0;
    }

    private static ulong MulAdd(ulong limb, ulong multiplier, ref ulong carry)
    {
        ulong high = Math.BigMul(limb, multiplier, out ulong low);
        low += carry;
        if (low < carry) high++;
        carry = high;
        return low;
    }

    /// <summary>Parses a decimal string, or hex with a 0x prefix. No sign, no whitespace.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out UInt256 value)
    {
        value = default;
        if (text.IsEmpty) return false;
        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            ReadOnlySpan<char> hex = text[2..];
            if (hex.Length > 64) return false;
            UInt256 acc = default;
            foreach (char c in hex)
            {
                int nibble = HexNibble(c);
                if (nibble < 0 || !acc.TryMultiplyAdd(16, (ulong)nibble, out acc)) return false;
            }
            value = acc;
            return true;
        }
        UInt256 dec = default;
        foreach (char c in text)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9 || !dec.TryMultiplyAdd(10, digit, out dec)) return false;
        }
        value = dec;
        return true;
    }

    private static int HexNibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    public static UInt256 Parse(string text) =>
        TryParse(text, out UInt256 value) ? value : throw new FormatException($"'{text}' is not an unsigned 256-bit integer");

    public BigInteger ToBigInteger()
    {
        Bytes32 full = default;
        Span<byte> tmp = full;
        WriteBigEndian32(tmp);
        return new BigInteger(tmp, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>From a <see cref="BigInteger"/> in 0 .. 2^256-1 (cold path).</summary>
    public static UInt256 FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
            throw new OverflowException($"{value} is not an unsigned 256-bit integer");
        Bytes32 full = default;
        Span<byte> tmp = full;
        value.TryWriteBytes(tmp, out int written, isUnsigned: true, isBigEndian: true);
        return FromBigEndian(tmp[..written]);
    }

    public override string ToString() => IsUInt64 ? U0.ToString(CultureInfo.InvariantCulture) : ToBigInteger().ToString(CultureInfo.InvariantCulture);

    public bool Equals(UInt256 other) => U0 == other.U0 && U1 == other.U1 && U2 == other.U2 && U3 == other.U3;

    public override bool Equals(object? obj) => obj is UInt256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(U0, U1, U2, U3);

    public int CompareTo(UInt256 other)
    {
        if (U3 != other.U3) return U3.CompareTo(other.U3);
        if (U2 != other.U2) return U2.CompareTo(other.U2);
        if (U1 != other.U1) return U1.CompareTo(other.U1);
        return U0.CompareTo(other.U0);
    }

    public static bool operator ==(UInt256 left, UInt256 right) => left.Equals(right);
    public static bool operator !=(UInt256 left, UInt256 right) => !left.Equals(right);
    public static bool operator <(UInt256 left, UInt256 right) => left.CompareTo(right) < 0;
    public static bool operator >(UInt256 left, UInt256 right) => left.CompareTo(right) > 0;
    public static bool operator <=(UInt256 left, UInt256 right) => left.CompareTo(right) <= 0;
    public static bool operator >=(UInt256 left, UInt256 right) => left.CompareTo(right) >= 0;

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowTooLong() => throw new ArgumentException("more than 32 bytes for a 256-bit integer");
}

using System.Buffers;

namespace FastLoad.Engine.Preconf;

/// <summary>
/// Finds tx-hash-shaped text in a message: <c>0x</c> (or <c>0X</c>) followed by exactly 64 hex digits, not preceded
/// by a letter, digit or <c>_</c> and not followed by another hex digit (a longer hex string, e.g. a raw tx or
/// calldata, is not a hash). Works on UTF-8 bytes of any format (JSON, plain text); allocates nothing.
/// </summary>
public static class HashScanner
{
    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    /// <summary>
    /// The next hash at or after <paramref name="position"/>: decoded into <paramref name="hash32"/>, with
    /// <paramref name="position"/> moved past it. False when there is none left.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> text, ref int position, Span<byte> hash32)
    {
        while (position < text.Length)
        {
            int x = text[position..].IndexOfAny((byte)'x', (byte)'X');
            if (x < 0)
            {
                position = text.Length;
                return false;
            }
            int digits = position + x + 1;
            int start = digits - 2;
            position = digits;
            if (start < 0 || text[start] != '0') continue;                       // an x in a word
            if (start > 0 && IsWordByte(text[start - 1])) continue;            // e.g. "a0x…": part of something else
            if (text.Length - digits < 64) continue;
            ReadOnlySpan<byte> hex = text.Slice(digits, 64);
            if (hex.IndexOfAnyExcept(HexDigits) >= 0) continue;                  // shorter than 64 digits
            if (text.Length > digits + 64 && HexDigits.Contains(text[digits + 64]))
            {
                // Longer hex (a raw tx, calldata, a signature): skip all of it, none of it is a hash.
                int end = text[(digits + 64)..].IndexOfAnyExcept(HexDigits);
                position = end < 0 ? text.Length : digits + 64 + end;
                continue;
            }
            Convert.FromHexString(hex, hash32, out _, out _);
            position = digits + 64;
            return true;
        }
        return false;
    }

    private static bool IsWordByte(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_';
}

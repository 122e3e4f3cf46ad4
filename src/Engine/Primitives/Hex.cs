using System.Buffers;

namespace FastLoad.Engine.Primitives;

/// <summary>
/// 0x-hex conversions. Writing uses the BCL's vectorised UTF-8 encoder straight into the caller's buffer.
/// </summary>
public static class Hex
{
    /// <summary>Length of "0x" + hex of <paramref name="byteCount"/> bytes.</summary>
    public static int PrefixedLength(int byteCount) => 2 + 2 * byteCount;

    /// <summary>Writes "0x" followed by lowercase hex as UTF-8; returns bytes written.</summary>
    public static int WritePrefixedUtf8(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        destination[0] = (byte)'0';
        destination[1] = (byte)'x';
        Convert.TryToHexStringLower(source, destination[2..], out int written);
        return written + 2;
    }

    private static ReadOnlySpan<char> StripPrefix(ReadOnlySpan<char> text) =>
        text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? text[2..] : text;

    private static ReadOnlySpan<byte> StripPrefix(ReadOnlySpan<byte> text) =>
        text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? text[2..] : text;

    /// <summary>Decodes hex (optional 0x) that must fill <paramref name="destination"/> exactly.</summary>
    public static bool TryDecodeExact(ReadOnlySpan<char> text, Span<byte> destination)
    {
        ReadOnlySpan<char> digits = StripPrefix(text);
        if (digits.Length != destination.Length * 2) return false;
        return Convert.FromHexString(digits, destination, out _, out _) == OperationStatus.Done;
    }

    /// <summary>Decodes UTF-8 hex (optional 0x) into <paramref name="destination"/>; returns bytes written or -1.</summary>
    public static int TryDecodeUtf8(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        ReadOnlySpan<byte> digits = StripPrefix(text);
        if ((digits.Length & 1) != 0 || digits.Length / 2 > destination.Length) return -1;
        return Convert.FromHexString(digits, destination, out _, out int written) == OperationStatus.Done ? written : -1;
    }

    /// <summary>Decodes hex (optional 0x) of any even length; cold path.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        ReadOnlySpan<char> digits = StripPrefix(text);
        bytes = [];
        if ((digits.Length & 1) != 0) return false;
        byte[] result = new byte[digits.Length / 2];
        if (Convert.FromHexString(digits, result, out _, out _) != OperationStatus.Done) return false;
        bytes = result;
        return true;
    }

    public static byte[] Decode(string text) =>
        TryDecode(text, out byte[] bytes) ? bytes : throw new FormatException($"'{text}' is not 0x-hex");

    public static string ToPrefixedString(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);
}

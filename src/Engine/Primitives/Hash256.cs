using System.Diagnostics.CodeAnalysis;

namespace FastLoad.Engine.Primitives;

/// <summary>A 32-byte hash (or storage key), held inline.</summary>
public readonly struct Hash256 : IEquatable<Hash256>
{
    public const int Size = 32;

    private readonly Bytes32 _bytes;

    public Hash256(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a hash is {Size} bytes, got {bytes.Length}", nameof(bytes));
        bytes.CopyTo(_bytes);
    }

    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static bool TryParse(ReadOnlySpan<char> hex, out Hash256 hash)
    {
        hash = default;
        Bytes32 tmp = default;
        if (!Hex.TryDecodeExact(hex, tmp)) return false;
        hash = new Hash256(tmp);
        return true;
    }

    public static Hash256 Parse(string hex) =>
        TryParse(hex, out Hash256 h) ? h : throw new FormatException($"'{hex}' is not a 32-byte 0x-hex value");

    public bool Equals(Hash256 other) => Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(Bytes);

    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);
    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);

    public override string ToString() => "0x" + Convert.ToHexStringLower(Bytes);
}

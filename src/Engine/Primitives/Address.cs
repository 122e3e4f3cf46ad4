using System.Diagnostics.CodeAnalysis;

namespace FastLoad.Engine.Primitives;

/// <summary>A 20-byte account address, held inline.</summary>
public readonly struct Address : IEquatable<Address>
{
    public const int Size = 20;

    private readonly Bytes20 _bytes;

    public Address(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"an address is {Size} bytes, got {bytes.Length}", nameof(bytes));
        bytes.CopyTo(_bytes);
    }

    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static bool TryParse(ReadOnlySpan<char> hex, out Address address)
    {
        address = default;
        Bytes20 tmp = default;
        if (!Hex.TryDecodeExact(hex, tmp)) return false;
        address = new Address(tmp);
        return true;
    }

    public static Address Parse(string hex) =>
        TryParse(hex, out Address a) ? a : throw new FormatException($"'{hex}' is not a 20-byte 0x-hex address");

    public bool Equals(Address other) => Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(BitConverter.ToInt64(Bytes), BitConverter.ToInt64(Bytes[8..]), BitConverter.ToInt32(Bytes[16..]));

    public static bool operator ==(Address left, Address right) => left.Equals(right);
    public static bool operator !=(Address left, Address right) => !left.Equals(right);

    public override string ToString() => "0x" + Convert.ToHexStringLower(Bytes);
}

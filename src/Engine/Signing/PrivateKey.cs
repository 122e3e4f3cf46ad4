using System.Diagnostics.CodeAnalysis;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Signing;

/// <summary>A validated secp256k1 secret key with its address, derived once.</summary>
public readonly struct PrivateKey
{
    private readonly Bytes32 _key;

    public Address Address { get; }

    private PrivateKey(ReadOnlySpan<byte> key32, Address address)
    {
        key32.CopyTo(_key);
        Address = address;
    }

    [UnscopedRef]
    public ReadOnlySpan<byte> Bytes => _key;

    public static bool TryCreate(ReadOnlySpan<byte> key32, out PrivateKey key)
    {
        key = default;
        if (!Secp256k1.IsValidPrivateKey(key32)) return false;
        Bytes65 publicKey = default;
        if (!Secp256k1.TryGetPublicKey(key32, publicKey)) return false;
        key = new PrivateKey(key32, AddressOf(publicKey));
        return true;
    }

    /// <summary>Parses 32 bytes of 0x-hex and checks the value is a valid secret key.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out PrivateKey key)
    {
        key = default;
        Bytes32 raw = default;
        return Hex.TryDecodeExact(hex, raw) && TryCreate(raw, out key);
    }

    /// <summary>The address of an uncompressed public key: the last 20 bytes of keccak(x ‖ y).</summary>
    public static Address AddressOf(ReadOnlySpan<byte> publicKey65)
    {
        Bytes32 hash = default;
        Keccak256.Hash(publicKey65[1..65], hash);
        return new Address(((ReadOnlySpan<byte>)hash)[12..]);
    }

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"PrivateKey({Address})";
}

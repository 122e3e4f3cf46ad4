using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using FastLoad.Engine.Native;
using FastLoad.Engine.Primitives;
using Package = Secp256k1Net.Secp256k1;

namespace FastLoad.Engine.Signing;

/// <summary>
/// libsecp256k1 through Secp256k1.Net's instance API (its span overloads: direct wrappers of the C functions, 0 B per
/// call). Each thread gets its own package instance, so its own context, on first use; every call writes into
/// caller-owned spans. Signatures are always low-s (libsecp256k1 normalises them).
/// <para>Chosen by measurement over FastLoad's former <c>LibraryImport</c>s to the same library file
/// (<c>bench sign-binding</c>, alternating pairs, and <c>SignBindingBenchmarks</c>): full-tx signing package / own
/// 0.99–1.02× on one thread, 1.06× on two, sign-only 1.03–1.11×, both 0 B; no hand-written binding is kept.</para>
/// </summary>
public static class Secp256k1
{
    [ThreadStatic] private static Package? _threadInstance;

    [InlineArray(65)]
    private struct Scratch65
    {
        private byte _element0;
    }

    private static Package Instance
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _threadInstance ?? CreateInstance();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Package CreateInstance()
    {
        try
        {
            return _threadInstance = new Package();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Secp256k1.Net throws a plain Exception listing every folder it tried when the file is absent, and
            // DllNotFoundException when a file is there but does not load.
            throw NativeLibraries.Secp256k1Missing(e);
        }
    }

    /// <summary>Loads the library and creates this thread's context now, so a missing library is reported up front.</summary>
    public static void EnsureAvailable() => _ = Instance;

    /// <summary>True when the 32 bytes are a valid secret key (non-zero, below the curve order).</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32) =>
        privateKey32.Length == 32 && Instance.EcSeckeyVerify(privateKey32);

    /// <summary>
    /// Signs a 32-byte hash; writes r‖s (64 bytes, big-endian) and returns the recovery id (0 or 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> signature64)
    {
        if (hash32.Length != 32 || privateKey32.Length != 32 || signature64.Length < 64) ThrowBadLengths();
        Package lib = Instance;
        Scratch65 native = default;
        if (!lib.EcdsaSignRecoverable(native, hash32, privateKey32)) ThrowSignFailed();
        lib.EcdsaRecoverableSignatureSerializeCompact(signature64, out int recoveryId, native);
        return recoveryId;
    }

    /// <summary>Writes the 65-byte uncompressed public key (0x04 ‖ x ‖ y) of a secret key.</summary>
    public static bool TryGetPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> publicKey65) =>
        TrySerializePublicKey(privateKey32, publicKey65, 65);

    /// <summary>Writes the 33-byte compressed public key (0x02/0x03 ‖ x) of a secret key (BIP-32 hashes it). Cold path.</summary>
    public static bool TryGetCompressedPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> publicKey33) =>
        TrySerializePublicKey(privateKey32, publicKey33, 33);

    private static bool TrySerializePublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> output, int length)
    {
        if (privateKey32.Length != 32 || output.Length < length) return false;
        Package lib = Instance;
        Bytes64 pub = default;
        if (!lib.EcPubkeyCreate(pub, privateKey32)) return false;
        nuint written = (nuint)length;
        var flags = length == 33 ? Secp256k1Net.Secp256k1EcFlags.Compressed : Secp256k1Net.Secp256k1EcFlags.Uncompressed;
        return lib.EcPubkeySerialize(output[..length], ref written, pub, flags) && written == (nuint)length;
    }

    /// <summary>
    /// privateKey32 ← (privateKey32 + tweak32) mod n, in place. False, and the key unusable, when the tweak is not
    /// below the curve order or the sum is zero (BIP-32's "invalid child"). Cold path.
    /// </summary>
    public static bool TryAddTweak(Span<byte> privateKey32, ReadOnlySpan<byte> tweak32) =>
        privateKey32.Length == 32 && tweak32.Length == 32 && Instance.EcSeckeyTweakAdd(privateKey32, tweak32);

    /// <summary>Recovers the uncompressed public key from a hash, r‖s and recovery id.</summary>
    public static bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> signature64, int recoveryId, Span<byte> publicKey65)
    {
        if (hash32.Length != 32 || signature64.Length != 64 || publicKey65.Length < 65 || (uint)recoveryId > 3) return false;
        Package lib = Instance;
        Scratch65 sig = default;
        Bytes64 pub = default;
        if (!lib.EcdsaRecoverableSignatureParseCompact(sig, signature64, recoveryId)) return false;
        if (!lib.EcdsaRecover(pub, sig, hash32)) return false;
        nuint written = 65;
        return lib.EcPubkeySerialize(publicKey65[..65], ref written, pub, Secp256k1Net.Secp256k1EcFlags.Uncompressed) && written == 65;
    }

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowBadLengths() => throw new ArgumentException("secp256k1: hash and key must be 32 bytes, the signature buffer 64");

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowSignFailed() => throw new InvalidOperationException("secp256k1_ecdsa_sign_recoverable failed: invalid private key");
}

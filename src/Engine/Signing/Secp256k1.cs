using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using FastLoad.Engine.Native;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Signing;

/// <summary>
/// libsecp256k1 through <c>LibraryImport</c>: one context for the process, created and randomised once,
/// shared read-only by every signer thread. Every call writes into caller-owned spans.
/// Signatures are always low-s (libsecp256k1 normalises them).
/// </summary>
public static unsafe partial class Secp256k1
{
    private static readonly nint Context = CreateContext();

    [InlineArray(65)]
    private struct Scratch65
    {
        private byte _element0;
    }

    private static nint CreateContext()
    {
        NativeLibraries.EnsureResolver();
        NativeLibraries.Load(NativeLibraries.Secp256k1);
        nint context = ContextCreate(ContextSign | ContextVerify);
        if (context == 0) throw new InvalidOperationException("secp256k1_context_create failed");
        Span<byte> seed = stackalloc byte[32];
        RandomNumberGenerator.Fill(seed);
        fixed (byte* s = seed)
        {
            if (ContextRandomize(context, s) != 1) throw new InvalidOperationException("secp256k1_context_randomize failed");
        }
        return context;
    }

    /// <summary>Loads the library and creates the context now, so a missing library is reported up front.</summary>
    public static void EnsureAvailable() => _ = Context;

    /// <summary>True when the 32 bytes are a valid secret key (non-zero, below the curve order).</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32)
    {
        if (privateKey32.Length != 32) return false;
        fixed (byte* k = privateKey32) return SecretKeyVerify(Context, k) == 1;
    }

    /// <summary>
    /// Signs a 32-byte hash; writes r‖s (64 bytes, big-endian) and returns the recovery id (0 or 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> signature64)
    {
        if (hash32.Length != 32 || privateKey32.Length != 32 || signature64.Length < 64) ThrowBadLengths();
        Scratch65 native = default;
        int recoveryId;
        fixed (byte* h = hash32)
        fixed (byte* k = privateKey32)
        fixed (byte* output = signature64)
        {
            byte* sig = (byte*)Unsafe.AsPointer(ref native[0]);
            if (SignRecoverable(Context, sig, h, k, 0, 0) != 1) ThrowSignFailed();
            RecoverableSignatureSerializeCompact(Context, output, &recoveryId, sig);
        }
        return recoveryId;
    }

    /// <summary>Writes the 65-byte uncompressed public key (0x04 ‖ x ‖ y) of a secret key.</summary>
    public static bool TryGetPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> publicKey65)
    {
        if (privateKey32.Length != 32 || publicKey65.Length < 65) return false;
        Bytes64 pub = default;
        fixed (byte* k = privateKey32)
        fixed (byte* output = publicKey65)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref pub[0]);
            if (PublicKeyCreate(Context, p, k) != 1) return false;
            nuint length = 65;
            return PublicKeySerialize(Context, output, &length, p, EcUncompressed) == 1 && length == 65;
        }
    }

    /// <summary>Writes the 33-byte compressed public key (0x02/0x03 ‖ x) of a secret key (BIP-32 hashes it). Cold path.</summary>
    public static bool TryGetCompressedPublicKey(ReadOnlySpan<byte> privateKey32, Span<byte> publicKey33)
    {
        if (privateKey32.Length != 32 || publicKey33.Length < 33) return false;
        Bytes64 pub = default;
        fixed (byte* k = privateKey32)
        fixed (byte* output = publicKey33)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref pub[0]);
            if (PublicKeyCreate(Context, p, k) != 1) return false;
            nuint length = 33;
            return PublicKeySerialize(Context, output, &length, p, EcCompressed) == 1 && length == 33;
        }
    }

    /// <summary>
    /// privateKey32 ← (privateKey32 + tweak32) mod n, in place. False, and the key unusable, when the tweak is not
    /// below the curve order or the sum is zero (BIP-32's "invalid child"). Cold path.
    /// </summary>
    public static bool TryAddTweak(Span<byte> privateKey32, ReadOnlySpan<byte> tweak32)
    {
        if (privateKey32.Length != 32 || tweak32.Length != 32) return false;
        fixed (byte* k = privateKey32)
        fixed (byte* t = tweak32)
        {
            return SecretKeyTweakAdd(Context, k, t) == 1;
        }
    }

    /// <summary>Recovers the uncompressed public key from a hash, r‖s and recovery id.</summary>
    public static bool TryRecover(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> signature64, int recoveryId, Span<byte> publicKey65)
    {
        if (hash32.Length != 32 || signature64.Length != 64 || publicKey65.Length < 65 || (uint)recoveryId > 3) return false;
        Scratch65 sig = default;
        Bytes64 pub = default;
        fixed (byte* h = hash32)
        fixed (byte* input = signature64)
        fixed (byte* output = publicKey65)
        {
            byte* s = (byte*)Unsafe.AsPointer(ref sig[0]);
            byte* p = (byte*)Unsafe.AsPointer(ref pub[0]);
            if (RecoverableSignatureParseCompact(Context, s, input, recoveryId) != 1) return false;
            if (Recover(Context, p, s, h) != 1) return false;
            nuint length = 65;
            return PublicKeySerialize(Context, output, &length, p, EcUncompressed) == 1 && length == 65;
        }
    }

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowBadLengths() => throw new ArgumentException("secp256k1: hash and key must be 32 bytes, the signature buffer 64");

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowSignFailed() => throw new InvalidOperationException("secp256k1_ecdsa_sign_recoverable failed: invalid private key");
}

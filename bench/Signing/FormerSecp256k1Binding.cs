using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastLoad.Benchmarks.Signing;

/// <summary>
/// The engine's former hand-written binding (its own <c>LibraryImport</c>s, one process-wide randomised context), kept
/// here only so <see cref="SignBindingBenchmarks"/> and <c>bench sign-binding</c> still compare it with Secp256k1.Net's
/// API, which the engine now uses. It binds the very file the package loads (runtimes/linux-x64/native/).
/// </summary>
public static unsafe partial class FormerSecp256k1Binding
{
    private const string Library = "fastload-former-secp256k1";
    private const uint ContextSign = (1u << 0) | (1u << 9);
    private const uint ContextVerify = (1u << 0) | (1u << 8);

    private static readonly nint Context = CreateContext();

    [InlineArray(65)]
    private struct Scratch65
    {
        private byte _element0;
    }

    private static nint CreateContext()
    {
        NativeLibrary.SetDllImportResolver(typeof(FormerSecp256k1Binding).Assembly, (name, _, _) =>
            name == Library ? NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libsecp256k1.so")) : 0);
        nint context = ContextCreate(ContextSign | ContextVerify);
        Span<byte> seed = stackalloc byte[32];
        System.Security.Cryptography.RandomNumberGenerator.Fill(seed);
        fixed (byte* s = seed) ContextRandomize(context, s);
        return context;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32, Span<byte> signature64)
    {
        Scratch65 native = default;
        int recoveryId;
        fixed (byte* h = hash32)
        fixed (byte* k = privateKey32)
        fixed (byte* output = signature64)
        {
            byte* sig = (byte*)Unsafe.AsPointer(ref native[0]);
            if (SignRecoverable(Context, sig, h, k, 0, 0) != 1) throw new InvalidOperationException("sign failed");
            RecoverableSignatureSerializeCompact(Context, output, &recoveryId, sig);
        }
        return recoveryId;
    }

    [LibraryImport(Library, EntryPoint = "secp256k1_context_create")]
    private static partial nint ContextCreate(uint flags);

    [LibraryImport(Library, EntryPoint = "secp256k1_context_randomize")]
    private static partial int ContextRandomize(nint context, byte* seed32);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_sign_recoverable")]
    private static partial int SignRecoverable(nint context, byte* signature, byte* messageHash32, byte* secretKey, nint nonceFunction, nint nonceData);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_recoverable_signature_serialize_compact")]
    private static partial int RecoverableSignatureSerializeCompact(nint context, byte* output64, int* recoveryId, byte* signature);
}

using System.Runtime.InteropServices;
using FastLoad.Engine.Native;

namespace FastLoad.Engine.Signing;

public static unsafe partial class Secp256k1
{
    // Flags from secp256k1.h. SIGN|VERIFY works on every library version (0.2+ treats them as NONE).
    private const uint ContextSign = (1u << 0) | (1u << 9);
    private const uint ContextVerify = (1u << 0) | (1u << 8);
    private const uint EcUncompressed = 1u << 1;
    private const uint EcCompressed = (1u << 1) | (1u << 8);

    // Opaque structs: secp256k1_pubkey is 64 bytes, secp256k1_ecdsa_recoverable_signature is 65.
    internal const int PubKeyStructSize = 64;
    internal const int RecoverableSignatureStructSize = 65;

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_context_create")]
    private static partial nint ContextCreate(uint flags);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_context_randomize")]
    private static partial int ContextRandomize(nint context, byte* seed32);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ec_seckey_verify")]
    private static partial int SecretKeyVerify(nint context, byte* secretKey);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ec_pubkey_create")]
    private static partial int PublicKeyCreate(nint context, byte* publicKey, byte* secretKey);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ec_pubkey_serialize")]
    private static partial int PublicKeySerialize(nint context, byte* output, nuint* outputLength, byte* publicKey, uint flags);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ec_seckey_tweak_add")]
    private static partial int SecretKeyTweakAdd(nint context, byte* secretKey, byte* tweak32);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ecdsa_sign_recoverable")]
    private static partial int SignRecoverable(nint context, byte* signature, byte* messageHash32, byte* secretKey, nint nonceFunction, nint nonceData);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ecdsa_recoverable_signature_serialize_compact")]
    private static partial int RecoverableSignatureSerializeCompact(nint context, byte* output64, int* recoveryId, byte* signature);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ecdsa_recoverable_signature_parse_compact")]
    private static partial int RecoverableSignatureParseCompact(nint context, byte* signature, byte* input64, int recoveryId);

    [LibraryImport(NativeLibraries.Secp256k1, EntryPoint = "secp256k1_ecdsa_recover")]
    private static partial int Recover(nint context, byte* publicKey, byte* signature, byte* messageHash32);
}

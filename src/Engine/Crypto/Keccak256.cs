using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastLoad.Engine.Crypto;

/// <summary>
/// Keccak-256 as used by Ethereum: original Keccak padding (0x01 … 0x80), rate 136 bytes, 32-byte digest.
/// This is <b>not</b> FIPS-202 SHA3-256, which pads with 0x06 and produces different digests.
/// </summary>
/// <remarks>
/// <para>A mutable value type meant to be used as a local: it never allocates.
/// <c>default(Keccak256)</c> is a valid empty hasher; <see cref="Create"/> just returns it.</para>
/// <para><see cref="Final"/> writes the digest and resets the hasher to empty, so it can be reused.</para>
/// <para>The struct is 344 bytes. Pass it by <c>ref</c>; a copy is an independent fork of the state
/// (handy for hashing several messages with a common prefix). Not thread-safe.</para>
/// </remarks>
public struct Keccak256
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>Sponge rate in bytes (1600 - 2 × 256 bits).</summary>
    public const int Rate = 136;

    private const int StateLaneCount = 25;

    private StateLanes _state;   // 5×5 lanes, lane (x, y) at index x + 5y; all zero = empty state
    private RateBlock _buffer;   // bytes of the current incomplete block
    private int _buffered;       // valid bytes in _buffer, always 0..Rate-1 between calls

    /// <summary>Returns an empty hasher (same as <c>default</c>).</summary>
    public static Keccak256 Create() => default;

    /// <summary>Resets the hasher to the empty state.</summary>
    public void Reset() => this = default;

    /// <summary>Absorbs a single byte.</summary>
    public void Update(byte b)
    {
        int n = _buffered;
        _buffer[n] = b;
        if (++n == Rate)
        {
            Absorb(ref _state, _buffer);
            n = 0;
        }
        _buffered = n;
    }

    /// <summary>Absorbs <paramref name="data"/>.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        if (_buffered != 0)
        {
            // Top up the pending partial block first.
            Span<byte> free = ((Span<byte>)_buffer)[_buffered..];
            if (data.Length < free.Length)
            {
                data.CopyTo(free);
                _buffered += data.Length;
                return;
            }

            data[..free.Length].CopyTo(free);
            data = data[free.Length..];
            Absorb(ref _state, _buffer);
            _buffered = 0;
        }

        // Whole blocks are absorbed straight from the input, without copying.
        int whole = data.Length - data.Length % Rate;
        if (whole != 0)
        {
            Absorb(ref _state, data[..whole]);
            data = data[whole..];
        }

        // Keep the tail (< Rate bytes) for later.
        data.CopyTo(_buffer);
        _buffered = data.Length;
    }

    /// <summary>
    /// Pads, writes the 32-byte digest to the start of <paramref name="output32"/> and resets the hasher.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output32"/> is shorter than 32 bytes.</exception>
    public void Final(Span<byte> output32)
    {
        if (output32.Length < HashSize)
            ThrowOutputTooShort(nameof(output32));

        Span<byte> block = _buffer;
        block[_buffered..].Clear();
        Pad(block, _buffered);
        Absorb(ref _state, block);
        Squeeze(ref _state, output32);
        this = default;
    }

    /// <summary>
    /// One-shot Keccak-256 of <paramref name="data"/> into the first 32 bytes of <paramref name="output32"/>.
    /// The output may overlap the input (e.g. hashing a 32-byte buffer in place).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output32"/> is shorter than 32 bytes.</exception>
    [SkipLocalsInit]
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output32)
    {
        if (output32.Length < HashSize)
            ThrowOutputTooShort(nameof(output32));

        StateLanes state = default;

        // Whole blocks straight from the input.
        int whole = data.Length - data.Length % Rate;
        if (whole != 0)
            Absorb(ref state, data[..whole]);

        // Last (possibly empty) partial block, padded in a zeroed stack copy.
        ReadOnlySpan<byte> tail = data[whole..];
        RateBlock last = default;
        Span<byte> block = last;
        tail.CopyTo(block);
        Pad(block, tail.Length);
        Absorb(ref state, block);
        Squeeze(ref state, output32);
    }

    /// <summary>
    /// Keccak pad10*1 with the original 0x01 first byte (SHA3 would use 0x06), applied to a block whose
    /// bytes from <paramref name="used"/> on are already zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pad(Span<byte> block, int used)
    {
        block[used] = 0x01;
        block[Rate - 1] |= 0x80;   // same byte as 0x01 when used == Rate - 1 → 0x81
    }

    /// <summary>Writes the first 4 lanes little-endian (the 256-bit digest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Squeeze(ref StateLanes state, Span<byte> output)
    {
        output = output[..HashSize]; // lets the JIT drop the bounds checks below
        BinaryPrimitives.WriteUInt64LittleEndian(output, state[0]);
        BinaryPrimitives.WriteUInt64LittleEndian(output[8..], state[1]);
        BinaryPrimitives.WriteUInt64LittleEndian(output[16..], state[2]);
        BinaryPrimitives.WriteUInt64LittleEndian(output[24..], state[3]);
    }

    /// <summary>
    /// XORs each <see cref="Rate"/>-byte block of <paramref name="blocks"/> into the state and applies
    /// keccak-f[1600] after each. The state stays in 25 locals for the whole run.
    /// </summary>
    private static void Absorb(ref StateLanes state, ReadOnlySpan<byte> blocks)
    {
        Debug.Assert(blocks.Length != 0 && blocks.Length % Rate == 0);

        // ι constants, read via Unsafe.Add below: round < 24 always, so no bounds checks are needed.
        ref ulong rc = ref MemoryMarshal.GetArrayDataReference(RoundConstants);

        // Lane names as in the Keccak team's reference code: row b,g,k,m,s = y 0..4; column a,e,i,o,u = x 0..4.
        ulong aba = state[0], abe = state[1], abi = state[2], abo = state[3], abu = state[4];
        ulong aga = state[5], age = state[6], agi = state[7], ago = state[8], agu = state[9];
        ulong aka = state[10], ake = state[11], aki = state[12], ako = state[13], aku = state[14];
        ulong ama = state[15], ame = state[16], ami = state[17], amo = state[18], amu = state[19];
        ulong asa = state[20], ase = state[21], asi = state[22], aso = state[23], asu = state[24];

        do
        {
            // XOR one block (17 lanes, little-endian) into the rate part of the state.
            ReadOnlySpan<byte> block = blocks[..Rate];
            aba ^= BinaryPrimitives.ReadUInt64LittleEndian(block);
            abe ^= BinaryPrimitives.ReadUInt64LittleEndian(block[8..]);
            abi ^= BinaryPrimitives.ReadUInt64LittleEndian(block[16..]);
            abo ^= BinaryPrimitives.ReadUInt64LittleEndian(block[24..]);
            abu ^= BinaryPrimitives.ReadUInt64LittleEndian(block[32..]);
            aga ^= BinaryPrimitives.ReadUInt64LittleEndian(block[40..]);
            age ^= BinaryPrimitives.ReadUInt64LittleEndian(block[48..]);
            agi ^= BinaryPrimitives.ReadUInt64LittleEndian(block[56..]);
            ago ^= BinaryPrimitives.ReadUInt64LittleEndian(block[64..]);
            agu ^= BinaryPrimitives.ReadUInt64LittleEndian(block[72..]);
            aka ^= BinaryPrimitives.ReadUInt64LittleEndian(block[80..]);
            ake ^= BinaryPrimitives.ReadUInt64LittleEndian(block[88..]);
            aki ^= BinaryPrimitives.ReadUInt64LittleEndian(block[96..]);
            ako ^= BinaryPrimitives.ReadUInt64LittleEndian(block[104..]);
            aku ^= BinaryPrimitives.ReadUInt64LittleEndian(block[112..]);
            ama ^= BinaryPrimitives.ReadUInt64LittleEndian(block[120..]);
            ame ^= BinaryPrimitives.ReadUInt64LittleEndian(block[128..]);
            blocks = blocks[Rate..];

            // keccak-f[1600]: 24 rounds, two per iteration (A → E → A) so lanes are never copied.
            // θ's column parities C[x] are computed here once, then accumulated while χ writes each row.
            ulong c0 = aba ^ aga ^ aka ^ ama ^ asa;
            ulong c1 = abe ^ age ^ ake ^ ame ^ ase;
            ulong c2 = abi ^ agi ^ aki ^ ami ^ asi;
            ulong c3 = abo ^ ago ^ ako ^ amo ^ aso;
            ulong c4 = abu ^ agu ^ aku ^ amu ^ asu;
            for (int round = 0; round < 24; round += 2)
            {
                ulong d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
                ulong eba, ebe, ebi, ebo, ebu, ega, ege, egi, ego, egu, eka, eke, eki, eko, eku;
                ulong ema, eme, emi, emo, emu, esa, ese, esi, eso, esu;

                // ---- round r: A → E ----
                // θ: D[x] = C[x-1] ^ rol(C[x+1], 1), C = column parities of the input lanes
                d0 = c4 ^ Rol(c1, 1);
                d1 = c0 ^ Rol(c2, 1);
                d2 = c1 ^ Rol(c3, 1);
                d3 = c2 ^ Rol(c4, 1);
                d4 = c3 ^ Rol(c0, 1);
                // ρ+π gather output row b, then χ and ι; accumulate next C
                b0 = aba ^ d0;
                b1 = Rol(age ^ d1, 44);
                b2 = Rol(aki ^ d2, 43);
                b3 = Rol(amo ^ d3, 21);
                b4 = Rol(asu ^ d4, 14);
                eba = b0 ^ (~b1 & b2) ^ Unsafe.Add(ref rc, round);
                ebe = b1 ^ (~b2 & b3);
                ebi = b2 ^ (~b3 & b4);
                ebo = b3 ^ (~b4 & b0);
                ebu = b4 ^ (~b0 & b1);
                c0 = eba; c1 = ebe; c2 = ebi; c3 = ebo; c4 = ebu;
                // ρ+π gather output row g, then χ; accumulate next C
                b0 = Rol(abo ^ d3, 28);
                b1 = Rol(agu ^ d4, 20);
                b2 = Rol(aka ^ d0, 3);
                b3 = Rol(ame ^ d1, 45);
                b4 = Rol(asi ^ d2, 61);
                ega = b0 ^ (~b1 & b2);
                ege = b1 ^ (~b2 & b3);
                egi = b2 ^ (~b3 & b4);
                ego = b3 ^ (~b4 & b0);
                egu = b4 ^ (~b0 & b1);
                c0 ^= ega; c1 ^= ege; c2 ^= egi; c3 ^= ego; c4 ^= egu;
                // ρ+π gather output row k, then χ; accumulate next C
                b0 = Rol(abe ^ d1, 1);
                b1 = Rol(agi ^ d2, 6);
                b2 = Rol(ako ^ d3, 25);
                b3 = Rol(amu ^ d4, 8);
                b4 = Rol(asa ^ d0, 18);
                eka = b0 ^ (~b1 & b2);
                eke = b1 ^ (~b2 & b3);
                eki = b2 ^ (~b3 & b4);
                eko = b3 ^ (~b4 & b0);
                eku = b4 ^ (~b0 & b1);
                c0 ^= eka; c1 ^= eke; c2 ^= eki; c3 ^= eko; c4 ^= eku;
                // ρ+π gather output row m, then χ; accumulate next C
                b0 = Rol(abu ^ d4, 27);
                b1 = Rol(aga ^ d0, 36);
                b2 = Rol(ake ^ d1, 10);
                b3 = Rol(ami ^ d2, 15);
                b4 = Rol(aso ^ d3, 56);
                ema = b0 ^ (~b1 & b2);
                eme = b1 ^ (~b2 & b3);
                emi = b2 ^ (~b3 & b4);
                emo = b3 ^ (~b4 & b0);
                emu = b4 ^ (~b0 & b1);
                c0 ^= ema; c1 ^= eme; c2 ^= emi; c3 ^= emo; c4 ^= emu;
                // ρ+π gather output row s, then χ; accumulate next C
                b0 = Rol(abi ^ d2, 62);
                b1 = Rol(ago ^ d3, 55);
                b2 = Rol(aku ^ d4, 39);
                b3 = Rol(ama ^ d0, 41);
                b4 = Rol(ase ^ d1, 2);
                esa = b0 ^ (~b1 & b2);
                ese = b1 ^ (~b2 & b3);
                esi = b2 ^ (~b3 & b4);
                eso = b3 ^ (~b4 & b0);
                esu = b4 ^ (~b0 & b1);
                c0 ^= esa; c1 ^= ese; c2 ^= esi; c3 ^= eso; c4 ^= esu;

                // ---- round r + 1: E → A ----
                // θ: D[x] = C[x-1] ^ rol(C[x+1], 1), C = column parities of the input lanes
                d0 = c4 ^ Rol(c1, 1);
                d1 = c0 ^ Rol(c2, 1);
                d2 = c1 ^ Rol(c3, 1);
                d3 = c2 ^ Rol(c4, 1);
                d4 = c3 ^ Rol(c0, 1);
                // ρ+π gather output row b, then χ and ι; accumulate next C
                b0 = eba ^ d0;
                b1 = Rol(ege ^ d1, 44);
                b2 = Rol(eki ^ d2, 43);
                b3 = Rol(emo ^ d3, 21);
                b4 = Rol(esu ^ d4, 14);
                aba = b0 ^ (~b1 & b2) ^ Unsafe.Add(ref rc, round + 1);
                abe = b1 ^ (~b2 & b3);
                abi = b2 ^ (~b3 & b4);
                abo = b3 ^ (~b4 & b0);
                abu = b4 ^ (~b0 & b1);
                c0 = aba; c1 = abe; c2 = abi; c3 = abo; c4 = abu;
                // ρ+π gather output row g, then χ; accumulate next C
                b0 = Rol(ebo ^ d3, 28);
                b1 = Rol(egu ^ d4, 20);
                b2 = Rol(eka ^ d0, 3);
                b3 = Rol(eme ^ d1, 45);
                b4 = Rol(esi ^ d2, 61);
                aga = b0 ^ (~b1 & b2);
                age = b1 ^ (~b2 & b3);
                agi = b2 ^ (~b3 & b4);
                ago = b3 ^ (~b4 & b0);
                agu = b4 ^ (~b0 & b1);
                c0 ^= aga; c1 ^= age; c2 ^= agi; c3 ^= ago; c4 ^= agu;
                // ρ+π gather output row k, then χ; accumulate next C
                b0 = Rol(ebe ^ d1, 1);
                b1 = Rol(egi ^ d2, 6);
                b2 = Rol(eko ^ d3, 25);
                b3 = Rol(emu ^ d4, 8);
                b4 = Rol(esa ^ d0, 18);
                aka = b0 ^ (~b1 & b2);
                ake = b1 ^ (~b2 & b3);
                aki = b2 ^ (~b3 & b4);
                ako = b3 ^ (~b4 & b0);
                aku = b4 ^ (~b0 & b1);
                c0 ^= aka; c1 ^= ake; c2 ^= aki; c3 ^= ako; c4 ^= aku;
                // ρ+π gather output row m, then χ; accumulate next C
                b0 = Rol(ebu ^ d4, 27);
                b1 = Rol(ega ^ d0, 36);
                b2 = Rol(eke ^ d1, 10);
                b3 = Rol(emi ^ d2, 15);
                b4 = Rol(eso ^ d3, 56);
                ama = b0 ^ (~b1 & b2);
                ame = b1 ^ (~b2 & b3);
                ami = b2 ^ (~b3 & b4);
                amo = b3 ^ (~b4 & b0);
                amu = b4 ^ (~b0 & b1);
                c0 ^= ama; c1 ^= ame; c2 ^= ami; c3 ^= amo; c4 ^= amu;
                // ρ+π gather output row s, then χ; accumulate next C
                b0 = Rol(ebi ^ d2, 62);
                b1 = Rol(ego ^ d3, 55);
                b2 = Rol(eku ^ d4, 39);
                b3 = Rol(ema ^ d0, 41);
                b4 = Rol(ese ^ d1, 2);
                asa = b0 ^ (~b1 & b2);
                ase = b1 ^ (~b2 & b3);
                asi = b2 ^ (~b3 & b4);
                aso = b3 ^ (~b4 & b0);
                asu = b4 ^ (~b0 & b1);
                c0 ^= asa; c1 ^= ase; c2 ^= asi; c3 ^= aso; c4 ^= asu;
            }
        }
        while (!blocks.IsEmpty);

        state[0] = aba; state[1] = abe; state[2] = abi; state[3] = abo; state[4] = abu;
        state[5] = aga; state[6] = age; state[7] = agi; state[8] = ago; state[9] = agu;
        state[10] = aka; state[11] = ake; state[12] = aki; state[13] = ako; state[14] = aku;
        state[15] = ama; state[16] = ame; state[17] = ami; state[18] = amo; state[19] = amu;
        state[20] = asa; state[21] = ase; state[22] = asi; state[23] = aso; state[24] = asu;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Rol(ulong value, int offset) => BitOperations.RotateLeft(value, offset);

    /// <summary>ι round constants for the 24 rounds.</summary>
    /// <remarks>
    /// A static readonly array rather than a <c>ReadOnlySpan&lt;ulong&gt;</c> RVA property: the latter goes
    /// through RuntimeHelpers.CreateSpan, which allocates on every call in unoptimized (Debug) code.
    /// </remarks>
    private static readonly ulong[] RoundConstants =
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
        0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
        0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowOutputTooShort(string paramName) =>
        throw new ArgumentException("The output buffer must be at least 32 bytes.", paramName);

    /// <summary>The 1600-bit state as 25 little-endian lanes.</summary>
    [InlineArray(StateLaneCount)]
    private struct StateLanes
    {
        private ulong _lane;
    }

    /// <summary>One rate-sized block of input bytes.</summary>
    [InlineArray(Rate)]
    private struct RateBlock
    {
        private byte _byte;
    }
}

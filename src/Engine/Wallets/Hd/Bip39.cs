using System.Security.Cryptography;
using System.Text;

namespace FastLoad.Engine.Wallets.Hd;

/// <summary>
/// BIP-39 mnemonics, English wordlist: validation (word count, words, checksum) and the 64-byte seed
/// (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" ‖ passphrase). Cold path: once per run.
/// <para>
/// The wordlist is BIP-39's <c>english.txt</c> (2048 lowercase ASCII words), embedded in the assembly. Words are
/// accepted in any case and separated by any whitespace; the seed is computed from the canonical sentence (the
/// lowercase words joined by single spaces), which is what the NFKD normalisation BIP-39 asks for gives for English
/// words. A passphrase must be ASCII: this build runs with invariant globalization, which has no NFKD.
/// </para>
/// </summary>
public static class Bip39
{
    /// <summary>Word counts BIP-39 defines: 128 to 256 bits of entropy in steps of 32, plus a checksum of ENT/32 bits.</summary>
    public static readonly int[] WordCounts = [12, 15, 18, 21, 24];

    private const int Pbkdf2Rounds = 2048;

    private static readonly Lazy<(string[] Words, Dictionary<string, int> Index)> English = new(LoadEnglish);

    /// <summary>The 2048 words, in order (index = the 11-bit value a word stands for).</summary>
    public static IReadOnlyList<string> EnglishWords => English.Value.Words;

    /// <summary>
    /// Splits and checks a mnemonic; returns its words in lowercase. Throws <see cref="FormatException"/> with a
    /// one-line reason (word count, the position of the first unknown word, never the word, or a bad checksum).
    /// </summary>
    public static string[] Validate(string mnemonic)
    {
        string[] words = mnemonic.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (Array.IndexOf(WordCounts, words.Length) < 0)
            throw new FormatException($"the mnemonic has {words.Length} words: a BIP-39 mnemonic has 12, 15, 18, 21 or 24");
        Dictionary<string, int> index = English.Value.Index;
        int[] values = new int[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = words[i].ToLowerInvariant();
            if (!index.TryGetValue(words[i], out values[i]))
                throw new FormatException($"word {i + 1} of the mnemonic is not in the BIP-39 English wordlist (the word is not shown: it is part of a secret): check its spelling");
        }

        // words * 11 bits = entropy (ENT bits) ‖ checksum (ENT / 32 bits) = the first bits of SHA-256(entropy).
        int totalBits = words.Length * 11;
        int checksumBits = totalBits / 33;
        int entropyBits = totalBits - checksumBits;
        byte[] bits = new byte[(totalBits + 7) / 8];
        for (int w = 0; w < values.Length; w++)
        {
            for (int b = 0; b < 11; b++)
            {
                if ((values[w] >> (10 - b) & 1) == 0) continue;
                int position = w * 11 + b;
                bits[position / 8] |= (byte)(0x80 >> (position % 8));
            }
        }
        byte[] entropy = bits[..(entropyBits / 8)];
        byte[] hash = SHA256.HashData(entropy);
        for (int b = 0; b < checksumBits; b++)
        {
            int position = entropyBits + b;
            bool given = (bits[position / 8] & (0x80 >> (position % 8))) != 0;
            bool expected = (hash[b / 8] & (0x80 >> (b % 8))) != 0;
            if (given != expected)
                throw new FormatException("the mnemonic's checksum does not match (a word is wrong or the words are out of order): check it against your backup");
        }
        return words;
    }

    /// <summary>The 64-byte BIP-39 seed of a mnemonic (validated first) and an optional ASCII passphrase.</summary>
    public static byte[] ToSeed(string mnemonic, string passphrase = "")
    {
        string[] words = Validate(mnemonic);
        if (!Ascii.IsValid(passphrase))
            throw new FormatException("the passphrase is not ASCII: BIP-39 normalises it with NFKD, which this build (invariant globalization) cannot do");
        byte[] sentence = Encoding.UTF8.GetBytes(string.Join(' ', words));
        byte[] salt = Encoding.UTF8.GetBytes("mnemonic" + passphrase);
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(sentence, salt, Pbkdf2Rounds, HashAlgorithmName.SHA512, 64);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sentence);
        }
    }

    private static (string[] Words, Dictionary<string, int> Index) LoadEnglish()
    {
        const string name = "FastLoad.Engine.Wallets.Hd.bip39-english.txt";
        using Stream stream = typeof(Bip39).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the engine assembly");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        string[] words = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length != 2048) throw new InvalidOperationException($"the BIP-39 English wordlist has {words.Length} words, not 2048");
        var index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) index.Add(words[i], i);
        return (words, index);
    }
}

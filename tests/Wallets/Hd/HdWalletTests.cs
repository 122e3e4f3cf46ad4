using System.Security.Cryptography;
using System.Text;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets.Hd;
using NB = NBitcoin;

namespace FastLoad.Tests.Wallets.Hd;

/// <summary>
/// BIP-39 and BIP-32/44 as FastLoad implements them, checked against published vectors, against the accounts anvil
/// derives from its well-known mnemonic, and against NBitcoin (an independent implementation) on random mnemonics,
/// passphrases and account indices.
/// </summary>
public class HdWalletTests
{
    private const string AnvilMnemonic = "test test test test test test test test test test test junk";

    [Fact]
    public void Embedded_wordlist_is_bip39_english_txt()
    {
        string file = string.Join('\n', Bip39.EnglishWords) + "\n";
        // The SHA-256 of english.txt in the BIP-39 repository.
        Assert.Equal("2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda", Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(file))));
        Assert.Equal("abandon", Bip39.EnglishWords[0]);
        Assert.Equal("zoo", Bip39.EnglishWords[2047]);
    }

    [Theory]
    [InlineData(0, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")]
    [InlineData(1, "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8")]
    public void Anvil_mnemonic_gives_anvils_dev_accounts(int index, string expectedKey, string expectedAddress)
    {
        PrivateKey key = Bip32.FromMnemonic(AnvilMnemonic, index);
        Assert.Equal(expectedKey, "0x" + Convert.ToHexStringLower(key.Bytes));
        Assert.Equal(expectedAddress, key.Address.ToString());
    }

    [Fact]
    public void Seed_matches_the_first_bip39_reference_vector()
    {
        // Trezor's BIP-39 vectors (passphrase "TREZOR"): entropy 00..00 (128 bits).
        byte[] seed = Bip39.ToSeed("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "TREZOR");
        Assert.Equal("c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
            Convert.ToHexStringLower(seed));
    }

    [Theory]
    // BIP-32 test vector 1: seed 000102030405060708090a0b0c0d0e0f (hardened and normal steps).
    [InlineData(new uint[] { }, "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35")]
    [InlineData(new uint[] { Bip32.Hardened }, "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea")]
    [InlineData(new uint[] { Bip32.Hardened, 1 }, "3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368")]
    [InlineData(new uint[] { Bip32.Hardened, 1, 2 | Bip32.Hardened }, "cbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca")]
    [InlineData(new uint[] { Bip32.Hardened, 1, 2 | Bip32.Hardened, 2 }, "0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4")]
    public void Derivation_matches_bip32_test_vector_1(uint[] path, string expectedKey)
    {
        PrivateKey key = Bip32.Derive(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"), path);
        Assert.Equal(expectedKey, Convert.ToHexStringLower(key.Bytes));
    }

    [Fact]
    public void Random_mnemonics_passphrases_and_indices_give_the_key_nbitcoin_gives()
    {
        const int seed = 0x0B1739;
        var random = new Random(seed);
        int[] entropyBytes = [16, 20, 24, 28, 32];
        for (int c = 0; c < 60; c++)
        {
            byte[] entropy = new byte[entropyBytes[c % entropyBytes.Length]];
            random.NextBytes(entropy);
            string mnemonic = new NB.Mnemonic(NB.Wordlist.English, entropy).ToString();
            string passphrase = c % 3 == 0 ? "" : RandomAscii(random);
            int index = (c % 6) switch { 0 => 0, 1 => 1, 2 => int.MaxValue, _ => random.Next() };
            try
            {
                byte[] expectedSeed = new NB.Mnemonic(mnemonic, NB.Wordlist.English).DeriveSeed(passphrase);
                Assert.Equal(Convert.ToHexStringLower(expectedSeed), Convert.ToHexStringLower(Bip39.ToSeed(mnemonic, passphrase)));
                NB.ExtKey expected = new NB.Mnemonic(mnemonic, NB.Wordlist.English).DeriveExtKey(passphrase).Derive(new NB.KeyPath($"m/44'/60'/0'/0/{index}"));
                PrivateKey actual = Bip32.FromMnemonic(mnemonic, index, passphrase);
                Assert.Equal(Convert.ToHexStringLower(expected.PrivateKey.ToBytes()), Convert.ToHexStringLower(actual.Bytes));
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed 0x{seed:x}, case {c}: {entropy.Length * 8}-bit mnemonic '{mnemonic}', passphrase '{passphrase}', index {index}\n{e.Message}", e);
            }
        }
    }

    [Fact]
    public void Words_in_any_case_and_spacing_give_the_same_key()
    {
        PrivateKey canonical = Bip32.FromMnemonic(AnvilMnemonic, 0);
        PrivateKey messy = Bip32.FromMnemonic("  Test TEST test\ttest test test\n test test test test test Junk\r\n", 0);
        Assert.Equal(canonical.Address, messy.Address);
    }

    [Theory]
    [InlineData("test test test test test test test test test test test", "the mnemonic has 11 words: a BIP-39 mnemonic has 12, 15, 18, 21 or 24")]
    [InlineData("", "the mnemonic has 0 words: a BIP-39 mnemonic has 12, 15, 18, 21 or 24")]
    [InlineData("test test test test test test test test test tset test junk", "word 10 of the mnemonic is not in the BIP-39 English wordlist (the word is not shown: it is part of a secret): check its spelling")]
    [InlineData("test test test test test test test test test test junk test", "the mnemonic's checksum does not match (a word is wrong or the words are out of order): check it against your backup")]
    public void Bad_mnemonics_are_refused_with_the_reason(string mnemonic, string message)
    {
        var e = Assert.Throws<FormatException>(() => Bip39.Validate(mnemonic));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_checksum_nbitcoin_rejects_is_rejected()
    {
        const string mnemonic = "test test test test test test test test test test test test";
        Assert.False(new NB.Mnemonic(mnemonic, NB.Wordlist.English).IsValidChecksum);
        Assert.Contains("checksum", Assert.Throws<FormatException>(() => Bip39.Validate(mnemonic)).Message);
    }

    [Fact]
    public void Non_ascii_passphrase_is_refused_rather_than_left_unnormalised()
    {
        var e = Assert.Throws<FormatException>(() => Bip39.ToSeed(AnvilMnemonic, "café"));
        Assert.Contains("NFKD", e.Message);
    }

    [Fact]
    public void Negative_account_index_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Bip32.FromMnemonic(AnvilMnemonic, -1));
    }

    private static string RandomAscii(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(1, 24);
        for (int i = 0; i < length; i++) text.Append((char)random.Next(0x20, 0x7f));
        return text.ToString();
    }
}

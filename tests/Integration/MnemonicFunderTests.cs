using System.Globalization;
using System.Text.Json.Nodes;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// <c>--funder-mnemonic-file FILE [--funder-index N]</c>: a team funds from the mnemonic it already has. anvil's own
/// accounts derive from <see cref="AnvilMnemonic"/>, so account 1 of it is a funded funder on a fresh anvil.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class MnemonicFunderTests
{
    public const string AnvilMnemonic = "test test test test test test test test test test test junk";
    private const string Account0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private const string Account1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    /// <summary>A mnemonic file only its owner can read (no warning).</summary>
    public static string MnemonicFile(string text)
    {
        string path = TestPaths.NewFile(".mnemonic");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public async Task A_run_funded_from_account_1_of_anvils_mnemonic_funds_from_that_account()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        string mnemonic = MnemonicFile(AnvilMnemonic + "\n");

        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", node.Url.ToString(), "--rate", "50", "--count", "40",
            "--wallets", "4", "--seed", "mnemonic-funder", "--funder-mnemonic-file", mnemonic, "--funder-index", "1", "--no-results", "--no-live");

        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
        Assert.Equal("", run.StdErr);
        Assert.Contains($"ETH each from {Account1}...", run.StdOut);
        Assert.Contains("40 accepted", run.StdOut.Replace(",", "", StringComparison.Ordinal));
        // On the chain: account 1 sent the funding txs (one per wallet), account 0 sent nothing.
        Assert.Equal(4, await NonceAsync(node, Account1));
        Assert.Equal(0, await NonceAsync(node, Account0));
    }

    [Theory]
    [InlineData("", "--funder-mnemonic-file {0} does not exist", "missing")]
    [InlineData("test test test test test test test test test test test", "--funder-mnemonic-file {0}: the mnemonic has 11 words: a BIP-39 mnemonic has 12, 15, 18, 21 or 24", "")]
    [InlineData("test test test test test test test test test test test jnuk", "--funder-mnemonic-file {0}: word 12 of the mnemonic is not in the BIP-39 English wordlist (the word is not shown: it is part of a secret): check its spelling", "")]
    [InlineData("test test test test test test test test test test junk test", "--funder-mnemonic-file {0}: the mnemonic's checksum does not match (a word is wrong or the words are out of order): check it against your backup", "")]
    [InlineData(AnvilMnemonic, "--funder-index -1 is out of range: give 0 to 2147483647 (the N of m/44'/60'/0'/0/N)", "--funder-index -1")]
    [InlineData(AnvilMnemonic, "--funder-index 2147483648 is out of range: give 0 to 2147483647 (the N of m/44'/60'/0'/0/N)", "--funder-index 2147483648")]
    [InlineData(AnvilMnemonic, "--funder-mnemonic-file and --funder-key-file exclude each other: give the funder one way", "--funder-key-file {0}")]
    public async Task A_bad_mnemonic_funder_is_one_line_and_exit_2(string mnemonic, string expected, string extra)
    {
        string file = mnemonic.Length > 0 || extra != "missing" ? MnemonicFile(mnemonic) : TestPaths.NewFile(".mnemonic");
        string[] more = extra is "" or "missing" ? [] : string.Format(CultureInfo.InvariantCulture, extra, file).Split(' ');
        foreach (string command in new[] { "run", "presign", "sweep" })
        {
            string[] args = command switch
            {
                "presign" => ["presign", "--count", "1", "--out", TestPaths.NewFile(".bin")],
                _ => [command, "--rpc", "http://127.0.0.1:1"],
            };
            ProcessResult result = await ProcessRunner.RunFastloadAsync("", [.. args, "--funder-mnemonic-file", file, .. more]);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"fastload {command}: {string.Format(CultureInfo.InvariantCulture, expected, file)}", result.StdErr.Trim());
        }
    }

    [Theory]
    [InlineData("--funder-mnemonic-file", "a BIP-39 mnemonic of 12 to 24 words")]
    [InlineData("--funder-key-file", "a 0x private key")]
    public async Task A_secret_file_over_4_KB_or_endless_is_one_line_and_exit_2(string flag, string holds)
    {
        // A big file, and a device that never ends (before: read until memory ran out).
        string big = MnemonicFile(string.Join(' ', Enumerable.Repeat(AnvilMnemonic, 70))); // 4,270 bytes
        foreach (string file in new[] { big, "/dev/zero" })
        {
            ProcessResult result = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", "http://127.0.0.1:1", flag, file).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, result.ExitCode);
            string last = result.StdErr.Trim().Split('\n')[^1]; // /dev/zero is readable by all: a warning line comes first
            Assert.Equal($"fastload run: {flag} {file} is over 4 KB: it should hold {holds} and nothing else", last);
        }
    }

    [Fact]
    public async Task Mnemonic_and_FASTLOAD_FUNDER_KEY_exclude_each_other()
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", "http://127.0.0.1:1", "--funder-mnemonic-file", MnemonicFile(AnvilMnemonic));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("fastload run: --funder-mnemonic-file and FASTLOAD_FUNDER_KEY exclude each other: unset FASTLOAD_FUNDER_KEY or drop --funder-mnemonic-file", result.StdErr.Trim());
    }

    [Fact]
    public async Task Funder_index_without_a_mnemonic_is_refused()
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", "http://127.0.0.1:1", "--funder-index", "3");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("fastload run: --funder-index needs --funder-mnemonic-file: it picks an account of the mnemonic", result.StdErr.Trim());
    }

    private static async Task<long> NonceAsync(AnvilNode node, string address)
    {
        JsonNode? count = await node.CallAsync("eth_getTransactionCount", address, "latest");
        return Convert.ToInt64(count!.GetValue<string>(), 16);
    }
}
